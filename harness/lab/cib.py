"""Seed the first CIB offline with Pacemaker's own tools: no pcsd, no 20 s wait for a DC."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from harness.lab.config import LabConfig, LabError

CLEAN_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def _tool(argv: list[str], cib_file: Path | None = None) -> str:
    env = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8"}
    if cib_file is not None:
        env["CIB_file"] = str(cib_file)
    proc = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False)
    if proc.returncode != 0:
        raise LabError(f"{' '.join(argv)}: {proc.stderr.strip() or 'exit %d' % proc.returncode}")
    return proc.stdout


def cluster_options(config: LabConfig) -> dict[str, str]:
    """No fencing device exists in the lab, and a fresh cluster should elect its DC quickly."""
    return {"stonith-enabled": "false", "dc-deadtime": config.dc_deadtime}


def seed(config: LabConfig, target: Path) -> None:
    """Write an empty CIB with the lab's cluster options to target (a node's cib.xml)."""
    scratch = target.with_name("seed.xml")
    scratch.write_text(_tool(["cibadmin", "--empty"]))
    for name, value in cluster_options(config).items():
        _tool(["crm_attribute", "--type", "crm_config", "--name", name, "--update", value],
              cib_file=scratch)
    os.replace(scratch, target)
    os.chmod(target, 0o600)
    shutil.chown(target, "hacluster", "haclient")

"""Run a command or a Python scenario in its own PID and mount namespaces, so what it kills or mounts stays there."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
UNSHARE = ["unshare", "-pmf", "--mount-proc"]
REAPER = """
import os, sys
child = os.fork()
if child == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
while True:  # PID 1 of the namespace: reap every orphan, so a killed daemon never lingers as a zombie
    pid, status = os.wait()
    if pid == child:
        sys.exit(os.waitstatus_to_exitcode(status) % 256)
"""


def require_namespaces() -> None:
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.skip("needs root and unshare(1) (util-linux) for PID and mount namespaces")


def run_isolated(argv: list, timeout: float = 120, network: bool = False, **kwargs) -> subprocess.CompletedProcess:
    """argv inside `unshare -pmf --mount-proc` under a reaping PID 1, with the checkout on PYTHONPATH; output as text.

    With network, in a network namespace of its own too (only a loopback, down, until argv sets it up)."""
    require_namespaces()
    env = dict(kwargs.pop("env", os.environ), PYTHONPATH=str(REPO))
    command = UNSHARE + (["-n"] if network else []) + [sys.executable, "-c", REAPER] + list(argv)
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, **kwargs)


def run_scenario(code: str, *args: str, timeout: float = 120, network: bool = False) -> dict:
    """Python code run isolated with args in sys.argv[1:]; its last stdout line is JSON, returned decoded."""
    done = run_isolated([sys.executable, "-c", code, *args], timeout=timeout, network=network)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and lines, f"scenario failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1])


PROCESSES = '''
def processes(name):
    """pids of the namespace's processes whose command is name."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if handle.read().split(b"\\0")[0].endswith(name.encode()):
                    found.append(int(pid))
        except (OSError, ValueError):
            pass
    return found
'''
"""Source of processes(name), for scenarios: what is left running inside the namespace."""

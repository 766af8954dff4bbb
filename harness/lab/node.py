"""One lab node seen from the host: boot it into its namespaces, run commands in it, power it off, kill it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import harness
from harness.lab import network, processes
from harness.lab.config import LabConfig, LabError
from harness.lab.processes import ProcessRecord

CLEAN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root"}
BOOT_TIMEOUT = 60.0


def _pids_path(config: LabConfig, node: str) -> Path:
    return config.node_dir(node) / "pids.json"


def recorded(config: LabConfig, node: str) -> dict[str, ProcessRecord]:
    """The node's recorded processes: 'launcher' (unshare) and 'init' (the node's PID 1)."""
    try:
        data = json.loads(_pids_path(config, node).read_text())
    except (OSError, ValueError):
        return {}
    return {role: ProcessRecord.from_json(rec) for role, rec in data.items()}


def _save_records(config: LabConfig, node: str, records: dict[str, ProcessRecord]) -> None:
    path = _pids_path(config, node)
    path.write_text(json.dumps({role: rec.to_json() for role, rec in records.items()}) + "\n")


def init_process(config: LabConfig, node: str) -> ProcessRecord | None:
    """The node's PID 1 if it is running (the record still matches a live process)."""
    rec = recorded(config, node).get("init")
    return rec if rec and processes.is_alive(rec) else None


def is_up(config: LabConfig, node: str) -> bool:
    return init_process(config, node) is not None


def boot_argv(config: LabConfig, node: str, mode: str) -> list[str]:
    return [
        "nsenter", f"--net=/run/netns/{config.netns(node)}", "--",
        "unshare", "--mount", "--uts", "--ipc", "--pid", "--fork", "--mount-proc",
        "--propagation", "private", "--kill-child=SIGKILL", "--",
        sys.executable, "-m", "harness.lab.nodeinit", config.state_dir, node, mode,
    ]


def boot(config: LabConfig, node: str, mode: str = "enabled") -> ProcessRecord:
    """Power the node on; mode is bare, enabled or start (see harness.lab.nodeinit)."""
    config.check_node(node)
    if is_up(config, node):
        raise LabError(f"{node} is already running")
    if not network.netns_exists(config.netns(node)):
        raise LabError(f"network namespace {config.netns(node)} is missing; run `ocfpy-lab up`")
    ready = config.node_dir(node) / "ready"
    if ready.exists():
        ready.unlink()
    env = dict(CLEAN_ENV, PYTHONPATH=str(Path(harness.__file__).resolve().parents[1]))
    with open(config.node_dir(node) / "init.log", "ab") as log:
        launcher = subprocess.Popen(boot_argv(config, node, mode), env=env, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log, start_new_session=True)
    records = {"launcher": processes.record(launcher.pid)}
    _save_records(config, node, records)
    records["init"] = _find_init(launcher, records["launcher"])
    _save_records(config, node, records)
    return records["init"]


def _find_init(launcher: subprocess.Popen, rec: ProcessRecord) -> ProcessRecord:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for child in processes.children_of(rec.pid):
            try:
                return processes.record(child)
            except ProcessLookupError:
                continue
        if launcher.poll() is not None:
            break
        time.sleep(0.01)
    raise LabError(f"the node's namespaces could not be created (unshare exit {launcher.poll()})")


def wait_booted(config: LabConfig, node: str, timeout: float = BOOT_TIMEOUT) -> dict:
    """Wait for the node's init to report; raise with its error or log tail if it fails."""
    ready = config.node_dir(node) / "ready"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready.exists():
            data = json.loads(ready.read_text())
            if not data.get("ok"):
                raise LabError(f"{node} failed to boot: {data.get('error')}")
            return data
        if not is_up(config, node):
            raise LabError(f"{node} died while booting: {_log_tail(config, node)}")
        time.sleep(0.02)
    raise LabError(f"{node} did not finish booting within {timeout:.0f} s")


def _log_tail(config: LabConfig, node: str) -> str:
    try:
        lines = (config.node_dir(node) / "init.log").read_text(errors="replace").splitlines()
    except OSError:
        return "no init.log"
    return " | ".join(lines[-3:]) or "init.log is empty"


def kill(config: LabConfig, node: str) -> bool:
    """Power cut: SIGKILL to the node's PID 1 takes every process of the node with it."""
    config.check_node(node)
    records = recorded(config, node)
    gone = True
    for role in ("init", "launcher"):
        if role in records:
            gone = processes.terminate(records[role], grace=0) and gone
    return gone


def shutdown(config: LabConfig, node: str, grace: float) -> bool:
    """Clean power-off (pacemaker and corosync stopped by init), SIGKILL after grace seconds."""
    records = recorded(config, node)
    if "init" in records:
        processes.terminate(records["init"], grace=grace)
    return kill(config, node)


def exec_argv(config: LabConfig, node: str, argv: list[str]) -> list[str]:
    init = init_process(config, node)
    if init is None:
        raise LabError(f"{node} is not running (`ocfpy-lab boot {node}` powers it on)")
    return ["nsenter", f"--target={init.pid}", "--mount", "--uts", "--ipc", "--net", "--pid",
            "--root", "--wd", "--", *argv]


def exec_env() -> dict[str, str]:
    env = dict(CLEAN_ENV)
    if os.environ.get("TERM"):
        env["TERM"] = os.environ["TERM"]
    return env


def run(config: LabConfig, node: str, argv: list[str], timeout: float = 120.0,
        check: bool = False) -> subprocess.CompletedProcess:
    """Run a command inside the node with a clean environment and capture its output."""
    proc = subprocess.run(exec_argv(config, node, argv), env=exec_env(), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=timeout, check=False)
    if check and proc.returncode != 0:
        raise LabError(f"{node}: {' '.join(argv)} exited {proc.returncode}: "
                       f"{(proc.stderr or proc.stdout).strip()[-500:]}")
    return proc

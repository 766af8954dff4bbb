"""PID 1 of a lab node: private mounts, hostname, ocfpy grafted in, cluster units started, children reaped.

Run by the lab as `python -m harness.lab.nodeinit STATE_DIR NODE MODE` inside fresh mount, UTS,
IPC and PID namespaces of the node's netns. MODE: bare (no units), enabled (units marked enabled),
start (corosync and pacemaker, and pcsd when enabled). SIGTERM = clean power-off (every unit stopped).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import harness
from harness.lab import install, nodefs
from harness.lab.config import LabConfig

SYSTEMCTL = "/usr/bin/systemctl"  # the shim, once mounted
UNITS = ("corosync", "pacemaker")
OPTIONAL_UNITS = ("pcsd",)  # started when enabled (ocfpy-lab up --pcsd enables it)


class PowerOff(Exception):
    """SIGTERM arrived: shut the node down cleanly."""


def mount(*args: str) -> None:
    proc = subprocess.run(["mount", *args], stderr=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"mount {' '.join(args)}: {proc.stderr.strip()}")


def bind(source: str, target: str, readonly: bool = False) -> None:
    mount("--bind", *(["-o", "ro"] if readonly else []), source, target)


def host_paths_needed(config: LabConfig) -> list[str]:
    """Host directories the node must keep seeing: this python, the harness, the ocfpy sources."""
    paths = {sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             str(Path(harness.__file__).resolve().parents[1])}
    paths.update(config.install.get(key) for key in ("root", "agents", "package"))
    paths.discard(None)
    return sorted(paths)


def mount_tmpfs(config: LabConfig, node: str, path: str, mode: int, keep: list[str]) -> None:
    """A fresh tmpfs on path; directories of `keep` below path (a checkout in /tmp...) stay visible."""
    below = [p for p in keep if p.startswith(path + "/")]
    below = [p for p in below if not any(p.startswith(q + "/") for q in below)]  # outermost only
    hidden = config.node_dir(node) / "host" / path.strip("/").replace("/", "_")
    if below:
        hidden.mkdir(parents=True, exist_ok=True)
        mount("--rbind", path, str(hidden))
    mount("-t", "tmpfs", "-o", f"mode={mode:o},nosuid,nodev", f"lab-{node}", path)
    for kept in below:
        os.makedirs(kept, exist_ok=True)
        bind(str(hidden / os.path.relpath(kept, path)), kept, readonly=True)
    if below:
        subprocess.run(["umount", "--lazy", str(hidden)], check=False)


def mount_private_fs(config: LabConfig, node: str) -> None:
    keep = host_paths_needed(config)
    for path, mode in nodefs.TMPFS:
        mount_tmpfs(config, node, path, mode, keep)
    for path, mode, owner, group in nodefs.RUN_DIRS:
        nodefs.make_dir(Path(path), mode, owner, group)
    base = config.node_dir(node)
    for sub, target in nodefs.NODE_DIRS:
        if os.path.isdir(target):
            bind(str(base / sub), target)
    for name, target in nodefs.shared_files(config):
        bind(str(config.state / name), target)


def seal_root(config: LabConfig) -> None:
    """Make the host's root filesystem read-only for this node, so nothing run in it writes host files.

    Only the node's own mounts stay writable: its tmpfs, its bound directories, the lab state.
    """
    bind(config.state_dir, config.state_dir)
    mount("-o", "remount,bind,ro", "/")


def graft(view: Path, target: str, name: str, source: str) -> None:
    """Make `target/name` show `source` without writing to target: rebuild target as a view of binds."""
    view.mkdir(parents=True, exist_ok=True)
    for entry in os.listdir(target):
        if entry == name:
            continue  # ours shadows whatever the host has there
        original, stand_in = os.path.join(target, entry), view / entry
        if os.path.islink(original):
            os.symlink(os.readlink(original), stand_in)
            continue
        if os.path.isdir(original):
            stand_in.mkdir()
        else:
            stand_in.touch()
        bind(original, str(stand_in))
    (view / name).mkdir()
    bind(source, str(view / name), readonly=True)
    mount("--rbind", str(view), target)


def install_ocfpy(config: LabConfig, node: str) -> None:
    graft_root = config.node_dir(node) / "graft"
    if graft_root.exists():
        shutil.rmtree(graft_root)  # stand-ins of a previous boot (never mounted here any more)
    for index, (target, name, source) in enumerate(install.grafts(config.install)):
        graft(graft_root / str(index), target, name, source)


def enabled(unit: str) -> bool:
    return os.path.exists(os.path.join("/etc/corosync", nodefs.ENABLED_MARKER.format(unit)))


def start_units(mode: str) -> list[str]:
    optional = [u for u in OPTIONAL_UNITS if enabled(u)]
    wanted = {
        "bare": [],
        "start": list(UNITS) + optional,
        "enabled": [u for u in UNITS if enabled(u)] + optional,
    }[mode]
    for unit in wanted:
        proc = subprocess.run([SYSTEMCTL, "start", unit], stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"systemctl start {unit}: {proc.stderr.strip()}")
    return wanted


def power_off() -> None:
    subprocess.run([SYSTEMCTL, "stop", "pacemaker", "corosync", "pcsd", "pcsd-ruby"], check=False)


def reap_forever() -> None:
    """Be a good PID 1: collect every orphan until told to power off."""
    while True:
        try:
            os.wait()
        except ChildProcessError:
            time.sleep(0.5)


def on_sigterm(signum, frame):
    raise PowerOff()


def report(ready: Path, data: dict) -> None:
    tmp = ready.with_suffix(".tmp")
    tmp.write_text(json.dumps(data) + "\n")
    os.replace(tmp, ready)


def main(argv: list[str]) -> int:
    state_dir, node, mode = argv
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.chdir("/")
    config = LabConfig.load(state_dir)
    ready = config.node_dir(node) / "ready"
    try:
        socket.sethostname(node)
        mount_private_fs(config, node)
        install_ocfpy(config, node)
        seal_root(config)
        started = start_units(mode)
        report(ready, {"ok": True, "units": started, "time": time.time()})
        reap_forever()
    except PowerOff:
        power_off()
        return 0
    except Exception as exc:  # reported to the host, which tears the node down
        report(ready, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        print(f"node {node}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

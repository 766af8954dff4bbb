#!/usr/bin/python3 -I
"""A stand-in for systemctl inside a lab node (no systemd): runs the cluster's units as their unit files do.

Copied into the lab's state directory and bind-mounted over /usr/bin/systemctl in each node's
mount namespace only. Standalone on purpose: /usr/bin/python3 runs it without the harness.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

RUN_DIR = "/run/ocfpy-lab"
ENABLED_DIR = "/etc/corosync"  # node-private, survives a node reboot like a unit symlink would
CLEAN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root"}



def unix_socket_answers(path: str):
    """Readiness of a Type=notify daemon that serves a unix socket (sd_notify is not there)."""
    def ready() -> bool:
        with socket.socket(socket.AF_UNIX) as sock:
            return sock.connect_ex(path) == 0
    return ready


def tcp_port_answers(port: int):
    def ready() -> bool:
        with socket.socket() as sock:
            sock.settimeout(1.0)
            return sock.connect_ex(("127.0.0.1", port)) == 0
    return ready


# unit -> how its unit file runs it (Debian 12's corosync, pacemaker, pcsd-ruby and pcsd units)
UNITS = {
    "corosync": {
        "exec": ["/usr/sbin/corosync", "-f"],
        "env_file": "/etc/default/corosync",
        "ready": ["/usr/sbin/corosync-cfgtool", "-s"],  # Type=notify: started once it answers
        "stop": ["/usr/sbin/corosync-cfgtool", "-H", "--force"],
        "requires": [],
        "stop_timeout": 90.0,
    },
    "pacemaker": {
        "exec": ["/usr/sbin/pacemakerd"],
        "env_file": "/etc/default/pacemaker",
        "ready": None,  # Type=simple
        "stop": None,  # SIGTERM to pacemakerd, which stops its children and resources
        "requires": ["corosync"],
        "stop_timeout": 600.0,
    },
    "pcsd-ruby": {
        "exec": ["/usr/share/pcsd/pcsd"],
        "env_file": "/etc/default/pcsd",
        "ready": unix_socket_answers("/run/pcsd-ruby.socket"),
        "stop": None,
        "requires": [],
        "stop_timeout": 30.0,
    },
    "pcsd": {
        "exec": ["/usr/sbin/pcsd"],
        "env_file": "/etc/default/pcsd",
        "ready": tcp_port_answers(2224),
        "stop": None,
        "requires": ["pcsd-ruby"],
        "stop_timeout": 30.0,
    },
}


def unit_name(arg: str) -> str:
    return arg[:-len(".service")] if arg.endswith(".service") else arg


def pid_file(unit: str) -> str:
    return os.path.join(RUN_DIR, unit + ".pid")


def starttime(pid: int):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def main_pid(unit: str):
    """The recorded main PID of a unit if that very process still runs."""
    try:
        with open(pid_file(unit)) as handle:
            pid, start = handle.read().split()
    except (OSError, ValueError):
        return None
    return int(pid) if starttime(int(pid)) == start else None


def read_env_file(path: str) -> dict:
    env = {}
    try:
        with open(path) as handle:
            lines = handle.read().splitlines()
    except OSError:
        return env
    for line in lines:
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key.strip()] = value.strip().strip("\"'")
    return env


def start(unit: str) -> int:
    spec = UNITS[unit]
    for needed in spec["requires"]:
        if start(needed) != 0:
            return 1
    if main_pid(unit):
        return 0
    os.makedirs(RUN_DIR, exist_ok=True)
    env = dict(CLEAN_ENV, **read_env_file(spec["env_file"]))
    with open(os.devnull, "r+b") as null:
        proc = subprocess.Popen(spec["exec"], env=env, cwd="/", stdin=null, stdout=null,
                                stderr=null, start_new_session=True)
    with open(pid_file(unit), "w") as handle:
        handle.write(f"{proc.pid} {starttime(proc.pid)}\n")
    return wait_ready(unit, spec, proc)


def wait_ready(unit: str, spec: dict, proc: subprocess.Popen) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            print(f"Job for {unit}.service failed: exited with status {proc.returncode}.",
                  file=sys.stderr)
            return 1
        if is_ready(spec["ready"]):
            return 0
        time.sleep(0.1)
    print(f"Job for {unit}.service failed: not ready within 60 s.", file=sys.stderr)
    return 1


def is_ready(check) -> bool:
    if check is None:
        return True
    if callable(check):
        return check()
    return subprocess.run(check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def stop(unit: str) -> int:
    for other, spec in UNITS.items():  # units that require this one stop first
        if unit in spec["requires"] and stop(other) != 0:
            return 1
    pid, spec = main_pid(unit), UNITS[unit]
    if not pid:
        return 0
    if spec["stop"]:
        subprocess.run(spec["stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if main_pid(unit):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + spec["stop_timeout"]
    while main_pid(unit) and time.monotonic() < deadline:
        time.sleep(0.1)
    if main_pid(unit):
        print(f"Job for {unit}.service failed: still running after stop.", file=sys.stderr)
        return 1
    return 0


def enabled_marker(unit: str) -> str:
    return os.path.join(ENABLED_DIR, f".ocfpy-lab-enabled-{unit}")


def set_enabled(unit: str, enabled: bool) -> int:
    if enabled:
        open(enabled_marker(unit), "w").close()
    elif os.path.exists(enabled_marker(unit)):
        os.unlink(enabled_marker(unit))
    return 0


def query(verb: str, unit: str) -> int:
    if verb == "is-active":
        active = unit in UNITS and main_pid(unit) is not None
        print("active" if active else "inactive")
        return 0 if active else 3
    if unit not in UNITS:
        print(f"Failed to get unit file state for {unit}.service: No such file or directory",
              file=sys.stderr)
        return 1
    enabled = os.path.exists(enabled_marker(unit))
    print("enabled" if enabled else "disabled")
    return 0 if enabled else 1


def status(unit: str) -> int:
    pid = main_pid(unit) if unit in UNITS else None
    state = "active (running)" if pid else "inactive (dead)"
    print(f"* {unit}.service - ocfpy lab shim\n     Active: {state}")
    if pid:
        print(f"   Main PID: {pid}")
    return 0 if pid else 3


def list_unit_files() -> int:
    print("UNIT FILE STATE VENDOR PRESET")
    for unit in UNITS:
        print(f"{unit}.service {'enabled' if os.path.exists(enabled_marker(unit)) else 'disabled'} enabled")
    return 0


ACTIONS = {
    "start": start, "stop": stop,
    "restart": lambda unit: stop(unit) or start(unit),
    "enable": lambda unit: set_enabled(unit, True),
    "disable": lambda unit: set_enabled(unit, False),
    "is-active": lambda unit: query("is-active", unit),
    "is-enabled": lambda unit: query("is-enabled", unit),
    "status": status,
}


def main(argv: list) -> int:
    args = [a for a in argv if not a.startswith("-")]
    if not args:
        print("systemctl (ocfpy lab shim): no command given", file=sys.stderr)
        return 1
    verb, units = args[0], [unit_name(a) for a in args[1:]]
    if verb == "list-unit-files":
        return list_unit_files()
    if verb in ("daemon-reload", "reset-failed"):
        return 0
    if verb not in ACTIONS or not units:
        print(f"systemctl (ocfpy lab shim): unsupported: {' '.join(argv)}", file=sys.stderr)
        return 1
    if verb in ("start", "stop", "restart", "enable", "disable"):
        unknown = [u for u in units if u not in UNITS]
        if unknown:
            print(f"Failed to {verb} {unknown[0]}.service: Unit {unknown[0]}.service not found.",
                  file=sys.stderr)
            return 5
    return max(ACTIONS[verb](unit) for unit in units)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""A node's "disk": per-node directories on the host that the node mounts over /etc, /var/lib and /var/log."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

from harness.lab import cib, corosync
from harness.lab.config import NODE_TMPFS, LabConfig

# state subdirectory -> path it covers inside the node; missing targets are skipped
NODE_DIRS = (
    ("etc-corosync", "/etc/corosync"),
    ("etc-pacemaker", "/etc/pacemaker"),
    ("var-lib-corosync", "/var/lib/corosync"),
    ("var-lib-pacemaker", "/var/lib/pacemaker"),
    ("var-lib-pcsd", "/var/lib/pcsd"),
    ("var-log", "/var/log"),
)
# lab-wide files in the state dir -> file they cover inside every node
SHARED_FILES = (("hosts", "/etc/hosts"), ("systemctl", "/usr/bin/systemctl"))
# with pcsd: /etc/shadow with a password for hacluster (pcs host auth logs in with it)
PCSD_FILES = (("shadow", "/etc/shadow"),)
PCSD_PASSWORD = "pcsd-password"  # in the state dir, root only
ENABLED_MARKER = ".ocfpy-lab-enabled-{}"  # in a node's /etc/corosync, as the systemctl shim writes it
# fresh tmpfs in every node: (path, mode)
TMPFS = tuple(zip(NODE_TMPFS, (0o755, 0o1777, 0o1777)))
# what systemd-tmpfiles would create in /run: (path, mode, owner, group)
RUN_DIRS = (
    ("/run/resource-agents", 0o1755, "root", "root"),
    ("/run/lock", 0o1777, "root", "root"),
    ("/run/crm", 0o750, "hacluster", "haclient"),
)
PACEMAKER_SUBDIRS = ("cib", "pengine", "blackbox", "cores")
LOG_DIRS = (("pacemaker", 0o770, "hacluster", "haclient"), ("corosync", 0o755, "root", "root"),
            ("pcsd", 0o700, "root", "root"),
            ("crmsh", 0o775, "hacluster", "haclient"))  # crm fails without its log directory


def make_dir(path: Path, mode: int, owner: str = "root", group: str = "root") -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, mode)
    shutil.chown(path, owner, group)


def shared_files(config: LabConfig) -> tuple:
    """(name in the state dir, path it covers in every node)."""
    return SHARED_FILES + (PCSD_FILES if config.pcsd else ())


def write_shared_files(config: LabConfig) -> None:
    """/etc/hosts with the nodes, the systemctl shim (executable), with pcsd a shadow file."""
    with open("/etc/hosts") as handle:
        hosts = handle.read().rstrip("\n") + "\n"
    hosts += "# ocfpy lab nodes\n" + "".join(
        f"{config.address(node)}\t{node}\n" for node in config.nodes)
    hosts += f"{config.gateway}\tgateway\n"
    (config.state / "hosts").write_text(hosts)
    shim_source = Path(__file__).with_name("systemctl_shim.py").read_text()
    shim = config.state / "systemctl"
    shim.write_text(shim_source)
    os.chmod(shim, 0o755)
    if config.pcsd:
        write_shadow(config)


def pcsd_password(config: LabConfig) -> str:
    return (config.state / PCSD_PASSWORD).read_text().strip()


def write_shadow(config: LabConfig) -> None:
    """A copy of the host's /etc/shadow where hacluster has a fresh password (the host's is untouched)."""
    password = secrets.token_urlsafe(12)
    fd = os.open(config.state / PCSD_PASSWORD, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    hashed = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=password + "\n",
                            capture_output=True, text=True, check=True,
                            env={"PATH": "/usr/bin:/bin"}).stdout.strip()
    with open("/etc/shadow") as handle:
        lines = handle.read().splitlines()
    entries = [line.split(":") for line in lines]
    lines = [":".join([e[0], hashed] + e[2:]) if e[0] == "hacluster" else ":".join(e) for e in entries]
    shadow = config.state / "shadow"
    fd = os.open(shadow, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    shutil.chown(shadow, "root", "shadow")


def prepare(config: LabConfig, node: str, authkey: bytes) -> None:
    """Create the node's directories once, like installing its disk; a reboot keeps them."""
    base = config.node_dir(node)
    if (base / "etc-corosync" / "corosync.conf").exists():
        return
    make_dir(base, 0o755)
    make_dir(base / "etc-corosync", 0o755)
    if config.pcsd:  # enabled, as the package leaves it: it comes back when the node boots
        (base / "etc-corosync" / ENABLED_MARKER.format("pcsd")).touch()
    (base / "etc-corosync" / "corosync.conf").write_text(corosync.render_conf(config))
    corosync.write_authkey(base / "etc-corosync" / "authkey", authkey)
    make_dir(base / "etc-pacemaker", 0o750, "root", "haclient")
    make_dir(base / "var-lib-corosync", 0o755)
    make_dir(base / "var-lib-pacemaker", 0o755)
    for sub in PACEMAKER_SUBDIRS:
        make_dir(base / "var-lib-pacemaker" / sub, 0o750, "hacluster", "haclient")
    cib.seed(config, base / "var-lib-pacemaker" / "cib" / "cib.xml")
    make_dir(base / "var-lib-pcsd", 0o700)
    make_dir(base / "var-log", 0o755)
    for name, mode, owner, group in LOG_DIRS:
        make_dir(base / "var-log" / name, mode, owner, group)
    make_dir(base / "graft", 0o755)

"""pcsd in the nodes: each node authenticated to all, so `pcs cluster start NODE` works from any node."""

from __future__ import annotations

from harness.lab import node, nodefs
from harness.lab.config import LabConfig


def authenticate(config: LabConfig) -> None:
    """`pcs host auth` on each node for all nodes, as hacluster with the lab's password."""
    password = nodefs.pcsd_password(config)
    for name in config.nodes:
        node.run(config, name, ["pcs", "host", "auth", *config.nodes, "-u", "hacluster", "-p", password],
                 timeout=120, check=True)


def daemon_status(config: LabConfig, name: str) -> dict[str, str]:
    """The "Daemon Status" section of `pcs status` on a node: daemon -> "active/enabled" and the like."""
    return parse_daemon_status(node.run(config, name, ["pcs", "status"], timeout=60, check=True).stdout)


def parse_daemon_status(text: str) -> dict[str, str]:
    lines = text.splitlines()
    if "Daemon Status:" not in lines:
        return {}
    status = {}
    for line in lines[lines.index("Daemon Status:") + 1:]:
        if not line.startswith("  ") or ":" not in line:
            break
        daemon, state = line.strip().split(":", 1)
        status[daemon] = state.strip()
    return status

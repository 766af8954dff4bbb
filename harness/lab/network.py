"""The lab network: a switch netns with a bridge, a veth "cable" per node netns; nothing in the host netns."""

from __future__ import annotations

import os
import subprocess

from harness.lab.config import LabConfig, LabError

TOOL_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}  # `ip` is in sbin, whatever PATH says
BRIDGE = "br0"
NODE_IFACE = "eth0"


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `ip` with a clean, predictable output; raise LabError on failure when check."""
    proc = subprocess.run(["ip", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False, env=TOOL_ENV)
    if check and proc.returncode != 0:
        raise LabError(f"ip {' '.join(args)}: {proc.stderr.strip() or 'exit %d' % proc.returncode}")
    return proc


def netns_exists(name: str) -> bool:
    return os.path.exists(f"/run/netns/{name}")


def cable(config: LabConfig, node: str) -> str:
    """The switch-side end of a node's veth pair."""
    return f"p-{node}"


def create(config: LabConfig) -> None:
    """Create the switch and every node's netns, wired and addressed."""
    for name in config.all_netns():
        if netns_exists(name):
            raise LabError(f"network namespace {name} already exists; run `ocfpy-lab down` first")
    sw = config.switch_netns
    ip("netns", "add", sw)
    ip("-n", sw, "link", "set", "lo", "up")
    ip("-n", sw, "link", "add", BRIDGE, "type", "bridge")
    ip("-n", sw, "link", "set", BRIDGE, "up")
    for node in config.nodes:
        _wire_node(config, node)


def _wire_node(config: LabConfig, node: str) -> None:
    sw, ns, port = config.switch_netns, config.netns(node), cable(config, node)
    ip("netns", "add", ns)
    ip("-n", ns, "link", "set", "lo", "up")
    # the veth is born in the switch netns and its peer moved straight into the node netns
    ip("-n", sw, "link", "add", port, "type", "veth", "peer", "name", NODE_IFACE, "netns", ns)
    ip("-n", sw, "link", "set", port, "master", BRIDGE, "up")
    ip("-n", ns, "addr", "add", f"{config.address(node)}/24", "dev", NODE_IFACE)
    ip("-n", ns, "link", "set", NODE_IFACE, "up")


def set_cable(config: LabConfig, node: str, plugged: bool) -> None:
    """Pull (netcut) or re-plug (netheal) a node's cable at the switch."""
    config.check_node(node)
    ip("-n", config.switch_netns, "link", "set", cable(config, node), "up" if plugged else "down")


def cable_plugged(config: LabConfig, node: str) -> bool | None:
    proc = ip("-n", config.switch_netns, "-o", "link", "show", cable(config, node), check=False)
    if proc.returncode != 0:
        return None
    flags = proc.stdout.split("<", 1)[-1].split(">", 1)[0].split(",")
    return "UP" in flags


def pids_in(name: str) -> list[int]:
    """PIDs whose network namespace is this one (for checks only, never for signalling)."""
    proc = ip("netns", "pids", name, check=False)
    return [int(p) for p in proc.stdout.split()] if proc.returncode == 0 else []


def destroy(config: LabConfig) -> list[str]:
    """Delete the lab's netns (the veths and bridge go with them). Returns problems seen."""
    problems = []
    for name in reversed(config.all_netns()):
        if not netns_exists(name):
            continue
        left = pids_in(name)
        if left:
            problems.append(f"netns {name} still has processes {left}; not deleting it")
            continue
        proc = ip("netns", "del", name, check=False)
        if proc.returncode != 0:
            problems.append(f"ip netns del {name}: {proc.stderr.strip()}")
    return problems

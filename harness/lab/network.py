"""The lab's two networks in a switch netns, two veth "cables" per node; nothing in the host netns.

The cluster network (eth0, bridge br0) carries corosync; the public network (eth1, br1) is where
clients are, with the switch's own address on it as their gateway: what ping clones ping.
"""

from __future__ import annotations

import os
import subprocess

from harness.lab.config import LabConfig, LabError

TOOL_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C"}  # `ip` is in sbin, whatever PATH says
BRIDGE = "br0"
NODE_IFACE = "eth0"
PUBLIC_BRIDGE = "br1"
PUBLIC_IFACE = "eth1"
LINKS = ("cluster", "public")


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `ip` with a clean, predictable output; raise LabError on failure when check."""
    proc = subprocess.run(["ip", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=False, env=TOOL_ENV)
    if check and proc.returncode != 0:
        raise LabError(f"ip {' '.join(args)}: {proc.stderr.strip() or 'exit %d' % proc.returncode}")
    return proc


def netns_exists(name: str) -> bool:
    return os.path.exists(f"/run/netns/{name}")


def cable(config: LabConfig, node: str, link: str = "cluster") -> str:
    """The switch-side end of a node's veth pair on the cluster (or public) network."""
    return f"p-{node}" if link == "cluster" else f"u-{node}"


def create(config: LabConfig) -> None:
    """Create the switch and every node's netns, wired and addressed."""
    for name in config.all_netns():
        if netns_exists(name):
            raise LabError(f"network namespace {name} already exists; run `ocfpy-lab down` first")
    sw = config.switch_netns
    ip("netns", "add", sw)
    ip("-n", sw, "link", "set", "lo", "up")
    for bridge in (BRIDGE, PUBLIC_BRIDGE):
        ip("-n", sw, "link", "add", bridge, "type", "bridge")
        ip("-n", sw, "link", "set", bridge, "up")
    ip("-n", sw, "addr", "add", f"{config.gateway}/24", "dev", PUBLIC_BRIDGE)
    for node in config.nodes:
        ip("netns", "add", config.netns(node))
        ip("-n", config.netns(node), "link", "set", "lo", "up")
        _wire(config, node, cable(config, node), BRIDGE, NODE_IFACE, config.address(node))
        _wire(config, node, cable(config, node, "public"), PUBLIC_BRIDGE, PUBLIC_IFACE,
              config.public_address(node))


def _wire(config: LabConfig, node: str, port: str, bridge: str, iface: str, address: str) -> None:
    sw, ns = config.switch_netns, config.netns(node)
    # the veth is born in the switch netns and its peer moved straight into the node netns
    ip("-n", sw, "link", "add", port, "type", "veth", "peer", "name", iface, "netns", ns)
    ip("-n", sw, "link", "set", port, "master", bridge, "up")
    ip("-n", ns, "addr", "add", f"{address}/24", "dev", iface)
    ip("-n", ns, "link", "set", iface, "up")


def links(link: str) -> tuple:
    """"all" -> both networks; "cluster" or "public" -> that one."""
    if link == "all":
        return LINKS
    if link not in LINKS:
        raise LabError(f"unknown link {link!r} (all, {', '.join(LINKS)})")
    return (link,)


def set_cable(config: LabConfig, node: str, plugged: bool, link: str = "all") -> None:
    """Pull (netcut) or re-plug (netheal) a node's cables at the switch: both, or one network's."""
    config.check_node(node)
    for name in links(link):
        ip("-n", config.switch_netns, "link", "set", cable(config, node, name), "up" if plugged else "down")


def cable_plugged(config: LabConfig, node: str, link: str = "cluster") -> bool | None:
    proc = ip("-n", config.switch_netns, "-o", "link", "show", cable(config, node, link), check=False)
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

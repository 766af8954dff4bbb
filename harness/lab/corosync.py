"""corosync.conf and the shared authkey for the lab's nodes (knet, encrypted, two_node)."""

from __future__ import annotations

import os
from pathlib import Path

from harness.lab.config import LabConfig

AUTHKEY_BYTES = 256  # what corosync-keygen writes by default


def render_conf(config: LabConfig) -> str:
    """The corosync.conf every node gets; a node finds itself by the one address it owns."""
    totem = [
        "version: 2",
        f"cluster_name: {config.cluster_name}",
        "transport: knet",
        "crypto_cipher: aes256",
        "crypto_hash: sha256",
    ]
    if config.token_ms:
        totem.append(f"token: {int(config.token_ms)}")
    nodes = []
    for node in config.nodes:
        nodes.append(_section("node", [
            f"ring0_addr: {config.address(node)}",
            f"name: {node}",
            f"nodeid: {config.node_id(node)}",
        ], indent=1))
    sections = [
        _section("totem", totem),
        "nodelist {\n" + "\n".join(nodes) + "\n}",
        _section("quorum", ["provider: corosync_votequorum", "two_node: 1"]),
        _section("logging", [
            "to_logfile: yes",
            "logfile: /var/log/corosync/corosync.log",
            "to_stderr: no",
            "to_syslog: no",
            "timestamp: on",
        ]),
        # keep corosync out of the host's cgroups: the nodes are not containers of their own
        _section("system", ["move_to_root_cgroup: no"]),
    ]
    return "# written by ocfpy-lab\n" + "\n\n".join(sections) + "\n"


def _section(name: str, lines: list[str], indent: int = 0) -> str:
    pad = "    " * indent
    body = "".join(f"{pad}    {line}\n" for line in lines)
    return f"{pad}{name} {{\n{body}{pad}}}"


def write_authkey(path: Path, key: bytes) -> None:
    """Write the shared key readable by root only, as corosync-keygen does."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o400)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)


def new_authkey() -> bytes:
    return os.urandom(AUTHKEY_BYTES)

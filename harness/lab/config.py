"""What a lab is: names, addresses, timings and where its state lives (saved as lab.json)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

DEFAULT_PREFIX = "ocfpylab"
DEFAULT_SUBNET = "10.213.0"  # /24, only ever configured inside the lab's own netns
DEFAULT_PUBLIC_SUBNET = "10.214.0"  # the clients' network, likewise
NODE_NAMES = ("node1", "node2")
NODE_TMPFS = ("/run", "/dev/shm", "/tmp")  # every node mounts its own fresh tmpfs on these


@dataclass
class LabConfig:
    """Everything `up` decides; every later command reads it back from lab.json."""

    prefix: str = DEFAULT_PREFIX
    state_dir: str = ""
    subnet: str = DEFAULT_SUBNET
    public_subnet: str = DEFAULT_PUBLIC_SUBNET
    nodes: tuple = NODE_NAMES
    token_ms: Optional[int] = None  # corosync totem.token; None keeps corosync's 3000 ms
    dc_deadtime: str = "5s"
    cluster_name: str = "ocfpylab"
    pcsd: bool = False  # pcsd runs in every node (enabled: it starts again when a node boots)
    install: dict = field(default_factory=dict)  # see harness.lab.install

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9]{0,15}", self.prefix):
            raise LabError(f"prefix {self.prefix!r}: use 1-16 lower-case letters and digits, letter first")
        if not self.state_dir:
            self.state_dir = f"/var/tmp/{self.prefix}"
        self.state_dir = os.path.abspath(self.state_dir)
        self.nodes = tuple(self.nodes)

    @property
    def state(self) -> Path:
        return Path(self.state_dir)

    def node_dir(self, node: str) -> Path:
        return self.state / node

    def netns(self, node: str) -> str:
        return f"{self.prefix}-{node}"

    @property
    def switch_netns(self) -> str:
        return f"{self.prefix}-sw"

    def all_netns(self) -> list[str]:
        return [self.switch_netns] + [self.netns(node) for node in self.nodes]

    def address(self, node: str) -> str:
        return f"{self.subnet}.{11 + self.nodes.index(node)}"

    def public_address(self, node: str) -> str:
        return f"{self.public_subnet}.{11 + self.nodes.index(node)}"

    @property
    def gateway(self) -> str:
        """The switch's own address on the public network: what ping clones in the nodes target."""
        return f"{self.public_subnet}.1"

    def node_id(self, node: str) -> int:
        return self.nodes.index(node) + 1

    def token_effective_ms(self) -> int:
        return self.token_ms if self.token_ms else 3000

    def consensus_effective_ms(self) -> int:
        """corosync's consensus timeout: 1.2 x token unless set (the lab never sets it)."""
        return int(1.2 * self.token_effective_ms())

    def check_state_dir(self) -> None:
        """Nodes must see the state dir, so it cannot be where they mount their own tmpfs."""
        if any(self.state_dir == p or self.state_dir.startswith(p + "/") for p in NODE_TMPFS):
            raise LabError(f"state dir {self.state_dir}: not under {', '.join(NODE_TMPFS)}, "
                           "where every node mounts a tmpfs of its own")

    def check_node(self, node: str) -> None:
        if node not in self.nodes:
            raise LabError(f"unknown node {node!r} (nodes: {', '.join(self.nodes)})")

    def save(self) -> None:
        self.state.mkdir(mode=0o755, parents=True, exist_ok=True)
        tmp = self.state / "lab.json.tmp"
        tmp.write_text(json.dumps(asdict(self), indent=1) + "\n")
        os.replace(tmp, self.state / "lab.json")

    @classmethod
    def load(cls, state_dir: str) -> "LabConfig":
        path = Path(state_dir) / "lab.json"
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise LabError(f"no lab is up (no {path}); run `ocfpy-lab up` first") from None
        except ValueError as exc:
            raise LabError(f"{path} is damaged ({exc}); `ocfpy-lab down` removes it") from None
        return cls(**data)


class LabError(Exception):
    """A lab operation failed in a way the user should read as one line."""

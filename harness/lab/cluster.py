"""What the cluster says about itself: crm_mon's XML read from inside a node, and waiting for a state."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from typing import Callable, NamedTuple

from harness.lab import node
from harness.lab.config import LabConfig, LabError

CRM_MON = ["crm_mon", "--one-shot", "--inactive", "--show-node-attributes", "--output-as=xml"]


class Instance(NamedTuple):
    """One resource (or clone instance) as crm_mon reports it."""

    id: str
    agent: str
    role: str
    nodes: tuple
    failed: bool


class ClusterView:
    """A parsed `crm_mon --output-as=xml` snapshot."""

    def __init__(self, root: ET.Element):
        self.root = root
        dc = root.find("summary/current_dc")
        self.dc = dc.get("name") if dc is not None and dc.get("present") == "true" else None
        self.online = {n.get("name") for n in root.iterfind("nodes/node") if n.get("online") == "true"}
        self.instances = [_instance(r) for r in root.iter("resource")]
        self.failures = [dict(f.attrib) for f in root.iterfind("failures/failure")]
        self.attributes = {n.get("name"): {a.get("name"): a.get("value") for a in n.iterfind("attribute")}
                           for n in root.iterfind("node_attributes/node")}

    def formed(self, nodes) -> bool:
        return self.dc is not None and set(nodes) <= self.online

    def where(self, resource: str, role: str | None = None) -> list[str]:
        """Nodes running an instance of resource (id, or the clone's primitive id), optionally in role."""
        found = []
        for inst in self.instances:
            if inst.id.split(":")[0] == resource and (role is None or inst.role == role):
                found += inst.nodes
        return sorted(found)

    def attribute(self, node_name: str, name: str) -> str | None:
        """A node attribute as crm_mon shows it (None when the node has no such attribute)."""
        return self.attributes.get(node_name, {}).get(name)

    def op_seconds(self, resource: str, node_name: str, task: str) -> float:
        """The last `task` operation's exec-time on a node, from the operation history (0 if none)."""
        times = [op.get("exec-time", "0ms") for hist in self.root.iterfind("node_history/node")
                 if hist.get("name") == node_name
                 for res in hist.iterfind("resource_history") if res.get("id") == resource
                 for op in res.iterfind("operation_history") if op.get("task") == task]
        return int(times[-1].rstrip("ms")) / 1000.0 if times else 0.0

    def started_on(self, resource: str) -> str | None:
        nodes = self.where(resource, "Started")
        return nodes[0] if len(nodes) == 1 else None

    def failure(self, op_key: str, node_name: str | None = None) -> dict | None:
        for fail in self.failures:
            if fail.get("op_key") == op_key and node_name in (None, fail.get("node")):
                return fail
        return None

    def summary(self) -> str:
        res = "; ".join(f"{i.id} {i.role}{' on ' + ','.join(i.nodes) if i.nodes else ''}"
                        for i in self.instances) or "no resources"
        fails = "; ".join(old_style_failure(f) for f in self.failures)
        return (f"online [{' '.join(sorted(self.online))}] DC {self.dc or '-'}; {res}"
                + (f"; failed: {fails}" if fails else ""))


def _instance(res: ET.Element) -> Instance:
    return Instance(res.get("id", ""), res.get("resource_agent", ""), res.get("role", ""),
                    tuple(n.get("name") for n in res.iterfind("node")), res.get("failed") == "true")


def old_style_failure(fail: dict) -> str:
    """The pre-2.1 text form the admin guide shows: op_key on node 'exitstatus' (exitcode)."""
    return (f"{fail.get('op_key')} on {fail.get('node')} '{fail.get('exitstatus')}' "
            f"({fail.get('exitcode')}): call={fail.get('call')}, status={fail.get('status')}, "
            f"exitreason='{fail.get('exitreason', '')}'")


def view(config: LabConfig, node_name: str) -> ClusterView:
    proc = node.run(config, node_name, CRM_MON, timeout=30)
    try:
        root = ET.fromstring(proc.stdout)
    except ET.ParseError:
        raise LabError(f"crm_mon on {node_name} gave no XML: "
                       f"{(proc.stderr or proc.stdout).strip()[-300:]}") from None
    return ClusterView(root)


def wait_for(config: LabConfig, node_name: str, predicate: Callable[[ClusterView], bool],
             timeout: float, what: str, poll: float = 0.1) -> tuple[ClusterView, float]:
    """Poll crm_mon on node_name until predicate holds; return the view and seconds waited."""
    started = time.monotonic()
    last = None
    while True:
        try:
            last = view(config, node_name)
            if predicate(last):
                return last, time.monotonic() - started
        except LabError:
            pass  # the cluster layer may not answer yet while it starts
        if time.monotonic() - started > timeout:
            seen = last.summary() if last else "crm_mon never answered"
            raise LabError(f"timed out after {timeout:.0f} s waiting for {what} (last seen: {seen})")
        time.sleep(poll)

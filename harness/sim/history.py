"""What the CIB status section would hold: operation history entries and a read-only view of the node."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

from harness.execd import ExecStatus

from .interpret import Verdict
from .scheduler import Completion, op_key


@dataclass(frozen=True)
class OpRecord:
    """One lrm_rsc_op history entry: the result of an operation as the controller recorded it."""

    rsc: str
    action: str
    interval_ms: int
    call_id: int
    rc: int  # the code as reported (before the scheduler's remapping)
    status: ExecStatus
    exit_reason: Optional[str]
    last_rc_change: float  # time.time()
    exec_ms: int
    queue_ms: int
    node: str
    verdict: Verdict

    @property
    def key(self) -> str:
        return op_key(self.rsc, self.action, self.interval_ms)

    @classmethod
    def from_completion(cls, completion: Completion, node: str, verdict: Verdict) -> "OpRecord":
        result = completion.result
        # execd 2.1.5 measures exec/queue time only for runs it dispatched itself: the repeats of a
        # recurring op are started by the services library with t_run reset, so they report 0 and 0
        first = completion.run <= 1
        return cls(rsc=result.op.instance, action=result.action, interval_ms=result.op.interval_ms,
                   call_id=completion.call_id, rc=result.rc, status=result.status,
                   exit_reason=result.exit_reason, last_rc_change=completion.finished_wall,
                   exec_ms=completion.exec_ms if first else 0, queue_ms=completion.queue_ms if first else 0,
                   node=node, verdict=verdict)


@dataclass(frozen=True)
class ResourceView:
    """A resource as crm_mon shows it: agent, role, where, flags, failures."""

    id: str
    agent: str  # ocf:PROVIDER:TYPE
    role: str  # Stopped, Started, Promoted, Unpromoted
    node: Optional[str]  # where it is active; None when stopped
    failed: bool = False
    blocked: bool = False
    failure_ignored: bool = False
    disabled: bool = False
    migration_threshold: int = 1000000
    fail_count: int = 0
    last_failure: Optional[float] = None
    failed_ops: Tuple[OpRecord, ...] = ()  # listed under "Failed Resource Actions"
    masked_probe: Optional[OpRecord] = None  # shown as "Stopped (not installed)"
    bans: Tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeView:
    """The whole single-node "cluster" at one moment."""

    name: str
    node_id: str = "1"
    online: bool = True
    unclean: bool = False
    standby: bool = False
    updated: float = 0.0  # time.time()
    resources: Tuple[ResourceView, ...] = field(default_factory=tuple)

    def resource(self, rsc_id: str) -> ResourceView:
        for view in self.resources:
            if view.id == rsc_id:
                return view
        raise KeyError(rsc_id)

"""Pacemaker's default local recovery on one node: on-fail, fail counts, migration-threshold, failure-timeout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Tuple

from harness.execd import ExecStatus

from .interpret import FATAL, HARD, Verdict, effective_rc
from .resource import INFINITY


def on_fail_policy(action: str, configured: Optional[str], fencing: bool) -> str:
    """unpack_operation()'s on-fail: stop defaults to fence (or block without fencing), the rest to restart."""
    if configured == "nothing":
        return "ignore"
    if configured == "fence" and not fencing:
        return "stop"  # "fence is not valid when fencing is disabled"
    if configured:
        return configured
    if action == "stop":
        return "fence" if fencing else "block"
    return "restart"


def fail_count_change(action: str, interval_ms: int, rc: int, status: ExecStatus, expected: int,
                      start_failure_is_fatal: bool = True) -> Optional[int]:
    """update_failcount() in the controller: None, +1 (returned as 1) or INFINITY.

    The controller compares the degraded-remapped code for every action (not only monitor),
    counts recurring ops, promote and demote by one, and start and stop failures as INFINITY.
    Probes never count.
    """
    if status in (ExecStatus.CANCELLED, ExecStatus.INVALID) or effective_rc("monitor", rc) == expected:
        return None
    if interval_ms > 0 or action in ("promote", "demote"):
        return 1
    if action == "start":
        return INFINITY if start_failure_is_fatal else 1
    if action == "stop":
        return INFINITY
    return None


class FailCounts:
    """fail-count-<rsc>#<op>_<interval> and last-failure-... node attributes of one resource."""

    def __init__(self) -> None:
        self._counts: Dict[str, int] = {}
        self._last: Dict[str, float] = {}

    def record(self, key: str, change: Optional[int], now: float) -> None:
        """Note a failure of op `key`: bump its count (unless ignored) and its last-failure time."""
        if change is not None:
            value = INFINITY if change >= INFINITY else self._counts.get(key, 0) + change
            self._counts[key] = min(INFINITY, value)
        self._last[key] = now

    def total(self, now: Optional[float] = None, failure_timeout_s: float = 0) -> int:
        """The resource's fail count on this node; with a failure-timeout, expired counts are 0."""
        total = min(INFINITY, sum(self._counts.values()))
        last = self.last_failure
        if failure_timeout_s > 0 and now is not None and last is not None and now >= last + failure_timeout_s:
            return 0
        return total

    @property
    def last_failure(self) -> Optional[float]:
        return max(self._last.values()) if self._last else None

    def clear(self) -> None:
        self._counts.clear()
        self._last.clear()


def threshold_reached(fail_count: int, migration_threshold: int) -> bool:
    """pcmk__threshold_reached(): 0 means never; otherwise banned once failures reach the threshold."""
    return migration_threshold > 0 and fail_count > 0 and fail_count >= migration_threshold


@dataclass(frozen=True)
class Recovery:
    """What the cluster does about one failure when this node is the only one."""

    policy: str  # the on-fail value applied
    actions: Tuple[str, ...] = ()  # ("stop", "start") to recover here, ("stop",) to take it down
    ban: Optional[str] = None  # why it may no longer run on this node (or anywhere, for fatal-error)
    blocked: bool = False  # unmanaged and left as it is
    fence: bool = False  # the node must be fenced (the harness reports it, it cannot do it)
    standby: bool = False  # the node goes to standby: all its resources stop
    ignored: bool = False  # on-fail=ignore: "failure ignored"


NO_RECOVERY = Recovery(policy="none")


def plan_recovery(verdict: Verdict, action: str, policy: str, fail_count: int, migration_threshold: int,
                  status: ExecStatus = ExecStatus.DONE) -> Recovery:
    """Decide, as the scheduler would on a single node, what follows a result."""
    if verdict.masked_probe:
        return Recovery(policy, ban="masked-probe-failure")
    if not verdict.failed:
        return NO_RECOVERY
    if policy == "ignore" and status != ExecStatus.NOT_INSTALLED:
        return Recovery(policy, ignored=True)
    if verdict.stop_failed:  # a resource that cannot be stopped: only fencing recovers it
        if policy == "fence":
            return Recovery(policy, fence=True, ban="__stop_fail__")
        return Recovery("block", blocked=True, ban="__stop_fail__")
    if verdict.severity == FATAL:
        return Recovery(policy, actions=("stop",), ban="fatal-error")
    if verdict.severity == HARD or status == ExecStatus.NOT_INSTALLED:
        return Recovery(policy, actions=("stop",), ban="hard-error")
    return _soft_recovery(policy, fail_count, migration_threshold)


def _soft_recovery(policy: str, fail_count: int, migration_threshold: int) -> Recovery:
    if policy == "block":
        return Recovery(policy, blocked=True)
    if policy == "fence":
        return Recovery(policy, fence=True)
    if policy == "standby":
        return Recovery(policy, actions=("stop",), standby=True)
    if policy == "stop":
        return Recovery(policy, actions=("stop",), ban="on-fail=stop")
    if policy == "migrate":
        return Recovery(policy, actions=("stop",), ban="on-fail=migrate")
    if threshold_reached(fail_count, migration_threshold):
        return Recovery(policy, actions=("stop",), ban="migration-threshold")
    return Recovery(policy, actions=("stop", "start"))

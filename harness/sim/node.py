"""One node run as Pacemaker's controller would run it alone: probe, start, monitor, recover, ban."""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional

from harness.execd import ExecStatus, Operation, Result, run

from .history import NodeView, OpRecord, ResourceView
from .interpret import Verdict, interpret, writes_last_failure
from .recovery import FailCounts, Recovery, fail_count_change, on_fail_policy, plan_recovery
from .resource import ResourceSpec
from .scheduler import Completion, Scheduler

log = logging.getLogger(__name__)
MAX_STEPS = 8  # actions per convergence: a resource that keeps failing must not spin forever
EXPIRING_BANS = ("migration-threshold", "hard-error", "fatal-error", "on-fail=stop", "on-fail=migrate")


@dataclass(frozen=True)
class Event:
    """Something that happened on the node, with the status at that moment."""

    at: float  # time.monotonic()
    kind: str  # probe, start, stop, monitor, failure, recover, ban, blocked, fence, force, cleanup, expired
    rsc: Optional[str]
    text: str
    status: NodeView
    record: Optional[OpRecord] = None


class _Resource:
    """The controller's knowledge of one resource (touched only by the controller thread)."""

    def __init__(self, spec: ResourceSpec):
        self.spec = spec
        self.role = "Stopped"
        self.failed = self.blocked = self.ignored = False
        self.bans: List[str] = []
        self.fail_counts = FailCounts()
        self.last_failure: Optional[OpRecord] = None
        self.masked_probe: Optional[OpRecord] = None
        self.recurring: Dict[int, Optional[OpRecord]] = {}  # call id -> latest reported result


class LocalNode:
    """A node with no cluster: operations go through the execd-style Scheduler, results through
    the scheduler's rules (interpret), failures through Pacemaker's default local recovery.
    Failover to another node is not modelled: a resource banned here stays Stopped."""

    def __init__(self, name: str = "node1", *, ra_path: Optional[str] = None,
                 extra_env: Optional[Mapping[str, str]] = None, cwd: Optional[str] = None,
                 fencing: bool = False, start_failure_is_fatal: bool = True):
        self.name, self.ra_path, self.cwd = name, ra_path, cwd
        self.extra_env = dict(extra_env or {})
        self.fencing, self.start_failure_is_fatal = fencing, start_failure_is_fatal
        self.unclean = self.standby = False
        self._resources: Dict[str, _Resource] = {}
        self._events: List[Event] = []
        self._changed = threading.Condition()
        self._inbox: "queue.Queue" = queue.Queue()
        self._busy = 0
        self._scheduler = Scheduler(name=f"sim-{name}-execd")
        self._thread = threading.Thread(target=self._control_loop, name=f"sim-{name}-controller", daemon=True)
        self._thread.start()

    # -- what a user (pcs, crm_resource) asks for ----------------------------------------------
    def create(self, spec: ResourceSpec) -> None:
        """pcs resource create: probe, then start and monitor if it may run here."""
        self._post("create", spec)

    def cleanup(self, rsc_id: str) -> None:
        """crm_resource --cleanup: forget failures, fail counts and bans from them, then re-probe."""
        self._post("cleanup", rsc_id)

    def delete(self, rsc_id: str) -> None:
        """pcs resource delete: stop it, then forget it."""
        self._post("delete", rsc_id)

    def force(self, rsc_id: str, action: str, timeout_ms: Optional[int] = None) -> Result:
        """crm_resource --force-<action>: run the agent directly, behind the scheduler's back."""
        spec = self._resources[rsc_id].spec
        op = Operation(spec.agent, action, params=dict(spec.params), instance=spec.id, node=self.name,
                       timeout_ms=timeout_ms or spec.timeout_ms(action), profile="crm_resource",
                       ra_path=self.ra_path, extra_env=self.extra_env, cwd=self.cwd)
        result = run(op)
        self._event("force", rsc_id, f"--force-{action} outside the scheduler: {result.summary()}")
        return result

    def snapshot(self) -> NodeView:
        with self._changed:
            return self._view()

    def events(self) -> List[Event]:
        with self._changed:
            return list(self._events)

    def wait_event(self, match: Callable[[Event], bool], timeout: float, since: int = 0) -> Optional[Event]:
        """The first event from index `since` on that matches, waiting up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self._events[since:]:
                    if match(event):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._thread.is_alive():
                    return None
                self._changed.wait(remaining)

    def wait_settled(self, timeout: float) -> bool:
        """Wait until the controller has nothing left to do (recurring monitors keep running)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._busy or not self._inbox.empty():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True

    def close(self, stop_resources: bool = True, timeout: float = 60.0) -> None:
        """Stop every resource (unless told not to), then end the controller and the scheduler."""
        if stop_resources:
            for rsc_id in list(self._resources):
                self.delete(rsc_id)
            self.wait_settled(timeout)
        self._post("quit", None)
        self._thread.join(timeout)
        self._scheduler.close()

    def __enter__(self) -> "LocalNode":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the controller thread -----------------------------------------------------------------
    def _post(self, kind: str, payload: object) -> None:
        with self._changed:
            self._busy += 1
        self._inbox.put((kind, payload))

    def _control_loop(self) -> None:
        while True:
            wait_s = self._next_recheck()
            if wait_s == 0:  # checked every turn, so a busy inbox cannot postpone an expiry
                self._expire_failures()
                continue
            try:
                kind, payload = self._inbox.get(timeout=wait_s)
            except queue.Empty:
                continue
            try:
                if kind == "quit":
                    return
                getattr(self, "_on_" + kind)(payload)
            except Exception as err:  # one bad request must not end the node's controller
                log.exception("%s failed", kind)
                self._event("error", None, f"{kind} failed: {err}")
            finally:
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()

    def _on_create(self, spec: ResourceSpec) -> None:
        if spec.id in self._resources:
            raise ValueError(f"resource {spec.id} exists already")
        with self._changed:
            state = self._resources[spec.id] = _Resource(spec)
        self._execute(state, "monitor", kind="probe")
        self._settle(state)

    def _on_cleanup(self, rsc_id: str) -> None:
        state = self._resources[rsc_id]
        with self._changed:
            state.fail_counts.clear()
            state.bans.clear()
            state.failed = state.blocked = state.ignored = False
            state.last_failure = state.masked_probe = None
            self.standby = False  # standby (on-fail) ends when the failure is cleaned up
        self._event("cleanup", rsc_id, f"cleaned up {rsc_id} on {self.name}")
        self._cancel_monitors(state)
        self._execute(state, "monitor", kind="probe")
        self._settle(state)

    def _on_delete(self, rsc_id: str) -> None:
        state = self._resources[rsc_id]
        if state.role != "Stopped" and not state.blocked:
            self._cancel_monitors(state)
            self._execute(state, "stop")
        with self._changed:
            del self._resources[rsc_id]

    def _on_result(self, completion: Completion) -> None:
        state = self._resources.get(completion.rsc)
        if state is None or completion.call_id not in state.recurring:
            return  # a monitor cancelled since (its history entry is gone)
        if completion.result.status == ExecStatus.CANCELLED:
            return
        verdict, _ = self._apply(state, completion, "monitor")
        if verdict.failed:
            self._settle(state)

    # -- executing and judging ----------------------------------------------------------------
    def _operation(self, spec: ResourceSpec, action: str, interval_ms: int = 0) -> Operation:
        op_spec = spec.op(action, interval_ms)
        meta = {}
        if op_spec is not None:
            for name, value in (("role", op_spec.role), ("on_fail", op_spec.on_fail),
                                ("start_delay", op_spec.start_delay_ms or None)):
                if value is not None:
                    meta[name] = str(value)
        return Operation(spec.agent, action, params=dict(spec.params), instance=spec.id,
                         interval_ms=interval_ms, timeout_ms=spec.timeout_ms(action, interval_ms),
                         meta=meta, node=self.name, ra_path=self.ra_path, extra_env=self.extra_env, cwd=self.cwd)

    def _execute(self, state: _Resource, action: str, kind: Optional[str] = None) -> Verdict:
        """Run a one-shot action through the scheduler, wait for it, and judge its result."""
        done: "queue.Queue[Completion]" = queue.Queue()
        self._scheduler.submit(self._operation(state.spec, action), done.put)
        completion = done.get()
        return self._apply(state, completion, kind or action)[0]

    def _start_monitors(self, state: _Resource) -> None:
        for op_spec in state.spec.recurring(state.role):
            op = self._operation(state.spec, "monitor", op_spec.interval_ms)
            with self._changed:  # registered before its first result can be handled
                call_id = self._scheduler.submit(op, lambda c: self._post("result", c),
                                                 start_delay_ms=op_spec.start_delay_ms, notify_changes_only=True)
                state.recurring[call_id] = None

    def _cancel_monitors(self, state: _Resource) -> None:
        """The controller cancels recurring ops before a stop and drops their history entries."""
        self._scheduler.cancel_recurring(state.spec.id)
        with self._changed:
            state.recurring.clear()

    def _apply(self, state: _Resource, completion: Completion, kind: str):
        """Record a result as the controller and judge it as the scheduler; returns (verdict, recovery)."""
        result, spec = completion.result, state.spec
        op_spec = spec.op(result.action, result.op.interval_ms)
        verdict = interpret(result.action, result.op.interval_ms, result.rc, result.status,
                            role=op_spec.role if op_spec else None)
        record = OpRecord.from_completion(completion, self.name, verdict)
        policy = on_fail_policy(result.action, op_spec.on_fail if op_spec else None, self.fencing)
        with self._changed:
            self._record(state, record, completion, policy)
            recovery = plan_recovery(verdict, result.action, policy, state.fail_counts.total(
                time.time(), spec.failure_timeout_ms / 1000.0), spec.migration_threshold, result.status)
            self._take(state, verdict, recovery)
        self._event(kind, spec.id, f"{record.key} on {self.name}: {_outcome(result)}", record)
        if verdict.failed or recovery.ban:
            self._event("failure" if verdict.failed else "ban", spec.id, _recovery_text(spec.id, self.name,
                                                                                        recovery), record)
        return verdict, recovery

    def _record(self, state: _Resource, record: OpRecord, completion: Completion, policy: str) -> None:
        result = completion.result
        if completion.call_id in state.recurring:
            state.recurring[completion.call_id] = record
        if writes_last_failure(result.rc, result.status, record.verdict.expected):
            state.last_failure = record
        if record.verdict.masked_probe:
            state.masked_probe = record
        change = fail_count_change(result.action, result.op.interval_ms, result.rc, result.status,
                                   record.verdict.expected, self.start_failure_is_fatal)
        if change is not None:
            state.fail_counts.record(record.key, None if policy == "ignore" else change, record.last_rc_change)

    def _take(self, state: _Resource, verdict: Verdict, recovery: Recovery) -> None:
        if verdict.role is not None:
            state.role = verdict.role
        if verdict.failed and not recovery.ignored:
            state.failed = True
        elif not verdict.failed and state.role == "Stopped":
            state.failed = False
        if recovery.ban and recovery.ban not in state.bans:
            state.bans.append(recovery.ban)
        state.blocked = state.blocked or recovery.blocked
        state.ignored = state.ignored or recovery.ignored
        self.unclean = self.unclean or recovery.fence
        self.standby = self.standby or recovery.standby

    # -- the scheduler's decisions on one node -------------------------------------------------
    def _allowed(self, state: _Resource) -> bool:
        return not (state.bans or self.standby or self.unclean or state.spec.target_role == "Stopped")

    def _settle(self, state: _Resource) -> None:
        """Converge `state`, then the others: a node gone to standby (or back) moves them all."""
        self._converge(state)
        for other in list(self._resources.values()):
            if other is not state:
                self._converge(other)

    def _converge(self, state: _Resource) -> None:
        """Act until the resource is where it should be: recover, start, stop, (re)start monitors."""
        for _ in range(MAX_STEPS):
            if state.blocked or self.unclean:
                return
            active = state.role != "Stopped"
            if active and (state.failed or not self._allowed(state)):
                self._cancel_monitors(state)
                self._execute(state, "stop")
            elif not active and self._allowed(state):
                if self._execute(state, "start").failed:
                    continue
                self._start_monitors(state)
            elif active and not state.recurring:
                self._start_monitors(state)
                return
            else:
                return

    def _next_recheck(self) -> Optional[float]:
        """Seconds until the earliest fail count expires (failure-timeout), None if none will."""
        times = [state.fail_counts.last_failure + state.spec.failure_timeout_ms / 1000.0
                 for state in self._resources.values()
                 if state.spec.failure_timeout_ms and state.fail_counts.last_failure is not None]
        return max(0.0, min(times) - time.time()) if times else None

    def _expire_failures(self) -> None:
        now = time.time()
        for state in list(self._resources.values()):
            timeout_s = state.spec.failure_timeout_ms / 1000.0
            last = state.fail_counts.last_failure
            if not timeout_s or last is None or now < last + timeout_s:
                continue
            with self._changed:
                state.fail_counts.clear()
                state.bans = [ban for ban in state.bans if ban not in EXPIRING_BANS]
                state.last_failure = None
            self._event("expired", state.spec.id, f"failures of {state.spec.id} expired (failure-timeout)")
            self._settle(state)

    # -- views and events ------------------------------------------------------------------------
    def _event(self, kind: str, rsc: Optional[str], text: str, record: Optional[OpRecord] = None) -> None:
        with self._changed:
            self._events.append(Event(time.monotonic(), kind, rsc, text, self._view(), record))
            self._changed.notify_all()

    def _view(self) -> NodeView:
        return NodeView(self.name, online=True, unclean=self.unclean, standby=self.standby, updated=time.time(),
                        resources=tuple(self._resource_view(state) for state in self._resources.values()))

    def _resource_view(self, state: _Resource) -> ResourceView:
        spec, counts = state.spec, state.fail_counts
        listed: Dict[str, OpRecord] = {}
        for record in [r for r in state.recurring.values() if r is not None] + [state.last_failure]:
            if record is not None and record.verdict.listed:
                listed.setdefault(record.key, record)
        return ResourceView(
            id=spec.id, agent=_agent_label(spec.agent), role=state.role,
            node=self.name if state.role != "Stopped" else None, failed=state.failed and not state.ignored,
            blocked=state.blocked, failure_ignored=state.ignored, disabled=spec.target_role == "Stopped",
            migration_threshold=spec.migration_threshold, fail_count=counts.total(),
            last_failure=counts.last_failure, failed_ops=tuple(listed.values()),
            masked_probe=state.masked_probe, bans=tuple(state.bans))


def _agent_label(agent: str) -> str:
    """How crm_mon names the agent: ocf:PROVIDER:TYPE (a path shows as ocf:<its directory>:<file>)."""
    if agent.startswith("ocf:"):
        return agent
    parts = agent.rstrip("/").split("/")
    return f"ocf:{parts[-2] if len(parts) > 1 else ''}:{parts[-1]}"


def _outcome(result: Result) -> str:
    text = f"rc={result.rc} ({result.rc_name}) status={result.status.text}"
    return text + (f" exit-reason={result.exit_reason!r}" if result.exit_reason else "")


def _recovery_text(rsc: str, node: str, recovery: Recovery) -> str:
    if recovery.fence:
        return f"{node} must be fenced to recover {rsc} (the harness cannot fence: node UNCLEAN)"
    if recovery.blocked:
        return f"{rsc} is blocked on {node} (on-fail={recovery.policy}): no further action"
    if recovery.ignored:
        return f"failure of {rsc} ignored (on-fail=ignore)"
    if recovery.actions == ("stop", "start"):
        return f"Recover {rsc} on {node}: stop, then start (on-fail={recovery.policy})"
    if recovery.ban:
        return f"{rsc} may not run on {node} any more ({recovery.ban}): it stays Stopped"
    return f"{rsc}: no recovery needed"

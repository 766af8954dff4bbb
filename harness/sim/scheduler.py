"""Operations scheduled as pacemaker-execd does: one per resource in FIFO order, recurring ones re-armed after completion."""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Callable, Deque, Dict, List, Optional, Tuple

from harness.execd import ExecStatus, Operation, Result, Running, SpawnError, resolve_agent, spawn

log = logging.getLogger(__name__)


def op_key(rsc: str, action: str, interval_ms: int) -> str:
    """Pacemaker's operation key: dummy_service_monitor_120000."""
    return f"{rsc}_{action}_{interval_ms}"


@dataclass(frozen=True)
class Completion:
    """One finished run of a scheduled operation, with the timing execd records for it."""

    call_id: int
    key: str
    result: Result
    due: float  # time.monotonic() at which this run should have started
    finished_wall: float  # time.time() at completion (last-rc-change)
    run: int  # 1 for the first run of an operation, 2 for its first repeat, ...
    final: bool  # True when no further result will follow for this call id

    @property
    def rsc(self) -> str:
        return self.result.op.instance

    @property
    def lateness(self) -> float:
        """Seconds between the scheduled start and the actual spawn (queue time included)."""
        return self.result.started - self.due

    @property
    def queue_ms(self) -> int:
        return max(0, int(round(self.lateness * 1000)))

    @property
    def exec_ms(self) -> int:
        return int(round(self.result.elapsed * 1000))


Callback = Callable[[Completion], None]


class _Command:
    """One submitted operation: a one-shot action, or a recurring one with its timer."""

    __slots__ = ("op", "call_id", "callback", "changes_only", "ready_at", "due", "handle", "state",
                 "cancelled", "runs", "last_notified", "timer_seq")

    def __init__(self, op: Operation, call_id: int, callback: Optional[Callback], ready_at: float,
                 changes_only: bool):
        self.op, self.call_id, self.callback, self.changes_only = op, call_id, callback, changes_only
        self.ready_at = ready_at  # start_delay: the head of the FIFO waits until then (and blocks it)
        self.due = ready_at
        self.handle: Optional[Running] = None
        self.state = "queued"  # queued | running | armed | done
        self.cancelled = False
        self.runs = 0
        self.last_notified: Optional[Tuple[int, int]] = None
        self.timer_seq = -1

    @property
    def rsc(self) -> str:
        return self.op.instance

    @property
    def key(self) -> str:
        return op_key(self.op.instance, self.op.action, self.op.interval_ms)


class Scheduler:
    """execd's scheduling for many resources: one thread, a heap of due times, execd.spawn() per run.

    Per resource id one operation runs at a time and the others wait in FIFO order; resources
    run in parallel. A recurring operation runs at once (after start_delay) and is re-armed its
    interval after each run completes. Submitting "stop" cancels the resource's recurring
    operations first. Callbacks run on the scheduler thread: keep them short.
    """

    def __init__(self, name: str = "sim-scheduler"):
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._calls = itertools.count(1)
        self._seq = itertools.count()
        self._timers: List[Tuple[float, int, _Command]] = []
        self._fifo: Dict[str, Deque[_Command]] = {}
        self._active: Dict[str, _Command] = {}
        self._recurring: Dict[str, _Command] = {}
        self._finished: Deque[Tuple[_Command, Result]] = deque()
        self._dirty: set = set()
        self._deliveries: List[Tuple[Callback, Completion]] = []
        self._idle = threading.Condition(self._lock)
        self._delivering = False
        self._closing = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    # -- public API -----------------------------------------------------------------------------
    def submit(self, op: Operation, on_result: Optional[Callback] = None, start_delay_ms: int = 0,
               notify_changes_only: bool = False) -> int:
        """Queue `op` for its resource (op.instance); returns the call id its results carry."""
        resolve_agent(op.agent, op.ra_path)  # a malformed agent name fails here, not in the loop
        if start_delay_ms < 0:
            raise ValueError(f"start_delay must be zero or more milliseconds, not {start_delay_ms}")
        kills: List[Running] = []
        with self._cond:
            if self._closing:
                raise RuntimeError("the scheduler is closed")
            call_id = next(self._calls)
            if op.action == "stop":
                kills = self._cancel_matching(op.instance, None, None)[1]
            cmd = _Command(op, call_id, on_result, time.monotonic() + start_delay_ms / 1000.0,
                           notify_changes_only)
            if op.is_recurring and self._merge_duplicate(cmd):
                self._cond.notify()
                return call_id
            self._fifo.setdefault(cmd.rsc, deque()).append(cmd)
            if op.is_recurring:
                self._recurring[cmd.key] = cmd
            if start_delay_ms:
                self._arm(cmd, cmd.ready_at)
            self._dirty.add(cmd.rsc)
            self._cond.notify()
        self._kill(kills)
        return call_id

    def cancel(self, rsc: str, action: str, interval_ms: int) -> bool:
        """execd's cancel_op(): a recurring op (an in-flight run is SIGKILLed: CANCELLED, rc 0) or a
        one-shot op still queued; False if nothing matched (a one-shot already running cannot be)."""
        with self._cond:
            found, kills = self._cancel_matching(rsc, action, interval_ms, one_shots="queued")
        self._kill(kills)
        return found

    def cancel_recurring(self, rsc: str) -> None:
        """Cancel every recurring operation of `rsc` (what a stop does first)."""
        with self._cond:
            kills = self._cancel_matching(rsc, None, None)[1]
        self._kill(kills)

    def busy(self, rsc: Optional[str] = None) -> bool:
        """True while an operation of `rsc` (or of any resource) is queued or running."""
        with self._cond:
            if rsc is not None:
                return rsc in self._active or bool(self._fifo.get(rsc))
            return bool(self._active) or any(self._fifo.values()) or bool(self._finished)

    def wait_idle(self, timeout: Optional[float] = None) -> bool:
        """Wait until nothing is queued or running (recurring ops waiting for their interval aside)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self.busy() or self._deliveries or self._delivering:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def close(self) -> None:
        """Cancel everything (killing in-flight runs) and stop the scheduler thread."""
        with self._cond:
            self._closing = True
            kills = []
            for rsc in set(self._fifo) | set(self._active) | {c.rsc for c in self._recurring.values()}:
                kills += self._cancel_matching(rsc, None, None, one_shots="all")[1]
            self._cond.notify()
        self._kill(kills)
        self._thread.join()

    def __enter__(self) -> "Scheduler":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- cancelling (under the lock) -------------------------------------------------------------
    def _cancel_matching(self, rsc: str, action: Optional[str], interval_ms: Optional[int],
                         one_shots: str = "skip") -> Tuple[bool, List[Running]]:
        """Mark matching commands cancelled; return whether any matched and the runs to kill.

        one_shots: "skip" (recurring ops only), "queued" (also one-shots not started yet), "all".
        """
        kills: List[Running] = []
        found = False
        candidates = list(self._fifo.get(rsc, ())) + [c for c in self._recurring.values() if c.rsc == rsc]
        if rsc in self._active:
            candidates.append(self._active[rsc])
        for cmd in dict.fromkeys(candidates):  # unique, in order
            if cmd.cancelled or cmd.state == "done":
                continue
            if not cmd.op.is_recurring and (one_shots == "skip" or
                                            (one_shots == "queued" and cmd.state == "running")):
                continue
            if action is not None and (cmd.op.action, cmd.op.interval_ms) != (action, interval_ms):
                continue
            found = cmd.cancelled = True
            if cmd.state == "running" and cmd.handle is not None:
                kills.append(cmd.handle)  # its CANCELLED result arrives through _on_done
            else:
                self._drop(cmd)
                cmd.due = time.monotonic()  # nothing ran late: the cancel itself is the event
                self._finalize(cmd, _cancelled_result(cmd.op))
        return found, kills

    @staticmethod
    def _kill(kills: List[Running]) -> None:
        for handle in kills:
            handle.cancel()

    def _drop(self, cmd: _Command) -> None:
        queue = self._fifo.get(cmd.rsc)
        if queue is not None and cmd in queue:
            queue.remove(cmd)
        cmd.timer_seq = -1
        self._dirty.add(cmd.rsc)

    def _merge_duplicate(self, cmd: _Command) -> bool:
        """execd merges a recurring op submitted twice: new call id and callback, kicked if waiting."""
        dup = self._recurring.get(cmd.key)
        if dup is None or dup.cancelled or dup.state == "done":
            return False
        log.warning("duplicate recurring op %s merged with the previous entry", cmd.key)
        dup.call_id, dup.callback, dup.op = cmd.call_id, cmd.callback, cmd.op
        dup.last_notified = None
        if dup.state == "armed":
            self._enqueue_repeat(dup, time.monotonic())
        return True

    # -- the loop ---------------------------------------------------------------------------------
    def _loop(self) -> None:
        stopping = False
        while not stopping:
            with self._cond:
                self._wait_for_work()
                stopping = self._closing and not self._active and not self._finished
                self._fire_timers(time.monotonic())
                while self._finished:
                    cmd, result = self._finished.popleft()
                    self._completed(cmd, result)
                self._launch_ready()
                deliveries, self._deliveries = self._deliveries, []
                self._delivering = bool(deliveries)
            for callback, completion in deliveries:
                try:
                    callback(completion)
                except Exception:  # a caller's bug must not stop the scheduling of everything else
                    log.exception("result callback failed for %s", completion.key)
            with self._idle:
                self._delivering = False
                self._idle.notify_all()

    def _wait_for_work(self) -> None:
        while not (self._finished or self._dirty or (self._closing and not self._active)):
            now = time.monotonic()
            while self._timers and self._timers[0][2].timer_seq != self._timers[0][1]:
                heapq.heappop(self._timers)  # stale entry: re-armed or cancelled since
            if self._timers and self._timers[0][0] <= now:
                return
            self._cond.wait(self._timers[0][0] - now if self._timers else None)

    def _arm(self, cmd: _Command, when: float) -> None:
        cmd.timer_seq = next(self._seq)
        heapq.heappush(self._timers, (when, cmd.timer_seq, cmd))

    def _fire_timers(self, now: float) -> None:
        while self._timers and self._timers[0][0] <= now:
            when, seq, cmd = heapq.heappop(self._timers)
            if seq != cmd.timer_seq or cmd.cancelled:
                continue
            cmd.timer_seq = -1
            if cmd.state == "armed":
                self._enqueue_repeat(cmd, when)
            else:
                self._dirty.add(cmd.rsc)  # start_delay over: the head may run now

    def _enqueue_repeat(self, cmd: _Command, due: float) -> None:
        cmd.state, cmd.due, cmd.timer_seq = "queued", due, -1
        self._fifo.setdefault(cmd.rsc, deque()).append(cmd)
        self._dirty.add(cmd.rsc)

    def _launch_ready(self) -> None:
        now = time.monotonic()
        dirty, self._dirty = self._dirty, set()
        for rsc in dirty:
            queue = self._fifo.get(rsc)
            if rsc in self._active or not queue:
                continue
            head = queue[0]
            if head.ready_at > now and head.runs == 0:
                continue  # execd: a delayed head blocks the resource's queue until its timer fires
            queue.popleft()
            if not queue:
                del self._fifo[rsc]
            self._launch(head)

    def _launch(self, cmd: _Command) -> None:
        cmd.state = "running"
        self._active[cmd.rsc] = cmd
        try:
            cmd.handle = spawn(cmd.op, on_done=lambda result, cmd=cmd: self._on_done(cmd, result))
        except (SpawnError, OSError) as err:
            self._finished.append((cmd, _error_result(cmd.op, str(err))))

    def _on_done(self, cmd: _Command, result: Result) -> None:  # a reader thread (or inside spawn)
        with self._cond:
            self._finished.append((cmd, result))
            self._cond.notify()

    def _completed(self, cmd: _Command, result: Result) -> None:
        if self._active.get(cmd.rsc) is cmd:
            del self._active[cmd.rsc]
        self._dirty.add(cmd.rsc)
        cmd.handle = None
        cmd.runs += 1
        ended = result.started + result.elapsed
        if cmd.op.is_recurring and not cmd.cancelled and not self._closing:
            cmd.state = "armed"
            self._arm(cmd, ended + cmd.op.interval_ms / 1000.0)  # re-armed after completion
            self._notify(cmd, result, final=False)
        elif cmd.op.is_recurring and cmd.cancelled and result.status != ExecStatus.CANCELLED:
            # execd's operation_finalize(): a cancelled recurring op ends CANCELLED with rc 0,
            # also when its run exited by itself just before the kill reached it
            self._finalize(cmd, replace(result, rc=0, status=ExecStatus.CANCELLED, exit_reason=None))
        else:
            self._finalize(cmd, result)

    def _finalize(self, cmd: _Command, result: Result) -> None:
        cmd.state = "done"
        if self._recurring.get(cmd.key) is cmd:
            del self._recurring[cmd.key]
        self._notify(cmd, result, final=True)

    def _notify(self, cmd: _Command, result: Result, final: bool) -> None:
        outcome = (result.rc, int(result.status))
        changed = cmd.last_notified != outcome
        run_number = cmd.runs if cmd.runs else 1
        if cmd.callback is not None and (final or changed or not cmd.changes_only):
            completion = Completion(cmd.call_id, cmd.key, result, cmd.due, time.time(), run_number, final)
            self._deliveries.append((cmd.callback, completion))
        cmd.last_notified = outcome


def _cancelled_result(op: Operation) -> Result:
    """What execd reports for an op cancelled before it ran again: CANCELLED, rc 0, nothing run."""
    return Result(action=op.action, rc=0, agent_exit=None, status=ExecStatus.CANCELLED, exit_reason=None,
                  stdout=b"", stderr=b"", pid=None, signal=None, started=time.monotonic(), elapsed=0.0, op=op)


def _error_result(op: Operation, reason: str) -> Result:
    """The harness could not start the agent at all: reported as an execution error."""
    return Result(action=op.action, rc=1, agent_exit=None, status=ExecStatus.ERROR, exit_reason=reason,
                  stdout=b"", stderr=b"", pid=None, signal=None, started=time.monotonic(), elapsed=0.0, op=op)

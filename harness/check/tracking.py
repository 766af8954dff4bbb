"""Which resource instances a run may have left running, and the stops that end them whatever happened."""

from __future__ import annotations

import concurrent.futures
import threading
from dataclasses import replace
from typing import Callable

from harness.execd import ExecStatus, Operation, Result, run

MIGHT_START = ("start", "promote", "migrate_from", "reload-agent", "reload")  # may leave the resource running
#: What a start-like action answers when it refused its configuration, having done nothing (args,
#: not installed, not configured): the instance an earlier start left keeps its own parameters.
REFUSED = (2, 5, 6)


class StartedInstances:
    """Each instance (and node) whose last start-like action was not followed by a stop that returned 0."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ops: dict = {}  # (agent path, instance, node) -> the Operation that may have left it running
        self.replaced: dict = {}  # key -> the Operation a start-like action in progress replaced

    @staticmethod
    def key(op: Operation) -> tuple:
        return (str(op.agent), op.instance, op.node)

    def before(self, op: Operation) -> None:
        if op.action in MIGHT_START:
            with self.lock:
                earlier = self.ops.get(self.key(op))
                if earlier is not None:
                    self.replaced[self.key(op)] = earlier
                self.ops[self.key(op)] = op

    def after(self, result: Result) -> None:
        key = self.key(result.op)
        with self.lock:
            earlier = self.replaced.pop(key, None)
            if result.op.action == "stop" and result.ok:
                self.ops.pop(key, None)
            elif result.op.action in MIGHT_START and earlier is not None and self._refused(result):
                self.ops[key] = earlier  # a start refused with other values is no reason to forget it

    @staticmethod
    def _refused(result: Result) -> bool:
        return result.status == ExecStatus.DONE and result.rc in REFUSED

    def snapshot(self) -> dict:
        """key -> Operation of every instance that may still run."""
        with self.lock:
            return dict(self.ops)

    def stop_all(self, stop_timeout_ms: int, announce: Callable[[Operation], None] = lambda op: None) -> list:
        """Run the agent's stop for every instance left, with its parameters; [(instance, Result)].

        Instances stop at the same time, as Pacemaker stops independent resources, so the whole
        clean-up takes about one stop's time; one instance's stops (on two nodes) run in turn."""
        with self.lock:
            left, self.ops = sorted(self.ops.items()), {}
        by_instance: dict = {}
        for _key, op in left:
            stop = replace(op, action="stop", interval_ms=0, check_level=None, extra_args=(), timeout_ms=stop_timeout_ms)
            by_instance.setdefault(op.instance, []).append(stop)
        if not by_instance:
            return []

        def stop_in_turn(stops: list) -> list:
            done = []
            for stop in stops:
                announce(stop)
                done.append((stop.instance, run(stop)))
            return done

        with concurrent.futures.ThreadPoolExecutor(max_workers=len(by_instance)) as pool:
            return [pair for done in pool.map(stop_in_turn, by_instance.values()) for pair in done]

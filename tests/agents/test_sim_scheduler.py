"""execd's scheduling with real agent processes: FIFO per resource, parallel across, re-arm after completion,
stop cancelling recurring ops, cancel killing an in-flight run, start_delay, queue time outside the timeout."""

from __future__ import annotations

import signal
import threading
import time

import pytest
from sim_support import Agents, ended, process_gone, wait_until

from harness.execd import AgentSpecError, ExecStatus
from harness.sim import Scheduler


class Collector:
    """A result callback that keeps every Completion and lets a test wait for a count."""

    def __init__(self):
        self.items = []
        self._cond = threading.Condition()

    def __call__(self, completion):
        with self._cond:
            self.items.append(completion)
            self._cond.notify_all()

    def wait(self, count: int, timeout: float = 20.0) -> list:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.items) >= count, timeout), self.items
            return list(self.items)


@pytest.fixture
def agents(tmp_path):
    return Agents(tmp_path)


@pytest.fixture
def scheduler():
    with Scheduler() as sched:
        yield sched


def test_one_resource_runs_its_operations_one_at_a_time_in_submission_order(agents, scheduler):
    got = Collector()
    for action in ("start", "monitor", "stop"):
        scheduler.submit(agents.op(agents.serial, "r1", action, params={"sleep": "0.2"}), got)

    results = [c.result for c in got.wait(3)]

    assert [r.action for r in results] == ["start", "monitor", "stop"]
    assert [r.rc for r in results] == [0, 0, 0]  # the agent exits 1 if it ever runs twice at once
    assert agents.lines("order") == ["start r1", "monitor r1", "stop r1"]
    assert all(later.started >= ended(earlier) for earlier, later in zip(results, results[1:]))


def test_different_resources_run_in_parallel(agents, scheduler):
    got = Collector()
    for rsc in ("r1", "r2"):
        scheduler.submit(agents.op(agents.serial, rsc, "start", params={"sleep": "1"}), got)

    first, second = sorted((c.result for c in got.wait(2)), key=lambda r: r.started)

    assert second.started < ended(first)  # the second began while the first was still running


def test_recurring_monitor_runs_at_once_then_interval_after_each_completion(agents, scheduler):
    got = Collector()
    interval_s = 0.3
    call_id = scheduler.submit(agents.op(agents.serial, "r1", "monitor", interval_ms=300, params={"sleep": "0.2"}),
                               got)

    runs = [c for c in got.wait(3)][:3]
    scheduler.cancel("r1", "monitor", 300)

    assert [c.run for c in runs] == [1, 2, 3] and {c.call_id for c in runs} == {call_id}
    assert not any(c.final for c in runs)
    for earlier, later in zip(runs, runs[1:]):
        gap = later.result.started - ended(earlier.result)
        assert gap >= interval_s - 1e-6  # re-armed after completion, not start to start
        assert later.result.started - earlier.result.started >= interval_s + earlier.result.elapsed - 1e-6


def test_first_run_does_not_wait_for_the_interval(agents, scheduler):
    got = Collector()
    submitted = time.monotonic()
    scheduler.submit(agents.op(agents.serial, "r1", "monitor", interval_ms=600_000), got)

    first = got.wait(1)[0]

    assert first.run == 1 and first.result.rc == 0
    assert first.result.started - submitted < 600  # long before the 10-minute interval


def test_stop_cancels_the_recurring_monitor_first(agents, scheduler):
    got = Collector()
    scheduler.submit(agents.op(agents.serial, "r1", "monitor", interval_ms=200), got)
    got.wait(1)

    scheduler.submit(agents.op(agents.serial, "r1", "stop"), got)
    scheduler.wait_idle(20)
    settled = len(got.items)
    time.sleep(0.6)  # three intervals: a monitor still scheduled would have reported by now

    keys = [(c.result.action, c.result.status, c.final) for c in got.items]
    cancelled = keys.index(("monitor", ExecStatus.CANCELLED, True))
    assert keys[-1] == ("stop", ExecStatus.DONE, True)
    assert cancelled < len(keys) - 1  # the monitor's cancellation is reported before the stop's result
    assert len(got.items) == settled


def test_cancel_kills_an_in_flight_run_and_its_process_group(agents, scheduler):
    got = Collector()
    scheduler.submit(agents.op(agents.hanging, "r1", "monitor", interval_ms=10000), got)
    assert wait_until(lambda: agents.lines("agent") and agents.lines("grandchild"))
    agent_pid, grandchild_pid = int(agents.lines("agent")[0]), int(agents.lines("grandchild")[0])

    assert scheduler.cancel("r1", "monitor", 10000)

    completion = got.wait(1)[0]
    assert (completion.result.status, completion.result.rc, completion.final) == (ExecStatus.CANCELLED, 0, True)
    assert completion.result.signal == signal.SIGKILL
    assert wait_until(lambda: process_gone(agent_pid) and process_gone(grandchild_pid), timeout=5)
    assert not scheduler.cancel("r1", "monitor", 10000)  # nothing left to cancel


def test_a_run_that_ends_by_itself_after_the_cancel_still_reports_cancelled(agents, scheduler, monkeypatch):
    from harness.execd import Running

    monkeypatch.setattr(Running, "cancel", lambda self: None)  # the kill comes too late
    got = Collector()
    agents.set("code-r1", 7)
    scheduler.submit(agents.op(agents.serial, "r1", "monitor", interval_ms=10000, params={"sleep": "0.3"}), got)
    assert wait_until(lambda: agents.lines("order"))  # the run is in flight

    assert scheduler.cancel("r1", "monitor", 10000)

    completion = got.wait(1)[0]
    assert (completion.result.status, completion.result.rc, completion.final) == (ExecStatus.CANCELLED, 0, True)


def test_cancel_reaches_a_queued_one_shot_but_not_a_running_one(agents, scheduler):
    got = Collector()
    scheduler.submit(agents.op(agents.serial, "r1", "start", params={"sleep": "0.5"}), got)
    scheduler.submit(agents.op(agents.serial, "r1", "monitor"), got)
    assert wait_until(lambda: agents.lines("order"))  # the start is running, the probe queued

    assert not scheduler.cancel("r1", "start", 0)
    assert scheduler.cancel("r1", "monitor", 0)

    outcomes = {c.result.action: c.result for c in got.wait(2)}
    assert (outcomes["monitor"].status, outcomes["monitor"].pid) == (ExecStatus.CANCELLED, None)
    assert (outcomes["start"].status, outcomes["start"].rc) == (ExecStatus.DONE, 0)
    assert agents.lines("order") == ["start r1"]  # the probe never ran


def test_start_delay_holds_the_resource_queue_but_not_other_resources(agents, scheduler):
    got = Collector()
    submitted = time.monotonic()
    scheduler.submit(agents.op(agents.serial, "r1", "start"), got, start_delay_ms=500)
    scheduler.submit(agents.op(agents.serial, "r1", "monitor"), got)
    scheduler.submit(agents.op(agents.serial, "r2", "start"), got)

    results = {(c.rsc, c.result.action): c.result for c in got.wait(3)}

    delayed = results[("r1", "start")]
    assert delayed.status == ExecStatus.DONE and delayed.started - submitted >= 0.5
    assert results[("r2", "start")].started < delayed.started  # another resource is not held up
    assert results[("r1", "monitor")].started >= ended(delayed)  # execd: the delayed head blocks its resource


def test_start_delay_applies_to_the_first_run_of_a_recurring_op(agents, scheduler):
    got = Collector()
    submitted = time.monotonic()
    scheduler.submit(agents.op(agents.serial, "r1", "monitor", interval_ms=100), got, start_delay_ms=400)

    first, second = got.wait(2)[:2]
    scheduler.cancel("r1", "monitor", 100)

    assert first.result.started - submitted >= 0.4
    assert second.result.started - ended(first.result) >= 0.1 - 1e-6


def test_time_spent_queued_does_not_count_against_the_timeout(agents, scheduler):
    got = Collector()
    scheduler.submit(agents.op(agents.serial, "r1", "start", params={"sleep": "1"}), got)
    scheduler.submit(agents.op(agents.serial, "r1", "monitor", timeout_ms=500), got)

    first, queued = (c.result for c in got.wait(2))

    assert queued.started >= ended(first)  # it waited about a second, twice its timeout
    assert (queued.status, queued.rc) == (ExecStatus.DONE, 0)


def test_notify_changes_only_reports_the_first_result_and_each_change(agents, scheduler):
    got = Collector()
    agents.set("code-r1", 0)
    scheduler.submit(agents.op(agents.counting, "r1", "monitor", interval_ms=50), got, notify_changes_only=True)
    assert wait_until(lambda: len(agents.lines("runs-r1")) >= 3)
    agents.set("code-r1", 7)
    switched = len(agents.lines("runs-r1"))
    assert wait_until(lambda: len(agents.lines("runs-r1")) >= switched + 4)
    scheduler.cancel("r1", "monitor", 50)
    scheduler.wait_idle(20)

    reported = [(c.result.rc, c.result.status) for c in got.items]
    assert reported == [(0, ExecStatus.DONE), (7, ExecStatus.DONE), (0, ExecStatus.CANCELLED)]


def test_a_duplicate_recurring_op_is_merged_and_kicked(agents, scheduler):
    got = Collector()
    first_id = scheduler.submit(agents.op(agents.serial, "r1", "monitor", interval_ms=600_000), got)
    got.wait(1)

    second_id = scheduler.submit(agents.op(agents.serial, "r1", "monitor", interval_ms=600_000), got)

    repeat = got.wait(2)[1]
    assert second_id != first_id
    assert (repeat.call_id, repeat.run) == (second_id, 2)  # the same command, run again at once


def test_missing_agent_is_reported_not_installed(agents, scheduler):
    got = Collector()
    scheduler.submit(agents.op("ocf:t:Missing", "r1", "start"), got)

    completion = got.wait(1)[0]

    assert (completion.result.rc, completion.result.status, completion.final) == (5, ExecStatus.NOT_INSTALLED, True)


def test_malformed_agent_name_is_refused_at_submit(agents, scheduler):
    with pytest.raises(AgentSpecError):
        scheduler.submit(agents.op("ocf:only-two", "r1", "start"))


def test_close_kills_what_is_running(agents):
    got = Collector()
    sched = Scheduler()
    sched.submit(agents.op(agents.hanging, "r1", "start"), got)
    assert wait_until(lambda: agents.lines("agent"))

    sched.close()

    assert got.wait(1)[0].result.status == ExecStatus.CANCELLED
    assert wait_until(lambda: process_gone(int(agents.lines("agent")[0])), timeout=5)

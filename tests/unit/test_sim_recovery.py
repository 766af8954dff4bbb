"""Local recovery on one node: on-fail defaults, fail counts, migration-threshold, failure-timeout."""

from __future__ import annotations

import pytest

from harness.execd import ExecStatus
from harness.sim.interpret import interpret
from harness.sim.recovery import (NO_RECOVERY, FailCounts, fail_count_change, on_fail_policy, plan_recovery,
                                  threshold_reached)
from harness.sim.resource import INFINITY

DONE = ExecStatus.DONE


@pytest.mark.parametrize("action, configured, fencing, policy", [
    ("monitor", None, False, "restart"),
    ("start", None, True, "restart"),
    ("stop", None, False, "block"),
    ("stop", None, True, "fence"),
    ("monitor", "fence", False, "stop"),  # fence is not valid when fencing is disabled
    ("monitor", "fence", True, "fence"),
    ("monitor", "nothing", False, "ignore"),
    ("monitor", "ignore", False, "ignore"),
    ("stop", "ignore", False, "ignore"),
    ("monitor", "standby", False, "standby"),
])
def test_on_fail_policy(action, configured, fencing, policy):
    assert on_fail_policy(action, configured, fencing) == policy


@pytest.mark.parametrize("action, interval, rc, status, expected, fatal_start, change", [
    ("monitor", 10000, 7, DONE, 0, True, 1),
    ("monitor", 10000, 0, DONE, 0, True, None),
    ("monitor", 10000, 190, DONE, 0, True, None),
    ("monitor", 10000, 1, ExecStatus.TIMEOUT, 0, True, 1),
    ("monitor", 10000, 0, ExecStatus.CANCELLED, 0, True, None),
    ("monitor", 0, 1, DONE, 7, True, None),  # probes never count
    ("monitor", 0, 5, DONE, 7, True, None),
    ("start", 0, 1, DONE, 0, True, INFINITY),  # start-failure-is-fatal (default)
    ("start", 0, 1, DONE, 0, False, 1),
    ("start", 0, 190, DONE, 0, True, None),  # the controller remaps degraded codes of every action
    ("stop", 0, 1, ExecStatus.TIMEOUT, 0, True, INFINITY),
    ("promote", 0, 1, DONE, 0, True, 1),
    ("demote", 0, 1, DONE, 0, True, 1),
    ("notify", 0, 1, DONE, 0, True, None),
    ("start", 0, 1, ExecStatus.INVALID, 0, True, None),
])
def test_fail_count_change(action, interval, rc, status, expected, fatal_start, change):
    assert fail_count_change(action, interval, rc, status, expected, fatal_start) == change


def test_fail_counts_add_up_per_op_and_cap_at_infinity():
    counts = FailCounts()
    counts.record("r_monitor_10000", 1, now=100.0)
    counts.record("r_monitor_10000", 1, now=101.0)
    counts.record("r_monitor_20000", 1, now=102.0)
    assert (counts.total(), counts.last_failure) == (3, 102.0)
    counts.record("r_start_0", INFINITY, now=103.0)
    assert counts.total() == INFINITY
    counts.clear()
    assert (counts.total(), counts.last_failure) == (0, None)


def test_ignored_failure_updates_last_failure_only():
    counts = FailCounts()
    counts.record("r_monitor_10000", None, now=50.0)
    assert (counts.total(), counts.last_failure) == (0, 50.0)


@pytest.mark.parametrize("now, timeout, total", [(130.0, 60, 1), (160.0, 60, 0), (161.0, 60, 0), (10_000.0, 0, 1)])
def test_failure_timeout_expires_the_whole_count(now, timeout, total):
    counts = FailCounts()
    counts.record("r_monitor_10000", 1, now=100.0)
    assert counts.total(now, timeout) == total


@pytest.mark.parametrize("count, threshold, reached", [
    (0, 1, False), (1, 1, True), (2, 3, False), (3, 3, True), (5, 0, False),
    (1, INFINITY, False), (INFINITY, INFINITY, True),
])
def test_migration_threshold(count, threshold, reached):
    assert threshold_reached(count, threshold) is reached


def plan(action, interval, rc, policy="restart", count=1, threshold=INFINITY, status=DONE):
    return plan_recovery(interpret(action, interval, rc, status), action, policy, count, threshold, status)


@pytest.mark.parametrize("case, recovery", [
    (dict(action="monitor", interval=10000, rc=7), ("restart", ("stop", "start"), None, False, False, False, False)),
    (dict(action="monitor", interval=10000, rc=7, count=3, threshold=3),
     ("restart", ("stop",), "migration-threshold", False, False, False, False)),
    (dict(action="monitor", interval=10000, rc=7, count=9, threshold=0),
     ("restart", ("stop", "start"), None, False, False, False, False)),
    (dict(action="start", interval=0, rc=1, count=INFINITY),
     ("restart", ("stop",), "migration-threshold", False, False, False, False)),
    (dict(action="monitor", interval=10000, rc=5), ("restart", ("stop",), "hard-error", False, False, False, False)),
    (dict(action="monitor", interval=10000, rc=6), ("restart", ("stop",), "fatal-error", False, False, False, False)),
    (dict(action="monitor", interval=0, rc=5), ("restart", (), "masked-probe-failure", False, False, False, False)),
    (dict(action="monitor", interval=10000, rc=7, policy="ignore"), ("ignore", (), None, False, False, False, True)),
    (dict(action="monitor", interval=10000, rc=7, policy="block"), ("block", (), None, True, False, False, False)),
    (dict(action="monitor", interval=10000, rc=7, policy="stop"),
     ("stop", ("stop",), "on-fail=stop", False, False, False, False)),
    (dict(action="monitor", interval=10000, rc=7, policy="migrate"),
     ("migrate", ("stop",), "on-fail=migrate", False, False, False, False)),
    (dict(action="monitor", interval=10000, rc=7, policy="standby"),
     ("standby", ("stop",), None, False, False, True, False)),
    (dict(action="monitor", interval=10000, rc=7, policy="fence"), ("fence", (), None, False, True, False, False)),
    (dict(action="stop", interval=0, rc=1, policy="block"), ("block", (), "__stop_fail__", True, False, False, False)),
    (dict(action="stop", interval=0, rc=1, policy="fence"), ("fence", (), "__stop_fail__", False, True, False, False)),
    (dict(action="stop", interval=0, rc=1, policy="restart"),
     ("block", (), "__stop_fail__", True, False, False, False)),
    (dict(action="start", interval=0, rc=5, policy="ignore", status=ExecStatus.NOT_INSTALLED),
     ("ignore", ("stop",), "hard-error", False, False, False, False)),
])
def test_plan_recovery(case, recovery):
    result = plan(**case)
    assert (result.policy, result.actions, result.ban, result.blocked, result.fence, result.standby,
            result.ignored) == recovery


def test_no_recovery_after_success():
    assert plan("monitor", 10000, 0) is NO_RECOVERY
    assert plan("monitor", 0, 7) is NO_RECOVERY

"""Resource and operation definitions: Pacemaker's interval syntax, scores, meta attributes, walkthrough options."""

from __future__ import annotations

import pytest

from harness.sim.resource import INFINITY, OpSpec, ResourceSpec, SpecError, parse_interval, parse_score
from harness.sim.walkthrough import build_spec, parse_args


@pytest.mark.parametrize("text, ms", [
    ("120s", 120000), ("2min", 120000), ("2m", 120000), ("500ms", 500), ("500msec", 500), ("1h", 3600000),
    ("2hr", 7200000), ("10", 10000), (" 3 s ", 3000), ("120S", 120000), ("PT2M", 120000), ("PT1H30S", 3630000),
    ("1500us", 1), ("0", 0),
])
def test_parse_interval(text, ms):
    assert parse_interval(text) == ms


@pytest.mark.parametrize("text", ["", "abc", "-5s", "5x", "1.5s", "P", "s10"])
def test_bad_interval_is_one_clear_error(text):
    with pytest.raises(SpecError, match=r"invalid interval .*: expected e\.g\. 120s"):
        parse_interval(text)


@pytest.mark.parametrize("text, score", [
    ("INFINITY", INFINITY), ("+INFINITY", INFINITY), ("-INFINITY", -INFINITY), ("3", 3), ("5000000", INFINITY),
])
def test_parse_score(text, score):
    assert parse_score(text, "migration-threshold") == score


@pytest.mark.parametrize("meta, threshold, failure_timeout_ms, target", [
    ({}, INFINITY, 0, "Started"),
    ({"migration-threshold": "3", "failure-timeout": "60s"}, 3, 60000, "Started"),
    ({"migration_threshold": "INFINITY", "target-role": "Stopped"}, INFINITY, 0, "Stopped"),
    ({"migration-threshold": "-2"}, 0, 0, "Started"),
])
def test_meta_attributes(meta, threshold, failure_timeout_ms, target):
    spec = ResourceSpec("r1", "ocf:ocfpy:Dummy", meta=meta)
    assert (spec.migration_threshold, spec.failure_timeout_ms, spec.target_role) == (threshold, failure_timeout_ms,
                                                                                     target)


@pytest.mark.parametrize("make, message", [
    (lambda: ResourceSpec("1 bad id", "ocf:ocfpy:Dummy"), "not a valid XML ID"),
    (lambda: ResourceSpec("r1", "ocf:ocfpy:Dummy", meta={"migration-threshold": "many"}), "invalid migration"),
    (lambda: ResourceSpec("r1", "ocf:ocfpy:Dummy", meta={"failure-timeout": "soon"}), "invalid failure-timeout"),
    (lambda: OpSpec("monitor", 10000, on_fail="demote"), "on-fail='demote' is not modelled"),
    (lambda: OpSpec("monitor", -1), "must be >= 0"),
    (lambda: OpSpec("start", timeout_ms=0), "timeout > 0"),
])
def test_bad_definitions_are_refused(make, message):
    with pytest.raises(SpecError, match=message):
        make()


def test_recurring_monitors_by_role_and_timeouts():
    ops = (OpSpec("monitor", 10000), OpSpec("monitor", 11000, role="Promoted"), OpSpec("monitor", 0, 5000),
           OpSpec("start", timeout_ms=30000))
    spec = ResourceSpec("r1", "ocf:ocfpy:Stateful", ops=ops)
    assert [op.interval_ms for op in spec.recurring("Started")] == [10000]
    assert [op.interval_ms for op in spec.recurring("Promoted")] == [11000]
    assert (spec.timeout_ms("start"), spec.timeout_ms("monitor"), spec.timeout_ms("stop")) == (30000, 5000, 20000)


def test_walkthrough_accepts_the_seed_interval_and_parameters():
    spec = build_spec(parse_args(["--interval", "120s", "-p", "state=/tmp/x=y", "--agent", "ocf:pacemaker:Dummy"]))
    assert [op.interval_ms for op in spec.recurring()] == [120000]
    assert (spec.agent, dict(spec.params)) == ("ocf:pacemaker:Dummy", {"state": "/tmp/x=y"})


@pytest.mark.parametrize("argv, message", [
    (["--interval", "0"], "must be more than 0"),
    (["--interval", "soon"], "invalid --interval"),
    (["-p", "novalue"], "expected NAME=VALUE"),
    (["--id", "has space"], "not a valid XML ID"),
])
def test_walkthrough_refuses_bad_options(argv, message):
    with pytest.raises(SpecError, match=message):
        build_spec(parse_args(argv))

"""Local recovery on one node with a real agent: threshold bans, start and stop failures, masked probes,
on-fail=ignore, failure-timeout, cleanup and degraded monitors, checked in crm_mon's words."""

from __future__ import annotations

import pytest
from sim_support import Agents

from harness.sim import INFINITY, OpSpec, ResourceSpec
from harness.sim.node import LocalNode
from harness.sim.status import failed_action_friendly, render_status, resource_line

SETTLE_S = 30.0  # an upper bound for a few short shell-agent actions


@pytest.fixture
def agents(tmp_path):
    return Agents(tmp_path)


@pytest.fixture
def node(agents):
    local = LocalNode("node1", ra_path=str(agents.ra_path), extra_env=agents.env, cwd=str(agents.rsctmp))
    yield local
    local.close()


def spec(agents, monitor_on_fail=None, **meta):
    ops = (OpSpec("monitor", 1000, on_fail=monitor_on_fail),)
    return ResourceSpec("r1", agents.knob, ops=ops, meta=meta)


def started(node, agents, **options):
    """Create r1 and wait until its first recurring monitor has reported."""
    node.create(spec(agents, **options))
    assert node.wait_event(lambda e: e.kind == "monitor", SETTLE_S), node.events()
    assert node.wait_settled(SETTLE_S)
    return node.snapshot().resource("r1")


def fail_monitor(node, agents):
    """Stop r1 behind the scheduler's back and wait for the failure to be handled."""
    assert node.force("r1", "stop").rc == 0
    failure = node.wait_event(lambda e: e.kind == "failure", SETTLE_S)
    assert failure is not None, node.events()
    assert node.wait_settled(SETTLE_S)
    return failure


def test_reaching_the_migration_threshold_bans_the_resource_and_it_stays_stopped(node, agents):
    assert resource_line(started(node, agents, **{"migration-threshold": "1"})) == "r1\t(ocf:t:Knob):\t Started node1"

    fail_monitor(node, agents)

    rsc = node.snapshot().resource("r1")
    assert resource_line(rsc) == "r1\t(ocf:t:Knob):\t Stopped"
    assert (rsc.fail_count, rsc.bans) == (1, ("migration-threshold",))
    assert [e.kind for e in node.events()].count("start") == 1  # never started again here


def test_a_failed_start_counts_infinity_and_leaves_it_stopped(node, agents):
    agents.set("r1.start_0", 1)
    node.create(spec(agents))
    assert node.wait_settled(SETTLE_S)

    rsc = node.snapshot().resource("r1")
    assert (rsc.role, rsc.fail_count, rsc.bans) == ("Stopped", INFINITY, ("migration-threshold",))
    assert [failed_action_friendly(r).split(" at ")[0] for r in rsc.failed_ops] == [
        "r1 start on node1 returned 'error'"]
    assert [e.kind for e in node.events() if e.kind in ("start", "stop")] == ["start", "stop"]


def test_a_failed_stop_without_fencing_blocks_the_resource(node, agents):
    started(node, agents)
    agents.set("r1.stop_0", 1)
    agents.set("r1.monitor_1000", 7)

    node.wait_event(lambda e: e.kind == "failure" and e.record.action == "stop", SETTLE_S)
    assert node.wait_settled(SETTLE_S)

    rsc = node.snapshot().resource("r1")
    assert resource_line(rsc) == "r1\t(ocf:t:Knob):\t FAILED node1 (blocked)"
    assert rsc.fail_count == INFINITY


def test_a_failed_stop_with_fencing_leaves_the_node_unclean(agents):
    with LocalNode("node1", ra_path=str(agents.ra_path), extra_env=agents.env, fencing=True) as fenced:
        started(fenced, agents)
        agents.set("r1.stop_0", 1)
        agents.set("r1.monitor_1000", 7)
        assert fenced.wait_event(lambda e: e.kind == "failure" and "must be fenced" in e.text, SETTLE_S)
        assert "  * Node node1: UNCLEAN (online)" in render_status(fenced.snapshot()).splitlines()
        agents.set("r1.stop_0", 0)


def test_a_probe_saying_not_installed_is_masked_and_the_node_banned(node, agents):
    agents.set("r1.monitor_0", 5)
    node.create(spec(agents))
    assert node.wait_settled(SETTLE_S)

    rsc = node.snapshot().resource("r1")
    assert resource_line(rsc) == "r1\t(ocf:t:Knob):\t Stopped (not installed) "
    assert (rsc.failed_ops, rsc.fail_count, rsc.bans) == ((), 0, ("masked-probe-failure",))
    assert "start" not in [e.kind for e in node.events()]


def test_on_fail_ignore_keeps_it_running_with_failure_ignored(node, agents):
    started(node, agents, monitor_on_fail="ignore")

    fail_monitor(node, agents)

    rsc = node.snapshot().resource("r1")
    assert resource_line(rsc) == "r1\t(ocf:t:Knob):\t Started node1 (failure ignored)"
    assert rsc.fail_count == 0 and rsc.last_failure is not None and len(rsc.failed_ops) == 1
    assert "stop" not in [e.kind for e in node.events()]


def test_failure_timeout_lifts_the_ban_and_the_resource_starts_again(node, agents):
    started(node, agents, **{"migration-threshold": "1", "failure-timeout": "1s"})
    fail_monitor(node, agents)
    assert node.snapshot().resource("r1").role == "Stopped"

    expired = node.wait_event(lambda e: e.kind == "expired", SETTLE_S)
    assert expired is not None
    assert node.wait_event(lambda e: e.kind == "monitor" and not e.record.verdict.failed, SETTLE_S,
                           since=node.events().index(expired))
    rsc = node.snapshot().resource("r1")
    assert (rsc.role, rsc.fail_count, rsc.bans, rsc.failed_ops) == ("Started", 0, (), ())


def test_cleanup_forgets_failures_and_starts_it_again(node, agents):
    started(node, agents, **{"migration-threshold": "1"})
    fail_monitor(node, agents)

    node.cleanup("r1")
    assert node.wait_settled(SETTLE_S)

    rsc = node.snapshot().resource("r1")
    assert (rsc.role, rsc.fail_count, rsc.bans, rsc.failed_ops) == ("Started", 0, (), ())


def test_a_degraded_monitor_is_listed_but_not_recovered(node, agents):
    started(node, agents)
    agents.set("r1.monitor_1000", 190)

    listed = node.wait_event(lambda e: e.kind == "monitor" and e.record.rc == 190, SETTLE_S)

    assert listed is not None
    rsc = listed.status.resource("r1")
    assert (rsc.role, rsc.failed, rsc.fail_count) == ("Started", False, 0)
    assert [r.rc for r in rsc.failed_ops] == [190]
    assert not [e for e in node.events() if e.kind in ("failure", "stop")]


def test_local_recovery_restarts_it_in_place_with_fail_count_one(node, agents):
    started(node, agents)

    failure = fail_monitor(node, agents)

    assert resource_line(failure.status.resource("r1")) == "r1\t(ocf:t:Knob):\t FAILED node1"
    rsc = node.snapshot().resource("r1")
    assert (resource_line(rsc), rsc.fail_count) == ("r1\t(ocf:t:Knob):\t Started node1", 1)
    assert [e.kind for e in node.events() if e.kind in ("start", "stop")] == ["start", "stop", "start"]


def test_on_fail_standby_stops_every_resource_of_the_node(node, agents):
    started(node, agents, monitor_on_fail="standby")
    node.create(ResourceSpec("r2", agents.knob, ops=(OpSpec("monitor", 1000),)))
    assert node.wait_event(lambda e: e.kind == "monitor" and e.rsc == "r2", SETTLE_S)

    fail_monitor(node, agents)

    view = node.snapshot()
    assert [(r.id, r.role) for r in view.resources] == [("r1", "Stopped"), ("r2", "Stopped")]
    assert "  * Node node1: standby (on-fail)" in render_status(view).splitlines()


def test_cleanup_after_on_fail_standby_brings_the_node_and_its_resources_back(node, agents):
    started(node, agents, monitor_on_fail="standby")
    fail_monitor(node, agents)

    node.cleanup("r1")
    assert node.wait_settled(SETTLE_S)

    view = node.snapshot()
    assert (view.standby, view.resource("r1").role) == (False, "Started")

"""crm_mon 2.1.5 text for the single-node status: resource lines, failed actions, migration summary."""

from __future__ import annotations

import time

import pytest

from harness.execd import ExecStatus
from harness.sim.history import NodeView, OpRecord, ResourceView
from harness.sim.interpret import interpret
from harness.sim.resource import INFINITY
from harness.sim.status import (failed_action_friendly, failed_action_technical, migration_line, render_status,
                                resource_line)

WHEN = 1_700_000_000.0
CTIME = time.ctime(WHEN)  # pcmk__epoch2str(t, 0) is ctime() in the local zone


def record(action="monitor", interval=120000, rc=7, status=ExecStatus.DONE, reason=None, exec_ms=0, call=7,
           rsc="dummy_service"):
    return OpRecord(rsc=rsc, action=action, interval_ms=interval, call_id=call, rc=rc, status=status,
                    exit_reason=reason, last_rc_change=WHEN, exec_ms=exec_ms, queue_ms=0, node="node1",
                    verdict=interpret(action, interval, rc, status))


def view(**fields):
    defaults = dict(id="dummy_service", agent="ocf:ocfpy:Dummy", role="Started", node="node1")
    defaults.update(fields)
    return ResourceView(**defaults)


@pytest.mark.parametrize("fields, line", [
    ({}, "dummy_service\t(ocf:ocfpy:Dummy):\t Started node1"),
    (dict(role="Stopped", node=None), "dummy_service\t(ocf:ocfpy:Dummy):\t Stopped"),
    (dict(failed=True), "dummy_service\t(ocf:ocfpy:Dummy):\t FAILED node1"),
    (dict(failed=True, blocked=True), "dummy_service\t(ocf:ocfpy:Dummy):\t FAILED node1 (blocked)"),
    (dict(failed=True, role="Promoted"), "dummy_service\t(ocf:ocfpy:Dummy):\t FAILED Promoted node1"),
    (dict(role="Promoted"), "dummy_service\t(ocf:ocfpy:Dummy):\t Promoted node1"),
    (dict(failure_ignored=True), "dummy_service\t(ocf:ocfpy:Dummy):\t Started node1 (failure ignored)"),
    (dict(role="Stopped", node=None, disabled=True), "dummy_service\t(ocf:ocfpy:Dummy):\t Stopped (disabled)"),
    (dict(role="Stopped", node=None, masked_probe=record(interval=0, rc=5)),
     "dummy_service\t(ocf:ocfpy:Dummy):\t Stopped (not installed) "),
])
def test_resource_line(fields, line):
    assert resource_line(view(**fields)) == line


def test_seed_form_of_a_failed_monitor():
    assert failed_action_technical(record()) == (
        "dummy_service_monitor_120000 on node1 'not running' (7): call=7, status='complete', "
        f"last-rc-change='{CTIME}', queued=0ms, exec=0ms")


def test_technical_form_with_exit_reason_and_timeout():
    line = failed_action_technical(record(action="start", interval=0, rc=1, status=ExecStatus.TIMEOUT,
                                          reason="Resource agent did not complete within 20s", exec_ms=20003))
    assert line == ("dummy_service_start_0 on node1 'error' (1): call=7, status='Timed Out', "
                    "exitreason='Resource agent did not complete within 20s', "
                    f"last-rc-change='{CTIME}', queued=0ms, exec=20003ms")


@pytest.mark.parametrize("op, text", [
    (record(), f"dummy_service 2m-interval monitor on node1 returned 'not running' at {CTIME}"),
    (record(interval=5000, reason="state file is gone", exec_ms=12),
     f"dummy_service 5s-interval monitor on node1 returned 'not running' (state file is gone) at {CTIME} after 12ms"),
    (record(interval=0, rc=1), f"dummy_service probe on node1 returned 'error' at {CTIME}"),
    (record(action="start", interval=0, rc=1, status=ExecStatus.TIMEOUT, reason="did not complete within 20s"),
     f"dummy_service start on node1 could not be executed (Timed Out: did not complete within 20s) at {CTIME}"),
])
def test_friendly_form_as_crm_mon_prints_by_default(op, text):
    assert failed_action_friendly(op) == text


@pytest.mark.parametrize("fields, line", [
    (dict(fail_count=1, last_failure=WHEN), f"dummy_service: migration-threshold=1000000 fail-count=1 "
                                             f"last-failure='{CTIME}'"),
    (dict(fail_count=INFINITY, migration_threshold=3, last_failure=WHEN),
     f"dummy_service: migration-threshold=3 fail-count=1000000 last-failure='{CTIME}'"),
    (dict(), "dummy_service: migration-threshold=1000000"),
])
def test_migration_summary_line(fields, line):
    assert migration_line(view(**fields)) == line


def node(*resources, **fields):
    return NodeView("node1", updated=WHEN, resources=tuple(resources), **fields)


def test_full_status_sections_in_crm_mon_order():
    failed = view(fail_count=1, last_failure=WHEN, failed_ops=(record(),))
    text = render_status(node(failed, view(id="other", role="Stopped", node=None)), detail=True, now=WHEN)
    assert text == "\n".join([
        "Cluster Summary:",
        "  * Stack: none (ocfpy harness: one node, no cluster)",
        f"  * Last updated: {CTIME} on node1",
        "  * 1 node configured",
        "  * 2 resource instances configured",
        "",
        "Node List:",
        "  * Online: [ node1 (1) ]",
        "",
        "Full List of Resources:",
        "  * dummy_service\t(ocf:ocfpy:Dummy):\t Started node1",
        "  * other\t(ocf:ocfpy:Dummy):\t Stopped",
        "",
        "Migration Summary:",
        "  * Node: node1:",
        f"    * dummy_service: migration-threshold=1000000 fail-count=1 last-failure='{CTIME}'",
        "",
        "Failed Resource Actions:",
        f"  * dummy_service_monitor_120000 on node1 'not running' (7): call=7, status='complete', "
        f"last-rc-change='{CTIME}', queued=0ms, exec=0ms",
    ]) + "\n"


def test_active_only_view_hides_stopped_resources_and_empty_sections():
    text = render_status(node(view(role="Stopped", node=None)), inactive=False)
    assert "Active Resources:\n  * No active resources" in text
    assert "Migration Summary" not in text and "Failed Resource Actions" not in text


@pytest.mark.parametrize("fields, line", [
    (dict(unclean=True), "  * Node node1: UNCLEAN (online)"),
    (dict(standby=True), "  * Node node1: standby (on-fail)"),
])
def test_node_states(fields, line):
    assert line in render_status(node(**fields)).splitlines()

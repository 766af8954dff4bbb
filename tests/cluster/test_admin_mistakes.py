"""Mistakes admins make with pcs, on the real cluster: what Pacemaker makes of the agents' answers.

A Filesystem whose directory is relative and a Dummy whose state is relative are probed 6 on
both nodes; the stops that follow succeed, so the resources are Stopped with the probe's reason,
not `FAILED (blocked)` on both nodes (which fencing would turn into two fenced nodes). A ping
clone given `debug=yes` (pcs accepts it) keeps pingd, and with it the service its rule keeps.
crmsh's `crm` runs in a node. The steps run in file order on one lab.
"""

from __future__ import annotations

import html

import pytest

from harness.lab import cluster, node
from harness.lab.scenario import SLACK, pcs
from test_filesystem_failover import disk  # noqa: F401 (a fixture: an ext4 loop device)

LAB_TAG = "adm"
pytestmark = pytest.mark.needs_root


def settle(config, where: str) -> cluster.ClusterView:
    """The view once the cluster has nothing left to do (crm_resource --wait)."""
    node.run(config, where, ["crm_resource", "--wait", f"--timeout={int(SLACK)}s"], check=True,
             timeout=SLACK + 10)
    return cluster.view(config, where)


def failures_of(view, *resources: str) -> list:
    return [fail for fail in view.failures if fail["op_key"].rsplit("_", 2)[0] in resources]


def probed_6_and_stopped(config, where: str, resource: str) -> None:
    view = settle(config, where)
    probes = [view.failure(f"{resource}_monitor_0", name) for name in config.nodes]
    assert all(probe and probe["exitcode"] == "6" for probe in probes), view.summary()
    assert len(failures_of(view, resource)) == len(probes), view.summary()  # no failed stop
    instance = next(i for i in view.instances if i.id == resource)
    assert (instance.role, instance.failed, instance.nodes) == ("Stopped", False, ()), view.summary()


def test_crm_runs_in_a_node_and_shows_an_agents_parameters(lab_up):
    shown = node.run(lab_up, lab_up.nodes[0], ["crm", "ra", "info", "ocf:ocfpy:Dummy"], timeout=60)

    assert shown.returncode == 0, shown.stderr[-500:]
    assert "Traceback" not in shown.stderr and "state (string): State file" in shown.stdout


def test_a_dummy_created_with_a_relative_state_is_stopped_not_blocked(lab_up):
    config, where = lab_up, lab_up.nodes[0]

    pcs(config, where, "resource", "create", "rel_dummy", "ocf:ocfpy:Dummy", "state=rel.state")

    probed_6_and_stopped(config, where, "rel_dummy")
    reason = settle(config, where).failure("rel_dummy_monitor_0")["exitreason"]
    # crm_mon 2.1.5's XML escapes the quotes twice (&amp;apos;)
    expected = "cannot determine the state: state: 'rel.state' is not an absolute path"
    assert html.unescape(reason) == expected
    pcs(config, where, "resource", "delete", "rel_dummy")


def test_a_filesystem_given_a_relative_directory_is_stopped_not_blocked(lab_up, disk):
    config, where = lab_up, lab_up.nodes[0]

    pcs(config, where, "resource", "create", "rel_fs", "ocf:ocfpy:Filesystem",
        f"device={disk['device']}", "directory=mnt", "fstype=ext4")

    probed_6_and_stopped(config, where, "rel_fs")
    pcs(config, where, "resource", "delete", "rel_fs")


def test_a_ping_clone_given_debug_yes_keeps_pingd_and_the_service(lab_up):
    config, where = lab_up, lab_up.nodes[0]
    pcs(config, where, "resource", "create", "net", "ocf:ocfpy:ping", "host_list=10.214.0.1",
        "multiplier=1000", "dampen=1s", "debug=yes", "op", "monitor", "interval=3s", "clone")
    pcs(config, where, "resource", "create", "served", "ocf:ocfpy:Dummy")
    pcs(config, where, "constraint", "location", "served", "rule", "score=-INFINITY", "pingd", "lt",
        "1", "or", "not_defined", "pingd")

    view, _ = cluster.wait_for(config, where, lambda v: v.started_on("served") is not None and all(
        v.attribute(name, "pingd") == "1000" for name in config.nodes), SLACK, "served Started")

    assert view.where("net", "Started") == sorted(config.nodes) and failures_of(view, "net", "served") == []
    assert [view.attribute(name, "pingd") for name in config.nodes] == ["1000", "1000"]
    pcs(config, where, "resource", "delete", "served")
    pcs(config, where, "resource", "delete", "net")

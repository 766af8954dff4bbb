"""pcsd in the nodes: the admin guide's `pcs cluster start node1`, run on node2, starts the rebooted node1."""

from __future__ import annotations

import pytest

from harness.lab import cluster, lab, node, pcsd
from harness.lab.scenario import pcs

LAB_TAG = "pd"
LAB_PCSD = True
pytestmark = pytest.mark.needs_root


def test_pcs_status_shows_the_daemon_status_section(lab_up):
    status = pcsd.daemon_status(lab_up, "node1")

    assert status == {"corosync": "active/disabled", "pacemaker": "active/disabled",
                      "pcsd": "active/enabled"}


def test_pcs_status_pcsd_reaches_every_node(lab_up):
    text = pcs(lab_up, "node2", "status", "pcsd")

    assert all(f"{name}: Online" in text for name in lab_up.nodes), text


def test_pcs_cluster_start_node1_on_node2_starts_the_rebooted_node1(lab_up):
    node.kill(lab_up, "node1")
    cluster.wait_for(lab_up, "node2", lambda v: "node1" not in v.online, 60, "node1 OFFLINE")
    booted = lab.boot(lab_up, "node1", "enabled")  # a reboot: only what is enabled comes up

    pcs(lab_up, "node2", "cluster", "start", "node1")
    view, _ = cluster.wait_for(lab_up, "node2", lambda v: v.formed(lab_up.nodes), 60, "node1 back")

    assert booted["units"] == ["pcsd"]
    assert view.online == set(lab_up.nodes)
    assert pcsd.daemon_status(lab_up, "node1")["pacemaker"] == "active/disabled"

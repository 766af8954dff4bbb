"""The lab's connectivity pieces: two networks, which cables netcut pulls, bounds, pcsd's status section."""

from __future__ import annotations

import socket

import pytest

from harness.lab import connectivity, network, nodefs, systemctl_shim
from harness.lab.config import LabConfig, LabError
from harness.lab.pcsd import parse_daemon_status


@pytest.fixture
def config():
    return LabConfig(prefix="t", state_dir="/var/tmp/t")


def test_the_public_network_has_the_gateway_the_ping_clones_target(config):
    assert config.gateway == "10.214.0.1"
    assert [config.public_address(n) for n in config.nodes] == ["10.214.0.11", "10.214.0.12"]
    assert [config.address(n) for n in config.nodes] == ["10.213.0.11", "10.213.0.12"]


def test_netcut_pulls_both_cables_unless_told_one(config):
    assert network.links("all") == ("cluster", "public")
    assert network.links("public") == ("public",)
    assert network.cable(config, "node1") == "p-node1"  # the cluster cable keeps its name
    assert network.cable(config, "node1", "public") == "u-node1"
    with pytest.raises(LabError, match="unknown link"):
        network.links("wifi")


def test_corosync_timings(config):
    assert (config.token_effective_ms(), config.consensus_effective_ms()) == (3000, 3600)
    fast = LabConfig(prefix="t", state_dir="/var/tmp/t", token_ms=1000)
    assert (fast.token_effective_ms(), fast.consensus_effective_ms()) == (1000, 1200)


def test_pcsd_adds_a_shadow_file_to_the_nodes_and_is_remembered(config):
    with_pcsd = LabConfig(prefix="t", state_dir="/var/tmp/t", pcsd=True)

    assert ("shadow", "/etc/shadow") not in nodefs.shared_files(config)
    assert ("shadow", "/etc/shadow") in nodefs.shared_files(with_pcsd)
    assert LabConfig(**{**with_pcsd.__dict__}).pcsd


def test_the_shim_runs_pcsd_after_its_ruby_half_and_knows_when_each_answers(tmp_path):
    assert systemctl_shim.UNITS["pcsd"]["requires"] == ["pcsd-ruby"]
    path = str(tmp_path / "sock")
    ready = systemctl_shim.unix_socket_answers(path)
    assert not ready()
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(path)
        server.listen()
        assert ready()
        assert systemctl_shim.is_ready(ready) and systemctl_shim.is_ready(None)
        assert systemctl_shim.is_ready(["true"]) and not systemctl_shim.is_ready(["false"])


def test_the_daemon_status_section_is_read_from_pcs_status():
    text = ("Cluster name: ocfpylab\nStatus of pacemakerd: 'Pacemaker is running'\n\n"
            "Daemon Status:\n  corosync: active/disabled\n  pacemaker: active/disabled\n"
            "  pcsd: active/enabled\n")

    assert parse_daemon_status(text) == {"corosync": "active/disabled", "pacemaker": "active/disabled",
                                         "pcsd": "active/enabled"}
    assert parse_daemon_status("Cluster name: x\n") == {}


def test_the_ping_bound_is_interval_pings_dampen_and_slack(config):
    story = connectivity.ConnectivityStory(config, ping_interval_s=3, dampen_s=5, attempts=2, timeout_s=1)

    assert story.ping_round_s == 1
    assert story.detection_bound() == 3 + 1 + 5 + connectivity.TRANSITION_SLACK


def test_the_isolated_node_waits_for_its_new_membership_then_the_dampening(config):
    story = connectivity.ConnectivityStory(config, ping_interval_s=3, dampen_s=3, attempts=2, timeout_s=1)

    assert story.isolation_bound() == 3.0 + 3.6 + 3 + connectivity.TRANSITION_SLACK


def test_node_attributes_and_op_times_are_read_from_crm_mon():
    import xml.etree.ElementTree as ET
    from pathlib import Path

    from harness.lab.cluster import ClusterView

    snapshot = Path(__file__).resolve().parents[1] / "data" / "lab" / "crm_mon_ping_clone.xml"
    view = ClusterView(ET.parse(snapshot).getroot())

    assert view.attribute("node1", "pingd") == view.attribute("node2", "pingd") == "1000"
    assert view.attribute("node1", "absent") is None and view.attribute("node9", "pingd") is None
    assert view.where("ping") == ["node1", "node2"]
    assert view.op_seconds("split_service", "node2", "start") == 0.036
    assert view.op_seconds("ping", "node2", "start") == 0.166
    assert view.op_seconds("ping", "node2", "stop") == 0.0

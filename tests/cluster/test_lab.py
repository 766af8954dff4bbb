"""The lab itself: isolated nodes, ocfpy only inside them, power cut and cable cut, complete teardown."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness.lab import cluster, install, lab, network, node, processes
from harness.lab.config import LabConfig

LAB_TAG = "lab"
REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.needs_root


def in_node(config: LabConfig, name: str, *argv: str) -> subprocess.CompletedProcess:
    return node.run(config, name, list(argv))


def host_mounts() -> list[str]:
    with open("/proc/self/mountinfo") as handle:
        return [line.split()[4] for line in handle]


def leftovers(config: LabConfig, records: list) -> dict:
    """Everything a lab could leave on the host."""
    return {
        "netns": [ns for ns in config.all_netns() if network.netns_exists(ns)],
        "mounts": [m for m in host_mounts() if config.prefix in m or m.startswith(config.state_dir)],
        "processes": [rec.pid for rec in records if processes.is_alive(rec)],
        "state": config.state.exists(),
    }


NOTHING_LEFT = {"netns": [], "mounts": [], "processes": [], "state": False}


def test_each_node_has_its_own_hostname_pid_1_and_address(lab_up):
    for name in lab_up.nodes:
        hostname = in_node(lab_up, name, "hostname").stdout.strip()
        pid1 = in_node(lab_up, name, "cat", "/proc/1/cmdline").stdout.split("\0")
        addresses = in_node(lab_up, name, "ip", "-o", "-4", "addr", "show", "dev", "eth0").stdout
        public = in_node(lab_up, name, "ip", "-o", "-4", "addr", "show", "dev", "eth1").stdout
        gateway = in_node(lab_up, name, "ping", "-n", "-q", "-c", "1", "-w", "5", "gateway")

        assert hostname == name
        assert "harness.lab.nodeinit" in pid1
        assert f"inet {lab_up.address(name)}/24" in addresses
        assert f"inet {lab_up.public_address(name)}/24" in public
        assert gateway.returncode == 0, gateway.stdout + gateway.stderr
    host = subprocess.run(["ip", "-o", "-4", "addr"], stdout=subprocess.PIPE, text=True).stdout
    assert lab_up.subnet + "." not in host and lab_up.public_subnet + "." not in host


def test_ocfpy_is_installed_inside_the_nodes_only(lab_up):
    site = lab_up.install["site_dir"]
    found = in_node(lab_up, "node1", "/usr/bin/python3", "-c", "import ocfpy; print(ocfpy.__file__)")
    agents = in_node(lab_up, "node1", "ls", "/usr/lib/ocf/resource.d/ocfpy")

    assert found.stdout.strip() == f"{site}/ocfpy/__init__.py"
    assert sorted(agents.stdout.split()) == sorted(os.listdir(REPO / "agents"))
    lab_mounts = [m for m in host_mounts() if lab_up.prefix in m]
    assert lab_mounts == [f"/run/netns/{ns}" for ns in lab_up.all_netns()]


def test_hacluster_can_run_the_agents_meta_data_as_the_controller_does(lab_up):
    for agent in os.listdir(REPO / "agents"):
        proc = in_node(lab_up, "node1", "runuser", "-u", "hacluster", "--",
                       f"/usr/lib/ocf/resource.d/ocfpy/{agent}", "meta-data")

        assert proc.returncode == 0, proc.stderr
        assert f'<resource-agent name="{agent}"' in proc.stdout


def test_the_host_root_is_read_only_inside_a_node(lab_up):
    denied = in_node(lab_up, "node1", "touch", "/ocfpy-lab-probe")
    allowed = in_node(lab_up, "node1", "touch", "/run/probe", "/var/lib/pacemaker/probe")

    assert denied.returncode != 0 and "Read-only file system" in denied.stderr
    assert allowed.returncode == 0, allowed.stderr
    assert not os.path.exists("/ocfpy-lab-probe")


def test_kill_takes_every_process_of_the_node_and_boot_brings_it_back(lab_up):
    netns = lab_up.netns("node2")
    assert network.pids_in(netns)

    node.kill(lab_up, "node2")

    assert network.pids_in(netns) == []
    assert not node.is_up(lab_up, "node2")
    lab.boot(lab_up, "node2", "start")
    view, _ = cluster.wait_for(lab_up, "node2", lambda v: v.formed(lab_up.nodes), 90, "rejoin")
    assert view.online == set(lab_up.nodes)


def test_netcut_partitions_the_cluster_and_netheal_joins_it_again(lab_up):
    network.set_cable(lab_up, "node2", plugged=False)
    cut, _ = cluster.wait_for(lab_up, "node1", lambda v: "node2" not in v.online, 90, "partition")

    network.set_cable(lab_up, "node2", plugged=True)
    healed, _ = cluster.wait_for(lab_up, "node1", lambda v: v.formed(lab_up.nodes), 90, "heal")

    assert cut.online == {"node1"}
    assert healed.online == set(lab_up.nodes)


def test_down_removes_every_trace():
    config = LabConfig(prefix="ocfpytdown", state_dir="/var/tmp/ocfpytdown")
    lab.up(config, install.checkout_source(str(REPO)), progress=lambda text: None)
    records = [rec for name in config.nodes for rec in node.recorded(config, name).values()]
    assert len(records) == 4 and all(processes.is_alive(rec) for rec in records)

    problems = lab.down(config.state_dir)

    assert problems == []
    assert leftovers(config, records) == NOTHING_LEFT


def test_ctrl_c_during_up_tears_everything_down():
    config = LabConfig(prefix="ocfpytint", state_dir="/var/tmp/ocfpytint")
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness", "lab", "--state-dir", config.state_dir, "up",
         "--prefix", config.prefix, "--checkout", str(REPO)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().startswith("nodes booted")  # nodes run, cluster still forming
    config = LabConfig.load(config.state_dir)
    records = [rec for name in config.nodes for rec in node.recorded(config, name).values()]

    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)

    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert leftovers(config, records) == NOTHING_LEFT

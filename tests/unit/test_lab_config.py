"""Lab configuration: corosync.conf (nodes by address, two_node, knet with crypto, token) and names."""

from __future__ import annotations

import pytest

from harness.lab.config import LabConfig, LabError
from harness.lab.corosync import render_conf


def test_nodelist_quorum_and_crypto():
    conf = render_conf(LabConfig(prefix="t", state_dir="/var/tmp/t"))

    assert "ring0_addr: 10.213.0.11\n        name: node1\n        nodeid: 1" in conf
    assert "ring0_addr: 10.213.0.12\n        name: node2\n        nodeid: 2" in conf
    assert "two_node: 1" in conf
    assert "transport: knet" in conf and "crypto_cipher: aes256" in conf
    assert "token:" not in conf  # corosync's default (3000 ms) unless asked


def test_token_when_given():
    conf = render_conf(LabConfig(prefix="t", state_dir="/var/tmp/t", token_ms=1000))

    assert "    token: 1000\n" in conf


def test_braces_balance():
    conf = render_conf(LabConfig(prefix="t", state_dir="/var/tmp/t"))

    assert conf.count("{") == conf.count("}") == 7  # totem, nodelist, 2 x node, quorum, logging, system


@pytest.mark.parametrize("prefix", ["", "Lab", "lab-1", "1lab", "a" * 17, "../x"])
def test_lab_prefix_must_be_a_plain_name(prefix):
    with pytest.raises(LabError, match="prefix"):
        LabConfig(prefix=prefix, state_dir="/var/tmp/t")


@pytest.mark.parametrize("state_dir", ["/tmp/lab", "/run/lab", "/dev/shm/lab", "/tmp"])
def test_state_dir_must_stay_visible_inside_nodes(state_dir):
    with pytest.raises(LabError, match="where every node mounts a tmpfs of its own"):
        LabConfig(prefix="t", state_dir=state_dir).check_state_dir()

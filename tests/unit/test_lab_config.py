"""corosync.conf for the lab: both nodes by address, two_node quorum, knet with crypto, optional token."""

from __future__ import annotations

from harness.lab.config import LabConfig
from harness.lab.corosync import render_conf


def test_nodelist_quorum_and_crypto():
    conf = render_conf(LabConfig(prefix="t", state_dir="/tmp/t"))

    assert "ring0_addr: 10.213.0.11\n        name: node1\n        nodeid: 1" in conf
    assert "ring0_addr: 10.213.0.12\n        name: node2\n        nodeid: 2" in conf
    assert "two_node: 1" in conf
    assert "transport: knet" in conf and "crypto_cipher: aes256" in conf
    assert "token:" not in conf  # corosync's default (3000 ms) unless asked


def test_token_when_given():
    conf = render_conf(LabConfig(prefix="t", state_dir="/tmp/t", token_ms=1000))

    assert "    token: 1000\n" in conf


def test_braces_balance():
    conf = render_conf(LabConfig(prefix="t", state_dir="/tmp/t"))

    assert conf.count("{") == conf.count("}") == 7  # totem, nodelist, 2 x node, quorum, logging, system

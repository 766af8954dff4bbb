"""The environment view: probes, check levels, CRM_meta_* accessors and notify lists."""

from __future__ import annotations

import time

import pytest

from ocfpy.environment import Environment


@pytest.mark.parametrize("env, action, probe", [
    ({}, "monitor", True),                                       # what Pacemaker really sends
    ({"OCF_RESKEY_CRM_meta_interval": ""}, "monitor", True),
    ({"OCF_RESKEY_CRM_meta_interval": "0"}, "monitor", True),   # ocf-tester's probe
    ({"OCF_RESKEY_CRM_meta_interval": "10000"}, "monitor", False),
    ({}, "start", False),
    ({"OCF_RESKEY_CRM_meta_interval": "junk"}, "monitor", True),
])
def test_a_probe_is_a_monitor_without_an_interval(env, action, probe):
    assert Environment(env).is_probe(action) is probe


@pytest.mark.parametrize("env, supported, level", [
    ({}, (0, 10, 20), 0),
    ({"OCF_CHECK_LEVEL": "10"}, (0, 10, 20), 10),
    ({"OCF_CHECK_LEVEL": "15"}, (0, 10, 20), 10),   # next lower level
    ({"OCF_CHECK_LEVEL": "99"}, (0, 10, 20), 20),
    ({"OCF_CHECK_LEVEL": "5"}, (0, 10), 0),
    ({"OCF_RESKEY_OCF_CHECK_LEVEL": "20"}, (0, 10, 20), 20),
    ({"OCF_CHECK_LEVEL": "10", "OCF_RESKEY_OCF_CHECK_LEVEL": "20"}, (0, 10, 20), 10),
    ({"OCF_CHECK_LEVEL": "-1"}, (0, 10), 0),
    ({"OCF_CHECK_LEVEL": "deep"}, (0, 10), 0),
])
def test_check_level_takes_the_deepest_supported_level_not_above_the_request(env, supported, level):
    assert Environment(env).check_level_for(supported) == level


def test_clone_and_promotable_meta_attributes():
    env = Environment({
        "OCF_RESKEY_CRM_meta_clone": "1", "OCF_RESKEY_CRM_meta_clone_max": "2",
        "OCF_RESKEY_CRM_meta_clone_node_max": "1", "OCF_RESKEY_CRM_meta_globally_unique": "false",
        "OCF_RESKEY_CRM_meta_master_max": "1", "OCF_RESKEY_CRM_meta_notify": "true",
        "OCF_RESKEY_CRM_meta_role": "Slave", "OCF_RESKEY_CRM_meta_on_node": "node2",
    })
    assert (env.clone, env.clone_max, env.clone_node_max) == (1, 2, 1)
    assert env.is_clone and not env.globally_unique and env.notify_enabled
    assert env.promoted_max == 1 and env.is_promotable     # legacy name accepted
    assert env.role == "Unpromoted" and env.on_node == "node2"


def test_unset_and_empty_parameters_differ():
    env = Environment({"OCF_RESKEY_empty": "", "OCF_RESKEY_dash-name": "x"})
    assert env.param("empty") == "" and env.param("unset") is None
    assert env.param("dash-name") == "x"   # names are taken verbatim, as execd sends them


def test_deadline_counts_from_the_process_start():
    env = Environment({"OCF_RESKEY_CRM_meta_timeout": "20000"}, started=time.monotonic() - 5)
    assert 14 < env.time_left() <= 15
    assert Environment({}).time_left() is None


def test_notify_lists_are_zipped_and_a_single_space_is_empty():
    env = Environment({
        "OCF_RESKEY_CRM_meta_notify_type": "pre", "OCF_RESKEY_CRM_meta_notify_operation": "start",
        "OCF_RESKEY_CRM_meta_notify_start_resource": "r:1 r:2",
        "OCF_RESKEY_CRM_meta_notify_start_uname": "node2 node3",
        "OCF_RESKEY_CRM_meta_notify_stop_resource": " ",
        "OCF_RESKEY_CRM_meta_notify_master_resource": "r:0",     # legacy name only
        "OCF_RESKEY_CRM_meta_notify_master_uname": "node1",
        "OCF_RESKEY_CRM_meta_notify_all_uname": "node1 node2 node3",
    })
    note = env.notification()
    assert note.is_pre and note.operation == "start"
    assert note.pairs["start"] == [("r:1", "node2"), ("r:2", "node3")]
    assert note.pairs["stop"] == []
    assert note.pairs["promoted"] == [("r:0", "node1")]
    assert note.nodes["all"] == ["node1", "node2", "node3"]

"""The environment per profile (conformance §2.1-2.7, H3-H5), without running anything."""

from __future__ import annotations

import pytest

from harness.execd.environment import EXECD_BASE, action_parameters, build_environment
from harness.execd.lookup import AgentRef
from harness.execd.operation import Operation, OperationError

REF = AgentRef("envprobe", "EnvDump", "/usr/lib/ocf/resource.d/envprobe/EnvDump")
OCF_PART = {
    "OCF_EXIT_REASON_PREFIX": "ocf-exit-reason:", "OCF_RA_VERSION_MAJOR": "1", "OCF_RA_VERSION_MINOR": "1",
    "OCF_RESOURCE_PROVIDER": "envprobe", "OCF_RESOURCE_TYPE": "EnvDump", "OCF_ROOT": "/usr/lib/ocf",
}


def test_execd_probe_environment_is_section_2_1_without_log_variables():
    op = Operation(REF, "monitor", params={"ip": "192.0.2.10"}, instance="probe1")

    env = build_environment(op, REF)

    assert env == {**EXECD_BASE, **OCF_PART, "OCF_RESOURCE_INSTANCE": "probe1",
                   "OCF_RESKEY_CRM_meta_on_node": "node1", "OCF_RESKEY_CRM_meta_on_node_uuid": "1",
                   "OCF_RESKEY_CRM_meta_timeout": "20000", "OCF_RESKEY_crm_feature_set": "3.16.1",
                   "OCF_RESKEY_ip": "192.0.2.10"}
    assert "HOME" not in env and "OCF_OUTPUT_FORMAT" not in env


def test_recurring_monitor_adds_interval_name_and_unprefixed_check_level():
    op = Operation(REF, "monitor", interval_ms=10000, check_level=10)

    env = build_environment(op, REF)

    assert env["OCF_RESKEY_CRM_meta_interval"] == "10000"
    assert env["OCF_RESKEY_CRM_meta_name"] == "monitor"
    assert env["OCF_CHECK_LEVEL"] == "10" and "OCF_RESKEY_OCF_CHECK_LEVEL" not in env


@pytest.mark.parametrize("action", ["monitor", "start", "stop"])
def test_never_an_interval_of_zero_nor_op_target_rc(action):
    op = Operation(REF, action, meta={"interval": "0", "op_target_rc": "7", "timeout": "1"})

    params = action_parameters(op)

    assert "CRM_meta_interval" not in params and "CRM_meta_name" not in params
    assert "CRM_meta_op_target_rc" not in params
    assert params["CRM_meta_timeout"] == "20000"  # always the enforced timeout


def test_meta_keys_get_dashes_turned_into_underscores_and_param_names_stay_verbatim():
    op = Operation(REF, "notify", params={"dash-name": "v", "dot.name": "w"},
                   meta={"on-fail": "block", "notify_type": "pre", "notify_stop_resource": " "})

    env = build_environment(op, REF)

    assert env["OCF_RESKEY_CRM_meta_on_fail"] == "block"
    assert env["OCF_RESKEY_CRM_meta_notify_stop_resource"] == " "
    assert (env["OCF_RESKEY_dash-name"], env["OCF_RESKEY_dot.name"]) == ("v", "w")


def test_crm_resource_profile_is_section_2_5_on_top_of_the_callers_environment():
    op = Operation(REF, "validate-all", params={"foo": "bar\nlost", "empty": ""}, profile="crm_resource")

    env = build_environment(op, REF, caller_env={"HOME": "/root", "HA_debug": "7"})

    assert env == {"HOME": "/root", **OCF_PART, "HA_debug": "0", "HA_logfacility": "none",
                   "OCF_OUTPUT_FORMAT": "text", "OCF_RESKEY_CRM_meta_timeout": "20000",
                   "OCF_RESKEY_crm_feature_set": "3.16.1", "OCF_RESKEY_foo": "bar", "OCF_RESKEY_empty": "",
                   "OCF_RESOURCE_INSTANCE": "test", "OCF_TRACE_FILE": "/dev/stderr",
                   "PCMK_logfacility": "none", "PCMK_service": "crm_resource"}


def test_crm_resource_keeps_a_callers_trace_file():
    op = Operation(REF, "start", profile="crm_resource")

    assert build_environment(op, REF, caller_env={"OCF_TRACE_FILE": "/tmp/x"})["OCF_TRACE_FILE"] == "/tmp/x"


def test_metadata_profile_has_no_parameters_at_all():
    op = Operation(REF, "meta-data", params={"ip": "x"}, meta={"clone": "0"}, profile="metadata", instance="rsc")

    env = build_environment(op, REF)

    assert not [name for name in env if name.startswith("OCF_RESKEY_")]
    assert env["OCF_RESOURCE_INSTANCE"] == "rsc" and env["PCMK_service"] == "pacemaker-controld"


def test_values_cross_2_1_5_ipc_escaped_and_2_1_8_verbatim():
    params = {"nl": "a\nb", "tab": "a\tb", "nul": "kept\0lost"}

    old = build_environment(Operation(REF, "start", params=params), REF)
    new = build_environment(Operation(REF, "start", params=params, pacemaker_version="2.1.8"), REF)

    assert (old["OCF_RESKEY_nl"], old["OCF_RESKEY_tab"], old["OCF_RESKEY_nul"]) == ("a\\nb", "a    b", "kept")
    assert (new["OCF_RESKEY_nl"], new["OCF_RESKEY_tab"], new["OCF_RESKEY_nul"]) == ("a\nb", "a\tb", "kept")


def test_extra_env_is_merged_last():
    op = Operation(REF, "start", extra_env={"PYTHONPATH": "/x", "PATH": "/bin"})

    env = build_environment(op, REF)

    assert (env["PYTHONPATH"], env["PATH"]) == ("/x", "/bin")


@pytest.mark.parametrize("kwargs, message", [
    ({"timeout_ms": 0}, "more than zero"),
    ({"timeout_ms": -5}, "more than zero"),
    ({"timeout_ms": "20s"}, "integer"),
    ({"interval_ms": -1}, "zero or more"),
    ({"profile": "lrmd"}, "unknown profile"),
    ({"params": {"a=b": "x"}}, "cannot hold '='"),
    ({"params": {"a": 5}}, "must be strings"),
    ({"pacemaker_version": "latest"}, "not a Pacemaker version"),
])
def test_bad_operations_are_one_line_errors(kwargs, message):
    with pytest.raises(OperationError, match=message) as caught:
        Operation(REF, "start", **kwargs)
    assert "\n" not in str(caught.value)


def test_action_must_be_given():
    with pytest.raises(OperationError, match="action"):
        Operation(REF, "")

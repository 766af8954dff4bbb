"""The environment an agent gets: the runner's base profile plus the OCF variables and parameters."""

from __future__ import annotations

import os
from typing import Mapping

from .ipc import escape_ipc_value, ipc_escapes_values, check_xml_name
from .lookup import DEFAULT_OCF_ROOT, AgentRef
from .operation import Operation

SYSTEMD_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CRM_FEATURE_SET = "3.16.1"  # Pacemaker 2.1.5
REASON_PREFIX = "ocf-exit-reason:"

# pacemaker-execd under systemd + pacemakerd, minus the debug-log variables (conformance §2.1, H4)
EXECD_BASE = {
    "PATH": SYSTEMD_PATH,
    "LC_ALL": "C",
    "PCMK_service": "pacemaker-execd",
    "PCMK_logfacility": "daemon",
    "HA_logfacility": "daemon",
    "HA_LOGFACILITY": "daemon",
    "PCMK_mcp": "true",
    "HA_mcp": "true",
    "PCMK_cluster_type": "corosync",
    "HA_cluster_type": "corosync",
    "PCMK_quorum_type": "corosync",
    "HA_quorum_type": "corosync",
    "PCMK_watchdog": "false",
}

# what crm_resource adds to its caller's environment (§2.5); OCF_TRACE_FILE only if unset
CRM_RESOURCE_ADDED = {
    "HA_debug": "0",
    "HA_logfacility": "none",
    "PCMK_logfacility": "none",
    "PCMK_service": "crm_resource",
    "OCF_OUTPUT_FORMAT": "text",
}

# meta attributes the controller computes itself or strips (never passed through from callers)
CONTROLLER_META = ("interval", "timeout", "op_target_rc")


def base_environment(profile: str, caller_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the agent inherits from its runner, before per-action variables."""
    if profile == "execd":
        return dict(EXECD_BASE)
    if profile == "metadata":
        # the controller, a sibling of execd under pacemakerd, fetches meta-data itself
        return dict(EXECD_BASE, PCMK_service="pacemaker-controld")
    env = dict(os.environ if caller_env is None else caller_env)
    env.update(CRM_RESOURCE_ADDED)
    env.setdefault("OCF_TRACE_FILE", "/dev/stderr")
    return env


def ocf_variables(ref: AgentRef, instance: str) -> dict[str, str]:
    """The OCF_* variables libcrmservice sets for every OCF action."""
    return {
        "OCF_RA_VERSION_MAJOR": "1",
        "OCF_RA_VERSION_MINOR": "1",
        "OCF_ROOT": DEFAULT_OCF_ROOT,
        "OCF_EXIT_REASON_PREFIX": REASON_PREFIX,
        "OCF_RESOURCE_INSTANCE": instance,
        "OCF_RESOURCE_TYPE": ref.type,
        "OCF_RESOURCE_PROVIDER": ref.provider,
    }


def action_parameters(op: Operation) -> dict[str, str]:
    """The parameter table execd receives: instance attributes, CRM_meta_*, the controller's additions."""
    if op.profile == "metadata":
        return {}  # lrmd__metadata_async passes no parameters at all
    params = {name: _c_string(value) for name, value in op.params.items()}
    for key, value in op.meta.items():
        key = key.replace("-", "_")
        if key not in CONTROLLER_META:
            params["CRM_meta_" + key] = _c_string(value)
    params["crm_feature_set"] = CRM_FEATURE_SET
    params["CRM_meta_timeout"] = str(op.timeout_ms)
    if op.profile == "execd":
        params["CRM_meta_on_node"] = op.node
        params["CRM_meta_on_node_uuid"] = op.node_uuid
        if op.is_recurring:  # never CRM_meta_interval=0: the scheduler drops it
            params["CRM_meta_interval"] = str(op.interval_ms)
            params["CRM_meta_name"] = op.action
    if op.check_level is not None:
        params["OCF_CHECK_LEVEL"] = str(op.check_level)
    return _encode_for_transport(op, params)


def _c_string(value: str) -> str:
    """Pacemaker holds values as C strings: nothing after a NUL survives."""
    return value.split("\0", 1)[0]


def _encode_for_transport(op: Operation, params: dict[str, str]) -> dict[str, str]:
    if op.profile == "crm_resource":
        # crm_resource --option k=v parses with sscanf("%m[^=]=%m[^\n]"): the value ends at a newline
        return {name: value.split("\n", 1)[0] for name, value in params.items()}
    for name in params:
        check_xml_name(name)
    if ipc_escapes_values(op.pacemaker_version):
        return {name: escape_ipc_value(name, value) for name, value in params.items()}
    return params


def build_environment(op: Operation, ref: AgentRef, caller_env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The complete environment handed to execve() for this operation."""
    env = base_environment(op.profile, caller_env)
    for name, value in action_parameters(op).items():
        env[name if name == "OCF_CHECK_LEVEL" else "OCF_RESKEY_" + name] = value
    env.update(ocf_variables(ref, op.instance))
    env.update(op.extra_env)
    return env

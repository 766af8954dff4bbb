"""One node without a cluster: execd's recurring-op scheduling, the scheduler's reading of results, local recovery, crm_mon-style status."""

from __future__ import annotations

from .history import NodeView, OpRecord, ResourceView
from .interpret import FATAL, HARD, SOFT, Verdict, expected_rc, interpret
from .recovery import FailCounts, Recovery, fail_count_change, on_fail_policy, plan_recovery
from .resource import INFINITY, OpSpec, ResourceSpec, SpecError, parse_interval
from .node import Event, LocalNode
from .scheduler import Completion, Scheduler, op_key
from .status import render_status

__all__ = [
    "Scheduler", "Completion", "op_key",
    "interpret", "expected_rc", "Verdict", "SOFT", "HARD", "FATAL",
    "on_fail_policy", "fail_count_change", "plan_recovery", "FailCounts", "Recovery",
    "ResourceSpec", "OpSpec", "SpecError", "parse_interval", "INFINITY",
    "LocalNode", "Event", "NodeView", "ResourceView", "OpRecord", "render_status",
]

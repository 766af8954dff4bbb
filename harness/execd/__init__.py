"""The executor: run one action of any OCF agent exactly as pacemaker-execd 2.1.5 would."""

from __future__ import annotations

from .codes import map_exit_code, ocf_name, readable_interval
from .lookup import AgentRef, AgentSpecError, resolve_agent
from .operation import DEFAULT_TIMEOUT_MS, METADATA_TIMEOUT_MS, PROFILES, Operation, OperationError
from .result import ExecStatus, Result
from .runner import Running, run, spawn
from .child import SpawnError

__all__ = [
    "AgentRef", "AgentSpecError", "resolve_agent",
    "Operation", "OperationError", "PROFILES", "DEFAULT_TIMEOUT_MS", "METADATA_TIMEOUT_MS",
    "Result", "ExecStatus",
    "run", "spawn", "Running", "SpawnError",
    "map_exit_code", "ocf_name", "readable_interval",
]

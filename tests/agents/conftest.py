"""Fixtures for running this repository's agents as real processes through the executor."""

from __future__ import annotations

import os

import pytest
from execd_support import recording_scripts

from harness.execd import ExecStatus, Operation, run

@pytest.fixture
def rsctmp(tmp_path):
    path = tmp_path / "rsctmp"
    path.mkdir()
    return path


@pytest.fixture
def agent_log(tmp_path):
    """The file agents log to in these tests (instead of the execd profile's syslog)."""
    return tmp_path / "agent.log"


@pytest.fixture
def run_agent(ocfpy_pythonpath, readable_agents, rsctmp, tmp_path, agent_log):
    """run_agent("Dummy", "start", params={...}, interval_ms=..., ...) -> harness Result."""
    def runner(name, action, *, extra_env=None, **options):
        env = {"PYTHONPATH": ocfpy_pythonpath, "HA_RSCTMP": str(rsctmp),
               "PCMK_logfacility": "none", "PCMK_logfile": str(agent_log)}
        env.update(extra_env or {})
        options.setdefault("cwd", str(tmp_path))
        operation = Operation(agent=os.path.join(readable_agents, name), action=action,
                              extra_env=env, **options)
        return run(operation)

    return runner


@pytest.fixture
def fake_sbin(tmp_path):
    """A HA_SBIN_DIR whose crm_attribute and crm_master record their arguments, one call a line."""
    sbin = tmp_path / "sbin"
    sbin.mkdir()
    calls = tmp_path / "sbin-calls"
    recording_scripts(sbin, calls, ("crm_attribute", "crm_master"), logged="$OCF_RESOURCE_INSTANCE $*")
    return sbin, calls


__all__ = ["ExecStatus"]

"""The validator on real agents: ocfpy's own pass with zero errors; each broken agent is caught by name."""

from __future__ import annotations

import os
import pathlib
import pwd
import re
import shutil
import tempfile

import pytest

from harness.check.findings import ERROR, INFO
from harness.check.runner import check_agent
from harness.check.session import Config

import ping_support

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
#: Agents whose check mounts or kills: checked inside namespaces by their own test modules.
ISOLATED = {"Filesystem"}  # tests/agents/test_filesystem_check.py
AGENTS = sorted(p for p in (REPO / "agents").iterdir()
                if p.is_file() and os.access(p, os.X_OK) and p.name not in ISOLATED)
BROKEN = REPO / "tests" / "data" / "broken-agents"
#: What an agent needs to run at all (its required parameters), for the validator's runs.
REQUIRED = {"Daemon": {"binfile": "/bin/sleep", "cmdline_options": "3600"}}


def daemon_setup(tmp_path) -> dict:
    """Daemon runs its binfile as root with a pid file in /var/run, as anything does: anyone else names both."""
    if os.geteuid() == 0:
        return {}
    return {"params": {"pidfile": str(tmp_path / "daemon.pid"), "user": pwd.getpwuid(os.geteuid()).pw_name},
            "second_params": {"pidfile": str(tmp_path / "daemon-b.pid")}}


# agents that need stand-ins to run outside a cluster (or, not as root, places to write): name -> setup(tmp_path)
SETUPS = {"ping": ping_support.check_setup, "Daemon": daemon_setup}


def broken_agents() -> list:
    return sorted(p.name for p in BROKEN.iterdir() if p.is_file() and not p.name.endswith(".sh"))


def header(path: pathlib.Path, key: str, default: str = None) -> str:
    match = re.search(rf"^# {key}: (.*)$", path.read_text(), re.M)
    assert match or default is not None, f"{path.name} has no '# {key}:' line"
    return match.group(1) if match else default


@pytest.fixture(scope="module")
def readable():
    """Copies of agents/ and the broken agents where hacluster can run meta-data, wherever the clone is."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="ocfpy-check-agents-"))
    os.chmod(root, 0o755)
    shutil.copytree(REPO / "agents", root / "agents")
    shutil.copytree(BROKEN, root / "broken-agents")
    yield root
    shutil.rmtree(root, ignore_errors=True)


def check(agent, tmp_path, env=None, **fields):
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir(exist_ok=True)
    os.chmod(tmp_path, 0o755)
    return check_agent(Config(agent=str(agent), extra_env={"HA_RSCTMP": str(rsctmp), **(env or {})}, **fields))


def test_ocfpy_ships_agents():
    assert {p.name for p in AGENTS} >= {"Dummy", "Stateful"}


@pytest.mark.parametrize("agent", AGENTS, ids=lambda p: p.name)
def test_shipped_agent_passes_with_zero_errors(agent, tmp_path, ocfpy_pythonpath, readable):
    setup = SETUPS.get(agent.name, lambda path: {})(tmp_path)
    log = check(readable / "agents" / agent.name, tmp_path,
                {"PYTHONPATH": ocfpy_pythonpath, **setup.get("env", {})},
                params={**REQUIRED.get(agent.name, {}), **setup.get("params", {})},
                second_params=setup.get("second_params", {}))

    assert log.errors == [], log.text()
    assert "lifecycle.stop-twice" in log.checks and "hygiene.leftover-process" in log.checks
    assert "metadata.unprivileged" in log.checks or os.geteuid() != 0, log.skipped


def test_stateful_runs_the_promotable_suite(tmp_path, ocfpy_pythonpath, readable):
    log = check(readable / "agents" / "Stateful", tmp_path, {"PYTHONPATH": ocfpy_pythonpath})

    assert "suite.promotable" in log.checks and "suite.promotable" not in log.skipped


def test_good_control_agent_has_no_errors_and_no_warnings(tmp_path, readable):
    log = check(readable / "broken-agents" / "Good", tmp_path)

    shown = [f for f in log.findings if f.severity != INFO and f.check != "run.not-root"]  # that one says who ran it
    assert shown == [], log.text()


@pytest.mark.parametrize("name", [n for n in broken_agents() if n != "Good"])
def test_broken_agent_is_caught_by_its_named_finding(name, tmp_path, readable):
    expected = header(BROKEN / name, "caught-by").split()
    severity = header(BROKEN / name, "severity", ERROR)

    log = check(readable / "broken-agents" / name, tmp_path)

    found = {f.check for f in log.findings if f.severity == severity}
    assert set(expected) <= found, log.text(verbose=True)
    assert all(f.fix for f in log.findings), "every finding names the fix"


@pytest.mark.parametrize("name", ["UnknownActionTwo", "NotifyUnadvertised", "ExtraArgumentsRejected"])
def test_optional_actions_that_are_not_advertised_give_no_errors(name, tmp_path, readable):
    log = check(readable / "broken-agents" / name, tmp_path)

    assert log.errors == [], log.text()
    assert "suite.notify" in log.skipped and "suite.promotable" in log.skipped


def test_a_hung_action_costs_its_advertised_timeout_not_forever(tmp_path):
    log = check(BROKEN / "HangingMonitor", tmp_path, timeout_cap_ms=500)

    timeouts = [f for f in log.findings if f.check == "exec.timeout"]
    assert timeouts and all("did not complete within 500ms" in f.message for f in timeouts)
    assert all(f.severity == ERROR for f in timeouts)

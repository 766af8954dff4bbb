"""Pacemaker's own tools and resource-agents' ocf-tester accept ocf:ocfpy:Dummy and ocf:ocfpy:Stateful."""

from __future__ import annotations

import os
import subprocess
from xml.etree import ElementTree as ET

import pytest

AGENTS = ["Dummy", "Stateful"]


def run(argv, **env):
    return subprocess.run(argv, capture_output=True, text=True, env=dict(os.environ, **env),
                          timeout=120, cwd="/tmp")


@pytest.mark.parametrize("agent", AGENTS)
def test_crm_resource_reads_the_metadata(agent, installed_agents):
    result = run(["crm_resource", "--show-metadata", f"ocf:ocfpy:{agent}"])
    assert result.returncode == 0, result.stderr
    root = ET.fromstring(result.stdout)
    assert root.get("name") == agent and root.find("version").text == "1.1"


def test_crm_resource_lists_the_provider(installed_agents):
    result = run(["crm_resource", "--list-agents", "ocf:ocfpy"])
    assert result.returncode == 0 and {"Dummy", "Stateful"} <= set(result.stdout.split())


@pytest.mark.parametrize("agent", AGENTS)
def test_crm_resource_validate_succeeds(agent, installed_agents):
    result = run(["crm_resource", "--validate", "--class", "ocf", "--provider", "ocfpy", "--agent", agent])
    assert result.returncode == 0, result.stdout + result.stderr


def test_crm_resource_validate_shows_the_one_line_reason(installed_agents):
    result = run(["crm_resource", "--validate", "--class", "ocf", "--provider", "ocfpy",
                  "--agent", "Dummy", "--option", "op_sleep=soon"])
    assert result.returncode == 6
    assert "op_sleep: 'soon' is not an integer" in result.stdout + result.stderr


def test_crm_resource_force_actions_run_the_lifecycle(installed_agents, tmp_path):
    base = ["crm_resource", "--class", "ocf", "--provider", "ocfpy", "--agent", "Dummy",
            "--option", f"state={tmp_path}/d.state"]
    codes = [run(base + [flag]).returncode
             for flag in ("--force-check", "--force-start", "--force-check", "--force-stop", "--force-check")]
    assert codes == [7, 0, 0, 0, 7]


@pytest.mark.parametrize("agent", AGENTS)
def test_ocf_tester_fails_only_its_ocf_1_0_dtd_check(agent, installed_agents, tmp_path, require_tools):
    require_tools("ocf-tester")
    result = run(["ocf-tester", "-n", "ocfpytest", "-o", f"state={tmp_path}/s", f"{installed_agents}/{agent}"])
    output = result.stdout + result.stderr
    assert result.returncode == 1
    assert "does not conform to ra-api-1.dtd" in output
    assert "failed 1 tests" in output


@pytest.mark.parametrize("agent", AGENTS)
def test_ocf_tester_passes_everything_in_ocf_1_0_mode(agent, installed_agents, tmp_path, require_tools):
    require_tools("ocf-tester")
    result = run(["ocf-tester", "-n", "ocfpytest", "-o", f"state={tmp_path}/s", f"{installed_agents}/{agent}"],
                 OCFPY_OCF_VERSION="1.0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed all tests" in result.stdout

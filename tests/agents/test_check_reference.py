"""docs/reference.md: every public name an agent writer needs is there, and every example runs as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

import ocfpy
from isolation import REPO, run_command_isolated

DOC = REPO / "docs" / "reference.md"
BLOCK = re.compile(r"(<!-- pytest[^>]*-->\n)?```python\n(.*?)```", re.S)


def examples(kind: str) -> list:
    found = [(bool(marker), code) for marker, code in BLOCK.findall(DOC.read_text())]
    return [code for is_test, code in found if is_test == (kind == "pytest")]


@pytest.mark.needs_root
@pytest.mark.parametrize("code", examples("program"), ids=lambda code: code.split("\n", 3)[2][:40])
def test_each_example_program_runs_and_its_assertions_hold(code, tmp_path):
    done = run_command_isolated([sys.executable, "-c", code], cwd=tmp_path, timeout=60)

    assert done.returncode == 0, done.stdout + done.stderr


def test_the_fixture_example_passes_in_a_pytest_of_its_own(tmp_path):
    (tmp_path / "test_reference_example.py").write_text(
        examples("pytest")[0].replace('AGENT = "agents/Dummy"', f'AGENT = "{REPO / "agents" / "Dummy"}"'))
    env = dict(os.environ, PYTHONPATH=str(REPO))

    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:ocfpy", "-p", "harness.pytest_plugin",
                           "test_reference_example.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    assert done.returncode == 0 and "3 passed" in done.stdout, done.stdout + done.stderr


@pytest.mark.parametrize("name", sorted(set(ocfpy.__all__) - {"is_true"}) + [
    "action", "advertise", "validate", "before_each", "ctx.params", "ctx.env", "ctx.exit_reason", "ctx.is_probe",
    "ctx.time_left", "ctx.state_file", "ctx.lock", "ctx.run", "daemonize", "pidfile=", "read_pidfile", "stop_process",
    "ocf_run", "ocf_check", "ocf_agent_env", "params=", "check_level=", "timeout_ms=", "second_params=", "interval_ms=",
])
def test_every_public_name_is_documented(name):
    assert f"`{name}" in DOC.read_text() or f"{name}(" in DOC.read_text(), name


def test_the_guide_links_the_reference():
    assert "(reference.md)" in (REPO / "docs" / "writing-agents.md").read_text()

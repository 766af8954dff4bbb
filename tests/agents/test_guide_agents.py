"""Every complete agent of docs/writing-agents.md passes ocfpy-check as the guide says to run it,
with no error and no warning, and does what the text around it claims."""

from __future__ import annotations

import json
import os
import re
import socket
import sys

import pytest

from isolation import REPO, isolated, run_command_isolated
from test_install import PYTHON39, public_dir  # noqa: F401 (a fixture: hacluster must read the agents)

GUIDE = REPO / "docs" / "writing-agents.md"
#: The check's options for each agent: two servers at once need two ports (-o, -O).
OPTIONS = {"Sleeper": (), "Role": (), "WebServer": ("-o", "port={}", "-O", "port={}")}


def guide_agents() -> dict:
    """name -> text of each ```python block that is a whole agent file (it starts with #!)."""
    blocks = re.findall(r"```python\n(#!.*?)```", GUIDE.read_text(), re.S)
    return {re.search(r'^"""(\w+) - ', block, re.M).group(1): block for block in blocks}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_agent(directory, name, python=None) -> str:
    path = os.path.join(directory, name)
    text = guide_agents()[name]
    if python:
        text = f"#!{python}\n" + text.split("\n", 1)[1]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o755)
    return path


def test_the_guide_shows_a_simple_a_promotable_and_a_daemon_agent():
    assert sorted(guide_agents()) == sorted(OPTIONS)
    assert "-E PYTHONPATH=$PWD /path/to/Sleeper" in GUIDE.read_text()  # what the check below runs


@pytest.mark.needs_root
@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_each_agent_of_the_guide_passes_ocfpy_check_without_a_warning(name, public_dir):  # noqa: F811
    agent = write_agent(public_dir, name)
    options = [option.format(free_port()) for option in OPTIONS[name]]
    command = [sys.executable, "-m", "harness", "check", "-n", name.lower(), "-E", f"PYTHONPATH={REPO}",
               *options, "--format", "json", agent]

    done = run_command_isolated(command, cwd=REPO, timeout=240)  # the stops signal processes

    report = json.loads(done.stdout)
    problems = [finding["message"] for check in report["checks"] for finding in check["findings"]
                if finding["severity"] in ("error", "warning")]
    assert done.returncode == 0 and report["passed"] and problems == [], problems or done.stderr[-2000:]
    assert report["summary"]["errors"] == report["summary"]["warnings"] == 0


def test_the_promotable_agent_sets_its_scores_and_deletes_them_at_stop(run_agent, tmp_path, fake_sbin):
    agent = write_agent(str(tmp_path), "Role")
    sbin, calls = fake_sbin
    env = {"HA_SBIN_DIR": str(sbin)}

    assert run_agent(agent, "start", extra_env=env).rc == 0
    assert run_agent(agent, "promote", extra_env=env, params={"score": "20"}).rc == 0
    assert run_agent(agent, "monitor", extra_env=env, interval_ms=10000).rc == 8
    assert run_agent(agent, "monitor", extra_env=env).rc == 8  # a probe: the score again
    assert run_agent(agent, "demote", extra_env=env).rc == 0
    assert run_agent(agent, "stop", extra_env=env).rc == 0
    assert calls.read_text().splitlines() == [
        "crm_attribute test --promotion -q -v 5", "crm_attribute test --promotion -q -v 20",
        "crm_attribute test --promotion -q -v 10", "crm_attribute test --promotion -q -v 5",
        "crm_attribute test --promotion -q -D"]
    stopped = run_agent(agent, "promote", extra_env=env)
    assert (stopped.rc, stopped.exit_reason) == (7, "promote of a stopped instance")


def test_the_daemon_agent_refuses_a_port_in_use_with_one_line(run_agent, tmp_path):
    agent = write_agent(str(tmp_path), "WebServer")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = run_agent(agent, "start", params={"port": str(port)})

    assert (result.rc, result.exit_reason) == (1, f"127.0.0.1:{port} is in use by another process")
    assert run_agent(agent, "monitor").rc == 7


@pytest.mark.needs_root
@pytest.mark.parametrize("name", sorted(OPTIONS))
@isolated  # the stops signal processes
def test_each_agent_of_the_guide_runs_its_lifecycle_on_python_39_as_on_el9(name, tmp_path):
    from harness.execd import Operation, run

    if not os.access(PYTHON39, os.X_OK):
        pytest.skip(f"no Python 3.9 at {PYTHON39} (the CI image has it)")
    agent = write_agent(str(tmp_path), name, python=PYTHON39)
    params = {"port": str(free_port())} if name == "WebServer" else {}
    env = {"PYTHONPATH": str(REPO), "HA_RSCTMP": str(tmp_path), "PCMK_logfacility": "none"}

    def rc(action, **options):
        return run(Operation(agent=agent, action=action, params=params, extra_env=env, cwd=str(tmp_path),
                             **options)).rc

    assert [rc("meta-data"), rc("monitor"), rc("start"), rc("monitor", interval_ms=10000, check_level=10),
            rc("stop"), rc("monitor")] == [0, 7, 0, 0, 0, 7]

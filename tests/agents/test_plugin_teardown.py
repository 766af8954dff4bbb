"""ocf_run's teardown stops what a test started with the values of the start that ran, not of a refused one."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import harness
from test_check_plugin import plugin_installed

REPO = pathlib.Path(__file__).resolve().parent.parent.parent

TESTS = '''
import os

AGENT = {agent!r}
STATE = {state!r}


def test_a_start_then_a_refused_one_without_a_stop(ocf_run):
    assert ocf_run(AGENT, "start", params={{"state": STATE}}).rc == 0
    assert ocf_run(AGENT, "start", params={{"state": "relative.state"}}).rc == 6
    assert os.path.exists(STATE)


def test_the_teardown_stopped_the_instance_that_ran():
    assert not os.path.exists(STATE)
'''


def test_a_refused_start_does_not_hide_the_running_instance_from_the_teardown(tmp_path):
    state = tmp_path / "dummy.state"
    (tmp_path / "test_teardown.py").write_text(TESTS.format(agent=str(REPO / "agents" / "Dummy"), state=str(state)))
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(harness.__file__).parent.parent))
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_teardown.py"]
    if not plugin_installed():  # installed, -p would load it twice (pytest stops: registered twice)
        args[3:3] = ["-p", "harness.pytest_plugin"]

    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0 and "2 passed" in done.stdout, done.stdout + done.stderr
    assert not state.exists()

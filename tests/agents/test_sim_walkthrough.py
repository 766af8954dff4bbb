"""`python3 -m harness walkthrough` as a real process from the checkout: the seed's story, end to end."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIMIT_S = 120  # a hang guard only; the story itself takes a few seconds


def walkthrough(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OCF_RA_PATH")}
    return subprocess.run([sys.executable, "-m", "harness", "walkthrough", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=LIMIT_S)


def test_the_seed_story_plays_on_the_repository_dummy():
    run = walkthrough()

    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    assert "dummy_service_monitor_2000 on node1 'not running' (7): call=" in out
    assert "status='complete'" in out and "last-rc-change='" in out
    assert out.count("dummy_service\t(ocf:ocfpy:Dummy):\t Started node1") == 2  # before and after recovery
    assert "dummy_service\t(ocf:ocfpy:Dummy):\t FAILED node1" in out
    assert "dummy_service: migration-threshold=1000000 fail-count=1 last-failure='" in out
    assert re.search(r"dummy_service 2s-interval monitor on node1 returned 'not running' \(.*\) at ", out)
    assert len(re.findall(r"\[step: \d+\.\d\d s\]", out)) == 5
    assert out.rstrip().splitlines()[-1].startswith("walkthrough: OK")


def test_any_agent_node_and_parameters():
    if not os.path.exists("/usr/lib/ocf/resource.d/pacemaker/Dummy"):
        pytest.skip("ocf:pacemaker:Dummy is not installed (package pacemaker)")

    run = walkthrough("--agent", "ocf:pacemaker:Dummy", "--id", "web", "--node", "alpha", "--interval", "1500ms",
                      "-p", "fake=changed")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "web_monitor_1500 on alpha 'not running' (7)" in run.stdout
    assert "web\t(ocf:pacemaker:Dummy):\t Started alpha" in run.stdout


def test_the_sandbox_is_removed_afterwards():
    run = walkthrough()

    sandbox = re.search(r"OCF_RA_PATH=(/\S+?)/ra:", run.stdout).group(1)
    assert run.returncode == 0 and not os.path.exists(sandbox)


@pytest.mark.parametrize("args, message", [
    (("--agent", "ocf:nobody:Nothing"), "ocf:nobody:Nothing not found in OCF_RA_PATH="),
    (("--agent", "lsb:foo"), "expected ocf:PROVIDER:TYPE"),
    (("--interval", "never"), "invalid --interval 'never'"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    run = walkthrough(*args)

    assert run.returncode == 2
    assert message in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert "Traceback" not in run.stderr


def test_a_story_that_does_not_play_fails_with_exit_1(tmp_path):
    agent = tmp_path / "Immortal"  # its monitor always says running: the force-stop is never noticed
    agent.write_text("#!/bin/sh\nexit 0\n")
    agent.chmod(0o755)

    run = walkthrough("--agent", str(agent), "--interval", "500ms", "--timeout", "2s")

    assert run.returncode == 1
    assert "walkthrough: FAILED" in run.stderr

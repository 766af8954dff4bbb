"""However a check run ends (a signal, --max-time, a crash, a failed pytest test), the agent is cleaned up after."""

from __future__ import annotations

import pathlib
import shutil
import signal
import textwrap

import pytest

from isolation import PROCESSES, REPO, run_scenario

from harness.check import suites
from harness.check.runner import check_agent
from harness.check.session import Config

BROKEN = REPO / "tests" / "data" / "broken-agents"

pytestmark = pytest.mark.needs_root

INTERRUPT = PROCESSES + '''
import json, os, subprocess, sys
agent, rsctmp, report, signum, wait_for = sys.argv[1:6]
check = subprocess.Popen([sys.executable, "-m", "harness", "check", "-n", "ending", "-EHA_RSCTMP=" + rsctmp,
                          "--output", report, agent], stderr=subprocess.PIPE, text=True)
progress = []
for line in check.stderr:
    progress.append(line)
    if wait_for in line:
        break
check.send_signal(int(signum))
progress += check.stderr.readlines()
status = check.wait()
print(json.dumps({"status": status, "progress": progress, "sleeps": processes("sleep"),
                  "left": sorted(os.listdir(rsctmp)), "report": open(report).read()}))
'''


def slow_monitor_agent(directory: pathlib.Path) -> pathlib.Path:
    """Good, with monitors that take 0.3 s: the run lasts long enough to be interrupted in the middle."""
    shutil.copy(BROKEN / "base.sh", directory / "base.sh")
    agent = directory / "SlowMonitor"
    agent.write_text('#!/bin/sh\n. "$(dirname "$0")/base.sh"\n'
                     'agent_monitor() { sleep 0.3; is_running && return 0; return 7; }\nmain "$@"\n')
    agent.chmod(0o755)
    return agent


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_stops_the_agent_removes_its_pidfile_and_writes_the_partial_report(signum, tmp_path):
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()
    agent = slow_monitor_agent(tmp_path)

    seen = run_scenario(INTERRUPT, str(agent), str(rsctmp), str(tmp_path / "report.txt"),
                        str(int(signum)), "probe (running)")

    assert seen["status"] == 128 + signum, seen
    assert seen["sleeps"] == [] and seen["left"] == [], seen
    assert f"run.interrupted: the run was interrupted by {signum.name}" in seen["report"], seen["report"]
    assert "clean-up: stop of ending rc 0" in seen["report"], seen["report"]
    assert any("clean-up: stop" in line for line in seen["progress"]), seen["progress"]


MAX_TIME = PROCESSES + '''
import json, os, subprocess, sys, time
agent, rsctmp = sys.argv[1:3]
began = time.monotonic()
done = subprocess.run([sys.executable, "-m", "harness", "check", "-n", "slow", "-EHA_RSCTMP=" + rsctmp,
                       "--max-time", "1.5", "--format", "json", agent], capture_output=True, text=True)
print(json.dumps({"status": done.returncode, "seconds": time.monotonic() - began, "report": json.loads(done.stdout),
                  "stderr": done.stderr, "sleeps": processes("sleep"), "left": sorted(os.listdir(rsctmp))}))
'''


def test_max_time_ends_a_run_whose_monitor_hangs_with_run_max_time_and_a_clean_up(tmp_path):
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()

    seen = run_scenario(MAX_TIME, str(BROKEN / "HangingMonitor"), str(rsctmp))

    assert seen["status"] == 1 and seen["seconds"] < 15, seen
    findings = [f for c in seen["report"]["checks"] for f in c["findings"] if f["check"] == "run.max-time"]
    assert [f["severity"] for f in findings] == ["error"], seen["report"]
    assert "--max-time 1.5s" in findings[0]["message"] and seen["report"]["summary"]["ended"] == "max-time"
    assert seen["stderr"] == "", "no progress lines in --format json"
    assert seen["sleeps"] == [] and seen["left"] == [], seen


def test_a_crash_of_the_check_still_stops_the_agent_and_is_reported(tmp_path, monkeypatch):
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()

    def crash(session):
        raise RuntimeError("a bug in a suite")

    monkeypatch.setattr(suites, "run_while_running", crash)

    log = check_agent(Config(agent=str(BROKEN / "Good"), instance="crash", extra_env={"HA_RSCTMP": str(rsctmp)}))

    assert log.ended == "error" and isinstance(log.crash, RuntimeError)
    assert [f.check for f in log.errors] == ["run.crashed"], log.text()
    assert "RuntimeError: a bug in a suite" in log.errors[0].message
    assert list(rsctmp.iterdir()) == []  # stop ran: the pidfile is gone


FAILED_TEST = PROCESSES + '''
import json, os, subprocess, sys
directory, agent = sys.argv[1:3]
done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:ocfpy", "-p", "harness.pytest_plugin",
                       "test_fails.py"], cwd=directory, capture_output=True, text=True)
print(json.dumps({"status": done.returncode, "output": done.stdout, "sleeps": processes("sleep"),
                  "pidfiles": open(os.path.join(directory, "pidfiles")).read().split()}))
'''

FAILING = '''
import pathlib

def test_starts_then_fails(ocf_run, ocf_agent_env):
    for name in ("one", "two"):
        assert ocf_run(AGENT, "start", instance=name).rc == 0
    rsctmp = pathlib.Path(ocf_agent_env["HA_RSCTMP"])
    pathlib.Path("pidfiles").write_text(" ".join(str(p) for p in rsctmp.iterdir()))
    assert False, "the test fails with two daemons running"
'''


def test_ocf_run_stops_what_a_failed_test_started(tmp_path):
    (tmp_path / "test_fails.py").write_text(f"AGENT = {str(BROKEN / 'Good')!r}\n" + textwrap.dedent(FAILING))

    seen = run_scenario(FAILED_TEST, str(tmp_path), str(BROKEN / "Good"))

    assert seen["status"] == 1 and "1 failed" in seen["output"], seen["output"]
    assert len(seen["pidfiles"]) == 2, seen
    assert seen["sleeps"] == [], seen
    assert not any(pathlib.Path(p).exists() for p in seen["pidfiles"])

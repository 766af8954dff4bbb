"""`python3 -m harness check` as a process: exit status, literal -o values, JSON and JUnit output."""

from __future__ import annotations

import json
import re
import os
import pathlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import harness

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
BROKEN = REPO / "tests" / "data" / "broken-agents"


def ocfpy_check(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(harness.__file__).parent.parent))
    return subprocess.run([sys.executable, "-m", "harness", "check", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def rsctmp(tmp_path):
    path = tmp_path / "rsctmp"
    path.mkdir()
    return f"-EHA_RSCTMP={path}"


def test_passing_agent_exits_0_with_ocf_tester_style_text(rsctmp):
    done = ocfpy_check("-n", "cli-good", rsctmp, str(BROKEN / "Good"))

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == f"Beginning tests for {BROKEN / 'Good'}..."
    assert done.stdout.splitlines()[-1].startswith(f"{BROKEN / 'Good'} passed all tests")


def test_option_value_with_quotes_reaches_the_agent_literally(rsctmp, tmp_path):
    pidfile = tmp_path / "it's \"quoted\" $(id).pid"  # ocf-tester's eval would break on this

    done = ocfpy_check("-n", "cli-quotes", rsctmp, "-v", "-o", f"pidfile={pidfile}", str(BROKEN / "Good"))

    assert done.returncode == 0, done.stdout
    assert "lifecycle.start" not in done.stdout and "passed all tests" in done.stdout
    assert not pidfile.exists()  # stop removed the very file start created under that name


def test_failing_agent_exits_1_and_json_names_the_check(rsctmp, tmp_path):
    done = ocfpy_check("--format", "json", rsctmp, str(BROKEN / "StopStoppedSeven"))

    assert done.returncode == 1
    report = json.loads(done.stdout)
    failed = {c["name"] for c in report["checks"] if c["status"] == "failed"}
    assert "lifecycle.stop-twice" in failed and report["passed"] is False
    finding = [c for c in report["checks"] if c["name"] == "lifecycle.stop-twice"][0]["findings"][0]
    assert (finding["action"], finding["rc"], finding["expected"]) == ("stop", 7, "0") and finding["fix"]


def test_junit_to_a_file_and_summary_on_stdout(rsctmp, tmp_path):
    out = tmp_path / "check.xml"

    done = ocfpy_check("--format", "junit", "--output", str(out), rsctmp, str(BROKEN / "UnknownActionZero"))

    assert done.returncode == 1 and done.stdout.startswith("Tests failed:")
    cases = {c.get("name"): c for c in ET.parse(out).getroot().iter("testcase")}
    assert cases["lifecycle.unknown-action"].find("failure") is not None
    assert cases["lifecycle.stop"].find("failure") is None


@pytest.mark.parametrize("args, words", [
    (["-o", "novalue", "x"], "expected NAME=VALUE"),
    (["ocf:a"], "expected ocf:PROVIDER:TYPE"),
    (["--format", "yaml", "x"], "invalid choice"),
])
def test_bad_command_lines_exit_2_with_one_line(args, words):
    done = ocfpy_check(*args)

    assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr


def test_missing_agent_is_a_failed_check_not_a_crash(rsctmp):
    done = ocfpy_check(rsctmp, "ocf:nosuchprovider:Nothing")

    assert done.returncode == 1 and "exec.not-installed" in done.stdout


def test_a_bare_name_that_exists_as_a_file_is_that_file(rsctmp, tmp_path):
    shutil.copy(BROKEN / "Good", tmp_path / "Garbage")
    shutil.copy(BROKEN / "base.sh", tmp_path / "base.sh")

    done = ocfpy_check("-q", "-n", "cli-bare", rsctmp, "Garbage", cwd=tmp_path)

    assert done.returncode == 0 and done.stdout.startswith("Garbage passed all tests ("), done.stdout + done.stderr


@pytest.mark.parametrize("agent", ["./nothere", "nothere", "/no/such/dir/Agent"])
def test_a_missing_path_is_a_usage_error_of_one_line(agent, tmp_path):
    done = ocfpy_check(agent, cwd=tmp_path)

    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"ocfpy-check: {agent}: no such file") and done.stderr.count("\n") == 1


@pytest.mark.parametrize("kind", ["directory", "mode 644"])
def test_a_directory_or_a_file_without_x_bits_is_one_finding(kind, rsctmp, tmp_path):
    target = tmp_path / "Agent"
    if kind == "directory":
        target.mkdir()
    else:
        shutil.copy(BROKEN / "Good", target)
        target.chmod(0o644)

    done = ocfpy_check("--format", "json", rsctmp, str(target))

    findings = [f for c in json.loads(done.stdout)["checks"] for f in c["findings"]]
    assert done.returncode == 1 and [f["check"] for f in findings] == ["exec.not-executable"], findings
    assert ("is a directory" if kind == "directory" else "mode 644") in findings[0]["message"]


def test_installed_entry_point_matches_the_module():
    entry = shutil.which("ocfpy-check")
    if entry is None:
        pytest.skip("ocfpy is not installed here (tox installs it, a plain checkout does not)")

    done = subprocess.run([entry, "-h"], capture_output=True, text=True)

    assert done.returncode == 0 and "-o NAME=VALUE" in done.stdout


def test_text_mode_prints_one_progress_line_per_action_as_it_starts_with_its_timeout(rsctmp):
    done = ocfpy_check("-n", "cli-progress", rsctmp, str(BROKEN / "Good"))

    lines = done.stderr.splitlines()
    numbers = [int(re.match(r"ocfpy-check: \[(\d+)\] +[\d.]+s .*: [\w-]+ \(timeout \w+\)$", line).group(1)) for line in lines]
    assert numbers == list(range(1, len(lines) + 1)) and len(lines) > 30, done.stderr
    assert "meta-data" in lines[0] and "(timeout 30s)" in lines[0]
    assert done.returncode == 0


@pytest.mark.parametrize("fmt", ["json", "junit"])
def test_machine_formats_print_no_progress(fmt, rsctmp):
    done = ocfpy_check("--format", fmt, "-n", f"cli-quiet-{fmt}", rsctmp, str(BROKEN / "Good"))

    assert done.returncode == 0 and done.stderr == ""

"""`python3 -m harness check` as a process: exit status, literal -o values, JSON and JUnit output."""

from __future__ import annotations

import json
import re
import os
import pathlib
import pwd
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import pytest

import harness
from nobody_support import python_as_nobody, readable_checkout

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
    assert ("chmod" in findings[0]["fix"]) == (kind == "mode 644"), findings[0]["fix"]  # no chmod for a directory


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


def copy_of_good(tmp_path, name="Agent", change=lambda text: text) -> pathlib.Path:
    """The Good agent as tmp_path/name, its text passed through change, with the base.sh it sources."""
    shutil.copy(BROKEN / "base.sh", tmp_path / "base.sh")
    agent = tmp_path / name
    agent.write_bytes(change((BROKEN / "Good").read_bytes()))
    agent.chmod(0o755)
    return agent


def findings_of(done) -> list:
    return [f for c in json.loads(done.stdout)["checks"] for f in c["findings"]]


def test_crlf_line_endings_are_one_finding_that_names_the_carriage_return(rsctmp, tmp_path):
    agent = copy_of_good(tmp_path, change=lambda text: text.replace(b"\n", b"\r\n"))

    done = ocfpy_check("--format", "json", rsctmp, str(agent))

    findings = findings_of(done)
    assert done.returncode == 1 and [f["check"] for f in findings] == ["exec.not-executable"], findings
    assert "carriage return" in findings[0]["message"] and "LF line endings" in findings[0]["fix"]


def test_a_script_without_a_shebang_passes_with_a_warning(rsctmp, tmp_path):
    agent = copy_of_good(tmp_path, change=lambda text: text.replace(b"#!/bin/sh\n", b""))

    done = ocfpy_check("--format", "json", "-n", "cli-noshebang", rsctmp, str(agent))

    assert done.returncode == 0, done.stdout  # execvp() runs it with /bin/sh, as execd does
    assert [(f["check"], f["severity"]) for f in findings_of(done) if f["check"].startswith("exec.")] == \
        [("exec.shebang", "warning")]


def test_a_dangling_symlink_is_named_as_such(rsctmp, tmp_path):
    (tmp_path / "Agent").symlink_to(tmp_path / "gone")

    done = ocfpy_check(rsctmp, str(tmp_path / "Agent"))

    assert done.returncode == 1 and f"a symbolic link to {tmp_path / 'gone'}, which does not exist" in done.stdout


def test_a_report_that_cannot_be_written_is_a_usage_error_before_anything_runs(rsctmp, tmp_path):
    done = ocfpy_check("--output", str(tmp_path / "no" / "check.xml"), rsctmp, str(BROKEN / "Good"))

    assert done.returncode == 2 and done.stdout == ""  # and no progress line: no action ran
    assert done.stderr == f"ocfpy-check: cannot write {tmp_path / 'no' / 'check.xml'}: No such file or directory\n"


def test_a_report_file_that_exists_is_kept_until_the_report_replaces_it(rsctmp, tmp_path):
    out = tmp_path / "check.json"
    out.write_text("old")

    done = ocfpy_check("--format", "json", "--output", str(out), "-n", "cli-out", rsctmp, str(BROKEN / "Good"))

    assert done.returncode == 0 and json.loads(out.read_text())["passed"] is True


def agent_printing(tmp_path, metadata: bytes) -> pathlib.Path:
    """An agent whose meta-data is exactly these bytes (every other action as Good's)."""
    (tmp_path / "meta-data.xml").write_bytes(metadata)
    return copy_of_good(tmp_path, change=lambda text: text.replace(
        b'main "$@"', b'agent_meta_data() { cat "$(dirname "$0")/meta-data.xml"; }\nmain "$@"'))


def good_metadata() -> bytes:
    return subprocess.run([str(BROKEN / "Good"), "meta-data"], capture_output=True, check=True).stdout


def test_entity_expansion_in_meta_data_is_refused_not_a_hang(rsctmp, tmp_path):
    entities = b"".join(b'<!ENTITY e%d "%s">' % (n, (b"&e%d;" % (n - 1)) * 10) for n in range(1, 10))
    laughs = good_metadata().replace(b'<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">',
                                     b'<!DOCTYPE resource-agent [<!ENTITY e0 "xxxxxxxxxx">' + entities + b"]>")
    agent = agent_printing(tmp_path, laughs.replace(b"A correct agent", b"&e9;"))

    done = ocfpy_check("--format", "json", rsctmp, str(agent))  # timeout=300: 20 minutes without the fix

    assert done.returncode == 1
    assert [(f["check"], "amplification" in f["message"]) for f in findings_of(done) if f["severity"] == "error"] == \
        [("metadata.well-formed", True)]


def test_meta_data_nested_deeper_than_libxml2_parses_is_not_well_formed(rsctmp, tmp_path):
    deep = good_metadata().replace(b"A correct agent", b"<b>" * 300 + b"</b>" * 300)

    done = ocfpy_check("--format", "json", rsctmp, str(agent_printing(tmp_path, deep)))

    assert done.returncode == 1, done.stdout + done.stderr  # not 3, a RecursionError of the check
    errors = [f for f in findings_of(done) if f["severity"] == "error"]
    assert [f["check"] for f in errors] == ["metadata.well-formed"] and "nested deeper than 257" in errors[0]["message"]


def test_a_monitor_that_says_running_before_any_start_is_named_in_the_fix(rsctmp):
    done = ocfpy_check("--format", "json", rsctmp, str(BROKEN / "MonitorStoppedZero"))

    initial = [f for f in findings_of(done) if f["check"] == "lifecycle.initial-state"]
    assert initial and "a stopped resource answers 7" in initial[0]["fix"]


def test_a_run_as_another_user_than_root_says_so(tmp_path):
    rsctmp = tempfile.mkdtemp(prefix="ocfpy-not-root-")
    code = readable_checkout(pathlib.Path(tempfile.mkdtemp(prefix="ocfpy-not-root-code-")))
    try:
        agent = copy_of_good(code, "Good")
        if os.geteuid() == 0:  # as pacemaker-execd: then drop to nobody, as a CI runner's user
            os.chown(rsctmp, pwd.getpwnam("nobody").pw_uid, -1)
        env = dict(os.environ, PYTHONPATH=str(code), PYTHONDONTWRITEBYTECODE="1")
        done = subprocess.run([*python_as_nobody(), "-m", "harness", "check", "--format", "json", "-n", "cli-user",
                               f"-EHA_RSCTMP={rsctmp}", str(agent)],
                              env=env, cwd="/", capture_output=True, text=True, timeout=300)
    finally:
        shutil.rmtree(rsctmp, ignore_errors=True)
        shutil.rmtree(code, ignore_errors=True)

    assert done.returncode == 0, done.stdout + done.stderr
    warned = [f for f in findings_of(done) if f["check"] == "run.not-root"]
    assert warned and warned[0]["severity"] == "warning" and "HA_RSCTMP" in warned[0]["fix"], findings_of(done)


def test_a_file_start_made_and_stop_left_is_a_warning(tmp_path):
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()
    (rsctmp / "cli-files-unrelated").write_text("made before the run")
    agent = copy_of_good(tmp_path, change=lambda text: text.replace(b'main "$@"', b'''
agent_monitor() { is_running || return 7; touch "$PIDFILE.seen"; return 0; }
main "$@"'''))

    done = ocfpy_check("--format", "json", "-n", "cli-files", f"-EHA_RSCTMP={rsctmp}", str(agent))

    assert done.returncode == 0, done.stdout
    left = [f for f in findings_of(done) if f["check"] == "hygiene.leftover-file"]
    assert len(left) == 1 and left[0]["severity"] == "warning" and str(rsctmp) in left[0]["message"]
    assert re.search(r"broken-Agent-cli-files[-\w]*\.pid\.seen", left[0]["message"]) and "unrelated" not in left[0]["message"]

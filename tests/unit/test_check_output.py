"""Exit-reason hygiene on synthetic results, the three report formats, and the command line's parsing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from harness.execd import ExecStatus, Operation, Result
from harness.check import cli, hygiene, report
from harness.check.findings import ERROR, INFO, WARNING, CheckLog, Finding


def result(action="stop", rc=1, stdout=b"", stderr=b"", agent_exit=None, reason=None):
    return Result(action=action, rc=rc, agent_exit=rc if agent_exit is None else agent_exit, status=ExecStatus.DONE,
                  exit_reason=reason, stdout=stdout, stderr=stderr, pid=1, signal=None, started=0.0, elapsed=0.01,
                  op=Operation(agent="/bin/true", action=action), nul_on_stderr=b"\0" in stderr)


@pytest.mark.parametrize("res, check, severity", [
    (result(stderr=b"ocf-exit-reason:a\nocf-exit-reason:b\n", reason="b"), "hygiene.exit-reason", ERROR),
    (result(stderr=b"ocf-exit-reason:a\nocf-exit-reason:a\n", reason="a"), "hygiene.exit-reason", WARNING),
    (result(stdout=b"ocf-exit-reason:lost\n"), "hygiene.exit-reason-stdout", ERROR),
    (result(stderr=b"x\0y\n"), "hygiene.nul", ERROR),
    (result(reason="x" * 128, stderr=b"ocf-exit-reason:" + b"x" * 200), "hygiene.exit-reason", WARNING),
    (result(rc=1), "hygiene.exit-reason", WARNING),
    (result(rc=6, reason="OCF_RESKEY_ip is missing", stderr=b"ocf-exit-reason:OCF_RESKEY_ip is missing"), "hygiene.exit-reason", INFO),
    (result(rc=1, agent_exit=42, reason="r", stderr=b"ocf-exit-reason:r"), "hygiene.exit-code", WARNING),
    (result(action="start", rc=190, reason="r", stderr=b"ocf-exit-reason:r"), "lifecycle.degraded-code", ERROR),
])
def test_result_hygiene(res, check, severity):
    found = hygiene.result_findings("step", res)

    assert (check, severity) in {(f.check, f.severity) for f in found}, found


@pytest.mark.parametrize("res", [
    result(rc=0), result(rc=7), result(rc=3), result(action="monitor", rc=190),
    result(rc=1, reason="why", stderr=b"log line\nocf-exit-reason:why\n"),
])
def test_clean_results_have_no_findings(res):
    assert hygiene.result_findings("step", res) == []


def sample_log() -> CheckLog:
    log = CheckLog("ocf:test:Agent")
    log.ran("lifecycle.start")
    log.add(Finding("lifecycle.stop-twice", ERROR, "stop returned 7, expected 0", "return 0", action="stop", rc=7, expected="0"))
    log.add(Finding("hygiene.exit-reason", WARNING, "no exit reason <&>", "say why"))
    log.skip("suite.migrate", "not advertised")
    return log


def test_json_report_carries_every_check_and_field():
    data = json.loads(report.as_json(sample_log()))

    assert data["passed"] is False and data["summary"]["errors"] == 1 and data["summary"]["warnings"] == 1
    statuses = {c["name"]: c["status"] for c in data["checks"]}
    assert statuses == {"lifecycle.start": "passed", "lifecycle.stop-twice": "failed",
                        "hygiene.exit-reason": "passed", "suite.migrate": "skipped"}
    finding = [c for c in data["checks"] if c["name"] == "lifecycle.stop-twice"][0]["findings"][0]
    assert finding == {"check": "lifecycle.stop-twice", "severity": "error", "action": "stop", "rc": 7,
                       "expected": "0", "message": "stop returned 7, expected 0", "fix": "return 0"}


def test_junit_report_is_xml_with_failures_and_skips():
    root = ET.fromstring(report.as_junit(sample_log()))

    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "1", "1")
    failed = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["lifecycle.stop-twice"]
    assert "no exit reason <&>" in suite.find("testcase[@name='hygiene.exit-reason']/system-out").text


def test_junit_classnames_have_no_dots_but_the_tools_own():
    log = sample_log()
    log.agent = "./agents/my.agent"

    suite = ET.fromstring(report.as_junit(log)).find("testsuite")

    assert suite.get("name") == "ocfpy-check ./agents/my.agent"  # as given, for people to read
    assert {case.get("classname") for case in suite.iter("testcase")} == {"ocfpy-check._/agents/my_agent"}


def test_text_report_reads_like_ocf_tester():
    text = report.as_text(sample_log())

    assert text.splitlines()[0] == "Beginning tests for ocf:test:Agent..."
    assert "* error: lifecycle.stop-twice [stop rc=7 expected 0]: stop returned 7, expected 0" in text
    assert text.splitlines()[-1].startswith("Tests failed: ocf:test:Agent failed 1 checks")


def test_passing_log_says_passed():
    log = CheckLog("a")
    log.ran("x")

    assert report.as_text(log, quiet=True) == "a passed all tests (1 checks, 0 errors, 0 warnings, 0 skipped)\n"


def parse(argv):
    return cli.config_from(cli.parser().parse_args(argv))


def test_option_values_are_taken_literally():
    config = parse(["-n", "r1", "-o", "a='quoted' \"x\"", "-o", "b=c=d", "-o", "empty=", "-O", "a=2", "/x/Agent"])

    assert config.params == {"a": "'quoted' \"x\"", "b": "c=d", "empty": ""}
    assert config.second_params == {"a": "2"} and config.instance == "r1" and config.agent == "/x/Agent"


def test_debug_and_trace_flags_set_the_agent_environment():
    config = parse(["-d", "-X", "-E", "PYTHONPATH=/p", "ocf:x:Y"])

    assert config.extra_env == {"PYTHONPATH": "/p", "HA_debug": "1", "OCF_TRACE_RA": "1"}


@pytest.mark.parametrize("argv", [["-o", "novalue", "a"], ["-o", "=v", "a"], ["-E", "X", "a"], ["--timeout", "0", "a"]])
def test_bad_options_are_usage_errors(argv):
    with pytest.raises(cli.UsageError):
        parse(argv)


def test_timeout_cap_in_milliseconds():
    assert parse(["--timeout", "2.5", "a"]).timeout_cap_ms == 2500


@pytest.mark.parametrize("environ, prefix, carries", [
    (b"PATH=/bin\0OCFPY_CHECK_TOKEN=ab\0HOME=/\0", False, True),
    (b"OCFPY_CHECK_TOKEN=ab\0", False, True),
    (b"OCFPY_CHECK_TOKEN=ab", False, True),  # no NUL after the last variable
    (b"OCFPY_CHECK_TOKEN=abc\0", False, False),  # another run's token that starts the same
    (b"XOCFPY_CHECK_TOKEN=ab\0", False, False),
    (b"OCFPY_CHECK_TOKEN=ab-k\0", False, False),  # an instance's own token: only with prefix
    (b"PATH=/bin\0OCFPY_CHECK_TOKEN=ab-k\0", True, True),
    (b"PATH=/bin\0OCFPY_CHECK_TOKEN=abc-k\0", True, False),
    (b"X=OCFPY_CHECK_TOKEN=ab\0", True, False),  # inside another variable's value
    (b"", True, False),
])
def test_a_process_carries_the_token_only_as_a_variable_of_its_own(environ, prefix, carries):
    assert hygiene.carries_token(environ, b"OCFPY_CHECK_TOKEN=ab", prefix) is carries

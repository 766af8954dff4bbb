"""Log sinks chosen as ocf-shellfuncs chooses them, PCMK_* names before HA_*."""

from __future__ import annotations

import pytest

from ocfpy.log import Log, choose_sinks


@pytest.mark.parametrize("env, syslog, logfile, stderr", [
    ({}, False, "", True),                                            # nothing configured
    ({"HA_LOGFACILITY": "none"}, False, "", True),
    ({"HA_LOGFACILITY": "daemon"}, True, "", False),
    ({"PCMK_logfacility": "none", "HA_LOGFACILITY": "daemon"}, False, "", True),   # PCMK_ first
    ({"HA_LOGFILE": "/tmp/x.log"}, False, "/tmp/x.log", False),
    ({"PCMK_logfile": "/tmp/p.log", "HA_LOGFILE": "/tmp/h.log"}, False, "/tmp/p.log", False),
])
def test_sinks(env, syslog, logfile, stderr):
    sinks = choose_sinks(env, "tag")
    assert (sinks["syslog"], sinks["logfile"], sinks["stderr"]) == (syslog, logfile, stderr)


@pytest.mark.parametrize("env, debug", [
    ({}, False), ({"HA_debug": "0"}, False), ({"HA_debug": "1"}, True),
    ({"PCMK_debug": "no", "HA_debug": "1"}, False), ({"PCMK_debug": "pacemaker-execd"}, True),
    ({"OCF_TRACE_RA": "1"}, True), ({"OCF_RESKEY_trace_ra": "true"}, True),
])
def test_debug_flag_is_read_as_a_string(env, debug):
    assert choose_sinks(env, "tag")["debug"] is debug


def test_log_file_lines_carry_the_tag_and_level(tmp_path):
    logfile = tmp_path / "agent.log"
    log = Log({"HA_LOGFILE": str(logfile), "HA_debug": "0"}, "Dummy(d1)[42]", lambda t: t.replace("pw", "**"))
    log.info("started with pw")
    log.debug("not written")
    text = logfile.read_text()
    assert text.startswith("Dummy(d1)[42]:\t") and "INFO: started with **" in text
    assert "not written" not in text


@pytest.mark.parametrize("path", ["{tmp}/missing/x.log", "/dev/full"])
def test_an_unwritable_log_file_does_not_fail_the_action(path, tmp_path, capsys):
    log = Log({"HA_LOGFILE": path.replace("{tmp}", str(tmp_path)), "HA_DEBUGLOG": "/dev/full",
               "HA_debug": "1"}, "t")
    log.error("still fine")
    log.debug("also fine")
    assert capsys.readouterr().err == ""  # a log file is configured: nothing goes to stderr


def test_traces_go_to_ocf_trace_file(tmp_path):
    trace = tmp_path / "trace"
    Log({"OCF_TRACE_RA": "1", "OCF_TRACE_FILE": str(trace), "HA_LOGFACILITY": "daemon"}, "t").debug("step 1")
    assert "DEBUG: step 1" in trace.read_text()

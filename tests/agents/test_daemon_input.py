"""agents/Daemon on bad input: every parameter's bad value gives its code and one reason line, and no
process is ever started for it; its meta-data matches ocf:heartbeat:anything's names and defaults."""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET

import pytest

ANYTHING = "/usr/lib/ocf/resource.d/heartbeat/anything"
GOOD = {"binfile": "sleep", "cmdline_options": "120"}

# (parameters over GOOD, rc of start, words the exit reason must contain)
BAD = [
    ({"binfile": None}, 6, "binfile is required but not set"),
    ({"binfile": ""}, 6, "binfile is required but empty"),
    ({"binfile": "bin/server"}, 6, "binfile: 'bin/server' is neither an absolute path nor a command name"),
    ({"binfile": "/nonexistent/server"}, 5, "binfile /nonexistent/server does not exist"),
    ({"binfile": "ocfpy-no-such-daemon"}, 5, "binfile ocfpy-no-such-daemon: no such command in PATH (/usr/"),
    ({"binfile": "{plain_file}"}, 5, "binfile {plain_file} is not executable (mode 0644)"),
    ({"binfile": "{not_a_program}"}, 5, "cannot run {not_a_program}: Exec format error"),
    ({"binfile": "{misspelt_interpreter}"}, 5, "binfile: its #! interpreter '/bin/bahs' does not exist ("),
    ({"binfile": "{dos_script}"}, 5, "binfile: it has DOS (CRLF) line ends, so its #! interpreter '/bin/sh\\r' does not exist ("),
    ({"binfile": "/tmp"}, 5, "binfile /tmp is a directory, not a program"),
    ({"binfile": "sleep;touch${IFS}x"}, 5, "binfile sleep;touch${IFS}x: no such command in PATH"),
    ({"binfile": "sleep; touch {marker}"}, 6, "is neither an absolute path nor a command name"),
    ({"cmdline_options": "'120"}, 6, "cmdline_options: No closing quotation"),
    ({"workdir": "relative/dir"}, 6, "workdir: 'relative/dir' is not an absolute path"),
    ({"workdir": "/nonexistent"}, 5, "working directory /nonexistent doesn't exist"),
    ({"pidfile": "daemon.pid"}, 6, "pidfile: 'daemon.pid' is not an absolute path"),
    ({"pidfile": "{directory}"}, 2, "pidfile: refusing to use a directory as a file"),
    ({"pidfile": "{link}"}, 2, "pidfile: refusing to use a symbolic link"),
    ({"logfile": "out.log"}, 6, "logfile: 'out.log' is not an absolute path"),
    ({"errlogfile": "$(touch {marker})"}, 6, "errlogfile: '$(touch {marker})' is not an absolute path"),
    ({"user": "ocfpy-no-such-user"}, 5, "user ocfpy-no-such-user does not exist"),
    ({"user": "root; touch {marker}"}, 5, "does not exist"),
    ({"monitor_hook": "test -e '/x"}, 6, "monitor_hook: No closing quotation"),
    ({"monitor_hook": " "}, 6, "monitor_hook: names no command"),
    ({"health_command": "\t"}, 6, "health_command: names no command"),
    ({"stop_timeout": "soon"}, 6, "stop_timeout: 'soon' is not a number of seconds"),
    ({"stop_timeout": "-1"}, 6, "stop_timeout: '-1' is not a number of seconds"),
    ({"health_tcp": "nope"}, 6, "health_tcp: 'nope' is not host:port"),
    ({"health_tcp": "127.0.0.1:99999"}, 6, "with a port from 1 to 65535"),
    ({"health_url": "ftp://127.0.0.1/"}, 6, "health_url: 'ftp://127.0.0.1/' is not an http:// or https:// URL"),
    ({"health_url": "http://"}, 6, "health_url: 'http://' is not an http:// or https:// URL with a host"),
    ({"health_url": "http://127.0.0.1:http/"}, 6, "has an invalid port"),
    ({"health_status": "2xx"}, 6, "health_status: '2xx' is not a status or a range"),
    ({"health_status": "600"}, 6, "within 100-599"),
    ({"health_status": "200-"}, 6, "health_status: '200-' is a range without its end"),  # not 200 alone
    ({"health_url": "http://127.0.0.1/", "health_regex": "("}, 6, "health_regex: missing ), unterminated subpattern"),
    ({"health_regex": "ready"}, 6, "health_regex needs health_url"),
    ({"health_command": "check '--fast"}, 6, "health_command: No closing quotation"),
    ({"health_timeout": "0"}, 6, "health_timeout: 0 is less than 1"),
    ({"health_timeout": "ten"}, 6, "health_timeout: 'ten' is not an integer"),
]


def parameters(overrides: dict, tmp_path) -> dict:
    params = dict(GOOD, **overrides)
    return {key: fill(value, tmp_path) for key, value in params.items() if value is not None}


def fill(text: str, tmp_path) -> str:
    """{marker}: where a shell would leave a trace; {plain_file}, {not_a_program}, {directory},
    {link}, {misspelt_interpreter}, {dos_script}: made here."""
    plain, garbage = tmp_path / "plain-file", tmp_path / "not-a-program"
    for name, first_line in (("misspelt_interpreter", b"#!/bin/bahs\n"), ("dos_script", b"#!/bin/sh\r\n")):
        (tmp_path / name).write_bytes(first_line + b"exec sleep 120\n")
        (tmp_path / name).chmod(0o755)
        text = text.replace("{" + name + "}", str(tmp_path / name))
    (tmp_path / "a-directory").mkdir(exist_ok=True)
    if not (tmp_path / "a-link").is_symlink():
        (tmp_path / "a-link").symlink_to(plain)
    plain.write_text("data\n")
    plain.chmod(0o644)
    garbage.write_bytes(b"\x00\x01 not a program\n")
    garbage.chmod(0o755)
    return (text.replace("{marker}", str(tmp_path / "shell-ran")).replace("{plain_file}", str(plain))
            .replace("{not_a_program}", str(garbage)).replace("{directory}", str(tmp_path / "a-directory"))
            .replace("{link}", str(tmp_path / "a-link")))


def daemons_started(rsctmp) -> list:
    return [name for name in os.listdir(rsctmp) if name.endswith(".identity")]


@pytest.mark.parametrize("overrides, rc, words", BAD, ids=lambda value: str(value)[:40])
def test_bad_value_gives_its_code_and_one_line(overrides, rc, words, run_agent, tmp_path, rsctmp, agent_log):
    marker = tmp_path / "shell-ran"
    params = parameters(overrides, tmp_path)

    result = run_agent("Daemon", "start", params=params, extra_env={"HA_VARRUN": str(tmp_path) + "/"})

    assert result.rc == rc, result.exit_reason
    assert result.exit_reason is not None and fill(words, tmp_path) in result.exit_reason
    assert result.stderr.count(b"ocf-exit-reason:") == 1 and result.stdout == b""
    assert b"Traceback" not in result.stderr
    assert not agent_log.exists() or "Traceback" not in agent_log.read_text()
    assert daemons_started(rsctmp) == [] and not marker.exists()


@pytest.mark.parametrize("overrides", [case[0] for case in BAD if case[1] == 6], ids=lambda value: str(value)[:40])
def test_stop_and_probe_stay_safe_with_a_bad_value(overrides, run_agent, tmp_path):
    params = parameters(overrides, tmp_path)

    assert run_agent("Daemon", "stop", params=params).rc == 0
    assert run_agent("Daemon", "monitor", params=params).rc == 7


@pytest.mark.parametrize("action, rc", [("monitor", 7), ("stop", 0)])
def test_a_probe_or_stop_never_pays_for_the_lazy_checks_it_does_not_read(action, rc, run_agent, tmp_path):
    # invalid on purpose: a check that ran would also leave a warning
    lazy = {"cmdline_options": "'120", "health_url": "http://127.0.0.1:9/", "health_regex": "(",
            "health_command": "check '--fast"}

    result = run_agent("Daemon", action, params=dict(GOOD, **lazy), extra_env={"PYTHONPROFILEIMPORTTIME": "1"})

    stderr = result.stderr.decode()
    imported = {line.split("|")[-1].strip() for line in stderr.splitlines() if "import time:" in line}
    assert result.rc == rc and imported and not imported & {"re", "shlex"}
    assert "despite an invalid parameter" not in stderr


def test_a_log_file_that_is_a_link_is_refused_before_anything_starts(run_agent, tmp_path, rsctmp):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    (tmp_path / "out.log").symlink_to(victim)

    result = run_agent("Daemon", "start", params=dict(GOOD, logfile=str(tmp_path / "out.log")))

    assert result.rc == 1 and "it is a symbolic link" in result.exit_reason
    assert victim.read_text() == "precious\n" and daemons_started(rsctmp) == []


def test_validate_all_checks_the_node_from_check_level_10(run_agent):
    missing = dict(GOOD, binfile="/nonexistent/server")

    assert run_agent("Daemon", "validate-all", params=missing).rc == 0  # pcs runs it anywhere
    assert run_agent("Daemon", "validate-all", params=missing, check_level=10).rc == 5
    assert run_agent("Daemon", "validate-all", params=dict(GOOD, health_status="2xx")).rc == 6
    assert run_agent("Daemon", "validate-all", params=GOOD, check_level=10).rc == 0


def metadata(command, env=None) -> ET.Element:
    return ET.fromstring(subprocess.run(command + ["meta-data"], capture_output=True, check=True,
                                        env=env).stdout)


def test_meta_data_has_anythings_parameters_and_defaults_and_three_depths(readable_agents, agent_env):
    ours = metadata([os.path.join(readable_agents, "Daemon")], agent_env)
    theirs = metadata([ANYTHING], dict(agent_env, OCF_ROOT="/usr/lib/ocf"))
    params = {p.get("name"): p for p in ours.iter("parameter")}
    defaults = {p.get("name"): p.find("content").get("default") for p in params.values()}

    anything_names = {p.get("name") for p in theirs.iter("parameter")}
    assert anything_names <= set(params)
    for name in ("workdir", "logfile", "user", "stop_timeout"):
        theirs_default = next(p for p in theirs.iter("parameter") if p.get("name") == name).find("content").get("default")
        assert defaults[name] == theirs_default, name
    assert params["binfile"].get("required") == "1"
    assert {"health_tcp", "health_url", "health_status", "health_regex", "health_command"} <= set(params)
    depths = sorted(int(a.get("depth")) for a in ours.iter("action") if a.get("name") == "monitor")
    assert depths == [0, 10, 20]
    assert {a.get("name") for a in ours.iter("action")} >= {"start", "stop", "monitor", "validate-all", "meta-data"}

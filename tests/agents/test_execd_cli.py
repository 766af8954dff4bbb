"""`ocfpy-harness run`: prints the result, exits with the mapped OCF code, one-line errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from execd_support import shell_agent, write_agent

from harness.execd.cli import main

REPO = Path(__file__).resolve().parents[2]


def _harness(*args, cwd=None):
    """The real command line, as a user types it (`python3 -m harness run ...`)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "harness", "run", *args], capture_output=True, env=env, cwd=cwd)


def test_run_prints_code_status_reason_and_exits_with_the_ocf_code(tmp_path):
    shell_agent(tmp_path, "Down", 'echo "checked $1"; echo "ocf-exit-reason:not there" >&2; exit 7')

    proc = _harness("ocf:t:Down", "monitor", "--ra-path", str(tmp_path))

    out = proc.stdout.decode()
    assert proc.returncode == 7 and proc.stderr == b""
    assert "rc:          7 (not running)" in out and "status:      0 (complete)" in out
    assert "exit reason: 'not there'" in out and "checked monitor" in out


def test_a_python_agent_that_cannot_import_ocfpy_gets_a_hint(tmp_path):
    # as an agent outside the clone: execd's environment has no PYTHONPATH, and -S no site-packages
    write_agent(tmp_path, "Writer", "#!/usr/bin/python3 -sS\nimport ocfpy\n")

    proc = _harness("ocf:t:Writer", "monitor", "--ra-path", str(tmp_path))
    given = _harness("ocf:t:Writer", "monitor", "--ra-path", str(tmp_path), "-E", "PYTHONPATH=/nonexistent")

    out = proc.stdout.decode()
    assert proc.returncode == 1 and "No module named 'ocfpy'" in out
    assert "hint:        the agent cannot import ocfpy: pass -E PYTHONPATH=<the clone>" in out
    assert "hint:" in given.stdout.decode()  # a wrong path is still no ocfpy


def test_json_output_carries_everything(tmp_path):
    shell_agent(tmp_path, "Env", 'printf "%s|%s|%s" "$OCF_RESKEY_a" "$OCF_RESKEY_CRM_meta_interval" "$OCF_CHECK_LEVEL"')

    proc = _harness("ocf:t:Env", "monitor", "--ra-path", str(tmp_path), "-p", "a=x=y", "--interval", "10000",
                    "--check-level", "20", "--json")

    data = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert (data["rc"], data["status_name"], data["stdout"]) == (0, "DONE", "x=y|10000|20")


def test_timeout_reason_and_exit_status(tmp_path):
    shell_agent(tmp_path, "Slow", "sleep 30")

    proc = _harness("ocf:t:Slow", "start", "--ra-path", str(tmp_path), "--timeout", "300", "--json")

    data = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert (data["status_name"], data["exit_reason"]) == ("TIMEOUT", "Resource agent did not complete within 300ms")


def test_unknown_agent_is_what_execd_says(tmp_path):
    proc = _harness("ocf:t:Nope", "start", "--ra-path", str(tmp_path))

    assert proc.returncode == 5 and b"Nope: No such file or directory" in proc.stdout


@pytest.mark.parametrize("args, message", [
    (["ocf:t:A", "start", "--timeout", "0"], "timeout_ms must be more than zero"),
    (["ocf:t:A", "start", "--timeout", "-5"], "timeout_ms must be more than zero"),
    (["ocf:t:A", "start", "--timeout", "5s"], "not a whole number of milliseconds"),
    (["ocf:t:A", "start", "-p", "a b=1"], "not a valid XML name"),
    (["ocf:t:A", "start", "-p", "novalue"], "expected NAME=VALUE"),
    (["ocf:t:A", "start", "-p", "v=\u00e9<"], "cannot cross Pacemaker 2.1.5's IPC"),
    (["ocf:t", "start"], "expected ocf:PROVIDER:TYPE"),
    (["ocf:t:A"], "the following arguments are required"),
    (["ocf:t:A", "start", "--profile", "lrm"], "invalid choice"),
])
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path, capsys, args, message):
    write_agent(tmp_path, "A", "#!/bin/sh\nexit 0\n")

    code = main([*args, "--ra-path", str(tmp_path)])

    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err


def test_parameter_names_with_dashes_and_spaces_under_crm_resource(tmp_path):
    shell_agent(tmp_path, "Env", "tr '\\0' '\\n' < /proc/$$/environ")

    proc = _harness("ocf:t:Env", "validate-all", "--ra-path", str(tmp_path), "--profile", "crm_resource",
                    "-p", "a b=1", "-p", "c-d=2")

    assert proc.returncode == 0
    assert b"OCF_RESKEY_a b=1\n" in proc.stdout and b"OCF_RESKEY_c-d=2\n" in proc.stdout


def test_values_with_any_bytes_pass_through_argv_without_a_shell(tmp_path):
    shell_agent(tmp_path, "Echo", 'printf "%s" "$OCF_RESKEY_v"')
    value = b"\xff\xfe;$(touch pwned)`id`|&*"

    proc = _harness("ocf:t:Echo", "start", "--ra-path", str(tmp_path), "--pacemaker-version", "2.1.8",
                    "-p", os.fsdecode(b"v=" + value), cwd=tmp_path)

    assert proc.returncode == 0 and value in proc.stdout
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("profile, seen", [("execd", b"[]"), ("crm_resource", b"[hello]")])
def test_stdin_is_dev_null_for_execd_and_inherited_under_crm_resource(tmp_path, profile, seen):
    shell_agent(tmp_path, "Stdin", 'printf "[%s]" "$(cat)"')
    env = dict(os.environ, PYTHONPATH=str(REPO))

    proc = subprocess.run([sys.executable, "-m", "harness", "run", "ocf:t:Stdin", "start", "--ra-path", str(tmp_path),
                           "--profile", profile, "--json"], input=b"hello", capture_output=True, env=env)

    assert json.loads(proc.stdout)["stdout"].encode() == seen


def test_env_option_reaches_the_agent(tmp_path):
    agent = write_agent(tmp_path, "Env", '#!/bin/sh\necho "X=$X"\nexit 0\n')
    proc = _harness(str(agent), "start", "-E", "X=from cli")
    assert proc.returncode == 0 and b"X=from cli" in proc.stdout

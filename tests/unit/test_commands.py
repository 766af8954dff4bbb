"""ocfpy.commands: argv only, LC_ALL=C, the time budget, group kill on timeout, clear failures."""

from __future__ import annotations

import os
import stat
import time

import pytest

from ocfpy.commands import (effective_timeout, find_binary, kill_group, missing_interpreter, require_binary, run,
                            why_not_a_program)
from ocfpy.errors import NotInstalled, OCFError


# --- what is handed to Popen (pytest-subprocess) ---------------------------------------------
def test_child_gets_lc_all_c_and_the_exact_argv(fp):
    recorder = fp.register(["tool", "a b", "$(id)", ";x"], stdout="out")
    result = run(["tool", "a b", "$(id)", ";x"], env={"LANG": "de_DE.UTF-8", "LC_ALL": "de_DE"})
    call = recorder.last_call
    assert call.args == ["tool", "a b", "$(id)", ";x"]
    assert call.kwargs["env"] == {"LANG": "de_DE.UTF-8", "LC_ALL": "C"}
    assert call.kwargs.get("shell", False) is False
    assert result.rc == 0 and result.stdout == "out" and not result.timed_out


def test_default_environment_is_os_environ_plus_lc_all(fp, monkeypatch):
    monkeypatch.setenv("OCFPY_TEST_MARK", "1")
    recorder = fp.register(["tool"])
    run(["tool"])
    env = recorder.last_call.kwargs["env"]
    assert env["OCFPY_TEST_MARK"] == "1" and env["LC_ALL"] == "C"


def test_stdin_is_dev_null_without_input(fp):
    import subprocess

    recorder = fp.register(["tool"])
    run(["tool"])
    assert recorder.last_call.kwargs["stdin"] == subprocess.DEVNULL


@pytest.mark.parametrize("pgid, signalled", [(0, False), (-1, False), (-4242, False), (4242, True)])
def test_group_kill_never_signals_pgid_0_or_negative(monkeypatch, pgid, signalled):
    # killpg(0) would hit the caller's own group; a fake or failed child can have pid 0.
    import signal

    calls = []
    monkeypatch.setattr(os, "killpg", lambda *args: calls.append(args))
    kill_group(pgid)
    assert calls == ([(pgid, signal.SIGKILL)] if signalled else [])


# --- argv validation ------------------------------------------------------------------------
@pytest.mark.parametrize("argv, error", [
    ("echo hi; rm -rf /", TypeError),
    (b"echo", TypeError),
    (None, TypeError),
    ([], ValueError),
    (["echo", 3], TypeError),
    (["echo", "a\0b"], ValueError),
])
def test_bad_argv_is_refused(argv, error):
    with pytest.raises(error):
        run(argv)


def test_string_argv_error_says_why():
    with pytest.raises(TypeError, match="not a string"):
        run("ls -l")


# --- real processes -------------------------------------------------------------------------
def test_output_and_rc_are_reported_decoded():
    result = run(["sh", "-c", "printf 'caf\\303\\251 \\377\\n'; echo oops >&2; exit 3"])
    assert result.rc == 3
    assert result.stdout == "café \ufffd\n"
    assert result.stderr == "oops\n"
    assert not result.ok


def test_input_is_fed_to_stdin():
    assert run(["cat"], input="données\n").stdout == "données\n"


def test_real_child_sees_lc_all_c():
    assert run(["sh", "-c", "echo $LC_ALL"], env={"PATH": os.environ["PATH"]}).stdout == "C\n"


def test_child_runs_in_its_own_process_group():
    result = run(["sh", "-c", "echo $$; ps -o pgid= -p $$"])
    pid, pgid = result.stdout.split()
    assert pid == pgid and int(pgid) != os.getpgrp()


def test_cwd_is_honoured(tmp_path):
    assert run(["pwd"], cwd=str(tmp_path)).stdout.strip() == str(tmp_path)


def test_timeout_kills_the_whole_group_including_grandchildren(tmp_path):
    marker = tmp_path / "grandchild.pid"
    argv = ["sh", "-c", f"sleep 30 & echo $! > {marker}; wait"]
    started = time.monotonic()
    result = run(argv, timeout=0.5)
    assert result.timed_out and result.rc is None
    assert time.monotonic() - started < 5
    grandchild = int(marker.read_text())
    assert _gone(grandchild), "the grandchild survived the group SIGKILL"


@pytest.mark.parametrize("left, margin, timeout, expect_timeout", [
    (0.8, 0.5, None, True),      # 0.3 s effective: sleep 2 is killed
    (30, 1.0, 0.3, True),        # the timeout is smaller than the time left
    (30, 1.0, None, False),      # plenty of time: runs to completion
])
def test_deadline_minus_margin_bounds_the_run(left, margin, timeout, expect_timeout):
    result = run(["sleep", "0.6"], deadline=time.monotonic() + left, margin=margin, timeout=timeout)
    assert result.timed_out is expect_timeout
    assert (result.rc is None) is expect_timeout


def test_no_time_left_does_not_start_the_command(tmp_path):
    marker = tmp_path / "ran"
    result = run(["touch", str(marker)], deadline=time.monotonic() + 0.5, margin=1.0)
    assert result.timed_out and not marker.exists()


def test_check_turns_a_timeout_into_a_one_line_reason():
    with pytest.raises(OCFError) as caught:
        run(["sleep", "5"], timeout=0.1, check=True)
    assert caught.value.rc == 1
    assert caught.value.reason == "sleep did not finish within the time left and was killed"


def test_check_names_the_program_and_its_last_error_line_but_not_its_arguments():
    with pytest.raises(OCFError) as caught:
        run(["sh", "-c", "echo first >&2; echo 'no such volume' >&2; exit 4", "secret"], check=True)
    assert caught.value.rc == 1
    assert caught.value.reason == "sh exited with 4: no such volume"
    assert "secret" not in caught.value.reason


def test_missing_program_is_127_or_not_installed():
    result = run(["/nonexistent/ocfpy-tool"])
    assert (result.rc, result.not_installed) == (127, True)
    with pytest.raises(NotInstalled) as caught:
        run(["ocfpy-no-such-tool"], check=True)
    assert caught.value.rc == 5
    assert caught.value.reason == "command not found: ocfpy-no-such-tool"


def test_unexecutable_program_is_126(tmp_path):
    script = tmp_path / "tool"
    script.write_text("#!/bin/sh\n")
    assert run([str(script)]).rc == 126


def test_a_program_the_kernel_refuses_is_126_with_its_reason_not_an_exception(tmp_path):
    no_hash_bang = tmp_path / "tool"
    no_hash_bang.write_text("exit 0\n")  # executable, but no #! line: exec says ENOEXEC
    no_hash_bang.chmod(0o755)

    result = run([str(no_hash_bang)])

    assert (result.rc, result.not_installed) == (126, True)
    assert result.describe() == f"cannot run {no_hash_bang}: Exec format error"


def test_missing_cwd_is_a_clear_error():
    with pytest.raises(OCFError, match="no directory /nonexistent-dir"):
        run(["true"], cwd="/nonexistent-dir")


def test_effective_timeout_is_unbounded_without_limits():
    assert effective_timeout(None, None, 1.0) is None
    assert effective_timeout(5, None, 1.0) == 5.0
    assert 3.9 < effective_timeout(None, time.monotonic() + 5, 1.0) <= 4.0


# --- find_binary / require_binary -----------------------------------------------------------
@pytest.fixture
def bindir(tmp_path):
    tool = tmp_path / "mytool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "plain").write_text("not executable\n")
    (tmp_path / "subdir").mkdir()
    return tmp_path


@pytest.mark.parametrize("name, found", [
    ("mytool", "mytool"),
    ("plain", None),       # not executable
    ("subdir", None),      # a directory
    ("absent", None),
    ("", None),
])
def test_find_binary_in_given_path(bindir, name, found):
    expected = None if found is None else str(bindir / found)
    assert find_binary(name, path=f"/nonexistent:{bindir}") == expected
    assert find_binary(name, path=["/nonexistent", str(bindir)]) == expected


def test_find_binary_honours_an_absolute_name(bindir):
    assert find_binary(str(bindir / "mytool"), path="/nonexistent") == str(bindir / "mytool")
    assert find_binary(str(bindir / "plain")) is None


def test_find_binary_searches_os_path(bindir, monkeypatch):
    monkeypatch.setenv("PATH", str(bindir))
    assert find_binary("mytool") == str(bindir / "mytool")


def test_require_binary_raises_not_installed_with_one_line():
    assert require_binary("sh").endswith("/sh")
    with pytest.raises(NotInstalled) as caught:
        require_binary("ocfpy-no-such-tool")
    assert caught.value.rc == 5 and caught.value.reason == "command not found: ocfpy-no-such-tool"


def test_why_not_a_program_names_what_the_admin_must_change(bindir):
    assert why_not_a_program("absent", path=f"/nonexistent:{bindir}") == \
        f"absent: no such command in PATH (/nonexistent:{bindir})"
    assert why_not_a_program(str(bindir / "absent")) == f"{bindir}/absent does not exist"
    assert why_not_a_program(str(bindir / "subdir")) == f"{bindir}/subdir is a directory, not a program"
    (bindir / "plain").chmod(0o640)
    assert why_not_a_program(str(bindir / "plain")) == f"{bindir}/plain is not executable (mode 0640)"


@pytest.mark.parametrize("first_line, problem", [
    (b"#!/bin/sh\n", None),
    (b"#! /bin/sh -e\n", None),
    (b"exit 0\n", None),                   # no #! line: exec itself refuses it (see run)
    (b"#!/usr/bin/env python3\n", None),
    (b"#!/bin/bahs\n", "its #! interpreter '/bin/bahs' does not exist ({path})"),
    (b"#!\t/bin/bahs -x\n", "its #! interpreter '/bin/bahs' does not exist ({path})"),
    (b"#!/bin/sh\r\n", "it has DOS (CRLF) line ends, so its #! interpreter '/bin/sh\\r' does not exist ({path})"),
])
def test_missing_interpreter_reads_the_hash_bang_line(tmp_path, first_line, problem):
    script = tmp_path / "script"
    script.write_bytes(first_line + b"exec sleep 1\n")
    script.chmod(0o755)

    found = missing_interpreter(str(script))

    assert found == (None if problem is None else problem.format(path=script))


def _gone(pid: int, wait: float = 3.0) -> bool:
    until = time.monotonic() + wait
    while time.monotonic() < until:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().rpartition(")")[2].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.02)
    return False

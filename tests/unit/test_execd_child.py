"""Process-handling units: exec-failure emulation, the /bin/sh fallback, Popen arguments, kill guards."""

from __future__ import annotations

import errno
import os
import signal
import subprocess

import pytest

from harness.execd import child as child_module
from harness.execd.lookup import AgentRef
from harness.execd.operation import Operation
from harness.execd.runner import Running
from harness.execd.child import ExecFailed, exec_failure_code, popen_kwargs, start_agent


@pytest.mark.parametrize("error, code", [
    (errno.EACCES, 4), (errno.EPERM, 4),
    (errno.ENOENT, 5), (errno.EISDIR, 5), (errno.ENOTDIR, 5), (errno.EINVAL, 5), (errno.ENOEXEC, 5),
    (errno.ETXTBSY, 1), (errno.E2BIG, 1), (errno.ELOOP, 1),
])
def test_exec_failure_codes_follow_services_handle_exec_error(error, code):
    assert exec_failure_code(error) == code


def test_a_file_without_shebang_is_retried_through_bin_sh(monkeypatch):
    calls = []

    def fake_popen(argv, kwargs):
        calls.append(argv)
        if argv[0] != "/bin/sh":
            raise ExecFailed(errno.ENOEXEC)
        return "process"

    monkeypatch.setattr(child_module, "_popen", fake_popen)

    assert start_agent("/ra/p/Plain", "start", {}) == "process"
    assert calls == [["/ra/p/Plain", "start"], ["/bin/sh", "/ra/p/Plain", "start"]]


def test_other_exec_failures_are_not_retried(monkeypatch):
    def fake_popen(argv, kwargs):
        raise ExecFailed(errno.EACCES)

    monkeypatch.setattr(child_module, "_popen", fake_popen)

    with pytest.raises(ExecFailed) as caught:
        start_agent("/ra/p/NotExec", "start", {})
    assert caught.value.errno == errno.EACCES


def test_popen_arguments_reproduce_execds_child_setup():
    kwargs = popen_kwargs({"A": "1"}, "/cwd", inherit_stdin=False, user=None)

    assert kwargs["stdin"] == subprocess.DEVNULL and kwargs["stdout"] == kwargs["stderr"] == subprocess.PIPE
    assert kwargs["close_fds"] is True and kwargs["restore_signals"] is True
    assert kwargs["umask"] == 0o026 and kwargs["cwd"] == "/cwd" and kwargs["env"] == {"A": "1"}
    assert "start_new_session" not in kwargs  # own group, same session: setpgid, not setsid
    assert kwargs.get("process_group") == 0 or "preexec_fn" in kwargs


def test_crm_resource_profile_inherits_stdin():
    assert popen_kwargs({}, "/", inherit_stdin=True, user=None)["stdin"] is None


def test_an_ignored_signal_in_the_harness_asks_for_a_reset_in_the_child():
    previous = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    try:
        kwargs = popen_kwargs({}, "/", inherit_stdin=False, user=None)
    finally:
        signal.signal(signal.SIGUSR1, previous)

    assert "preexec_fn" in kwargs


def test_fake_process_pid_is_never_signalled(fp, monkeypatch):
    """A FakePopen's pid (0, 1, a small counter) is no child of ours: killpg(0) would kill this test run,
    killpg(1) init's group, any other a stranger; only real, unreaped children are ever signalled."""
    fp.register(["/ra/t/Agent", "start"], stdout=b"")
    proc = subprocess.Popen(["/ra/t/Agent", "start"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    kills = []
    monkeypatch.setattr(os, "killpg", lambda *args: kills.append(("killpg", args)))
    monkeypatch.setattr(os, "kill", lambda *args: kills.append(("kill", args)))
    running = Running(Operation(AgentRef("t", "Agent", "/ra/t/Agent"), "start"), AgentRef("t", "Agent", None),
                      proc, started=0.0)

    running._kill(group=True)
    running._expire()

    assert kills == []

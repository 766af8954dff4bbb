"""The spawn-time check of what a child would inherit: the kernel's SigBlk/SigIgn against Python's own view."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading

import pytest

from harness.execd import child as child_module
from harness.execd.child import (_parent_state_needs_reset, _python_sees_inherited_signals, _reset_child_state,
                                 kernel_signal_masks)

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RTSIG = signal.SIGRTMIN + 3
REPORT_MASKS = ("import json; from harness.execd.child import kernel_signal_masks, _parent_state_needs_reset; "
                "blocked, ignored = kernel_signal_masks(); "
                "import os; reniced = os.getpriority(os.PRIO_PROCESS, 0) != 0 "
                "or os.sched_getscheduler(0) != os.SCHED_OTHER; "
                "print(json.dumps([blocked, ignored, _parent_state_needs_reset(), reniced]))")


def signals_in(mask: int) -> set:
    return {sig for sig in range(1, 65) if mask & (1 << (sig - 1))}


def python_ignored() -> set:
    return {int(sig) for sig in signal.valid_signals()
            if sig not in (signal.SIGKILL, signal.SIGSTOP) and signal.getsignal(sig) == signal.SIG_IGN}


def inherited_by_the_test_run() -> bool:
    """Whether this test run itself was started with a signal ignored or blocked (nohup, say)."""
    restored = {signal.SIGPIPE, signal.SIGXFSZ}
    return bool(python_ignored() - restored) or bool(signal.pthread_sigmask(signal.SIG_BLOCK, []))


def old_loop_answer(monkeypatch) -> bool:
    """The check as it was before the kernel's masks: Python's handlers and pthread_sigmask only."""
    with monkeypatch.context() as patched:
        patched.setattr(child_module, "kernel_signal_masks", lambda: None)
        return _parent_state_needs_reset()


@contextlib.contextmanager
def ignored(sig: int):
    previous = signal.signal(sig, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(sig, previous)


@contextlib.contextmanager
def blocked(sig: int):
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, [sig])
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def caught(sig: int):
    previous = signal.signal(sig, lambda *_: None)
    try:
        yield
    finally:
        signal.signal(sig, previous)


STATES = {
    "as the test run is": contextlib.nullcontext,
    "SIGUSR1 ignored": lambda: ignored(signal.SIGUSR1),
    "a real-time signal ignored": lambda: ignored(RTSIG),
    "SIGUSR2 blocked": lambda: blocked(signal.SIGUSR2),
    "SIGTERM caught by a handler (exec resets it)": lambda: caught(signal.SIGTERM),
    "SIGPIPE ignored again (restore_signals resets it)": lambda: ignored(signal.SIGPIPE),
}


@pytest.mark.parametrize("state", STATES, ids=list(STATES))
def test_the_kernels_masks_agree_with_pythons_view(state, monkeypatch):
    with STATES[state]():
        masks = kernel_signal_masks()
        needs_reset, before = _parent_state_needs_reset(), old_loop_answer(monkeypatch)
        python_blocked = {int(sig) for sig in signal.pthread_sigmask(signal.SIG_BLOCK, [])}
        expected_ignored = python_ignored()
        python_answer = _python_sees_inherited_signals()

    assert masks is not None
    assert signals_in(masks[0]) == python_blocked
    assert signals_in(masks[1]) == expected_ignored
    assert needs_reset == before
    assert python_answer is (bool(python_blocked) or bool(expected_ignored - {signal.SIGPIPE, signal.SIGXFSZ}))


@pytest.mark.parametrize("state, expected", [
    ("SIGUSR1 ignored", True), ("a real-time signal ignored", True), ("SIGUSR2 blocked", True),
    ("SIGTERM caught by a handler (exec resets it)", False),
    ("SIGPIPE ignored again (restore_signals resets it)", False),
])
def test_what_the_child_would_keep_asks_for_a_reset(state, expected, monkeypatch):
    monkeypatch.setattr(os, "getpriority", lambda *_: 0)  # only the signals decide here
    monkeypatch.setattr(os, "sched_getscheduler", lambda *_: os.SCHED_OTHER)
    with STATES[state]():
        needs_reset = _parent_state_needs_reset()

    assert needs_reset is (expected or inherited_by_the_test_run())


def test_a_signal_ignored_behind_pythons_back_is_seen():
    """A C library's own signal(SIGUSR1, SIG_IGN): Python's table does not know, exec hands it on all the same."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.signal.restype = ctypes.c_void_p
    libc.signal.argtypes = (ctypes.c_int, ctypes.c_void_p)
    sig_ign, sig_dfl = 1, 0
    libc.signal(signal.SIGUSR1, sig_ign)
    try:
        masks = kernel_signal_masks()
        python_answer = signal.getsignal(signal.SIGUSR1)
        needs_reset = _parent_state_needs_reset()
    finally:
        libc.signal(signal.SIGUSR1, sig_dfl)

    assert python_answer == signal.SIG_DFL
    assert masks is not None and signal.SIGUSR1 in signals_in(masks[1])
    assert needs_reset is True


def report_of_a_child(preexec) -> tuple:
    """(blocked, ignored, needs reset, reniced) as a harness process started in that state reports them."""
    done = subprocess.run([sys.executable, "-c", REPORT_MASKS], cwd=REPO, capture_output=True, text=True,
                          check=True, preexec_fn=preexec, env=dict(os.environ, PYTHONPATH=REPO))
    blocked_mask, ignored_mask, needs_reset, reniced = json.loads(done.stdout)
    return signals_in(blocked_mask), signals_in(ignored_mask), needs_reset, reniced


def test_a_harness_started_with_a_signal_ignored_detects_it():
    blocked_now, ignored_now, needs_reset, reniced = report_of_a_child(
        lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))

    assert signal.SIGHUP in ignored_now and not blocked_now
    assert needs_reset is True


def test_a_harness_started_with_a_signal_blocked_detects_it():
    blocked_now, ignored_now, needs_reset, reniced = report_of_a_child(
        lambda: signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2]))

    assert blocked_now == {signal.SIGUSR2}
    assert needs_reset is True


def test_a_harness_started_clean_needs_no_reset():
    blocked_now, ignored_now, needs_reset, reniced = report_of_a_child(lambda: _reset_child_state(set_pgid=False))

    assert not blocked_now and ignored_now <= {signal.SIGPIPE, signal.SIGXFSZ}
    assert needs_reset is reniced  # a non-root test run under nice cannot undo it


def test_without_proc_the_python_view_decides(monkeypatch):
    monkeypatch.setattr(child_module, "_THREAD_STATUS", "/nonexistent/status")
    monkeypatch.setattr(os, "getpriority", lambda *_: 0)
    monkeypatch.setattr(os, "sched_getscheduler", lambda *_: os.SCHED_OTHER)

    assert kernel_signal_masks() is None
    with ignored(signal.SIGUSR1):
        assert _parent_state_needs_reset() is True
    assert _parent_state_needs_reset() is inherited_by_the_test_run()


def test_a_status_file_without_the_mask_lines_falls_back(monkeypatch, tmp_path):
    status = tmp_path / "status"
    status.write_bytes(b"Name:\tpython3\nUmask:\t0022\n")
    monkeypatch.setattr(child_module, "_THREAD_STATUS", str(status))

    assert kernel_signal_masks() is None


def test_the_masks_are_read_anew_on_every_call():
    first = kernel_signal_masks()
    with ignored(signal.SIGUSR1):
        during = kernel_signal_masks()
    after = kernel_signal_masks()

    assert signal.SIGUSR1 in signals_in(during[1]) - signals_in(first[1])
    assert after == first


def test_the_mask_is_the_spawning_threads_own():
    """Lanes spawn from worker threads: the mask a child gets is the forking thread's, not the main thread's."""
    seen = {}

    def in_a_thread():
        with blocked(signal.SIGUSR2):
            seen["thread"] = kernel_signal_masks()

    worker = threading.Thread(target=in_a_thread)
    worker.start()
    worker.join()
    main = kernel_signal_masks()

    assert signal.SIGUSR2 in signals_in(seen["thread"][0])
    assert signal.SIGUSR2 not in signals_in(main[0])

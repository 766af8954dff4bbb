"""Running one action: spawn, read both pipes until the agent exits, enforce the timeout, build the Result."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import threading
import time
from typing import Callable, Optional

from . import reasons
from .codes import OCF_ERR_GENERIC, OCF_ERR_INSTALLED, OCF_SUCCESS, map_exit_code, readable_interval
from .environment import build_environment
from .lookup import AgentRef, resolve_agent
from .operation import Operation
from .result import ExecStatus, Result
from .child import ExecFailed, default_cwd, exec_failure_code, metadata_user, popen_kwargs, start_agent

READ_SIZE = 65536
STILL_ALIVE_WARNING_S = 5.0  # execd logs "will not die" this long after the kill
EXEC_FAILED_REASON = b"ocf-exit-reason:Child process was unable to execute file\n"


class Running:
    """An agent process in flight: .pid, .pgid, .done(), .wait(timeout) -> Result, .cancel() -> Result."""

    def __init__(self, op: Operation, ref: AgentRef, proc: Optional[subprocess.Popen], started: float,
                 finished: Optional[Result] = None):
        self.op, self.ref, self.started = op, ref, started
        self._proc = proc
        self.pid: Optional[int] = proc.pid if proc is not None else None
        self.pgid = self.pid  # the agent leads its own process group
        self._result = finished
        self._done = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._timed_out = self._cancelled = False
        self._callbacks: list = []
        if finished is not None:
            self._done.set()

    # -- public handle -------------------------------------------------------------------------
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: Optional[float] = None) -> Result:
        """The result once the agent has exited (or was killed); TimeoutError if `timeout` s pass first."""
        if self._thread is None and not self._done.is_set():
            self._pump()
        if not self._done.wait(timeout):
            raise TimeoutError(f"{self.op.action} of {self.ref.spec} still running after {timeout}s")
        assert self._result is not None
        return self._result

    def cancel(self) -> Result:
        """Cancel as execd does for an in-flight op: SIGKILL the group; rc 0, status CANCELLED."""
        if not self._done.is_set():
            self._cancelled = True
            self._kill(group=True)
        return self.wait()

    # -- the loop -----------------------------------------------------------------------------
    def _start_thread(self, on_done: Optional[Callable[[Result], None]]) -> None:
        if on_done is not None:
            self._callbacks.append(on_done)
        if self._done.is_set():
            self._run_callbacks()
            return
        self._thread = threading.Thread(target=self._pump, name=f"execd-{self.pid}", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        proc = self._proc
        assert proc is not None and proc.stdout is not None and proc.stderr is not None
        out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
        streams: dict = {out_fd: [], err_fd: []}
        try:
            self._read_until_exit(streams)
            for fd, chunks in streams.items():
                _drain(fd, chunks)
        finally:
            proc.stdout.close()
            proc.stderr.close()
        proc.wait()
        self._result = self._build_result(b"".join(streams[out_fd]), b"".join(streams[err_fd]))
        self._done.set()
        self._run_callbacks()

    def _read_until_exit(self, streams: dict) -> None:
        poller = select.poll()
        for fd in streams:
            poller.register(fd, select.POLLIN)
        exit_fd = _pidfd(self.pid)
        if exit_fd is not None:
            poller.register(exit_fd, select.POLLIN)
        deadline = self.started + self.op.timeout_ms / 1000.0
        killed_at: Optional[float] = None
        try:
            while True:
                now = time.monotonic()
                if killed_at is None and now >= deadline and not self._cancelled:
                    self._expire()
                    killed_at = now
                wait_s = self._next_wait(now, deadline, killed_at, exit_fd is None)
                for fd, _ in poller.poll(None if wait_s is None else max(wait_s, 0) * 1000):
                    if fd == exit_fd:
                        return
                    data = os.read(fd, READ_SIZE)
                    if data:
                        streams[fd].append(data)
                    else:
                        poller.unregister(fd)
                if exit_fd is None and self._proc.poll() is not None:
                    return
                if killed_at is not None and time.monotonic() - killed_at > STILL_ALIVE_WARNING_S:
                    _log().warning("%s[%s] will not die after SIGKILL", self.op.action, self.pid)
                    killed_at = float("inf")
        finally:
            if exit_fd is not None:
                os.close(exit_fd)

    def _next_wait(self, now: float, deadline: float, killed_at: Optional[float], polling: bool) -> Optional[float]:
        if killed_at is None and not self._cancelled:
            wait_s: Optional[float] = deadline - now
        elif killed_at is not None and killed_at != float("inf"):
            wait_s = killed_at + STILL_ALIVE_WARNING_S - now + 0.001
        else:
            wait_s = None
        if polling:  # no pidfd: notice the exit by polling
            wait_s = 0.005 if wait_s is None else min(wait_s, 0.005)
        return wait_s

    def _expire(self) -> None:
        self._timed_out = True
        pid_only = self.op.profile == "crm_resource" or self.op.on_fail == "block"
        self._kill(group=not pid_only)

    def _kill(self, group: bool) -> None:
        pid = self.pid
        if pid is None or not _is_our_child(pid):  # e.g. a test double's pid 0 or 1: killpg would hit us or init
            return
        try:
            if group and pid != os.getpgrp():
                os.killpg(pid, signal.SIGKILL)
            else:
                os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def _run_callbacks(self) -> None:
        for callback in self._callbacks:
            try:
                callback(self._result)
            except Exception:  # a caller's bug must not kill the reader thread silently
                _log().exception("on_done callback failed for %s", self.op.action)

    # -- the result ---------------------------------------------------------------------------
    def _build_result(self, stdout: bytes, stderr: bytes) -> Result:
        op = self.op
        nul_on_stderr = b"\0" in stderr
        if op.nul_truncation:
            stdout, stderr = reasons.truncate_at_nul_per_chunk(stdout), reasons.truncate_at_nul_per_chunk(stderr)
        code = self._proc.returncode
        agent_exit = sig = reason = None
        if code >= 0:
            agent_exit, status, rc = code, ExecStatus.DONE, map_exit_code(code)
            reason = reasons.parse_exit_reason(stderr, op.pacemaker_version)
        else:
            sig, rc = -code, OCF_ERR_GENERIC
            if self._timed_out:
                status, reason = ExecStatus.TIMEOUT, timeout_reason(op)
            elif self._cancelled:
                status, rc = ExecStatus.CANCELLED, OCF_SUCCESS
            else:
                status = ExecStatus.ERROR
                reason = f"Resource agent interrupted by {signal_text(sig)} signal"
        return Result(action=op.action, rc=rc, agent_exit=agent_exit, status=status, exit_reason=reason,
                      stdout=stdout, stderr=stderr, pid=self.pid, signal=sig, started=self.started,
                      elapsed=time.monotonic() - self.started, op=op, nul_on_stderr=nul_on_stderr)


def timeout_reason(op: Operation) -> str:
    if op.profile == "crm_resource":
        return "Resource agent did not exit within specified timeout"
    return "Resource agent did not complete within " + readable_interval(op.timeout_ms)


def signal_text(sig: int) -> str:
    """strsignal(), as in 'Resource agent interrupted by Terminated signal'."""
    return signal.strsignal(sig) or f"Unknown signal {sig}"


def _log():
    """The module's logger; logging is imported only once there is something to log."""
    import logging
    return logging.getLogger(__name__)


def _is_our_child(pid: int) -> bool:
    """Only ever signal a real, unreaped child of this process."""
    if pid <= 1 or pid == os.getpid():
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return False
    fields = stat[stat.rindex(b")") + 2:].split()  # after "pid (comm) ": state, ppid, ...
    return int(fields[1]) == os.getpid()


def _pidfd(pid: Optional[int]) -> Optional[int]:
    if pid is None or pid <= 0 or not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:
        return None


def _drain(fd: int, chunks: list) -> None:
    """After the exit: take what is already buffered, never wait for grandchildren holding the pipe."""
    os.set_blocking(fd, False)
    while True:
        try:
            data = os.read(fd, READ_SIZE)
        except BlockingIOError:
            return
        if not data:
            return
        chunks.append(data)


def _instant_result(op: Operation, ref: AgentRef, rc: int, status: ExecStatus, reason: str,
                    stderr: bytes, agent_exit: Optional[int], started: float) -> Result:
    return Result(action=op.action, rc=rc, agent_exit=agent_exit, status=status, exit_reason=reason,
                  stdout=b"", stderr=stderr, pid=None, signal=None, started=started,
                  elapsed=time.monotonic() - started, op=op)


def _start(op: Operation) -> Running:
    ref = resolve_agent(op.agent, op.ra_path)
    started = time.monotonic()
    if not ref.found:  # execd forks nothing
        result = _instant_result(op, ref, OCF_ERR_INSTALLED, ExecStatus.NOT_INSTALLED,
                                 f"{ref.type}: No such file or directory", b"", None, started)
        return Running(op, ref, None, started, finished=result)
    env = build_environment(op, ref)
    cwd = op.cwd or (os.getcwd() if op.profile == "crm_resource" else default_cwd())
    user = op.user if op.user is not None else (metadata_user() if op.profile == "metadata" else None)
    kwargs = popen_kwargs(env, cwd, inherit_stdin=op.profile == "crm_resource", user=user)
    started = time.monotonic()
    try:
        proc = start_agent(ref.path, op.action, kwargs, op.extra_args)
    except ExecFailed as failure:  # what execd's child prints and exits with
        code = exec_failure_code(failure.errno)
        result = _instant_result(op, ref, map_exit_code(code), ExecStatus.DONE,
                                 reasons.parse_exit_reason(EXEC_FAILED_REASON, op.pacemaker_version),
                                 EXEC_FAILED_REASON, code, started)
        return Running(op, ref, None, started, finished=result)
    return Running(op, ref, proc, started)


def run(op: Operation) -> Result:
    """Run one action to completion, exactly as pacemaker-execd would (blocking)."""
    return _start(op).wait()


def spawn(op: Operation, on_done: Optional[Callable[[Result], None]] = None) -> Running:
    """Start one action and return at once; a reader thread finishes it and calls on_done(result)."""
    handle = _start(op)
    handle._start_thread(on_done)
    return handle

"""One validation run: the configuration, every action run through the executor, and expectations."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Mapping, Optional, TextIO

from harness.execd import AgentSpecError, ExecStatus, Operation, Result, Running, resolve_agent, spawn
from harness.execd.codes import ocf_name, readable_interval

from harness.check.ending import MAX_TIME, RunEnded, SignalGuard
from harness.check.findings import ERROR, INFO, CheckLog, Finding
from harness.check.tracking import StartedInstances

TOKEN_VARIABLE = "OCFPY_CHECK_TOKEN"  # marks every process the agent starts, to find leftovers
DEFAULT_MONITOR_INTERVAL_MS = 10000
AWAKE_S = 0.05  # CPython runs signal handlers in the main thread only once it wakes up


MISSING_OCFPY = b"No module named 'ocfpy'"
RUN_FROM_CHECKOUT = ("an agent written with ocfpy needs the library: -E PYTHONPATH=DIR (DIR holding the "
                     "ocfpy package), or install it with python3 -m ocfpy.install")
STDERR_TAIL_CHARS = 160


def stderr_tail(result: Result) -> str:
    """The last non-empty line of the agent's stderr, shortened for a finding ('' when none)."""
    lines = [line.strip() for line in result.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    if not lines:
        return ""
    last = lines[-1]
    return last if len(last) <= STDERR_TAIL_CHARS else last[:STDERR_TAIL_CHARS - 3] + "..."


@dataclass
class Config:
    """What to check and how (the command line, or a pytest fixture, fills it)."""

    agent: str
    params: Mapping[str, str] = field(default_factory=dict)
    instance: str = "ocfpy-check"
    second_params: Mapping[str, str] = field(default_factory=dict)  # overrides for instance two
    ra_path: Optional[str] = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    timeout_cap_ms: Optional[int] = None  # cap every advertised timeout (hung agents end sooner)
    ocf11_schema: Optional[str] = None
    legacy_severity: str = INFO
    pacemaker_version: str = "2.1.5"
    robustness: bool = True
    verbose: Optional[TextIO] = None
    progress: Optional[TextIO] = None  # one line per action as it starts (ocfpy-check's stderr in text mode)
    max_time_s: Optional[float] = None  # the whole run's limit; then clean up and report run.max-time
    jobs: int = 4  # independent suites at once, each on its own instance; 1 keeps everything serial



def agent_path(agent: str) -> str:
    """A bare name that exists as a file is that file; a path that does not exist is a usage error."""
    if isinstance(agent, str) and "/" not in agent and agent not in (".", "..") and os.path.lexists(agent):
        return "./" + agent
    if isinstance(agent, str) and ("/" in agent or ":" not in agent) and not os.path.lexists(agent):
        raise AgentSpecError(f"{agent}: no such file" + ("" if "/" in agent else " (nor ocf:PROVIDER:TYPE)"))
    return agent


class RunState:
    """What every lane of one run shares: the signal guard, the clock, the instances to clean up, how it ended."""

    def __init__(self, max_time_s: Optional[float]) -> None:
        self.guard = SignalGuard()
        self.began = time.monotonic()
        self.deadline = self.began + max_time_s if max_time_s else None
        self.ended: Optional[RunEnded] = None  # set once the run must stop
        self.lock = threading.Lock()
        self.started = StartedInstances()
        self.in_flight: set = set()  # Running handles not yet finished
        self.count = 0  # actions started
        self.stopped: list = []  # (instance, Result) of the clean-up stops
        self.killed: list = []  # pids the clean-up killed


class Session:
    """Runs actions of one agent with the executor, records results, turns surprises into Findings."""

    def __init__(self, config: Config, log: CheckLog) -> None:
        self.config, self.log = config, log
        self.ref = resolve_agent(agent_path(config.agent), config.ra_path)
        self.md = None  # MetaData, once the meta-data check parsed it
        self.token = os.urandom(8).hex()  # not secrets: its hmac and hashlib imports cost a start-up
        self.cwd = tempfile.mkdtemp(prefix="ocfpy-check-cwd-")
        os.chmod(self.cwd, 0o755)  # meta-data may run as hacluster
        self.results: list = []  # (step, Result)
        self.observers: list = []  # callables(step, result) run on every result (hygiene)
        self.timed_out: set = set()  # actions already reported under exec.timeout
        self.state = RunState(config.max_time_s)  # shared by every lane of the run
        self.guard, self.lock, self.started = self.state.guard, self.state.lock, self.state.started

    def close(self) -> None:
        shutil.rmtree(self.cwd, ignore_errors=True)

    # -- running ----------------------------------------------------------------------------
    def timeout_ms(self, action: str) -> int:
        advertised = self.md.timeout_ms(action) if self.md else 20000
        cap = self.config.timeout_cap_ms
        return min(advertised, cap) if cap else advertised

    def monitor_interval_ms(self, role: Optional[str] = None) -> int:
        for action in self.md.actions if self.md else []:
            if action.name == "monitor" and action.interval_ms and (action.attrs.get("role") or "").lower() == (role or "").lower():
                return action.interval_ms
        return DEFAULT_MONITOR_INTERVAL_MS + (1000 if role else 0)

    def operation(self, action: str, *, instance: Optional[str] = None, params: Optional[Mapping[str, str]] = None,
                  interval_ms: int = 0, meta: Optional[Mapping[str, str]] = None, check_level: Optional[int] = None,
                  timeout_ms: Optional[int] = None, profile: str = "execd", node: str = "node1",
                  extra_env: Optional[Mapping[str, str]] = None, user: Optional[str] = None,
                  extra_args: tuple = ()) -> Operation:
        env = {**self.config.extra_env, TOKEN_VARIABLE: self.token, **(extra_env or {})}
        return Operation(
            agent=self.ref, action=action, params=dict(self.config.params if params is None else params),
            instance=instance or self.config.instance, interval_ms=interval_ms, meta=dict(meta or {}),
            check_level=check_level, timeout_ms=timeout_ms or self.timeout_ms(action), profile=profile,
            node=node, extra_env=env, cwd=self.cwd, user=user, extra_args=extra_args,
            pacemaker_version=self.config.pacemaker_version)

    def run(self, step: str, action: str, **kwargs) -> Result:
        """Run one action to completion and record it under the step's name."""
        return self.record(step, self.wait(self.spawn(step, action, **kwargs)))

    def spawn(self, step: str, action: str, **kwargs) -> Running:
        """Start one action (announced on the progress stream); finish it with wait()."""
        if self.state.ended is not None:
            raise self.state.ended
        op = self.operation(action, **kwargs)
        with self.lock:  # numbered and printed in one go: lanes' lines stay in order
            self.state.count += 1
            self.announce(step, op)
        self.started.before(op)
        handle = spawn(op)
        with self.lock:
            self.state.in_flight.add(handle)
        return handle

    def wait(self, handle: Running) -> Result:
        """The handle's result; raises RunEnded (after killing the action) once the run must end."""
        try:
            result = self._wait_awake(handle)
        except TimeoutError:
            self.end(RunEnded(MAX_TIME))
            result = None
        except BaseException as ended:
            self.end(ended if isinstance(ended, RunEnded) else RunEnded(type(ended).__name__))
            with self.guard.shielded():
                handle.cancel()
            raise
        finally:
            with self.lock:
                self.state.in_flight.discard(handle)
        if self.state.ended is not None:
            with self.guard.shielded():
                handle.cancel()
            raise self.state.ended
        self.started.after(result)
        return result

    def _wait_awake(self, handle: Running) -> Result:
        """handle.wait() in short slices in the main thread: a signal that another thread took still runs its handler."""
        if threading.current_thread() is not threading.main_thread():
            return handle.wait(self.time_left())
        while True:
            left = self.time_left()
            try:
                return handle.wait(AWAKE_S if left is None else min(AWAKE_S, left))
            except TimeoutError:
                if left is not None and left <= AWAKE_S:
                    raise

    def time_left(self) -> Optional[float]:
        return None if self.state.deadline is None else max(0.0, self.state.deadline - time.monotonic())

    def end(self, ended: RunEnded) -> RunEnded:
        """The first reason to end is the one reported."""
        with self.lock:
            if self.state.ended is None:
                self.state.ended = ended
        return self.state.ended

    def announce(self, step: str, op: Operation) -> None:
        if self.config.progress is not None:
            print(f"ocfpy-check: [{self.state.count}] {time.monotonic() - self.state.began:6.2f}s {step}: {op.action} "
                  f"(timeout {readable_interval(op.timeout_ms)})", file=self.config.progress, flush=True)

    def cancel_in_flight(self) -> None:
        with self.guard.shielded():
            for handle in list(self.state.in_flight):
                handle.cancel()

    def clean_up(self) -> list:
        """Stop every instance the run may have left running (each within stop's timeout); (instance, Result)."""
        with self.guard.shielded():
            self.cancel_in_flight()
            return self.started.stop_all(self.timeout_ms("stop"), lambda op: self.announce("clean-up", op))

    def record(self, step: str, result: Result) -> Result:
        self.results.append((step, result))
        if self.config.verbose is not None:
            print(f"  {step}: {result.summary()} [{result.elapsed:.3f}s]", file=self.config.verbose)
        for observer in self.observers:
            observer(step, result)
        return result

    # -- expectations -----------------------------------------------------------------------
    def expect(self, check: str, step: str, result: Result, expected: tuple, fix: str,
               severity: str = ERROR, tolerated: tuple = (), tolerated_severity: str = "warning") -> bool:
        """True if result.rc is expected; otherwise add a Finding (tolerated codes get a milder one)."""
        self.log.ran(check)
        if result.status == ExecStatus.DONE and result.rc in expected:
            return True
        wanted = "|".join(str(code) for code in expected)
        if result.status == ExecStatus.TIMEOUT:
            self.log.add(Finding(check, severity, f"{step}: {result.action} timed out ({result.exit_reason})",
                                 fix, action=result.action, rc=result.rc, expected=wanted))
            if result.action not in self.timed_out:  # one summary per action
                self.timed_out.add(result.action)
                self.log.add(Finding("exec.timeout", ERROR, f"{result.action} ran into its timeout ({result.exit_reason})",
                                     "finish well within the advertised timeout; never block forever",
                                     action=result.action, rc=result.rc))
            return False
        seen = f"{result.rc} ({ocf_name(result.rc)})"
        if result.status != ExecStatus.DONE:
            seen += f", status {result.status.text}"
        message = f"{step}: {result.action} returned {seen}, expected {wanted}"
        if result.exit_reason:
            message += f"; exit reason: {result.exit_reason}"
        elif stderr_tail(result):  # a crash (a Python agent without its library) says why only there
            message += f"; its stderr ends: {stderr_tail(result)}"
            if MISSING_OCFPY in result.stderr:
                fix = RUN_FROM_CHECKOUT
        level = tolerated_severity if result.rc in tolerated and result.status == ExecStatus.DONE else severity
        self.log.add(Finding(check, level, message, fix, action=result.action, rc=result.rc, expected=wanted))
        return False

    def note(self, check: str, severity: str, message: str, fix: str = "", action: Optional[str] = None) -> None:
        self.log.add(Finding(check, severity, message, fix, action=action))

    def say(self, text: str) -> None:
        if self.config.verbose is not None:
            print(text, file=self.config.verbose)


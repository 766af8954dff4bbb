"""The whole validation of one agent, in order: meta-data, lifecycle, suites, robustness, concurrency."""

from __future__ import annotations

import os
import stat

from harness.check import concurrency, files, honesty, hygiene, lanes, leftovers, lifecycle, metadata, robustness, shebang, suites
from harness.check.ending import MAX_TIME, RunEnded
from harness.check.findings import ERROR, WARNING, CheckLog, Finding
from harness.check.session import Config, Session


def check_agent(config: Config) -> CheckLog:
    """Run every check on config.agent; the CheckLog holds what ran and what was found.

    However the run ends (done, a signal, --max-time, a crash of the check), the agent's stop runs
    for every instance the run may have left running, then whatever still carries the run's token
    is killed and the run's temporary files are removed; log.ended says how an early end came."""
    session = Session(config, CheckLog(config.agent))
    log = session.log
    if not session.ref.found:
        log.add(Finding("exec.not-installed", ERROR, _not_found(config.agent, session.ref.spec),
                        "give a path to the agent or ocf:PROVIDER:TYPE of an installed one"))
        session.close()
        return log
    session.guard.install()
    left_files = files.LeftoverFiles(config)
    try:
        _run_checks(session)
    except RunEnded as ended:
        session.end(ended)
    except Exception as crash:  # a bug of the check itself: still clean up and report
        session.end(RunEnded("error"))
        log.crash = crash
    finally:
        with session.guard.shielded():
            _clean_up(session)
        session.guard.restore()
    if session.state.ended is None and session.guard.pending is not None:  # a signal during the final clean-up
        session.end(session.guard.pending)
    if session.state.ended is not None:
        _report_end(session)
    elif any(result.action == "start" for _, result in session.results) \
            and all(result.rc == 0 for _, result in session.state.stopped):
        left_files.check(session)  # only once every instance really stopped: else its files are meant to stay
    return log


def _not_found(agent: str, spec: str) -> str:
    if os.path.islink(agent):
        return f"{agent}: a symbolic link to {os.readlink(agent)}, which does not exist"
    return f"{agent}: no such agent (looked for {spec})"


def _run_checks(session: Session) -> None:
    log = session.log
    if _cannot_run(session):
        return
    _check_shebang(session)
    _check_user(session)
    session.observers.append(hygiene.ExitReasonHygiene(session))
    metadata.check_metadata(session)
    if _not_executable(session):
        return
    independent = session.config.jobs > 1 and _instances_are_independent(session)
    left = leftovers.Leftovers()
    left.record("concurrency.parallel", session.started)  # what the parallel check, when it ran first, could not stop
    if independent:
        lanes.run_lanes(session, LANES)
    elif lifecycle.run_lifecycle(session, suites.run_while_running):
        left.record("lifecycle.stop", session.started)
        _run_in_turn(session, left)
    else:
        for name in SKIPPED_WITHOUT_START:
            if name not in log.checks:
                log.skip(name, "start failed")
    if "validate.honesty" not in log.checks and "validate.honesty" not in log.skipped:
        honesty.check_validate_honesty(session)
    hygiene.check_cwd(session)


def _instances_are_independent(session: Session) -> bool:
    """Only when no configured parameter is unique, no second instance needs values of its own (-O: the lanes
    would share those values) and two instances run side by side unharmed (the parallel check, first) do the
    suites share the time."""
    if concurrency.configured_unique(session) or session.config.second_params:
        return False
    concurrency.check_parallel(session)
    return "concurrency.parallel" in session.log.checks and not session.log.by_check("concurrency.parallel") \
        and not session.log.by_check("hygiene.leftover-process") and not session.log.by_check("lifecycle.start")


def _run_in_turn(session: Session, left: leftovers.Leftovers) -> None:
    """The checks that need a start, one after the other; none meets what an earlier one could not stop."""
    for name, check in NEED_A_START:
        if not (check is concurrency.check_parallel and name in session.log.checks):
            uses = concurrency.parallel_instances(session) if check is concurrency.check_parallel \
                else [(session.config.instance, session.config.params)]
            leftovers.run_in_turn(session, left, name, check, uses)


def _main_lane(session: Session) -> None:
    if not lifecycle.run_lifecycle(session, suites.run_while_running, stopped_checks=False):
        for name in SKIPPED_WITHOUT_START:
            session.log.skip(name, "start failed")


def _clean_up(session: Session) -> None:
    session.state.stopped = session.clean_up()
    session.log.actions = len(session.results)
    session.state.killed = hygiene.kill_leftovers(session)
    session.close()


def _report_end(session: Session) -> None:
    """The finding that says the run was cut short, how, and what the clean-up did."""
    ended, log = session.state.ended, session.log
    log.ended, log.signum = ended.how, ended.signum
    done = f"after {session.state.count} actions"
    if session.results:
        done += f" (last finished: {session.results[-1][0]})"
    cleaned = "; clean-up: " + (", ".join(f"stop of {name} rc {result.rc}" for name, result in session.state.stopped)
                                or "no instance was left to stop")
    if session.state.killed:
        cleaned += f", killed leftover pid(s) {', '.join(map(str, session.state.killed))}"
    if ended.how == MAX_TIME:
        log.add(Finding("run.max-time", ERROR, f"the run reached --max-time {session.config.max_time_s:g}s {done}{cleaned}",
                        "find the slow action in the progress lines and make it finish well within its timeout, "
                        "or give the run more time with --max-time"))
    elif ended.how == "error":
        log.add(Finding("run.crashed", ERROR, f"ocfpy-check itself failed {done}: {type(log.crash).__name__}: {log.crash}{cleaned}",
                        "a bug in ocfpy-check, not in the agent: report it with this line"))
    else:
        log.add(Finding("run.interrupted", ERROR, f"the run was interrupted by {ended.how} {done}{cleaned}",
                        "nothing in the agent: the checks after the interruption did not run; run the check to its end"))


def _cannot_run(session: Session) -> bool:
    """A directory or a file without x bits: one finding, nothing run."""
    path = session.ref.path
    if os.path.isdir(path):
        problem, fix = "is a directory", "give the path of the agent's executable file, not of a directory"
    elif not os.access(path, os.X_OK):
        problem = f"is not executable (mode {stat.S_IMODE(os.stat(path).st_mode):03o})"
        fix = "make the agent's file executable: chmod 755 it"
    elif shebang.carriage_return(shebang.first_line(path)):
        problem = "has a #! line ending in a carriage return (CRLF line endings), so no interpreter by that name exists"
        fix = "convert the file to LF line endings (dos2unix, or sed -i 's/\\r$//')"
    else:
        return False
    session.note("exec.not-executable", ERROR, f"{path} {problem}: execd cannot run it", fix)
    return True


def _check_shebang(session: Session) -> None:
    """A script without #! runs under Pacemaker only through execvp()'s /bin/sh fallback."""
    session.log.ran("exec.shebang")
    if shebang.missing(shebang.first_line(session.ref.path)):
        session.note("exec.shebang", WARNING, "the agent has no #! line: execd's execvp() runs it with /bin/sh, "
                     "while execve() callers (systemd, Python's subprocess, env) fail with 'Exec format error'",
                     "start the file with the interpreter it is written for, e.g. #!/bin/sh")


def _check_user(session: Session) -> None:
    """pacemaker-execd runs every agent as root: a run as anyone else can fail where Pacemaker would not."""
    if os.geteuid() != 0:
        session.note("run.not-root", WARNING, f"ocfpy-check runs as uid {os.geteuid()}, not as root as pacemaker-execd "
                     "does: an agent that writes to /run or /var, or switches users, can fail here and not under Pacemaker",
                     "run the check as root, or give the agent places it may write (-E HA_RSCTMP=DIR, -o for its "
                     "state or pid file parameters)")


def _not_executable(session: Session) -> bool:
    """execd could not even exec the agent: say so once instead of failing every check."""
    first = session.results[0][1] if session.results else None
    if first is None or first.exit_reason != EXEC_FAILED:
        return False
    session.note("exec.not-executable", ERROR, f"{session.ref.path}: execd cannot execute it (rc {first.rc})",
                 "make the agent an executable file with a working #! line (chmod 755)")
    return True


EXEC_FAILED = "Child process was unable to execute file"


def check_extra_arguments(session: Session) -> None:
    """`agent start extra` must behave like `agent start` (the spec says to ignore extra arguments)."""
    session.log.ran("lifecycle.extra-arguments")
    extra = ("extra", "arguments")
    for action, expected in (("start", 0), ("monitor", 0), ("stop", 0), ("monitor", 7)):
        interval = session.monitor_interval_ms() if action == "monitor" else 0
        result = session.run(f"{action} extra arguments", action, interval_ms=interval, extra_args=extra)
        # a warning: Pacemaker never passes extra arguments; the spec asks agents to ignore them
        if not session.expect("lifecycle.extra-arguments", f"'{action} extra arguments'", result, (expected,),
                              "take the action from argv[1] and ignore any further arguments", severity=WARNING):
            lifecycle.stop(session, "stop (cleanup)")
            return


NEED_A_START = (("lifecycle.extra-arguments", check_extra_arguments), ("suite.migrate", suites.check_migrate),
                ("robustness.killed-start", robustness.check_killed_start), ("concurrency.parallel", concurrency.check_parallel),
                ("concurrency.awkward-values", concurrency.check_awkward_values))
SKIPPED_WITHOUT_START = ("suite.notify", "suite.promotable", "suite.check-levels", "suite.reload-agent",
                         "lifecycle.extra-arguments", "suite.migrate", "robustness.killed-start",
                         "concurrency.parallel", "concurrency.awkward-values")
LANES = ((None, _main_lane), ("s", lifecycle.check_stopped_resource), ("x", check_extra_arguments), ("m", suites.check_migrate),
         ("k", robustness.check_killed_start), ("w", concurrency.check_awkward_values),
         ("v", honesty.check_validate_honesty))
"""With --jobs > 1: the lifecycle on the configured instance, each other suite on instance NAME-suffix."""

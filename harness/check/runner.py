"""The whole validation of one agent, in order: meta-data, lifecycle, suites, robustness, concurrency."""

from __future__ import annotations

from harness.check import concurrency, hygiene, lifecycle, metadata, robustness, suites
from harness.check.findings import ERROR, CheckLog, Finding
from harness.check.session import Config, Session


def check_agent(config: Config) -> CheckLog:
    """Run every check on config.agent; the CheckLog holds what ran and what was found."""
    session = Session(config, CheckLog(config.agent))
    log = session.log
    if not session.ref.found:
        log.add(Finding("exec.not-installed", ERROR, f"{config.agent}: no such agent (looked for {session.ref.spec})",
                        "give a path to the agent or ocf:PROVIDER:TYPE of an installed one"))
        session.close()
        return log
    session.observers.append(hygiene.ExitReasonHygiene(session))
    try:
        metadata.check_metadata(session)
        if _not_executable(session):
            return log
        if lifecycle.run_lifecycle(session, suites.run_while_running):
            for check in NEED_A_START:
                check(session)
        else:
            for name in SKIPPED_WITHOUT_START:
                log.skip(name, "start failed")
        hygiene.check_cwd(session)
    finally:
        log.actions = len(session.results)
        hygiene.kill_leftovers(session)
        session.close()
    return log


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
        if not session.expect("lifecycle.extra-arguments", f"'{action} extra arguments'", result, (expected,),
                              "take the action from argv[1] and ignore any further arguments"):
            lifecycle.stop(session, "stop (cleanup)")
            return


NEED_A_START = (check_extra_arguments, suites.check_migrate, robustness.check_killed_start,
                concurrency.check_parallel, concurrency.check_awkward_values)
SKIPPED_WITHOUT_START = ("suite.notify", "suite.promotable", "suite.check-levels", "suite.reload-agent",
                         "lifecycle.extra-arguments", "suite.migrate", "robustness.killed-start",
                         "concurrency.parallel", "concurrency.awkward-values")

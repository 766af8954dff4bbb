"""--jobs N: independent suites at once, each in a lane of its own (resource instance, state, token), merged in order."""

from __future__ import annotations

import concurrent.futures
import copy
from dataclasses import replace
from typing import Optional

from harness.check.ending import MAX_TIME, RunEnded
from harness.check.findings import CheckLog
from harness.check.hygiene import ExitReasonHygiene
from harness.check.session import AWAKE_S, Session


def lane(session: Session, suffix: Optional[str], seen: set) -> Session:
    """A Session sharing the run (agent, meta-data, clock, clean-up) with its own instance name, token and log."""
    child = copy.copy(session)
    if suffix is not None:
        child.config = replace(session.config, instance=f"{session.config.instance}-{suffix}")
        child.token = f"{session.token}-{suffix}"
    child.log, child.results, child.prior_results = CheckLog(session.log.agent), [], list(session.results)
    child.observers = [ExitReasonHygiene(child, seen)]
    return child


def run_lanes(session: Session, suites: list) -> None:
    """suites: [(suffix or None, callable(lane))], run by config.jobs threads; findings merged in list order."""
    seen: set = set()
    lanes = [(lane(session, suffix, seen), suite) for suffix, suite in suites]
    with concurrent.futures.ThreadPoolExecutor(max_workers=session.config.jobs, thread_name_prefix="ocfpy-check") as pool:
        futures = [pool.submit(suite, child) for child, suite in lanes]
        try:
            _wait_for(session, futures)
        finally:
            for child, _suite in lanes:
                merge(session, child)
            for check in [name for name in session.log.skipped if name in session.log.checks]:
                del session.log.skipped[check]  # skipped in one lane (e.g. start failed there), ran in another
    for future in futures:
        if future.exception() is not None:
            raise future.exception()


def _wait_for(session: Session, futures: list) -> None:
    """Until every lane is done; a lane's exception, a signal or --max-time ends them all (their actions killed)."""
    try:
        pending = set(futures)
        while pending:
            left = session.time_left()
            done, pending = concurrent.futures.wait(pending, timeout=AWAKE_S if left is None else min(AWAKE_S, left),
                                                    return_when=concurrent.futures.FIRST_EXCEPTION)
            if pending and session.time_left() == 0:
                raise RunEnded(MAX_TIME)
            if any(future.exception() is not None for future in done):
                raise _first_exception(done)
    except BaseException as ended:
        session.end(ended if isinstance(ended, RunEnded) else RunEnded("error"))
        with session.guard.shielded():
            session.cancel_in_flight()
            concurrent.futures.wait(futures)
        raise


def _first_exception(done: set) -> BaseException:
    return next(future.exception() for future in done if future.exception() is not None)


def merge(session: Session, child: Session) -> None:
    """The lane's findings, skips and results into session's (the lanes' list order is the report's)."""
    for check, found in child.log.checks.items():
        session.log.checks.setdefault(check, []).extend(found)
    for check, reason in child.log.skipped.items():
        session.log.skipped.setdefault(check, reason)
    session.results.extend(child.results)


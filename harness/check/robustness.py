"""V7: a start killed at its timeout (SIGKILL of the group, as execd does) must not break stop or monitor."""

from __future__ import annotations

from harness.execd import ExecStatus

from harness.check import hygiene, lifecycle
from harness.check.session import Session

KILL_FRACTIONS = (0.25, 0.5, 0.75)  # where in a normal start's duration the timeout strikes
MIN_KILL_MS = 2


def normal_start_ms(session: Session) -> float:
    """How long the first successful plain start took (in a lane of its own: the parallel check's starts)."""
    earlier = session.results or getattr(session, "prior_results", [])
    durations = [r.elapsed for step, r in earlier
                 if r.action == "start" and r.ok and (step == "start" or step.endswith("(in parallel)"))]
    return durations[0] * 1000 if durations else 0.0


def check_killed_start(session: Session) -> None:
    """For a few kill points inside a normal start: start times out, then monitor, stop, monitor, leftovers."""
    if not session.config.robustness:
        session.log.skip("robustness.killed-start", "robustness checks turned off")
        return
    base_ms = normal_start_ms(session)
    if base_ms < MIN_KILL_MS * 2:
        session.log.skip("robustness.killed-start", f"start takes {base_ms:.1f} ms: too short to interrupt")
        return
    killed = 0
    for timeout_ms in sorted({max(MIN_KILL_MS, int(base_ms * fraction)) for fraction in KILL_FRACTIONS}):
        result = session.run(f"start killed after {timeout_ms} ms", "start", timeout_ms=timeout_ms)
        if result.status != ExecStatus.TIMEOUT:
            lifecycle.stop(session, f"stop (start finished within {timeout_ms} ms)")
            break  # a longer timeout would let it finish too
        killed += 1
        after = f"a start killed after {timeout_ms} ms"
        probed = lifecycle.probe(session, f"probe after {after}")
        session.expect("robustness.killed-start", f"probe after {after}", probed, (0, 7),
                       "after a killed start, monitor still tells running (0) from stopped (7)", tolerated=(1,))
        stopped = session.expect("robustness.killed-start", f"stop after {after}", session.run(f"stop after {after}", "stop"),
                                 (0,), "stop must clean up whatever a killed start left half-done, and return 0")
        lifecycle.check_stopped_after(session, f"stop after {after}")
        hygiene.check_after_stop(session, f"after {after}")
        if not stopped:
            break  # the resource is left behind: a later kill point would only meet it
    if killed == 0:
        session.log.skip("robustness.killed-start", "start always finished before the shortened timeout")
    else:
        session.log.ran("robustness.killed-start")

"""V4: ocf-tester's lifecycle with its expected codes, plus the stricter checks Pacemaker needs."""

from __future__ import annotations

from harness.check import hygiene
from harness.check.findings import ERROR, INFO, WARNING
from harness.check.session import Session

UNKNOWN_ACTION = "ocfpy-check-no-such-action"
LEGACY_PROBE_ENV = {"OCF_RESKEY_CRM_meta_interval": "0"}  # what ocf-tester and old docs send

FIX_PROBE = "a probe (monitor without CRM_meta_interval) of a stopped resource returns 7, even when binaries or config are missing"
FIX_MONITOR_STOPPED = "monitor of a stopped resource returns exactly 7 (OCF_NOT_RUNNING), never 1"
FIX_START = "start returns 0 only once the service runs, and 0 again when it already runs"
FIX_STOP = "stop returns 0 once everything is stopped, and 0 again when already stopped (never 7)"
FIX_MONITOR_RUNNING = "monitor returns 0 while the service runs"


def probe(session: Session, step: str, **kwargs):
    return session.run(step, "monitor", **kwargs)


def monitor(session: Session, step: str, **kwargs):
    return session.run(step, "monitor", interval_ms=session.monitor_interval_ms(), **kwargs)


def check_validate(session: Session) -> None:
    result = session.run("validate-all", "validate-all")
    if result.rc == 3 and not (session.md and session.md.advertises("validate-all")):
        session.log.ran("lifecycle.validate-all")
        session.note("lifecycle.validate-all", INFO, "validate-all is not implemented (optional)",
                     "implement validate-all: pcs and crm_resource --validate run it", "validate-all")
        return
    session.expect("lifecycle.validate-all", "validate-all", result, (0,),
                   "validate-all returns 0 for a valid configuration; pass the agent's required parameters with -o")


def ensure_stopped(session: Session) -> None:
    """ocf-tester's "Checking current state": stop a resource that someone left running."""
    result = probe(session, "initial state")
    if result.rc not in (0, 8):
        return
    session.note("lifecycle.initial-state", WARNING, f"the resource was already running (rc {result.rc}); stopping it first",
                 "run the check on a resource name nothing else uses; if nothing runs under that name, "
                 "the probe is wrong: a stopped resource answers 7", "monitor")
    if result.rc == 8:
        session.run("initial demote", "demote")
    session.run("initial stop", "stop")


def check_stopped(session: Session) -> None:
    """Probes and monitors of a stopped resource, and an unknown action."""
    session.expect("lifecycle.probe-stopped", "probe of a stopped resource", probe(session, "probe (stopped)"),
                   (7,), FIX_PROBE, tolerated=(2, 5))
    session.expect("lifecycle.probe-legacy", "probe with CRM_meta_interval=0",
                   probe(session, "probe with CRM_meta_interval=0 (stopped)", extra_env=LEGACY_PROBE_ENV),
                   (7,), FIX_PROBE + "; also when CRM_meta_interval=0 (ocf-tester sends that)",
                   severity=WARNING, tolerated=(2, 5))
    session.expect("lifecycle.monitor-stopped", "recurring monitor of a stopped resource",
                   monitor(session, "monitor (stopped)"), (7,), FIX_MONITOR_STOPPED)
    result = session.run("unknown action", UNKNOWN_ACTION)
    session.log.ran("lifecycle.unknown-action")
    if result.rc == 0:
        session.note("lifecycle.unknown-action", ERROR, f"unknown action {UNKNOWN_ACTION!r} returned 0",
                     "answer any action you do not implement with 3 (OCF_ERR_UNIMPLEMENTED)", UNKNOWN_ACTION)
    elif result.rc != 3:
        session.expect("lifecycle.unknown-action", "unknown action", result, (3,),
                       "answer any action you do not implement with 3 (OCF_ERR_UNIMPLEMENTED)", severity=WARNING)


def check_stopped_resource(session: Session) -> None:
    """validate-all, then the probes and monitors of a resource that never ran."""
    check_validate(session)
    check_stopped(session)


def start(session: Session, step: str = "start", **kwargs) -> bool:
    result = session.run(step, "start", **kwargs)
    ok = session.expect("lifecycle.start", step, result, (0,), FIX_START)
    _duration(session, step, result)
    return ok


def stop(session: Session, step: str = "stop", **kwargs) -> bool:
    result = session.run(step, "stop", **kwargs)
    ok = session.expect("lifecycle.stop", step, result, (0,), FIX_STOP)
    _duration(session, step, result)
    return ok


def _duration(session: Session, step: str, result) -> None:
    session.log.ran("lifecycle.duration")
    advertised = session.md.timeout_ms(result.action) if session.md else None
    if advertised and result.elapsed * 1000 > 0.8 * advertised and result.rc == 0:
        session.note("lifecycle.duration", WARNING,
                     f"{step} took {result.elapsed:.1f}s of its advertised {advertised / 1000:g}s timeout",
                     "advertise a timeout well above the real duration", result.action)


def check_running(session: Session, when: str) -> bool:
    ok = session.expect("lifecycle.monitor-started", f"monitor after {when}", monitor(session, f"monitor (after {when})"),
                        (0,), FIX_MONITOR_RUNNING + "; if this fails right after start, start returned too early")
    return ok


def check_stopped_after(session: Session, when: str) -> None:
    session.expect("lifecycle.monitor-after-stop", f"monitor after {when}", monitor(session, f"monitor (after {when})"),
                   (7,), FIX_MONITOR_STOPPED + "; if this fails, stop returned before the service ended")


def check_started_cycle(session: Session) -> bool:
    """start, monitor, probe, start again: the resource ends up running. False if start failed."""
    started = session.run("start", "start")
    ok = session.expect("lifecycle.start", "start", started, (0,), FIX_START)
    _duration(session, "start", started)
    if not ok:
        return False
    hygiene.check_after_start(session, started)
    check_running(session, "start")
    session.expect("lifecycle.probe-started", "probe of a running resource", probe(session, "probe (running)"),
                   (0,), "a probe of a running resource returns 0")
    session.log.ran("lifecycle.start-twice")
    if session.expect("lifecycle.start-twice", "start of a running resource", session.run("start again", "start"),
                      (0,), FIX_START):
        check_running(session, "start again")
    return True


def check_stop_cycle(session: Session) -> None:
    """stop, monitor, stop again, start, monitor, stop: ocf-tester's step 15 plus the leftovers check."""
    stop(session, "stop")
    check_stopped_after(session, "stop")
    hygiene.check_after_stop(session, "after stop")
    session.expect("lifecycle.stop-twice", "stop of a stopped resource", session.run("stop again", "stop"), (0,), FIX_STOP)
    check_stopped_after(session, "stop again")
    if start(session, "restart"):
        check_running(session, "restart")
        stop(session, "stop after restart")
        check_stopped_after(session, "stop after restart")
    hygiene.check_after_stop(session, "after the second stop")


def run_lifecycle(session: Session, suites_while_running=None, stopped_checks: bool = True) -> bool:
    """The whole V4 sequence; suites_while_running(session) runs while the resource is up.

    Without stopped_checks, validate-all and the checks of a stopped resource are left to the
    caller (check_stopped_resource, on an instance of their own)."""
    if stopped_checks:
        check_validate(session)
    ensure_stopped(session)
    if stopped_checks:
        check_stopped(session)
    if not check_started_cycle(session):
        session.note("lifecycle.start", INFO, "the checks of a running resource were skipped because start failed",
                     "make start succeed with the parameters given (-o name=value), then check again")
        stop(session, "stop after the failed start")
        hygiene.check_after_stop(session, "after the failed start")
        return False
    if suites_while_running is not None:
        suites_while_running(session)
    check_stop_cycle(session)
    return True

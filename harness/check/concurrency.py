"""V9: two instances in parallel; V10: parameter values and names that need careful handling."""

from __future__ import annotations

from harness.check import hygiene, lifecycle
from harness.check.session import TOKEN_VARIABLE, Session

# V10: undeclared parameters with awkward values; agents must ignore or survive them
AWKWARD_PARAMS = {
    "ocfpy-check-dash": "a value with spaces",
    "ocfpy_check_quotes": "it's \"quoted\" $HOME `id` $(id) ; | &",
    "ocfpy_check_markup": "<&> ]]> &amp;",
    "ocfpy_check_utf8": "Grüße, 日本語 ✓",
    "ocfpy_check_newline": "first\nsecond\tlast",
}


def _instance_ops(session: Session, name: str) -> dict:
    params = dict(session.config.params)
    if name.endswith("-b"):
        params.update(session.config.second_params)
    return {"instance": name, "params": params, "extra_env": {TOKEN_VARIABLE: f"{session.token}-{name}"}}


FIX_PARALLEL_START = ("two resources of this agent must start side by side; a value they cannot share (a path, a "
                      "port) is a parameter the meta-data declares unique (unique-group), then -O gives the second its own")


def parallel_instances(session: Session) -> list:
    """[(instance, params)] of the parallel check's two instances (the second with -O's values)."""
    return [(name, _instance_ops(session, name)["params"]) for name in _parallel_names(session)]


def _parallel_names(session: Session) -> list:
    return [f"{session.config.instance}-a", f"{session.config.instance}-b"]


def configured_unique(session: Session) -> list:
    """Configured parameters the meta-data declares unique (or in a unique-group): no two instances may share them."""
    md = session.md
    if md is None:
        return []
    unique = [p.name for p in md.parameters if p.flag("unique") or p.attrs.get("unique-group")]
    return [name for name in unique if name in session.config.params]


def unique_conflicts(session: Session) -> list:
    """Configured unique parameters a second instance would share (then the pair cannot be tested)."""
    return [name for name in configured_unique(session) if name not in session.config.second_params]


def check_parallel(session: Session) -> None:
    """Start two instances at once, check each, stop one, check the other still runs, stop it."""
    conflicts = unique_conflicts(session)
    if conflicts:
        session.log.skip("concurrency.parallel", f"unique parameter(s) {', '.join(conflicts)} set for one instance only; "
                         "give the second instance's values with -O name=value")
        return
    names = _parallel_names(session)
    kwargs = {name: _instance_ops(session, name) for name in names}
    steps = [f"start {name} (in parallel)" for name in names]
    running = [session.spawn(step, "start", **kwargs[name]) for step, name in zip(steps, names)]
    results = [session.record(step, session.wait(handle)) for step, handle in zip(steps, running)]
    started = [name for name, result in zip(names, results)
               if session.expect("concurrency.parallel", f"parallel start of {name}", result, (0,), FIX_PARALLEL_START)]
    steps = {name: f"monitor {name}" for name in started}
    monitors = {name: session.spawn(steps[name], "monitor", interval_ms=session.monitor_interval_ms(), **kwargs[name])
                for name in started}  # both at once, as Pacemaker runs the recurring monitors of two resources
    for name, handle in monitors.items():
        session.expect("concurrency.parallel", f"monitor of {name}", session.record(steps[name], session.wait(handle)),
                       (0,), "instances keep separate state (key it by OCF_RESOURCE_INSTANCE)")
    first, second = names
    lifecycle.stop(session, f"stop {first}", **kwargs[first])
    if second in started:
        session.expect("concurrency.parallel", f"monitor of {second} after stopping {first}",
                       lifecycle.monitor(session, f"monitor {second} after stopping {first}", **kwargs[second]), (0,),
                       "stopping one instance must not touch another")
    lifecycle.stop(session, f"stop {second}", **kwargs[second])
    for name in names:
        hygiene.check_after_stop(session, f"after stopping {name}", token=f"{session.token}-{name}")


def check_awkward_values(session: Session) -> None:
    """A lifecycle with extra parameters whose names and values need care (V10)."""
    params = dict(session.config.params, **AWKWARD_PARAMS)
    session.log.ran("concurrency.awkward-values")
    ok = session.expect("concurrency.awkward-values", "start with awkward parameter values",
                        session.run("start (awkward values)", "start", params=params), (0,),
                        "read parameters from the environment as data: never eval them, never assume shell-safe names")
    if ok:
        session.expect("concurrency.awkward-values", "monitor with awkward parameter values",
                       lifecycle.monitor(session, "monitor (awkward values)", params=params), (0,),
                       "read parameters from the environment as data")
    session.expect("concurrency.awkward-values", "stop with awkward parameter values",
                   session.run("stop (awkward values)", "stop", params=params), (0,), lifecycle.FIX_STOP)
    hygiene.check_after_stop(session, "after the awkward-values run")

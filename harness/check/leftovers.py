"""What a check could not stop: later checks get an instance of their own, or say they inherit that failure."""

from __future__ import annotations

from typing import Optional

from harness.check import lanes
from harness.check.findings import INFO, Finding

OWN_INSTANCE_PREFIX = "r"  # NAME-r1, NAME-r2...: later checks moved off an instance an earlier check left behind


def identifying_values(md, params) -> dict:
    """The values of the parameters the meta-data declares unique (or in a unique-group), defaults included."""
    if md is None:
        return {}
    values = {}
    for parameter in md.parameters:
        if parameter.flag("unique") or parameter.attrs.get("unique-group"):
            value = params.get(parameter.name, parameter.default or "")
            if value:
                values[parameter.name] = value
    return values


class Conflict:
    """A later check's instance meets a resource an earlier check left behind."""

    __slots__ = ("check", "op", "shared")

    def __init__(self, check: str, op, shared: dict) -> None:
        self.check, self.op, self.shared = check, op, shared  # shared: identifying values both would use

    def describe(self) -> str:
        same = ", ".join(f"{name}={value}" for name, value in self.shared.items()) or f"instance {self.op.instance}"
        return f"{self.check} left {self.op.instance} behind (its stop did not return 0), and this check would reuse {same}"


class Leftovers:
    """Instances the run's StartedInstances still holds after a check ended, each with the check that left it."""

    def __init__(self) -> None:
        self.left: dict = {}  # StartedInstances key -> (check, Operation)
        self.moved = 0  # checks moved to an instance of their own so far

    def record(self, check: str, started) -> None:
        """After check: what is still started is its leftover (unless an earlier check left it already)."""
        current = started.snapshot()
        self.left = {key: self.left.get(key, (check, op)) for key, op in current.items()}

    def conflict(self, md, uses: list) -> Optional[Conflict]:
        """The leftover that uses [(instance, params)] would meet: shared identifying values first, then the instance."""
        found = None
        for instance, params in uses:
            mine = identifying_values(md, params)
            for check, op in self.left.values():
                theirs = identifying_values(md, op.params)
                shared = {name: value for name, value in mine.items() if theirs.get(name) == value}
                if shared:
                    return Conflict(check, op, shared)
                if found is None and op.instance == instance:
                    found = Conflict(check, op, {})
        return found


def run_in_turn(session, left: Leftovers, check: str, run, uses: list) -> None:
    """run(session) unless a leftover of an earlier check is in its way (serial order only); then left records its own.

    Left behind under the same instance only: run moves to an instance of its own (NAME-rN).
    Sharing an identifying value the checker cannot make up: run is skipped with the finding
    run.inherited, which names the earlier check; its own defect is reported there, not here."""
    conflict = left.conflict(session.md, uses)
    if conflict is None:
        run(session)
    elif not conflict.shared:
        left.moved += 1
        child = lanes.lane(session, f"{OWN_INSTANCE_PREFIX}{left.moved}", _seen(session))
        session.say(f"  {check}: {conflict.describe()}; it runs on {child.config.instance} instead")
        try:
            run(child)
        finally:
            lanes.merge(session, child)
    else:
        session.log.skip(check, f"inherits the failure of {conflict.check}")
        session.log.add(Finding("run.inherited", INFO, f"{check} did not run: {conflict.describe()}",
                                f"fix what {conflict.check} reports; {check} then runs again"))
    left.record(check, session.started)


def _seen(session) -> set:
    """The exit-reason hygiene's record of findings already made, so a moved check does not repeat them."""
    for observer in session.observers:
        if hasattr(observer, "seen"):
            return observer.seen
    return set()

"""A resource as the CIB would define it: agent, parameters, operations and the meta attributes recovery reads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Optional, Tuple

from harness.execd import DEFAULT_TIMEOUT_MS

INFINITY = 1000000  # Pacemaker's score INFINITY; also what a fail count of INFINITY prints as
ON_FAIL_VALUES = ("ignore", "nothing", "block", "stop", "restart", "fence", "standby", "migrate")
_UNIT_MS = {"ms": 1, "msec": 1, "us": 0.001, "usec": 0.001, "s": 1000, "sec": 1000,
            "m": 60000, "min": 60000, "h": 3600000, "hr": 3600000}
_ISO = re.compile(r"PT?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", re.IGNORECASE)
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


class SpecError(ValueError):
    """A resource or operation definition Pacemaker would refuse; the message is one line."""


def parse_interval(text: str, what: str = "interval") -> int:
    """Milliseconds from Pacemaker's interval syntax: 120s, 2min, 500ms, 1h, a bare number of seconds, PT2M."""
    value = str(text).strip()
    iso = _ISO.fullmatch(value) if value[:1] in "Pp" else None
    if iso and any(iso.groups()):
        hours, minutes, seconds = (int(g or 0) for g in iso.groups())
        return ((hours * 60 + minutes) * 60 + seconds) * 1000
    match = re.fullmatch(r"(\d+)\s*([A-Za-z]*)", value)
    if not match or match.group(2).lower() not in ("",) + tuple(_UNIT_MS):
        raise SpecError(f"invalid {what} {text!r}: expected e.g. 120s, 2min, 500ms or 1h")
    unit = match.group(2).lower() or "s"
    return int(int(match.group(1)) * _UNIT_MS[unit])


def parse_score(text: str, what: str) -> int:
    """A score as Pacemaker reads it: INFINITY (+/-) or an integer, capped at +/-1000000."""
    value = str(text).strip()
    if value.lstrip("+").upper() == "INFINITY":
        return INFINITY
    if value.upper() == "-INFINITY":
        return -INFINITY
    try:
        return max(-INFINITY, min(INFINITY, int(value)))
    except ValueError:
        raise SpecError(f"invalid {what} {text!r}: expected an integer or INFINITY") from None


@dataclass(frozen=True)
class OpSpec:
    """One <op> of a resource: monitor interval=10s timeout=20s role=Promoted on-fail=restart."""

    action: str
    interval_ms: int = 0
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    role: Optional[str] = None
    on_fail: Optional[str] = None
    start_delay_ms: int = 0

    def __post_init__(self) -> None:
        if not self.action or not isinstance(self.action, str):
            raise SpecError("an operation needs an action name")
        if self.interval_ms < 0 or self.timeout_ms <= 0 or self.start_delay_ms < 0:
            raise SpecError(f"operation {self.action}: interval and start-delay must be >= 0, timeout > 0")
        if self.on_fail is not None and self.on_fail not in ON_FAIL_VALUES:
            raise SpecError(f"operation {self.action}: on-fail={self.on_fail!r} is not modelled; "
                            f"choose one of {', '.join(ON_FAIL_VALUES)}")


@dataclass(frozen=True)
class ResourceSpec:
    """A primitive resource: id, ocf:PROVIDER:TYPE (or a path), instance attributes, ops, meta."""

    id: str
    agent: str
    params: Mapping[str, str] = field(default_factory=dict)
    ops: Tuple[OpSpec, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            raise SpecError(f"resource id {self.id!r} is not a valid XML ID (letters, digits, _ . -)")
        self.migration_threshold  # noqa: B018 - validate the meta attributes now
        self.failure_timeout_ms  # noqa: B018

    def _meta(self, name: str) -> Optional[str]:
        return self.meta.get(name, self.meta.get(name.replace("-", "_")))

    @property
    def migration_threshold(self) -> int:
        value = self._meta("migration-threshold")
        return INFINITY if value is None else max(0, parse_score(value, "migration-threshold"))

    @property
    def failure_timeout_ms(self) -> int:
        value = self._meta("failure-timeout")
        return 0 if value is None else parse_interval(value, "failure-timeout")

    @property
    def target_role(self) -> str:
        return self._meta("target-role") or "Started"

    def op(self, action: str, interval_ms: int = 0) -> Optional[OpSpec]:
        for spec in self.ops:
            if spec.action == action and spec.interval_ms == interval_ms:
                return spec
        return None

    def timeout_ms(self, action: str, interval_ms: int = 0) -> int:
        spec = self.op(action, interval_ms)
        return spec.timeout_ms if spec is not None else DEFAULT_TIMEOUT_MS

    def recurring(self, role: str = "Started") -> Tuple[OpSpec, ...]:
        """The recurring monitors to run while the resource is in `role`."""
        wanted = ("Promoted", "Master") if role == "Promoted" else (None, "Started", "Unpromoted", "Slave")
        return tuple(op for op in self.ops if op.action == "monitor" and op.interval_ms > 0 and op.role in wanted)

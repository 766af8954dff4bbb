"""The validator's records: one Finding per problem, and the CheckLog of which checks ran."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True)
class Finding:
    """One problem (or note) found by a named check."""

    check: str                      # e.g. "lifecycle.monitor-stopped"
    severity: str                   # error | warning | info
    message: str                    # what was seen, one line
    fix: str = ""                   # what the agent author should change
    action: Optional[str] = None    # the agent action involved, if any
    rc: Optional[int] = None        # the OCF code seen (execd-mapped)
    expected: Optional[str] = None  # what was expected, e.g. "7" or "0|8"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    def as_dict(self) -> dict:
        return {
            "check": self.check, "severity": self.severity, "action": self.action,
            "rc": self.rc, "expected": self.expected, "message": self.message, "fix": self.fix,
        }


class CheckLog:
    """Every check that ran, in order, with its findings (a check with none passed)."""

    def __init__(self, agent: str) -> None:
        self.agent = agent
        self.checks: dict = {}   # check name -> list[Finding]
        self.skipped: dict = {}  # check name -> reason
        self.actions = 0  # agent actions run
        self.ended: Optional[str] = None  # how a run that did not finish ended: SIGTERM, max-time, error...
        self.signum: Optional[int] = None  # the signal that ended it, if one did
        self.crash: Optional[BaseException] = None  # the check's own exception, when ended == "error"

    def ran(self, check: str) -> None:
        self.checks.setdefault(check, [])

    def add(self, finding: Finding) -> Finding:
        self.checks.setdefault(finding.check, []).append(finding)
        return finding

    def skip(self, check: str, reason: str) -> None:
        self.skipped[check] = reason

    @property
    def findings(self) -> list:
        return [f for found in self.checks.values() for f in found]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def failed(self) -> bool:
        return self.count(ERROR) > 0

    def by_check(self, check: str) -> list:
        return list(self.checks.get(check, []))

    @property
    def errors(self) -> list:
        return [f for f in self.findings if f.severity == ERROR]

    def text(self, verbose: bool = False) -> str:
        """The ocfpy-check text report (for assertion messages)."""
        from harness.check.report import as_text

        return as_text(self, verbose=verbose)

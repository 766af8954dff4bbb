"""The outcome of one action: mapped OCF code, execution status, exit reason, output and timing."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional

from .codes import ocf_name
from .operation import Operation


class ExecStatus(enum.IntEnum):
    """pcmk_exec_status of Pacemaker 2.1.5 (include/crm/common/results.h)."""

    DONE = 0
    CANCELLED = 1
    TIMEOUT = 2
    NOT_SUPPORTED = 3
    ERROR = 4
    ERROR_HARD = 5
    ERROR_FATAL = 6
    NOT_INSTALLED = 7
    NOT_CONNECTED = 8
    INVALID = 9
    NO_FENCE_DEVICE = 10
    NO_SECRETS = 11

    @property
    def text(self) -> str:
        """pcmk_exec_status_str()."""
        return _STATUS_TEXT[self]


_STATUS_TEXT = {
    ExecStatus.DONE: "complete",
    ExecStatus.CANCELLED: "Cancelled",
    ExecStatus.TIMEOUT: "Timed Out",
    ExecStatus.NOT_SUPPORTED: "NOT SUPPORTED",
    ExecStatus.ERROR: "Error",
    ExecStatus.ERROR_HARD: "Hard error",
    ExecStatus.ERROR_FATAL: "Fatal error",
    ExecStatus.NOT_INSTALLED: "Not installed",
    ExecStatus.NOT_CONNECTED: "Internal communication failure",
    ExecStatus.INVALID: "Cannot execute now",
    ExecStatus.NO_FENCE_DEVICE: "No fence device",
    ExecStatus.NO_SECRETS: "CIB secrets unavailable",
}


@dataclass(frozen=True)
class Result:
    """What execd would report for one action, plus what the harness saw of the process."""

    action: str
    rc: int  # the mapped OCF code execd reports
    agent_exit: Optional[int]  # the raw exit status; None if the agent was not run or was killed
    status: ExecStatus
    exit_reason: Optional[str]
    stdout: bytes
    stderr: bytes
    pid: Optional[int]
    signal: Optional[int]  # the signal that ended the agent, if any
    started: float  # time.monotonic() at spawn
    elapsed: float  # seconds from spawn to reaping
    op: Operation = field(repr=False)
    nul_on_stderr: bool = False  # the agent wrote a NUL byte on stderr (execd lost what followed it in its read)

    @property
    def output(self) -> bytes:
        """What execd hands back to the controller: stderr if non-empty, otherwise stdout."""
        return self.stderr if self.stderr else self.stdout

    @property
    def rc_name(self) -> str:
        return ocf_name(self.rc)

    @property
    def ok(self) -> bool:
        return self.status == ExecStatus.DONE and self.rc == 0

    @property
    def metadata_ok(self) -> bool:
        """Whether the controller would accept this as meta-data: exit 0 and non-empty stdout (H14)."""
        return self.status == ExecStatus.DONE and self.rc == 0 and bool(self.stdout)

    def summary(self) -> str:
        """One line, in the words execd logs: 'monitor: rc=7 (not running) status=complete'."""
        line = f"{self.action}: rc={self.rc} ({self.rc_name}) status={self.status.text}"
        if self.exit_reason is not None:
            line += f" reason={self.exit_reason!r}"
        return line

"""OCF exit codes: the only values pacemaker-execd passes through unchanged."""

from __future__ import annotations

from enum import IntEnum


class OCFExit(IntEnum):
    """Exit codes of OCF 1.1 plus Pacemaker's degraded codes (execd maps any other value to 1)."""

    SUCCESS = 0
    ERR_GENERIC = 1
    ERR_ARGS = 2
    ERR_UNIMPLEMENTED = 3
    ERR_PERM = 4
    ERR_INSTALLED = 5
    ERR_CONFIGURED = 6
    NOT_RUNNING = 7
    RUNNING_PROMOTED = 8
    FAILED_PROMOTED = 9
    DEGRADED = 190
    DEGRADED_PROMOTED = 191
    # Names used before Pacemaker 2.1 renamed the roles; same values.
    RUNNING_MASTER = 8
    FAILED_MASTER = 9
    DEGRADED_MASTER = 191


#: Codes only ``monitor`` may return: Pacemaker treats them as failure from any other action.
DEGRADED_CODES = frozenset((OCFExit.DEGRADED, OCFExit.DEGRADED_PROMOTED))


def describe(code: int) -> str:
    """``7`` -> ``"OCF_NOT_RUNNING"``; anything execd would rewrite is named as such."""
    try:
        return "OCF_" + OCFExit(code).name
    except ValueError:
        return f"{code} (not an OCF code: execd reports it as OCF_ERR_GENERIC)"

"""OCFExit: the OCF exit codes as an IntEnum, built from the table in :mod:`ocfpy.codes`."""

from __future__ import annotations

from enum import IntEnum

from ocfpy import codes

OCFExit = IntEnum("OCFExit", codes.MEMBERS, module=__name__)
OCFExit.__doc__ = ("Exit codes of OCF 1.1 plus Pacemaker's degraded codes, with the pre-2.1 "
                   "Master names as aliases (execd maps any other value to 1).")

#: Codes only ``monitor`` may return, as OCFExit members.
DEGRADED_CODES = frozenset(OCFExit(code) for code in codes.DEGRADED_CODES)


def describe(code: int) -> str:
    """``7`` -> ``"OCF_NOT_RUNNING"``; anything execd would rewrite is named as such."""
    try:
        return "OCF_" + OCFExit(code).name
    except ValueError:
        return f"{code} (not an OCF code: execd reports it as OCF_ERR_GENERIC)"

"""OCFExit: the OCF exit codes as an IntEnum, built from the table in :mod:`ocfpy.codes`."""

from __future__ import annotations

from enum import IntEnum

from ocfpy import codes

OCFExit = IntEnum("OCFExit", codes.MEMBERS, module=__name__)
OCFExit.__doc__ = ("Exit codes of OCF 1.1 plus Pacemaker's degraded codes, with the pre-2.1 "
                   "Master names as aliases (execd maps any other value to 1).")

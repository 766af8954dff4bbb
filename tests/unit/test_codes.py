"""Exit codes: one table, as plain ints and as the OCFExit IntEnum with Promoted and Master names."""

from __future__ import annotations

from enum import IntEnum

import ocfpy
from ocfpy import codes


def test_ocfexit_is_an_intenum_of_the_same_table():
    from ocfpy import OCFExit

    assert issubclass(OCFExit, IntEnum)
    assert {member.name: int(member) for member in OCFExit} == {
        "SUCCESS": 0, "ERR_GENERIC": 1, "ERR_ARGS": 2, "ERR_UNIMPLEMENTED": 3, "ERR_PERM": 4,
        "ERR_INSTALLED": 5, "ERR_CONFIGURED": 6, "NOT_RUNNING": 7, "RUNNING_PROMOTED": 8,
        "FAILED_PROMOTED": 9, "DEGRADED": 190, "DEGRADED_PROMOTED": 191,
    }
    assert OCFExit.RUNNING_MASTER is OCFExit.RUNNING_PROMOTED
    assert OCFExit.FAILED_MASTER is OCFExit.FAILED_PROMOTED
    assert OCFExit.DEGRADED_MASTER is OCFExit.DEGRADED_PROMOTED
    assert OCFExit(7) == codes.NOT_RUNNING and OCFExit(8).name == "RUNNING_PROMOTED"


def test_valid_codes_are_exactly_what_execd_passes_through():
    assert codes.VALID == set(range(10)) | {190, 191}


def test_unknown_attributes_are_still_errors():
    try:
        ocfpy.NoSuchThing
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("ocfpy.NoSuchThing did not raise")

"""The scheduler's reading of a result (Pacemaker 2.1.5 remap_operation/unpack_rsc_op), row by row."""

from __future__ import annotations

import pytest

from harness.execd import ExecStatus
from harness.sim.interpret import FATAL, HARD, SOFT, expected_rc, interpret, writes_last_failure

DONE, ERROR = ExecStatus.DONE, ExecStatus.ERROR
P10 = 10000  # a recurring interval


@pytest.mark.parametrize("action, interval, role, expected", [
    ("monitor", 0, None, 7),
    ("monitor", 0, "Promoted", 7),
    ("monitor", P10, None, 0),
    ("monitor", P10, "Started", 0),
    ("monitor", P10, "Unpromoted", 0),
    ("monitor", P10, "Promoted", 8),
    ("monitor", P10, "Master", 8),
    ("start", 0, None, 0),
    ("stop", 0, None, 0),
    ("promote", 0, None, 0),
    ("notify", 0, None, 0),
])
def test_expected_code(action, interval, role, expected):
    assert expected_rc(action, interval, role) == expected


# action, interval, role, rc, exec status -> remapped rc, status, severity, role, listed, masked, stop failed
ROWS = [
    # probes: 7 is expected, 0 and 8 mean "found active", 5/2/not installed are masked
    ("monitor", 0, None, 7, DONE, 7, DONE, None, "Stopped", False, False, False),
    ("monitor", 0, None, 0, DONE, 0, DONE, None, "Started", False, False, False),
    ("monitor", 0, None, 8, DONE, 8, DONE, None, "Promoted", False, False, False),
    ("monitor", 0, None, 5, DONE, 7, DONE, None, "Stopped", False, True, False),
    ("monitor", 0, None, 2, DONE, 7, DONE, None, "Stopped", False, True, False),
    ("monitor", 0, None, 5, ExecStatus.NOT_INSTALLED, 7, DONE, None, "Stopped", False, True, False),
    ("monitor", 0, None, 1, DONE, 1, ERROR, SOFT, "Started", True, False, False),
    ("monitor", 0, None, 3, DONE, 3, ExecStatus.ERROR_HARD, HARD, "Started", True, False, False),
    ("monitor", 0, None, 4, DONE, 4, ExecStatus.ERROR_HARD, HARD, "Started", True, False, False),
    ("monitor", 0, None, 6, DONE, 6, ExecStatus.ERROR_FATAL, FATAL, "Started", True, False, False),
    ("monitor", 0, None, 9, DONE, 9, ERROR, SOFT, "Promoted", True, False, False),
    ("monitor", 0, None, 190, DONE, 0, DONE, None, "Started", True, False, False),
    # recurring monitors
    ("monitor", P10, None, 0, DONE, 0, DONE, None, "Started", False, False, False),
    ("monitor", P10, None, 7, DONE, 7, ERROR, SOFT, "Started", True, False, False),
    ("monitor", P10, None, 190, DONE, 0, DONE, None, "Started", True, False, False),
    ("monitor", P10, None, 191, DONE, 8, ERROR, SOFT, "Promoted", True, False, False),
    ("monitor", P10, None, 8, DONE, 8, ERROR, SOFT, "Promoted", True, False, False),
    ("monitor", P10, None, 3, DONE, 3, ExecStatus.NOT_SUPPORTED, SOFT, "Started", True, False, False),
    ("monitor", P10, None, 2, DONE, 2, ExecStatus.ERROR_HARD, HARD, "Started", True, False, False),
    ("monitor", P10, None, 5, DONE, 5, ExecStatus.ERROR_HARD, HARD, "Started", True, False, False),
    ("monitor", P10, None, 6, DONE, 6, ExecStatus.ERROR_FATAL, FATAL, "Started", True, False, False),
    ("monitor", P10, None, 1, ExecStatus.TIMEOUT, 1, ExecStatus.TIMEOUT, SOFT, "Started", True, False, False),
    ("monitor", P10, None, 0, ExecStatus.CANCELLED, 0, ExecStatus.CANCELLED, None, None, False, False, False),
    ("monitor", P10, "Promoted", 8, DONE, 8, DONE, None, "Promoted", False, False, False),
    ("monitor", P10, "Promoted", 191, DONE, 8, DONE, None, "Promoted", True, False, False),
    ("monitor", P10, "Promoted", 0, DONE, 0, ERROR, SOFT, "Started", True, False, False),
    # degraded codes are remapped only for monitor: from start they are failures
    ("start", 0, None, 0, DONE, 0, DONE, None, "Started", False, False, False),
    ("start", 0, None, 190, DONE, 190, ERROR, SOFT, "Started", True, False, False),
    ("start", 0, None, 7, DONE, 7, ERROR, SOFT, "Started", True, False, False),
    ("start", 0, None, 5, DONE, 5, ExecStatus.ERROR_HARD, HARD, "Started", True, False, False),
    ("start", 0, None, 1, ERROR, 1, ERROR, SOFT, "Started", True, False, False),
    ("start", 0, None, 5, ExecStatus.NOT_INSTALLED, 5, ExecStatus.NOT_INSTALLED, HARD, "Started", True, False, False),
    ("start", 0, None, 1, ExecStatus.ERROR_FATAL, 1, ExecStatus.ERROR_FATAL, FATAL, "Started", True, False, False),
    ("start", 0, None, 1, ExecStatus.NO_SECRETS, 1, ExecStatus.NO_SECRETS, HARD, "Started", True, False, False),
    # a failed stop can only be recovered by fencing
    ("stop", 0, None, 0, DONE, 0, DONE, None, "Stopped", False, False, False),
    ("stop", 0, None, 1, DONE, 1, ERROR, SOFT, "Started", True, False, True),
    ("stop", 0, None, 5, DONE, 5, ExecStatus.ERROR_HARD, HARD, "Started", True, False, True),
    ("stop", 0, None, 1, ExecStatus.TIMEOUT, 1, ExecStatus.TIMEOUT, SOFT, "Started", True, False, True),
    # promotion
    ("promote", 0, None, 0, DONE, 0, DONE, None, "Promoted", False, False, False),
    ("promote", 0, None, 1, DONE, 1, ERROR, SOFT, "Promoted", True, False, False),
    ("demote", 0, None, 0, DONE, 0, DONE, None, "Unpromoted", False, False, False),
    ("demote", 0, None, 7, DONE, 7, ERROR, SOFT, "Stopped", True, False, False),
    ("demote", 0, None, 1, DONE, 1, ERROR, SOFT, "Unpromoted", True, False, False),
]


@pytest.mark.parametrize("action, interval, role, rc, status, rc2, status2, severity, new_role, listed, masked, "
                         "stop_failed", ROWS)
def test_interpretation(action, interval, role, rc, status, rc2, status2, severity, new_role, listed, masked,
                        stop_failed):
    verdict = interpret(action, interval, rc, status, role=role)

    assert (verdict.rc, verdict.status, verdict.severity) == (rc2, status2, severity)
    assert (verdict.role, verdict.listed, verdict.masked_probe, verdict.stop_failed) == (
        new_role, listed, masked, stop_failed)
    assert verdict.failed == (severity is not None)


def test_an_explicit_expected_code_overrides_the_default():
    assert not interpret("monitor", P10, 7, DONE, expected=7).failed
    assert interpret("start", 0, 0, DONE, expected=7).failed


@pytest.mark.parametrize("rc, status, expected, writes", [
    (0, DONE, 0, False),
    (7, DONE, 0, True),
    (190, DONE, 0, True),  # the raw code differs: a last-failure entry (then listed as degraded)
    (0, DONE, 7, True),  # a probe finding the resource active
    (5, ExecStatus.NOT_INSTALLED, 7, True),
    (0, ExecStatus.TIMEOUT, 0, True),
    (0, ExecStatus.CANCELLED, 0, False),
])
def test_last_failure_entry_is_written_on_raw_mismatch_or_failed_status(rc, status, expected, writes):
    assert writes_last_failure(rc, status, expected) is writes

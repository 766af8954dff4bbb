"""Exit-code mapping and Pacemaker's readable interval format (pcmk__readable_interval of 2.1.5)."""

from __future__ import annotations

import pytest

from harness.execd.codes import map_exit_code, ocf_name, readable_interval


@pytest.mark.parametrize("ms, text", [
    (1, "1ms"), (999, "999ms"), (1000, "1000ms"), (1001, "1.001s"), (1500, "1.500s"), (2000, "2s"),
    (20000, "20s"), (59999, "59.999s"), (60000, "60s"), (60001, "1m1ms"), (61000, "1m1000ms"),
    (90000, "1m30s"), (3600000, "60m"), (3600001, "1h1ms"), (3661000, "1h1m1000ms"),
    (86400000, "24h"), (86400001, "1d1ms"), (90061500, "1d1h1m1.500s"),
])
def test_readable_interval_matches_pacemaker_strict_comparisons(ms, text):
    assert readable_interval(ms) == text


@pytest.mark.parametrize("exit_status, rc", [
    *[(code, code) for code in range(10)], (190, 190), (191, 191),
    (10, 1), (99, 1), (126, 1), (127, 1), (189, 1), (192, 1), (199, 1), (255, 1), (-1, 1),
])
def test_map_exit_code_keeps_0_to_9_and_degraded_codes(exit_status, rc):
    assert map_exit_code(exit_status) == rc


def test_ocf_names_are_pacemakers():
    assert [ocf_name(rc) for rc in (0, 7, 9, 190, 191, 42)] == [
        "ok", "not running", "promoted (failed)", "OCF_DEGRADED", "promoted (degraded)", "unknown"]

"""Exit-reason parsing as parse_exit_reason_from_stderr() of 2.1.5 does it, and NUL truncation."""

from __future__ import annotations

import pytest

from harness.execd.reasons import parse_exit_reason, reason_is_capped, truncate_at_nul_per_chunk

LONG = b"R" * 150


@pytest.mark.parametrize("stderr, reason", [
    (b"", None),
    (b"just noise\n", None),
    (b"ocf-exit-reason:simple\n", "simple"),
    (b"ocf-exit-reason:no newline at end", "no newline at end"),
    (b"ocf-exit-reason:first\nocf-exit-reason:second\n", "second"),
    (b"ocf-exit-reason:first\nnoise ocf-exit-reason:mid-line wins\nmore\n", "mid-line wins"),
    (b"ocf-exit-reason:kept\nocf-exit-reason:\n", None),  # the last one is empty: no reason at all
    (b"ocf-exit-reason:   leading spaces\n", "   leading spaces"),
    (b"ocf-exit-reason: \n", " "),
    (b"ocf-exit-reason:trailing cr\r\n", "trailing cr\r"),
    (b"OCF-EXIT-REASON:case matters\n", None),
    (b"ocf-exit-reason:" + LONG + b"\n", "R" * 128),
    ("ocf-exit-reason:caf\u00e9\n".encode(), "caf\u00e9"),
])
def test_parse_exit_reason_2_1_5(stderr, reason):
    assert parse_exit_reason(stderr, "2.1.5") == reason


@pytest.mark.parametrize("version, capped", [
    ("2.1.5", True), ("2.1.9", True), ("3.0.1", True), ("3.0.2", False), ("3.1.0", False), ("2.1.5-rc1", True),
])
def test_reason_cap_version_switch(version, capped):
    assert reason_is_capped(version) is capped
    expected = "R" * (128 if capped else 150)
    assert parse_exit_reason(b"ocf-exit-reason:" + LONG + b"\n", version) == expected


def test_nul_truncation_loses_the_rest_of_its_499_byte_chunk_only():
    data = b"before\0after-in-same-chunk" + b"x" * 600 + b"ocf-exit-reason:late\n"

    kept = truncate_at_nul_per_chunk(data)

    assert kept == b"before" + data[499:]
    assert parse_exit_reason(kept) == "late"


def test_nul_truncation_drops_a_reason_behind_a_nul_in_its_chunk():
    kept = truncate_at_nul_per_chunk(b"before\0ocf-exit-reason:lost\n")

    assert kept == b"before" and parse_exit_reason(kept) is None

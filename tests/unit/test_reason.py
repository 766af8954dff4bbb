"""Exit reasons: one line, no hidden second reason, at most 128 bytes cut on a UTF-8 boundary."""

from __future__ import annotations

import pytest

from ocfpy.reason import REASON_LIMIT, clean_message, reason_line, truncate_utf8

CASES = [
    # (message, the text after the prefix)
    ("plain", "plain"),
    ("two\nlines", "two lines"),
    ("crlf\r\nend", "crlf end"),
    ("tab\there", "tab here"),
    ("nul\x00byte", "nulbyte"),
    ("bell\x07", "bell"),
    ("hidden ocf-exit-reason:second", "hidden second"),
    ("  padded  ", "padded"),
    ("ünïcødé", "ünïcødé"),
]


@pytest.mark.parametrize("message, text", CASES)
def test_reason_is_one_clean_line(message, text):
    line = reason_line(message)
    assert line == b"ocf-exit-reason:" + text.encode() + b"\n"
    assert line.count(b"\n") == 1 and b"\x00" not in line
    assert line.count(b"ocf-exit-reason:") == 1


@pytest.mark.parametrize("message", ["x" * 500, "é" * 200, "✓" * 100, "a" + "😀" * 60])
def test_long_reasons_are_cut_to_the_limit_on_a_character_boundary(message):
    body = truncate_utf8(clean_message(message))
    assert len(body) <= REASON_LIMIT
    assert body.endswith(b"...")
    body.decode("utf-8")  # raises if a character was split


def test_a_reason_that_fits_is_not_marked():
    assert truncate_utf8("x" * REASON_LIMIT) == b"x" * REASON_LIMIT


def test_a_custom_prefix_is_used_and_scrubbed():
    assert reason_line("a PFX:b", prefix="PFX:") == b"PFX:a b\n"

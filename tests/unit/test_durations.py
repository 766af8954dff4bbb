"""Durations as Pacemaker writes them: parsed to milliseconds, refused with one line when they are not."""

from __future__ import annotations

import pytest

from ocfpy import Parameter
from ocfpy.durations import check_duration, check_positive_duration, parse_ms, parse_seconds, show_ms


@pytest.mark.parametrize("text, ms", [
    ("5s", 5000), ("5", 5000), (" 5 s ", 5000), ("1500ms", 1500), ("2msec", 2),
    ("3sec", 3000), ("2m", 120000), ("2min", 120000), ("1h", 3600000), ("1hr", 3600000),
    ("2500us", 2), ("10usec", 0), ("0", 0), ("5S", 5000),
])
def test_pacemaker_spellings_parse_to_milliseconds(text, ms):
    assert parse_ms(text) == ms


@pytest.mark.parametrize("text", ["", "s", "5x", "1.5s", "-5s", "5 s s", "PT5S", "٣s", "5s;reboot"])
def test_anything_else_is_refused_with_one_line(text):
    with pytest.raises(ValueError) as error:
        parse_ms(text)

    assert "is not a duration" in str(error.value) and "\n" not in str(error.value)


def test_seconds_and_the_form_every_tool_reads_back():
    assert parse_seconds("1500ms") == 1.5
    assert show_ms(parse_ms("5s")) == "5000ms"


def test_a_string_parameter_checked_as_a_duration_keeps_its_text_and_refuses_junk():
    dampen = Parameter("dampen", default="5s", check=check_duration, shortdesc="Dampening")

    assert dampen.typed_default() == "5s"
    with pytest.raises(ValueError, match="is not a duration"):
        dampen.convert("soon")


def test_a_duration_parameter_is_in_milliseconds_and_empty_means_its_default():
    # ocf:pacemaker:ping takes dampen="" as its 5s (: ${OCF_RESKEY_dampen:="5s"})
    dampen = Parameter("dampen", "duration", default="5s", shortdesc="Dampening")

    assert (dampen.typed_default(), dampen.convert(""), dampen.convert("1min")) == (5000, 5000, 60000)
    assert dampen.default_text() == "5s" and dampen.content_type == "string"
    with pytest.raises(ValueError, match="is not a duration"):
        dampen.convert("soon")


def test_a_positive_duration_refuses_zero():
    check_positive_duration("1ms")
    with pytest.raises(ValueError, match="not longer than zero"):
        check_positive_duration("0s")

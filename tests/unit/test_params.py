"""Parameter declarations: conversion tables, defaults, and declarations that cannot work."""

from __future__ import annotations

import pytest

from ocfpy import Parameter, is_true

# (declaration, raw value from the environment, typed value)
VALID = [
    (Parameter("s", shortdesc="s"), "plain", "plain"),
    (Parameter("s", shortdesc="s"), "", ""),  # set but empty stays empty
    (Parameter("s", shortdesc="s"), "it's \"quoted\" $(x); `y` <&>", "it's \"quoted\" $(x); `y` <&>"),
    (Parameter("s", shortdesc="s"), "ünïcødé ✓", "ünïcødé ✓"),
    (Parameter("m", shortdesc="m", multiline=True), "two\nlines", "two\nlines"),
    (Parameter("i", "integer", shortdesc="i"), "42", 42),
    (Parameter("i", "integer", shortdesc="i"), " -7 ", -7),
    (Parameter("i", "integer", shortdesc="i"), "+3", 3),
    (Parameter("i", "integer", shortdesc="i", minimum=0, maximum=10), "10", 10),
    # empty means the default, as Pacemaker's shell agents take op_sleep=""
    (Parameter("i", "integer", shortdesc="i", default=3), "", 3),
    (Parameter("i", "integer", shortdesc="i", default=3), "  ", 3),
    (Parameter("i", "integer", shortdesc="i"), "", None),
    (Parameter("f", "number", shortdesc="f"), "0.5", 0.5),
    (Parameter("f", "number", shortdesc="f"), " .25 ", 0.25),
    (Parameter("f", "number", shortdesc="f"), "2", 2.0),
    (Parameter("f", "number", shortdesc="f"), "-1.5", -1.5),
    (Parameter("f", "number", shortdesc="f", default=0), "", 0.0),
    (Parameter("f", "number", shortdesc="f", minimum=0, maximum=1), "1.0", 1.0),
    (Parameter("b", "boolean", shortdesc="b"), "yes", True),
    (Parameter("b", "boolean", shortdesc="b"), "TRUE", True),
    (Parameter("b", "boolean", shortdesc="b"), "y", True),
    (Parameter("b", "boolean", shortdesc="b"), "on", True),
    (Parameter("b", "boolean", shortdesc="b"), "1", True),
    (Parameter("b", "boolean", shortdesc="b"), "Off", False),
    (Parameter("b", "boolean", shortdesc="b"), "n", False),
    (Parameter("b", "boolean", shortdesc="b"), "0", False),
    # empty means the default here too, as ocf:pacemaker:ping takes use_fping=""
    (Parameter("b", "boolean", shortdesc="b", default=True), "", True),
    (Parameter("b", "boolean", shortdesc="b", default=False), " ", False),
    (Parameter("b", "boolean", shortdesc="b"), "", None),
    (Parameter("d", "duration", shortdesc="d"), "1500ms", 1500),
    (Parameter("d", "duration", shortdesc="d"), "5", 5000),
    (Parameter("d", "duration", shortdesc="d"), "0", 0),
    (Parameter("d", "duration", shortdesc="d", default="5s"), "", 5000),
    (Parameter("d", "duration", shortdesc="d"), "", None),
    (Parameter("c", "select", shortdesc="c", choices=("ext4", "xfs")), "xfs", "xfs"),
]

# (declaration, raw value, words the one-line error must contain)
INVALID = [
    (Parameter("i", "integer", shortdesc="i"), "1.5", "not an integer"),
    (Parameter("f", "number", shortdesc="f"), "abc", "not a number"),
    (Parameter("f", "number", shortdesc="f"), "1e3", "no unit or exponent"),
    (Parameter("f", "number", shortdesc="f"), "1m", "no unit or exponent"),
    (Parameter("f", "number", shortdesc="f"), "nan", "not a number"),
    (Parameter("f", "number", shortdesc="f"), "inf", "not a number"),
    (Parameter("f", "number", shortdesc="f"), "1.2.3", "not a number"),
    (Parameter("f", "number", shortdesc="f"), ".", "not a number"),
    (Parameter("f", "number", shortdesc="f", minimum=0), "-0.5", "less than 0"),
    (Parameter("i", "integer", shortdesc="i"), "0x10", "not an integer"),
    (Parameter("i", "integer", shortdesc="i"), "1; rm -rf /", "not an integer"),
    (Parameter("i", "integer", shortdesc="i"), "$(reboot)", "not an integer"),
    (Parameter("i", "integer", shortdesc="i"), "٣", "not an integer"),  # a non-ASCII digit
    (Parameter("i", "integer", shortdesc="i", minimum=1), "0", "less than 1"),
    (Parameter("i", "integer", shortdesc="i", maximum=9), "10", "more than 9"),
    (Parameter("b", "boolean", shortdesc="b"), "ja", "not a boolean"),
    (Parameter("b", "boolean", shortdesc="b"), "2", "not a boolean"),
    (Parameter("d", "duration", shortdesc="d"), "soon", "is not a duration"),
    (Parameter("d", "duration", shortdesc="d"), "1.5s", "is not a duration"),
    (Parameter("d", "duration", shortdesc="d", minimum=1), "0", "less than 1"),
    (Parameter("c", "select", shortdesc="c", choices=("ext4", "xfs")), "btrfs", "not one of ext4, xfs"),
    (Parameter("c", "select", shortdesc="c", choices=("ext4", "xfs")), "XFS", "not one of"),
    (Parameter("s", shortdesc="s"), "one\ntwo", "single line"),
    (Parameter("s", shortdesc="s"), "cr\rhere", "single line"),
    (Parameter("s", shortdesc="s"), "bad\udcff byte", "not valid UTF-8"),
]


@pytest.mark.parametrize("param, raw, expected", VALID)
def test_valid_values_convert_to_their_type(param, raw, expected):
    assert param.convert(raw) == expected
    assert type(param.convert(raw)) is type(expected)


@pytest.mark.parametrize("param, raw, words", INVALID)
def test_invalid_values_give_a_one_line_reason(param, raw, words):
    with pytest.raises(ValueError) as caught:
        param.convert(raw)
    message = str(caught.value)
    assert words in message
    assert "\n" not in message and "\r" not in message


def test_a_check_callable_runs_on_the_typed_value():
    def even(value):
        if value % 2:
            raise ValueError(f"{value} is odd")

    param = Parameter("n", "integer", shortdesc="n", check=even)
    assert param.convert("4") == 4
    with pytest.raises(ValueError, match="3 is odd"):
        param.convert("3")


def test_a_check_that_fails_with_another_error_makes_the_value_invalid_with_one_line():
    def listable(value):
        import os

        os.listdir(value)

    param = Parameter("dir", shortdesc="d", check=listable)
    with pytest.raises(ValueError, match=r"^'/nonexistent/ocfpy' could not be checked: FileNotFoundError: .*"
                                         r"No such file or directory"):
        param.convert("/nonexistent/ocfpy")
    with pytest.raises(ValueError, match="default: '/nonexistent/ocfpy' could not be checked"):
        Parameter("dir", shortdesc="d", check=listable, default="/nonexistent/ocfpy")


@pytest.mark.parametrize("declaration, words", [
    (dict(name="", shortdesc="x"), "a name uses"),
    (dict(name="has space", shortdesc="x"), "a name uses"),
    (dict(name="x", type="float", shortdesc="x"), "type must be one of"),
    (dict(name="x", type="select", shortdesc="x"), "select' needs choices"),
    (dict(name="x", choices=("a",), shortdesc="x"), "choices go with type"),
    (dict(name="x", required=True, default="a", shortdesc="x"), "has no default"),
    (dict(name="x", type="integer", default="ten", shortdesc="x"), "default"),
    (dict(name="x", type="select", choices=("a", "b"), default="c", shortdesc="x"), "default"),
    (dict(name="x", type="boolean", default="maybe", shortdesc="x"), "default"),
    (dict(name="x", type="duration", default="later", shortdesc="x"), "default"),
    (dict(name="x", type="select", choices=("fast"), shortdesc="x"),
     r"not the string 'fast' \(for one name: \('fast',\)\)"),
    (dict(name="x", replaced_with="y", shortdesc="x"), "replaced_with is a tuple of names"),
    (dict(name="x", minimum=1, shortdesc="x"),
     "minimum and maximum go with integer, number, duration, not with 'string'"),
    (dict(name="x", type="boolean", maximum=1, shortdesc="x"), "not with 'boolean'"),
    (dict(name="x", unique_group=True, shortdesc="x"), "unique_group names the group .* not True"),
    (dict(name="x", shortdesc=None), "shortdesc is a string, not None"),
])
def test_impossible_declarations_are_refused(declaration, words):
    with pytest.raises(ValueError, match=words):
        Parameter(**declaration)


@pytest.mark.parametrize("param, text, typed", [
    (Parameter("b", "boolean", shortdesc="b", default=False), "false", False),
    (Parameter("b", "boolean", shortdesc="b", default=True), "true", True),
    (Parameter("i", "integer", shortdesc="i", default=5), "5", 5),
    (Parameter("f", "number", shortdesc="f", default=0.5), "0.5", 0.5),
    (Parameter("d", "duration", shortdesc="d", default="5s"), "5s", 5000),
    (Parameter("s", shortdesc="s", default="x"), "x", "x"),
    (Parameter("s", shortdesc="s"), None, None),
])
def test_defaults_are_written_as_text_and_handed_over_typed(param, text, typed):
    assert param.default_text() == text
    assert param.typed_default() == typed


@pytest.mark.parametrize("value, truth", [
    ("true", True), ("On", True), ("YES", True), ("y", True), ("1", True), (True, True),
    ("false", False), ("ja", False), ("", False), ("2", False), (None, False), (False, False),
])
def test_truth_follows_pacemakers_spelling(value, truth):
    assert is_true(value) is truth


def test_can_create_needs_an_existing_directory_unless_the_agent_makes_it(tmp_path):
    from ocfpy.state import can_create

    assert can_create(str(tmp_path / "x"))
    assert not can_create(str(tmp_path / "missing" / "x"))
    assert can_create(str(tmp_path / "missing" / "x"), make_directories=True)
    assert not can_create("/dev/null/x", make_directories=True)


@pytest.mark.parametrize("kind, content", [
    ("string", "string"), ("integer", "integer"), ("boolean", "boolean"), ("number", "string"),
    ("duration", "string"),
])
def test_a_number_or_duration_is_announced_as_a_string_the_schema_knows(kind, content):
    assert Parameter("p", kind, shortdesc="p").content_type == content


def test_meta_data_with_a_number_and_a_duration_is_valid_against_the_ocf_1_1_schema():
    import os
    import shutil
    import subprocess

    import ocfpy
    from ocfpy import Agent

    if shutil.which("xmllint") is None:
        pytest.skip("xmllint (libxml2-utils) is not installed")
    agent = Agent("N", version="1", shortdesc="n", parameters=[
        Parameter("delay", "number", shortdesc="delay", default=0.5),
        Parameter("dampen", "duration", shortdesc="dampen", default="5s")])
    schema = os.path.join(os.path.dirname(ocfpy.__file__), "schema", "ra-api-1.1.rng")
    result = subprocess.run(["xmllint", "--noout", "--relaxng", schema, "-"],
                            input=agent.metadata().encode(), capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert '<content type="string" default="0.5"' in agent.metadata()
    assert '<content type="string" default="5s"' in agent.metadata()

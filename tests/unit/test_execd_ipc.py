"""The 2.1.5 IPC value mangling (crm_xml_escape + XML parsing) and XML-name check for parameters."""

from __future__ import annotations

import re

import pytest

from harness.execd import ipc
from harness.execd.ipc import check_xml_name, escape_ipc_value, ipc_escapes_values
from harness.execd.operation import OperationError


# the expected values are the ones EnvDump received from the real execd (results/execd-param-chars.log)
@pytest.mark.parametrize("sent, received", [
    ("a\tb", "a    b"),
    ("a\nb", "a\\nb"),
    ("a\rb", "a\\rb"),
    ("a\x01b", "a\\001b"),
    ("a\\nb", "a\\nb"),
    ("a\"b'c", "a\"b'c"),
    ("<x>&amp;", "<x>&amp;"),
    ("\u00e9 \u00fc", "\u00e9 \u00fc"),
    ("\u00e9\tz", "\u00e9 z"),
    ("  lead and trail  ", "  lead and trail  "),
    ("", ""),
])
def test_observed_2_1_5_values(sent, received):
    assert escape_ipc_value("p", sent) == received


@pytest.mark.parametrize("sent, received", [
    ("\x7f", "\\177"),
    ("\udce9x", "\\37777777751x"),  # a lone Latin-1 byte: signed char printed as unsigned octal
    ("x\u00e9\nline2", "x\u00e9 line2"),  # after the break newlines are normalised by the parser
    ("\u00e9\r\nz", "\u00e9 z"),
])
def test_source_derived_values(sent, received):
    assert escape_ipc_value("p", sent) == received


@pytest.mark.parametrize("value", ["\u00e9<", "\u00e9&x", "\u00e9\"", "\u00e9\x01", "\u00e9\udcff"])
def test_unescaped_tail_that_breaks_the_xml_is_an_error(value):
    with pytest.raises(OperationError, match="cannot cross"):
        escape_ipc_value("p", value)


@pytest.mark.parametrize("version, escapes", [("2.1.4", False), ("2.1.5", True), ("2.1.7", True),
                                               ("2.1.8", False), ("3.0.0", False)])
def test_escaping_only_for_2_1_5_to_2_1_7(version, escapes):
    assert ipc_escapes_values(version) is escapes


@pytest.mark.parametrize("name", ["ip", "dash-name", "dot.name", "CRM_meta_on_node", "OCF_CHECK_LEVEL", "_x", "caf\u00e9"])
def test_names_execd_receives(name):
    check_xml_name(name)


@pytest.mark.parametrize("name", ["a b", "a/b", "x\ty", "a;b", "9lives", "", "-x"])
def test_names_that_cannot_be_xml_attributes_are_rejected(name):
    with pytest.raises(OperationError, match="not a valid XML name"):
        check_xml_name(name)


ASCII_NAMES = ([chr(code) for code in range(128)] + [f"a{chr(code)}" for code in range(128)]
               + ["a-b.c:d_9", "CRM_meta_on_node"])


@pytest.mark.parametrize("name", ASCII_NAMES, ids=[repr(name) for name in ASCII_NAMES])
def test_ascii_names_get_the_answer_of_the_full_xml_name_production(name):
    full = re.fullmatch(ipc._XML_NAME, name) is not None

    try:
        check_xml_name(name)
        accepted = True
    except OperationError:
        accepted = False

    assert accepted is full


def test_printable_ascii_values_pass_unchanged_as_the_byte_by_byte_escape_leaves_them():
    value = "".join(chr(code) for code in range(0x20, 0x7F))

    received = escape_ipc_value("p", value)

    assert received == value == b"".join(ipc._escape_byte(byte) for byte in value.encode()).decode()

"""How parameters cross Pacemaker's IPC to execd: XML attribute names, and 2.1.5-2.1.7 value escaping."""

from __future__ import annotations

import functools
import re

from .operation import OperationError
from .reasons import version_tuple

# XML 1.0 (5th edition) Name production: parameters travel as attributes of <attributes/>
_NAME_START = ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d" \
              "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
_XML_NAME = f"[{_NAME_START}][{_NAME_START}\\-.0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_ASCII_XML_NAME = "[:A-Z_a-z][-.0-9:A-Z_a-z]*"  # the same production for ASCII-only names
_BREAKS_XML = rb"[<&\"\x00-\x08\x0b\x0c\x0e-\x1f]"


@functools.lru_cache(maxsize=None)
def _compiled(pattern: str | bytes) -> re.Pattern:
    """Compiled on first use: the full name pattern alone takes milliseconds, and most runs never need it."""
    return re.compile(pattern)


def check_xml_name(name: str) -> None:
    """A parameter name execd can receive at all; others make the controller's IPC message unparsable."""
    if not _compiled(_ASCII_XML_NAME if name.isascii() else _XML_NAME).fullmatch(name):
        raise OperationError(
            f"parameter name {name!r} is not a valid XML name; Pacemaker hands parameters to execd as XML "
            "attributes, so execd would never receive it (use the crm_resource profile to try it anyway)")


def ipc_escapes_values(pacemaker_version: str) -> bool:
    """crm_xml_escape() of 2.1.5-2.1.7 mangles values; 2.1.8 switched to character references."""
    return (2, 1, 5) <= version_tuple(pacemaker_version) < (2, 1, 8)


def escape_ipc_value(name: str, value: str) -> str:
    """What an agent receives for `value` after crm_xml_escape() and the XML parser (2.1.5-2.1.7).

    TAB becomes four spaces, newline and CR the two characters '\\n' and '\\r', other control
    bytes '\\ooo'; after the first two-byte run with the high bit set nothing more is escaped,
    and the XML parser then turns raw TAB/newline/CR into spaces."""
    if value.isascii() and value.isprintable():  # bytes 0x20-0x7e: nothing to escape
        return value
    data = value.encode("utf-8", "surrogateescape")
    out = bytearray()
    for index, byte in enumerate(data):
        following = data[index + 1] if index + 1 < len(data) else 0
        if byte & 0x80 and following & 0x80:
            out += _unescaped_tail(name, data[index:])
            break
        out += _escape_byte(byte)
    return out.decode("utf-8", "surrogateescape")


def _escape_byte(byte: int) -> bytes:
    if byte == 0x09:
        return b"    "
    if byte == 0x0A:
        return b"\\n"
    if byte == 0x0D:
        return b"\\r"
    if byte < 0x20 or byte > 0x7E:
        signed = byte - 256 if byte > 0x7F else byte  # a signed char promoted for printf("%.3o")
        return b"\\%03o" % (signed & 0xFFFFFFFF)
    return bytes((byte,))


def _unescaped_tail(name: str, tail: bytes) -> bytes:
    """The raw rest of a value inside an XML attribute, as libxml2 would read it back."""
    try:
        tail.decode("utf-8")
    except UnicodeDecodeError:
        bad = True
    else:
        bad = bool(_compiled(_BREAKS_XML).search(tail))
    if bad:
        raise OperationError(
            f"the value of parameter {name!r} cannot cross Pacemaker 2.1.5's IPC: after its first "
            "multi-byte character it holds a byte that is left unescaped and breaks the XML message")
    return tail.replace(b"\r\n", b" ").replace(b"\r", b" ").replace(b"\n", b" ").replace(b"\t", b" ")

"""The validator's XML reader: text runs kept whole, and the limits Pacemaker's libxml2 parser has."""

from __future__ import annotations

import pytest

from harness.check import xmltree


def test_a_text_run_split_by_entity_references_is_one_string():
    root = xmltree.parse(b"<a>x" + b"&amp;" * 1000 + b"y<b/>z&lt;</a>")

    assert root.children[0] == "x" + "&" * 1000 + "y" and root.children[2] == "z<"


def test_nesting_to_libxml2s_depth_parses():
    depth = xmltree.MAX_DEPTH

    root = xmltree.parse(b"<a>" * depth + b"</a>" * depth)

    assert root.name == "a"


def test_nesting_deeper_than_libxml2_parses_is_a_syntax_error():
    depth = xmltree.MAX_DEPTH + 1

    with pytest.raises(xmltree.XMLSyntaxError, match="nested deeper than 257 levels"):
        xmltree.parse(b"<a>" * depth + b"</a>" * depth)

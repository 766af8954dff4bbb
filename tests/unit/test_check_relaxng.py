"""The stdlib RELAX NG validator gives xmllint's verdicts (recorded in verdicts.json) on the corpus."""

from __future__ import annotations

import json
import pathlib

import pytest

from harness.check import relaxng, schemas, xmltree

CORPUS = pathlib.Path(__file__).parent.parent / "data" / "metadata"
VERDICTS = json.loads((CORPUS / "verdicts.json").read_text())


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_ocf11_verdict_matches_xmllint(name):
    document = (CORPUS / name).read_bytes()

    problem = schemas.ocf11().validate(document)

    assert (problem is None) == VERDICTS[name]["ra-api-1.1"], problem


def test_every_corpus_file_has_a_verdict():
    assert sorted(p.name for p in CORPUS.glob("*.xml")) == sorted(VERDICTS)


@pytest.mark.parametrize("name, where, words", [
    ("boolean-true.xml", "/resource-agent/parameters/parameter", "attribute required='true'"),
    ("no-version.xml", "/resource-agent/longdesc", "expected: version"),
    ("action-no-timeout.xml", "/resource-agent/actions/action", "missing required attribute: timeout"),
    ("empty-parameters.xml", "/resource-agent/parameters", "expected: parameter"),
    ("text-in-actions.xml", "/resource-agent/actions", "text 'stray text' not allowed"),
])
def test_problem_names_place_and_cause(name, where, words):
    problem = schemas.ocf11().validate((CORPUS / name).read_bytes())

    assert problem.path == where and words in problem.message, str(problem)
    assert problem.line > 1


def test_recursive_define_through_element():
    schema = relaxng.compile_schema(b"""<grammar xmlns="http://relaxng.org/ns/structure/1.0">
      <start><ref name="node"/></start>
      <define name="node"><element name="n"><zeroOrMore><ref name="node"/></zeroOrMore></element></define>
    </grammar>""")

    assert schema.validate(b"<n><n><n/></n><n/></n>") is None
    assert schema.validate(b"<n><m/></n>") is not None


def test_interleave_accepts_any_order_and_rejects_repeats():
    schema = relaxng.compile_schema(b"""<element name="r" xmlns="http://relaxng.org/ns/structure/1.0">
      <interleave><element name="a"><empty/></element><element name="b"><text/></element></interleave>
    </element>""")

    assert schema.validate(b"<r><b>x</b><a/></r>") is None
    assert schema.validate(b"<r><a/><b/></r>") is None
    assert schema.validate(b"<r><a/><a/><b/></r>") is not None


def test_value_compares_tokens_unless_string_type():
    schema = relaxng.compile_schema(b"""<element name="r" xmlns="http://relaxng.org/ns/structure/1.0">
      <attribute name="t"><choice><value>a b</value><value type="string">c</value></choice></attribute>
    </element>""")

    assert schema.validate(b'<r t="  a   b "/>') is None
    assert schema.validate(b'<r t=" c"/>') is not None


@pytest.mark.parametrize("rng", [
    b'<element name="r" xmlns="http://relaxng.org/ns/structure/1.0"><data type="int"/></element>',
    b'<grammar xmlns="http://relaxng.org/ns/structure/1.0"><start><ref name="x"/></start></grammar>',
    b'<grammar xmlns="http://relaxng.org/ns/structure/1.0"><start><ref name="x"/></start>'
    b'<define name="x"><ref name="x"/></define></grammar>',
])
def test_unsupported_or_broken_schema_is_refused(rng):
    with pytest.raises(relaxng.SchemaError):
        relaxng.compile_schema(rng).validate(b"<r/>")


def test_malformed_document_raises_with_line():
    with pytest.raises(xmltree.XMLSyntaxError) as raised:
        schemas.ocf11().validate(b"<resource-agent>\n<a & b/>\n</resource-agent>")

    assert raised.value.line == 2

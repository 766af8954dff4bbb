"""Meta-data checks (V2 schema part, V3 semantics) on small documents, no processes."""

from __future__ import annotations

import pathlib

import pytest

from harness.check import metadata, semantics
from harness.check.findings import ERROR, INFO, WARNING

CORPUS = pathlib.Path(__file__).parent.parent / "data" / "metadata"
MINIMAL = (CORPUS / "minimal.xml").read_text()


def findings_for(text: str, name: str = "Sample", legacy_dir: str = "/nonexistent") -> list:
    model, found = metadata.schema_findings(text.encode(), name, legacy_dir=legacy_dir)
    return found + (semantics.semantic_findings(model) if model else [])


def checks(found: list, severity: str = None) -> set:
    return {f.check for f in found if severity is None or f.severity == severity}


def test_minimal_valid_metadata_has_no_errors_and_only_the_validate_all_warning():
    found = findings_for(MINIMAL)

    assert checks(found, ERROR) == set()
    assert [f.message for f in found if f.severity == WARNING] == ["action 'validate-all' is not advertised"]


def edit(old: str, new: str) -> str:
    assert old in MINIMAL
    return MINIMAL.replace(old, new, 1)


PARAM_END = '<content type="string" default="/run/x.state"/>\n</parameter>\n'


def extra_param(body: str, attrs: str = "") -> str:
    return edit(PARAM_END, PARAM_END + f'<parameter name="p"{attrs}><longdesc lang="en">x</longdesc>'
                f'<shortdesc lang="en">x</shortdesc>{body}</parameter>\n')


def extra_action(attrs: str) -> str:
    return edit('<action name="meta-data" timeout="5s"/>', f'<action name="meta-data" timeout="5s"/>\n<action {attrs}/>')


@pytest.mark.parametrize("text, check, severity", [
    ("<resource-agent", "metadata.well-formed", ERROR),
    (MINIMAL.replace("A sample agent.", "a < b & c"), "metadata.well-formed", ERROR),
    (MINIMAL.replace("resource-agent", "agent"), "metadata.schema", ERROR),
    (edit("<version>1.1</version>", "<version>1.0</version>").replace(
        '<action name="meta-data" timeout="5s"/>', '<action name="meta-data" timeout="5s"/><action name="reload" timeout="5s"/>'),
     "metadata.ocf-version", WARNING),
    (edit("<version>1.1</version>", "<version>0.1.0</version>"), "metadata.ocf-version", ERROR),
    (edit('<action name="stop" timeout="20s"/>\n', ""), "metadata.mandatory-actions", ERROR),
    (edit('<action name="start" timeout="20s"/>', '<action name="start"/>'), "metadata.action-timeout", ERROR),
    (edit('<action name="start" timeout="20s"/>', '<action name="start" timeout="soon"/>'), "metadata.action-timeout", ERROR),
    (edit('depth="0"', 'depth="deep"'), "metadata.action-depth", ERROR),
    (extra_action('name="monitor" timeout="20s" interval="11s" role="Master"'), "metadata.action-role", WARNING),
    (extra_action('name="monitor" timeout="20s" interval="11s" role="Boss"'), "metadata.action-role", ERROR),
    (extra_action('name="monitor" timeout="20s" interval="10s" depth="0"'), "metadata.action-duplicate", WARNING),
    (extra_action('name="monitor" timeout="20s" interval="10s" depth="0" role="Promoted"'),
     "metadata.action-interval-shared", WARNING),
    (extra_action('name="monitor" timeout="20s" interval="10000ms" depth="10"'), "metadata.action-interval-shared", WARNING),
    (extra_action('name="promote" timeout="20s"'), "metadata.action-pairs", ERROR),
    (extra_action('name="migrate_from" timeout="20s"'), "metadata.action-pairs", ERROR),
    (edit('<parameter name="state"', '<parameter name="state" reloadable="1"'), "metadata.reload", ERROR),
    (extra_action('name="reload-agent" timeout="20s"'), "metadata.reload", WARNING),
    (extra_action('name="reload" timeout="20s"'), "metadata.reload", WARNING),
    (extra_param('<content type="string"/>').replace('name="p"', 'name="state"'), "metadata.parameter-duplicate", ERROR),
    (extra_param('<content type="select"/>'), "metadata.parameter-select", ERROR),
    (extra_param('<content type="select" default="c"><option value="a"/></content>'), "metadata.parameter-default", ERROR),
    (extra_param('<content type="integer" default="5s"/>'), "metadata.parameter-default", ERROR),
    (extra_param('<content type="boolean" default="maybe"/>'), "metadata.parameter-default", ERROR),
    (extra_param('<content type="string" default="x"/>', ' required="1"'), "metadata.parameter-default", WARNING),
    (extra_param('<content type="string"/>', ' required="true"'), "metadata.parameter-boolean", WARNING),
    (extra_param('<content type="string"/>', ' unique="maybe"'), "metadata.parameter-boolean", ERROR),
    (extra_param('<content type="string"/>', ' private="1"'), "metadata.extension", WARNING),
    (MINIMAL.replace('name="Sample"', 'name="Other"'), "metadata.name", WARNING),
])
def test_defect_gives_named_finding(text, check, severity):
    found = findings_for(text)

    assert (check, severity) in {(f.check, f.severity) for f in found}, [f"{f.check}:{f.severity}" for f in found]


def test_private_extension_is_not_a_schema_error():
    found = findings_for(extra_param('<content type="string"/>', ' private="1"'))

    assert "metadata.schema" not in checks(found)


@pytest.mark.parametrize("text, ok", [
    (extra_param('<content type="boolean" default="true"/>'), True),
    (extra_param('<content type="integer" default=""/>'), True),
    (extra_param('<content type="integer" default="-3"/>'), True),
    (extra_param('<content type="select" default="b"><option value="a"/><option value="b"/></content>'), True),
    (extra_action('name="monitor" timeout="20s" interval="11s" role="promoted"'), True),
    (extra_action('name="monitor" timeout="PT20S" interval="11s" role="Unpromoted"'), True),
])
def test_acceptable_variants_have_no_errors(text, ok):
    assert (checks(findings_for(text), ERROR) == set()) is ok


def test_legacy_schemas_are_informational_by_default(tmp_path):
    (tmp_path / "ra-api-1.dtd").write_text("<!ELEMENT resource-agent (version)>\n<!ELEMENT version (#PCDATA)>\n")

    found = findings_for(MINIMAL, legacy_dir=str(tmp_path))

    legacy = [f for f in found if f.check == "metadata.legacy-schema"]
    assert legacy and all(f.severity == INFO for f in legacy)
    assert any("ra-api-1.dtd" in f.message for f in legacy) and any("DOCTYPE" in f.message for f in legacy)


@pytest.mark.parametrize("text, ms", [
    ("20s", 20000), ("20", 20000), ("1m", 60000), ("500ms", 500), ("2min", 120000), ("PT1M30S", 90000),
    ("soon", None), ("", None), (None, None), ("PT", None),
])
def test_interval_parsing(text, ms):
    assert metadata.parse_interval_ms(text) == ms


def test_model_exposes_parameters_and_actions():
    model, _ = metadata.schema_findings(MINIMAL.encode(), "Sample")

    assert model.ocf_version == "1.1" and model.name == "Sample"
    assert model.parameter("state").default == "/run/x.state"
    assert model.timeout_ms("meta-data") == 5000 and model.timeout_ms("notify") == 20000
    assert model.action("monitor").interval_ms == 10000 and model.action("monitor").depth == "0"


def test_ocf_1_0_agent_is_held_to_the_dtd_and_warned_about_1_1(tmp_path):
    (tmp_path / "ra-api-1.dtd").write_text(
        "<!ELEMENT resource-agent (version, longdesc, shortdesc, parameters, actions)>\n"
        "<!ATTLIST resource-agent name CDATA #REQUIRED version CDATA #IMPLIED>\n"
        "<!ELEMENT version (#PCDATA)>\n<!ELEMENT longdesc ANY>\n<!ATTLIST longdesc lang NMTOKEN #IMPLIED>\n"
        "<!ELEMENT shortdesc ANY>\n<!ATTLIST shortdesc lang NMTOKEN #IMPLIED>\n"
        "<!ELEMENT parameters (parameter*)>\n<!ELEMENT parameter (longdesc+, shortdesc+, content)>\n"
        "<!ATTLIST parameter name CDATA #REQUIRED unique (0|1) \"0\" required (0|1) \"0\">\n"
        "<!ELEMENT content EMPTY>\n<!ATTLIST content type (string|integer|boolean) #REQUIRED default CDATA #IMPLIED>\n"
        "<!ELEMENT actions (action*)>\n<!ELEMENT action EMPTY>\n"
        "<!ATTLIST action name (start|stop|monitor|meta-data) #REQUIRED timeout CDATA #REQUIRED\n"
        "  interval CDATA #IMPLIED depth CDATA #IMPLIED>\n")
    one_oh = edit("<version>1.1</version>", "<version>1.0</version>")

    assert "metadata.schema" not in checks(findings_for(one_oh, legacy_dir=str(tmp_path)))
    broken = one_oh.replace('<action name="meta-data" timeout="5s"/>', '<action name="meta-data" timeout="5s"/><action name="validate" timeout="5s"/>')
    assert ("metadata.schema", ERROR) in {(f.check, f.severity) for f in findings_for(broken, legacy_dir=str(tmp_path))}
    no_timeout = one_oh.replace('<action name="start" timeout="20s"/>', '<action name="start" timeout="20s"/>\n<action name="stop"/>')
    severities = {f.severity for f in findings_for(no_timeout, legacy_dir=str(tmp_path)) if f.check == "metadata.schema"}
    assert ERROR in severities


def test_ocf_1_0_agent_valid_against_the_dtd_only_gets_a_1_1_warning(tmp_path):
    (tmp_path / "ra-api-1.dtd").write_text(
        "<!ELEMENT resource-agent ANY>\n<!ATTLIST resource-agent name CDATA #REQUIRED version CDATA #IMPLIED>\n"
        "<!ELEMENT version (#PCDATA)>\n<!ELEMENT longdesc ANY>\n<!ATTLIST longdesc lang NMTOKEN #IMPLIED>\n"
        "<!ELEMENT shortdesc ANY>\n<!ATTLIST shortdesc lang NMTOKEN #IMPLIED>\n<!ELEMENT parameters (parameter*)>\n"
        "<!ELEMENT parameter ANY>\n<!ELEMENT actions (action*)>\n<!ELEMENT action EMPTY>\n"
        "<!ATTLIST action name CDATA #REQUIRED timeout CDATA #REQUIRED interval CDATA #IMPLIED depth CDATA #IMPLIED>\n")
    text = (CORPUS / "empty-parameters.xml").read_text().replace("<version>1.1</version>", "<version>1.0</version>")

    schema = [f.severity for f in findings_for(text, legacy_dir=str(tmp_path)) if f.check == "metadata.schema"]

    assert schema == [WARNING]

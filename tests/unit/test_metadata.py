"""Meta-data: escaped, valid against the OCF 1.1 schema shipped in the package, 1.0 mode for ocf-tester."""

from __future__ import annotations

import os
import shutil
import subprocess
from xml.etree import ElementTree as ET

import pytest

import ocfpy
from ocfpy import Agent, Parameter

SCHEMA = os.path.join(os.path.dirname(ocfpy.__file__), "schema", "ra-api-1.1.rng")
HOSTILE = "Tom & Jerry <b>bold</b> \"quoted\" 'single' ]]> \n second line \x01 ctrl"


def hostile_agent(**options):
    agent = Agent(
        "Hostile", version="1.0 <&>", shortdesc=HOSTILE, longdesc=HOSTILE, **options,
        parameters=[
            Parameter("text", shortdesc=HOSTILE, longdesc=HOSTILE, default=HOSTILE.replace("\n", " "),
                      unique_group="g<&>", reloadable=True),
            Parameter("flag", "boolean", shortdesc="flag", default=True),
            Parameter("count", "integer", shortdesc="count", default=3, required=False),
            Parameter("kind", "select", shortdesc="kind", choices=("a&b", "<c>", '"d"'), default="<c>"),
            Parameter("old", shortdesc="old", replaced_with=("text",), deprecated_desc=HOSTILE),
            Parameter("must", shortdesc="must", required=True),
        ],
    )
    for name in ("start", "stop", "monitor"):
        agent.action(name, timeout=20)(lambda ctx: 0)
    agent.advertise("monitor", timeout=30, interval=10, depth=10, role="Promoted")
    return agent


def xmllint_relaxng(text: str, schema: str) -> subprocess.CompletedProcess:
    if shutil.which("xmllint") is None:
        pytest.skip("xmllint (libxml2-utils) is not installed")
    return subprocess.run(["xmllint", "--noout", "--relaxng", schema, "-"], input=text.encode(),
                          capture_output=True, check=False)


def test_hostile_text_is_escaped_and_parses_back_unchanged():
    text = hostile_agent().metadata()
    root = ET.fromstring(text)
    assert root.get("version") == "1.0 <&>"
    assert root.find("shortdesc").text.startswith("Tom & Jerry <b>bold</b> \"quoted\"")
    assert "\x01" not in text  # XML 1.0 cannot carry it; replaced, not emitted
    options = [o.get("value") for o in root.iter("option")]
    assert options == ["a&b", "<c>", '"d"']


def test_metadata_is_valid_against_the_ocf_1_1_schema():
    result = xmllint_relaxng(hostile_agent().metadata(), SCHEMA)
    assert result.returncode == 0, result.stderr.decode()


def test_elements_come_in_the_schemas_order_with_0_1_booleans():
    root = ET.fromstring(hostile_agent().metadata())
    assert [child.tag for child in root] == ["version", "longdesc", "shortdesc", "parameters", "actions"]
    assert root.find("version").text == "1.1"
    text, flag = root.find("parameters")[0], root.find("parameters")[1]
    assert [child.tag for child in text] == ["longdesc", "shortdesc", "content"]
    assert text.get("reloadable") == "1" and text.get("unique-group") == "g<&>"
    assert flag.find("content").get("default") == "true"
    old = root.find("parameters")[4]
    assert [child.tag for child in old][0] == "deprecated"
    assert old.find("deprecated/replaced-with").get("name") == "text"


def test_every_action_has_a_timeout_and_built_ins_are_advertised():
    root = ET.fromstring(hostile_agent().metadata())
    actions = [(a.get("name"), a.get("timeout")) for a in root.iter("action")]
    assert ("meta-data", "5s") in actions and ("validate-all", "20s") in actions
    assert all(timeout for _, timeout in actions)
    promoted = [a for a in root.iter("action") if a.get("role")]
    assert promoted[0].attrib == {"name": "monitor", "timeout": "30s", "interval": "10s",
                                  "depth": "10", "role": "Promoted"}


def test_ocf_1_0_mode_has_a_doctype_and_only_what_the_dtd_knows():
    agent = hostile_agent()
    agent.action("reload-agent", timeout=20)(lambda ctx: 0)
    text = agent.metadata("1.0")
    assert '<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">' in text
    root = ET.fromstring(text)
    assert root.find("version").text == "1.0"
    assert "reload-agent" not in [a.get("name") for a in root.iter("action")]
    assert not [p for p in root.iter("parameter") if "reloadable" in p.attrib or "unique-group" in p.attrib]
    assert list(root.iter("option")) == [] and list(root.iter("deprecated")) == []


def test_ocf_1_0_mode_passes_the_dtd_ocf_tester_uses():
    dtd = "/usr/share/resource-agents/ra-api-1.dtd"
    if shutil.which("xmllint") is None or not os.path.exists(dtd):
        pytest.skip("xmllint or resource-agents' ra-api-1.dtd is not installed")
    result = subprocess.run(["xmllint", "--noout", "--dtdvalid", dtd, "-"],
                            input=hostile_agent().metadata("1.0").encode(), capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


@pytest.mark.parametrize("declaration, words", [
    (dict(parameters=()), "at least one parameter"),
    (dict(parameters=(Parameter("a", shortdesc="a"), Parameter("a", shortdesc="a"))), "declared twice"),
    (dict(parameters=(Parameter("a", shortdesc="a"),), ocf_version="2.0"), "ocf_version"),
    (dict(parameters=(Parameter("a", shortdesc="a"),), version=1.0), r"version is a string .* not 1.0"),
    (dict(parameters=(Parameter("a", shortdesc="a"),), longdesc=["a"]), "longdesc is a string"),
])
def test_agents_that_cannot_have_valid_metadata_are_refused(declaration, words):
    with pytest.raises(ValueError, match=words):
        Agent("Bad", **dict(dict(version="1", shortdesc="bad"), **declaration))


def test_an_action_decorator_without_the_actions_name_is_refused_at_once():
    agent = Agent("Bare", version="1", shortdesc="bare", parameters=[Parameter("a", shortdesc="a")])
    with pytest.raises(ValueError, match=r"needs the action's name: @agent.action\('start'\)"):
        @agent.action
        def start(ctx):
            return 0
    with pytest.raises(ValueError, match="'meta-data' is built in: ocfpy answers it from the declaration"):
        agent.action("meta-data")  # its handler would never run
    with pytest.raises(ValueError, match="two handlers"):
        for _ in range(2):
            agent.action("stop")(lambda ctx: 0)


def test_the_longdesc_says_the_default_as_pcs_resource_describe_shows_nothing_else():
    agent = Agent("Defaults", version="1", shortdesc="d", parameters=[
        Parameter("delay", "integer", default=1, shortdesc="delay", longdesc="Seconds to wait."),
        Parameter("mode", default="auto", shortdesc="How to decide"),
        Parameter("said", default="x", shortdesc="said", longdesc="Default: x, as the anchor."),
        Parameter("none", shortdesc="none", longdesc="No default."),
        Parameter("empty", default="", shortdesc="empty", longdesc="Empty means all."),
    ])

    root = ET.fromstring(agent.metadata().split("\n", 1)[1])
    longdesc = {p.get("name"): p.findtext("longdesc") for p in root.iter("parameter")}

    assert longdesc == {"delay": "Seconds to wait (default: 1).", "mode": "How to decide (default: auto).",
                        "said": "Default: x, as the anchor.", "none": "No default.",
                        "empty": "Empty means all."}

"""Meta-data XML built with ElementTree from an agent's declarations (OCF 1.1, or 1.0 for ocf-tester)."""

from __future__ import annotations

#: Action names the OCF 1.0 DTD (ocf-tester's ra-api-1.dtd) accepts.
DTD_ACTIONS = frozenset((
    "start", "stop", "recover", "monitor", "restart", "migrate_to", "migrate_from", "promote",
    "demote", "notify", "status", "reload", "meta-data", "usage", "methods", "validate-all",
))
DOCTYPE = '<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">'


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry (control characters, lone surrogates)."""
    return "".join(
        ch if ch in "\t\n\r" or (" " <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd")
        or ch >= "\U00010000" else "\ufffd"
        for ch in text
    )


def build_metadata(agent, ocf_version: str = "1.1") -> str:
    """The complete meta-data document of ``agent`` as text."""
    from xml.etree import ElementTree as ET

    legacy = ocf_version == "1.0"
    root = ET.Element("resource-agent", name=xml_safe(agent.name), version=xml_safe(agent.version))
    ET.SubElement(root, "version").text = ocf_version
    _describe(root, agent.longdesc, agent.shortdesc)
    parameters = ET.SubElement(root, "parameters")
    for param in agent.parameters:
        _parameter(parameters, param, legacy)
    actions = ET.SubElement(root, "actions")
    for spec in agent.advertised_actions():
        if legacy and spec.name not in DTD_ACTIONS:
            continue
        ET.SubElement(actions, "action", spec.attributes())
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    head = '<?xml version="1.0"?>\n' + (DOCTYPE + "\n" if legacy else "")
    return head + body + "\n"


def _with_default(param) -> str:
    """The longdesc, saying the default: `pcs resource describe` shows the longdesc only."""
    default = param.default_text()
    text = (param.longdesc or param.shortdesc).strip()
    if not default or "default" in text.lower():
        return param.longdesc
    return f"{text.rstrip('.')} (default: {default})."


def _describe(parent, longdesc: str, shortdesc: str) -> None:
    from xml.etree import ElementTree as ET

    ET.SubElement(parent, "longdesc", lang="en").text = xml_safe(longdesc)
    ET.SubElement(parent, "shortdesc", lang="en").text = xml_safe(shortdesc)


def _parameter(parent, param, legacy: bool) -> None:
    from xml.etree import ElementTree as ET

    attributes = {"name": param.name, "required": "1" if param.required else "0"}
    if legacy:
        attributes["unique"] = "1" if param.unique_group else "0"
    else:
        if param.unique_group:
            attributes["unique-group"] = xml_safe(param.unique_group)
        attributes["reloadable"] = "1" if param.reloadable else "0"
    element = ET.SubElement(parent, "parameter", attributes)
    longdesc = _with_default(param)
    if param.deprecated and not legacy:
        deprecated = ET.SubElement(element, "deprecated")
        for name in param.replaced_with:
            ET.SubElement(deprecated, "replaced-with", name=name)
        if param.deprecated_desc:
            ET.SubElement(deprecated, "desc", lang="en").text = xml_safe(param.deprecated_desc)
    if legacy and param.type == "select":
        longdesc = f"{longdesc} Allowed values: {', '.join(param.choices)}."
    _describe(element, longdesc, param.shortdesc)
    content = {"type": "string" if legacy and param.type == "select" else param.content_type}
    default = param.default_text()
    if default is not None:
        content["default"] = xml_safe(default)
    content_element = ET.SubElement(element, "content", content)
    if param.type == "select" and not legacy:
        for choice in param.choices:
            ET.SubElement(content_element, "option", value=xml_safe(choice))

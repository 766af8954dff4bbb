"""V2/V3: what an agent's meta-data says (parsed model), its schema validity and its semantic checks."""

from __future__ import annotations

import os
import re
from typing import Optional

from harness.check import privileges, schemas, xmltree
from harness.check.findings import ERROR, INFO, WARNING, Finding

MANDATORY_ACTIONS = ("start", "stop", "monitor", "meta-data")
TRUE_WORDS = {"1", "true", "yes", "on", "y", "ja"}
FALSE_WORDS = {"0", "false", "no", "off", "n", "nein"}
PACEMAKER_EXTENSIONS = ("private",)  # parameter attributes Pacemaker reads that OCF 1.1 lacks
_INTERVAL = re.compile(r"^\s*(\d+)\s*(ms|msec|s|sec|m|min|h|hr)?\s*$", re.I)
_ISO_INTERVAL = re.compile(r"^P(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)$")
_UNIT_MS = {"ms": 1, "msec": 1, "s": 1000, "sec": 1000, "m": 60000, "min": 60000, "h": 3600000, "hr": 3600000}


class Parameter:
    """One <parameter>: its name, content type, default, attributes, select options and line."""

    __slots__ = ("name", "type", "default", "attrs", "options", "line")

    def __init__(self, name: str, type: Optional[str] = None, default: Optional[str] = None,
                 attrs: Optional[dict] = None, options: Optional[list] = None, line: int = 0) -> None:
        self.name, self.type, self.default, self.line = name, type, default, line
        self.attrs = {} if attrs is None else attrs
        self.options = [] if options is None else options

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, type={self.type!r}, default={self.default!r})"

    def flag(self, attr: str) -> bool:
        return self.attrs.get(attr, "0").strip().lower() in TRUE_WORDS


class Action:
    """One <action>: its name, attributes and line."""

    __slots__ = ("name", "attrs", "line")

    def __init__(self, name: str, attrs: Optional[dict] = None, line: int = 0) -> None:
        self.name, self.attrs, self.line = name, {} if attrs is None else attrs, line

    def __repr__(self) -> str:
        return f"Action({self.name!r}, {self.attrs!r})"

    @property
    def timeout_ms(self) -> Optional[int]:
        return parse_interval_ms(self.attrs.get("timeout"))

    @property
    def interval_ms(self) -> int:
        return parse_interval_ms(self.attrs.get("interval")) or 0

    @property
    def depth(self) -> Optional[str]:
        return self.attrs.get("depth")


class MetaData:
    """The parts of an agent's meta-data that checks and runs need."""

    __slots__ = ("name", "ocf_version", "parameters", "actions", "document")

    def __init__(self, name: Optional[str], ocf_version: Optional[str], parameters: list, actions: list,
                 document: xmltree.Document) -> None:
        self.name, self.ocf_version, self.parameters, self.actions, self.document = \
            name, ocf_version, parameters, actions, document

    def action(self, name: str) -> Optional[Action]:
        found = [a for a in self.actions if a.name == name]
        return found[0] if found else None

    def advertises(self, name: str) -> bool:
        return any(a.name == name for a in self.actions)

    def timeout_ms(self, action: str, default: int = 20000) -> int:
        found = self.action(action)
        return (found.timeout_ms if found else None) or default

    def parameter(self, name: str) -> Optional[Parameter]:
        found = [p for p in self.parameters if p.name == name]
        return found[0] if found else None


def parse_interval_ms(text: Optional[str]) -> Optional[int]:
    """Pacemaker-style duration ("20s", "20", "1m", "500ms", "PT20S") in ms, or None."""
    if text is None:
        return None
    plain = _INTERVAL.match(text)
    if plain:
        return int(plain.group(1)) * _UNIT_MS[(plain.group(2) or "s").lower()]
    iso = _ISO_INTERVAL.match(text.strip())
    if iso and any(iso.groups()):
        hours, minutes, seconds = (int(x or 0) for x in iso.groups())
        return ((hours * 60 + minutes) * 60 + seconds) * 1000
    return None


def parse(document: xmltree.Document) -> MetaData:
    """Build the MetaData model from a parsed (not necessarily valid) document."""
    root = document.root
    version = root.first("version")
    parameters = []
    holder = root.first("parameters")
    for node in holder.elements("parameter") if holder else []:
        content = node.first("content")
        options = [o.attrs.get("value", "") for o in content.elements("option")] if content else []
        parameters.append(Parameter(
            name=node.attrs.get("name", ""), type=content.attrs.get("type") if content else None,
            default=content.attrs.get("default") if content else None, attrs=dict(node.attrs),
            options=options, line=node.line))
    holder = root.first("actions")
    actions = [Action(n.attrs.get("name", ""), dict(n.attrs), n.line) for n in (holder.elements("action") if holder else [])]
    return MetaData(root.attrs.get("name"), version.text_content().strip() if version else None,
                    parameters, actions, document)


def schema_findings(text: bytes, agent_name: str, ocf11_path: Optional[str] = None,
                    legacy_dir: str = schemas.RESOURCE_AGENTS_DIR,
                    legacy_severity: str = INFO) -> "tuple[Optional[MetaData], list]":
    """Well-formedness, validity against the schema of the declared OCF version, legacy-tool validity.

    OCF 1.1 (or no version): ra-api.rng of OCF 1.1 is the schema. OCF 1.0: ra-api-1.dtd is (when
    resource-agents installed it), and OCF 1.1 validity is only a warning.
    """
    try:
        document = xmltree.parse_document(text)
    except xmltree.XMLSyntaxError as bad:
        return None, [Finding("metadata.well-formed", ERROR, f"meta-data is not well-formed XML: {bad}",
                              "escape <, & and \" in texts and attributes; print nothing else on stdout",
                              action="meta-data")]
    if document.root.name != "resource-agent" or document.root.ns:
        return None, [Finding("metadata.schema", ERROR, f"root element is <{document.root.name}>, not <resource-agent>",
                              "print a <resource-agent> document", action="meta-data")]
    model = parse(document)
    dtd_is_schema = model.ocf_version == "1.0" and os.path.exists(schemas.legacy_paths(legacy_dir)[schemas.RA_API_DTD])
    found = _ocf11(xmltree.parse(text), ocf11_path, WARNING if dtd_is_schema else ERROR)
    found += _legacy(text, document, legacy_dir, legacy_severity, dtd_is_schema)
    if model.name != agent_name:
        found.append(Finding("metadata.name", WARNING, f"resource-agent name={model.name!r} but the agent is {agent_name!r}",
                             "set resource-agent@name to the agent's file name", action="meta-data"))
    return model, found


def _ocf11(root: xmltree.Node, path: Optional[str], severity: str) -> list:
    found = []
    for node in root.elements("parameters")[:1]:
        for parameter in node.elements("parameter"):
            for attr in PACEMAKER_EXTENSIONS:
                if parameter.attrs.pop(attr, None) is not None:
                    found.append(Finding("metadata.extension", WARNING,
                                         f"parameter {parameter.attrs.get('name')!r} uses Pacemaker's {attr!r} extension (not OCF 1.1)",
                                         "fine for Pacemaker; other OCF tools may reject it", action="meta-data"))
    problem = schemas.ocf11(path).validate(root)
    if problem:
        found.append(Finding("metadata.schema", severity, f"not valid OCF 1.1 meta-data: {problem}",
                             "follow ra-api.rng of OCF 1.1 (element order, 0/1 booleans, lang, a timeout per action)",
                             action="meta-data"))
    return found


def _legacy(text: bytes, document: xmltree.Document, directory: str, severity: str, dtd_is_schema: bool) -> list:
    found = []
    for kind, path in schemas.legacy_paths(directory).items():
        if not os.path.exists(path):
            continue
        problem = schemas.compiled(kind, path).validate(xmltree.parse(text))
        if problem and kind == schemas.RA_API_DTD and dtd_is_schema:
            found.append(Finding("metadata.schema", ERROR, f"not valid OCF 1.0 meta-data (ra-api-1.dtd): {problem}",
                                 "follow ra-api-1.dtd, the schema of the OCF version the agent declares",
                                 action="meta-data"))
        elif problem:
            found.append(Finding("metadata.legacy-schema", severity, f"invalid against resource-agents' {kind} (older tools): {problem}",
                                 "nothing to do for Pacemaker; ocf-tester and some UIs use this older schema",
                                 action="meta-data"))
    if document.doctype is None:
        found.append(Finding("metadata.legacy-schema", severity, "no DOCTYPE: ocf-tester 4.12 fails it with 'no DTD found'",
                             "optional: add <!DOCTYPE resource-agent SYSTEM \"ra-api-1.dtd\"> if you must pass ocf-tester",
                             action="meta-data"))
    return found


def check_metadata(session) -> Optional[MetaData]:
    """V2 and V3: run meta-data as execd would and as the controller's unprivileged user, then check it."""
    from harness.check.semantics import semantic_findings

    running = session.spawn("meta-data", "meta-data", timeout_ms=_metadata_timeout(session))
    unprivileged = _spawn_unprivileged(session)  # at the same time: neither waits for the other
    as_root = session.record("meta-data", session.wait(running))
    _expect_metadata(session, "metadata.exit", "meta-data", as_root)
    if unprivileged is not None:
        step, user, handle = unprivileged
        _expect_metadata(session, "metadata.unprivileged", f"meta-data as {user or 'an unprivileged user'}",
                         session.record(step, session.wait(handle)))
    if as_root.elapsed > METADATA_FAST_S:
        session.note("metadata.speed", WARNING, f"meta-data took {as_root.elapsed:.2f}s",
                     "print meta-data without imports or probes of the system; tools call it often", "meta-data")
    if not (as_root.ok and as_root.stdout.strip()):
        return None
    config = session.config
    model, found = schema_findings(as_root.stdout, session.ref.type, config.ocf11_schema,
                                   legacy_severity=config.legacy_severity)
    for check in ("metadata.well-formed", "metadata.schema", "metadata.name"):
        session.log.ran(check)
    for finding in found + (semantic_findings(model) if model else []):
        session.log.add(finding)
    session.md = model
    return model


METADATA_FAST_S = 1.0
METADATA_TIMEOUT_MS = 30000  # the controller's fixed meta-data timeout


def _metadata_timeout(session) -> int:
    cap = session.config.timeout_cap_ms
    return min(METADATA_TIMEOUT_MS, cap) if cap else METADATA_TIMEOUT_MS


def _expect_metadata(session, check: str, step: str, result) -> None:
    if session.expect(check, step, result, (0,), "meta-data must exit 0 without root, parameters or a cluster"):
        if not result.stdout.strip():
            session.note(check, ERROR, f"{step}: exit 0 but nothing on stdout (the controller treats that as failure)",
                         "print the XML on stdout", "meta-data")


def _spawn_unprivileged(session) -> Optional[tuple]:
    """meta-data started as the controller's unprivileged user: (step, user, Running), or None when it cannot run."""
    user = privileges.unprivileged_user()
    if user is None and os.geteuid() == 0:
        session.log.skip("metadata.unprivileged", "no unprivileged user (hacluster or nobody) to run meta-data as")
        return None
    if user is not None:
        paths = [session.ref.path] + [p for p in session.config.extra_env.get("PYTHONPATH", "").split(":") if p]
        blocked = privileges.unreachable(user, paths)
        if blocked:
            session.log.skip("metadata.unprivileged", f"{user} cannot enter {blocked}: check an installed agent, "
                             "or one in a world-readable directory")
            return None
    step = f"meta-data as {user or 'the current user'}"
    return step, user, session.spawn(step, "meta-data", profile="metadata", user=user, timeout_ms=_metadata_timeout(session))

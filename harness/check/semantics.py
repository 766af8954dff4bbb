"""V3: semantic checks of parsed meta-data (what a schema cannot say)."""

from __future__ import annotations

from harness.check.findings import ERROR, WARNING, Finding
from harness.check.metadata import (
    FALSE_WORDS, MANDATORY_ACTIONS, TRUE_WORDS, MetaData, parse_interval_ms,
)

ROLES = ("promoted", "unpromoted")
LEGACY_ROLES = ("master", "slave")
PAIRS = (("promote", "demote"), ("migrate_to", "migrate_from"))


def _finding(check: str, severity: str, message: str, fix: str) -> Finding:
    return Finding(check, severity, message, fix, action="meta-data")


def semantic_findings(md: MetaData) -> list:
    """Every V3 finding for the meta-data model md."""
    found: list = []
    for check in (_ocf_version, _mandatory_actions, _action_attributes, _action_pairs,
                  _reload, _parameter_names, _parameter_contents, _parameter_flags):
        found.extend(check(md))
    return found


def _ocf_version(md: MetaData) -> list:
    if md.ocf_version in (None, "1.1"):
        return []
    if md.ocf_version == "1.0":
        if not (md.advertises("reload") or md.advertises("reload-agent")):
            return []  # nothing differs between 1.0 and 1.1 for an agent without a reload
        return [_finding("metadata.ocf-version", WARNING,
                         "<version>1.0</version>: Pacemaker uses legacy reload and never reload-agent",
                         "declare <version>1.1</version> with reload-agent and reloadable parameters, "
                         "unless you need OCF 1.0's reload (every non-unique parameter reloadable)")]
    return [_finding("metadata.ocf-version", ERROR, f"<version>{md.ocf_version}</version> is not an OCF version",
                     "the first child <version> is the OCF version (1.1); put the agent's own version in resource-agent@version")]


def _mandatory_actions(md: MetaData) -> list:
    found = [_finding("metadata.mandatory-actions", ERROR, f"action {name!r} is not advertised",
                      f"add <action name=\"{name}\" timeout=\"...\"/> and implement it")
             for name in MANDATORY_ACTIONS if not md.advertises(name)]
    if not md.advertises("validate-all"):
        found.append(_finding("metadata.mandatory-actions", WARNING, "action 'validate-all' is not advertised",
                              "implement validate-all: pcs and crm_resource --validate run it"))
    return found


def _action_attributes(md: MetaData) -> list:
    found, seen, recurring = [], set(), {}
    for action in md.actions:
        where = f"action {action.name!r} (line {action.line})"
        if "timeout" not in action.attrs:
            found.append(_finding("metadata.action-timeout", ERROR, f"{where} has no timeout",
                                  "give every action a timeout; tools use it as the operation default"))
        elif action.timeout_ms is None:
            found.append(_finding("metadata.action-timeout", ERROR, f"{where}: timeout={action.attrs['timeout']!r} is not a duration",
                                  "write durations like 20s, 2m or 500ms"))
        if "interval" in action.attrs and parse_interval_ms(action.attrs["interval"]) is None:
            found.append(_finding("metadata.action-interval", ERROR, f"{where}: interval={action.attrs['interval']!r} is not a duration",
                                  "write durations like 10s"))
        depth = action.depth
        if depth is not None and not depth.strip().isdigit():
            found.append(_finding("metadata.action-depth", ERROR, f"{where}: depth={depth!r} is not a number",
                                  "depth is an OCF_CHECK_LEVEL such as 0, 10 or 20"))
        found.extend(_role(action, where))
        key = (action.name, action.interval_ms, depth or "0", (action.attrs.get("role") or "").lower())
        if key in seen:
            found.append(_finding("metadata.action-duplicate", WARNING, f"{where} repeats an earlier action with the same interval, depth and role",
                                  "remove the duplicate"))
        elif action.interval_ms and (action.name, action.interval_ms) in recurring:
            found.append(_finding(
                "metadata.action-interval-shared", WARNING,
                f"{where} has the interval of {recurring[action.name, action.interval_ms]} with another role or depth: "
                "Pacemaker keys a recurring operation by name and interval, so pcs moves one of them (10s becomes 11s)",
                "give each role's and each depth's recurring operation an interval of its own"))
        seen.add(key)
        recurring.setdefault((action.name, action.interval_ms), where)
    return found


def _role(action, where: str) -> list:
    role = action.attrs.get("role")
    if role is None or role.lower() in ROLES:
        return []
    if role.lower() in LEGACY_ROLES:
        return [_finding("metadata.action-role", WARNING, f"{where}: role={role!r} is the legacy name",
                         "use Promoted / Unpromoted")]
    return [_finding("metadata.action-role", ERROR, f"{where}: role={role!r} is not a role",
                     "use Promoted or Unpromoted")]


def _action_pairs(md: MetaData) -> list:
    found = []
    for one, other in PAIRS:
        for have, lack in ((one, other), (other, one)):
            if md.advertises(have) and not md.advertises(lack):
                found.append(_finding("metadata.action-pairs", ERROR, f"{have!r} is advertised without {lack!r}",
                                      f"implement and advertise both {one} and {other}, or neither"))
    return found


def _reload(md: MetaData) -> list:
    reloadable = [p.name for p in md.parameters if p.flag("reloadable")]
    found = []
    if reloadable and not md.advertises("reload-agent"):
        found.append(_finding("metadata.reload", ERROR, f"parameters {', '.join(reloadable)} are reloadable but no reload-agent action is advertised",
                              "implement and advertise reload-agent, or drop reloadable=\"1\""))
    if md.advertises("reload-agent") and not reloadable:
        found.append(_finding("metadata.reload", WARNING, "reload-agent is advertised but no parameter is reloadable",
                              "mark the parameters reload-agent can apply with reloadable=\"1\""))
    if md.ocf_version == "1.1" and md.advertises("reload") and not md.advertises("reload-agent"):
        found.append(_finding("metadata.reload", WARNING, "an OCF 1.1 agent advertises legacy 'reload': Pacemaker will not use it",
                              "rename it reload-agent and mark reloadable parameters"))
    return found


def _parameter_names(md: MetaData) -> list:
    found, seen = [], set()
    for parameter in md.parameters:
        if parameter.name in seen:
            found.append(_finding("metadata.parameter-duplicate", ERROR, f"parameter {parameter.name!r} is declared twice (line {parameter.line})",
                                  "declare each parameter once"))
        seen.add(parameter.name)
    return found


def _parameter_contents(md: MetaData) -> list:
    found = []
    for parameter in md.parameters:
        where = f"parameter {parameter.name!r} (line {parameter.line})"
        default, kind = parameter.default or None, parameter.type  # default="" means none
        if kind == "select" and not parameter.options:
            found.append(_finding("metadata.parameter-select", ERROR, f"{where} is a select with no <option>",
                                  "list the allowed values as <option value=\"...\"/>"))
        elif kind == "select" and default is not None and default not in parameter.options:
            found.append(_finding("metadata.parameter-default", ERROR, f"{where}: default {default!r} is not one of its options",
                                  "make the default one of the options"))
        if default is not None and kind == "integer" and not _is_integer(default):
            found.append(_finding("metadata.parameter-default", ERROR, f"{where}: integer default {default!r} does not parse",
                                  "give an integer default"))
        if default is not None and kind == "boolean" and default.strip().lower() not in TRUE_WORDS | FALSE_WORDS:
            found.append(_finding("metadata.parameter-default", ERROR, f"{where}: boolean default {default!r} does not parse",
                                  "give 0/1 (or true/false)"))
    return found


def _parameter_flags(md: MetaData) -> list:
    found = []
    for parameter in md.parameters:
        where = f"parameter {parameter.name!r} (line {parameter.line})"
        for attr in ("required", "unique", "reloadable"):
            raw = parameter.attrs.get(attr)
            if raw is not None and raw not in ("0", "1"):
                severity = WARNING if raw.strip().lower() in TRUE_WORDS | FALSE_WORDS else ERROR
                found.append(_finding("metadata.parameter-boolean", severity, f"{where}: {attr}={raw!r} is not 0 or 1",
                                      f"write {attr}=\"1\" or {attr}=\"0\" (Pacemaker accepts true, the OCF schema does not)"))
        if parameter.flag("required") and parameter.default:
            found.append(_finding("metadata.parameter-default", WARNING, f"{where} is required yet has a default",
                                  "a required parameter has no default; drop one of them"))
    return found


def _is_integer(text: str) -> bool:
    try:
        int(text.strip())
    except ValueError:
        return False
    return True

"""The validator's output: ocf-tester-like text, JSON, or JUnit XML."""

from __future__ import annotations

from harness.check.findings import ERROR, INFO, WARNING, CheckLog, Finding

FORMATS = ("text", "json", "junit")


def render(log: CheckLog, fmt: str, verbose: bool = False, quiet: bool = False, header: bool = True) -> str:
    if fmt == "json":
        return as_json(log)
    if fmt == "junit":
        return as_junit(log)
    return as_text(log, verbose, quiet, header)


def header_line(agent: str) -> str:
    return f"Beginning tests for {agent}..."


def _where(finding: Finding) -> str:
    parts = [finding.action] if finding.action else []
    if finding.rc is not None:
        parts.append(f"rc={finding.rc}")
    if finding.expected is not None:
        parts.append(f"expected {finding.expected}")
    return f" [{' '.join(parts)}]" if parts else ""


def as_text(log: CheckLog, verbose: bool = False, quiet: bool = False, header: bool = True) -> str:
    lines = [header_line(log.agent)] if header and not quiet else []
    shown = (ERROR, WARNING, INFO) if verbose else (ERROR, WARNING)
    for finding in log.findings if not quiet else []:
        if finding.severity in shown:
            lines.append(f"* {finding.severity}: {finding.check}{_where(finding)}: {finding.message}")
            if finding.fix:
                lines.append(f"  fix: {finding.fix}")
    if verbose and not quiet:
        lines += [f"* skipped: {check}: {reason}" for check, reason in log.skipped.items()]
    errors, warnings = log.count(ERROR), log.count(WARNING)
    failed = len([c for c, found in log.checks.items() if any(f.severity == ERROR for f in found)])
    tally = f"{len(log.checks)} checks, {errors} errors, {warnings} warnings, {len(log.skipped)} skipped"
    if log.failed:
        lines.append(f"Tests failed: {log.agent} failed {failed} checks ({tally})")
    else:
        lines.append(f"{log.agent} passed all tests ({tally})")
    return "\n".join(lines) + "\n"


def as_dict(log: CheckLog) -> dict:
    checks = []
    for name, found in log.checks.items():
        status = "failed" if any(f.severity == ERROR for f in found) else "passed"
        checks.append({"name": name, "status": status, "findings": [f.as_dict() for f in found]})
    checks += [{"name": name, "status": "skipped", "reason": reason, "findings": []}
               for name, reason in log.skipped.items() if name not in log.checks]
    return {
        "agent": log.agent,
        "passed": not log.failed,
        "summary": {"checks": len(log.checks), "errors": log.count(ERROR), "warnings": log.count(WARNING),
                    "info": log.count(INFO), "skipped": len(log.skipped), "actions": log.actions,
                    "ended": log.ended},
        "checks": checks,
    }


def as_json(log: CheckLog) -> str:
    import json  # here, not at the top: a text report needs neither json nor ElementTree

    return json.dumps(as_dict(log), indent=2, ensure_ascii=False) + "\n"


def as_junit(log: CheckLog) -> str:
    import xml.etree.ElementTree as ET

    data = as_dict(log)
    failures = sum(1 for c in data["checks"] if c["status"] == "failed")
    skipped = sum(1 for c in data["checks"] if c["status"] == "skipped")
    suites = ET.Element("testsuites")
    suite = ET.SubElement(suites, "testsuite", name=f"ocfpy-check {log.agent}", tests=str(len(data["checks"])),
                          failures=str(failures), errors="0", skipped=str(skipped))
    for check in data["checks"]:
        # CI viewers read a classname's dots as packages: ./agents/my.agent would be class "agent"
        case = ET.SubElement(suite, "testcase", classname="ocfpy-check." + log.agent.replace(".", "_"),
                             name=check["name"])
        errors = [f for f in check["findings"] if f["severity"] == ERROR]
        others = [f for f in check["findings"] if f["severity"] != ERROR]
        if errors:
            failure = ET.SubElement(case, "failure", message=errors[0]["message"], type=errors[0]["check"])
            failure.text = "\n".join(_finding_text(f) for f in errors)
        if check["status"] == "skipped":
            ET.SubElement(case, "skipped", message=check.get("reason", ""))
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(_finding_text(f) for f in others)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode") + "\n"


def _finding_text(finding: dict) -> str:
    text = f"{finding['severity']}: {finding['message']}"
    return text + (f"\nfix: {finding['fix']}" if finding["fix"] else "")

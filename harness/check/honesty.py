"""V11: validate-all honesty: what the agent's own meta-data declares invalid, validate-all must reject (6 or 2)."""

from __future__ import annotations

from typing import Optional

from harness.check.findings import ERROR, WARNING
from harness.check.session import Session

CHECK = "validate.honesty"
REJECTED = (6, 2)  # OCF_ERR_CONFIGURED, OCF_ERR_ARGS
FIX = "validate-all checks every parameter against the meta-data and answers 6 (or 2) with an exit reason"
WRONG_VALUES = {  # a value of each declared type that no reading of the type accepts
    "integer": "ocfpy-check-not-an-integer",
    "nonnegative_integer": "-1",
    "port": "ocfpy-check-not-a-port",
    "boolean": "ocfpy-check-not-a-boolean",
}
NOT_AN_OPTION = "ocfpy-check-not-an-option"


def invalid_configurations(session: Session) -> list:
    """(what, params, severity): the configured parameters with one of them made invalid, per parameter."""
    configured, cases = dict(session.config.params), []
    for parameter in session.md.parameters if session.md else []:
        name = parameter.name
        if parameter.flag("required") and name in configured:
            without = {k: v for k, v in configured.items() if k != name}
            cases.append((f"required parameter {name} missing", without, ERROR))
        wrong = _wrong_value(parameter)
        if wrong is not None:
            cases.append((f"{name}={wrong!r} ({_declared(parameter)})", dict(configured, **{name: wrong}), WARNING))
    return cases


def _wrong_value(parameter) -> Optional[str]:
    if parameter.type == "select" and parameter.options:
        return NOT_AN_OPTION
    return WRONG_VALUES.get(parameter.type or "")


def _declared(parameter) -> str:
    if parameter.type == "select":
        return "not one of " + "|".join(parameter.options)
    article = "an" if parameter.type[0] in "aeiou" else "a"
    return f"not {article} {parameter.type}"


def check_validate_honesty(session: Session) -> None:
    """Each invalid configuration through validate-all; 0 is a finding (missing required: error; else warning)."""
    if not (session.md and session.md.advertises("validate-all")):
        session.log.skip(CHECK, "validate-all is not advertised")
        return
    cases = invalid_configurations(session)
    if not cases:
        session.log.skip(CHECK, "no parameter is required, typed or a select: nothing validate-all could reject")
        return
    if not _accepts_the_configuration(session):
        session.log.skip(CHECK, "validate-all rejects the configuration given (pass valid parameters with -o)")
        return
    session.log.ran(CHECK)
    for what, params, severity in cases:
        result = session.run(f"validate-all with {what}", "validate-all", params=params)
        session.expect(CHECK, f"validate-all with {what}", result, REJECTED, FIX,
                       severity=severity if result.rc == 0 else WARNING)


def _accepts_the_configuration(session: Session) -> bool:
    return session.run("validate-all (valid configuration)", "validate-all").ok

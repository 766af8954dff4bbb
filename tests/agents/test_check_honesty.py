"""validate-all honesty: what an agent's meta-data declares invalid, its validate-all must reject with 6 or 2."""

from __future__ import annotations

import pathlib

from harness.check.findings import ERROR, WARNING
from harness.check.runner import check_agent
from harness.check.session import Config

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
BROKEN = REPO / "tests" / "data" / "broken-agents"


def honesty_findings(agent, tmp_path, params, env=None):
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir(exist_ok=True)
    log = check_agent(Config(agent=str(agent), params=params, instance="honesty",
                             extra_env={"HA_RSCTMP": str(rsctmp), **(env or {})}))
    assert "validate.honesty" in log.checks, log.skipped
    return sorted((f.severity, f.message.split(":")[0]) for f in log.by_check("validate.honesty"))


def test_a_validate_all_that_accepts_anything_is_caught_for_each_declared_rule(tmp_path):
    found = honesty_findings(BROKEN / "ValidateAcceptsAnything", tmp_path, {"port": "8080"})

    assert found == [
        (ERROR, "validate-all with required parameter port missing"),
        (WARNING, "validate-all with mode='ocfpy-check-not-an-option' (not one of fast|safe)"),
        (WARNING, "validate-all with port='ocfpy-check-not-an-integer' (not an integer)"),
    ]


def test_ocfpy_rejects_every_invalid_value_its_declaration_implies(tmp_path, ocfpy_pythonpath):
    found = honesty_findings(REPO / "tests" / "data" / "agents" / "Typed", tmp_path, {"name": "x"},
                             {"PYTHONPATH": ocfpy_pythonpath})

    assert found == []

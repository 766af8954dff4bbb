"""Start failure and start timeout: what the real cluster records versus what harness.execd predicts.

The prediction runs inside the node where the cluster saw the failure, against the agent as
Pacemaker finds it there (same path, same hostname, same installed ocfpy), after the cluster's
resource is gone so the two never share a state file.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import NamedTuple

import harness
from harness.lab import cluster, node, scenario
from harness.lab.config import LabConfig, LabError


class Case(NamedTuple):
    name: str
    resource: str
    params: dict
    start_timeout_s: int


CASES = (
    # both Dummy agents report a failed start on the host named by fail_start_on
    Case("start failure", "bad_start", {"fail_start_on": "node1"}, 20),
    # both sleep op_sleep seconds in every action, so start outlives its timeout
    Case("start timeout", "slow_start", {"op_sleep": "4"}, 2),
)
COMPARED = ("rc", "status", "exit_reason")


class Outcome(NamedTuple):
    case: Case
    agent: str
    node: str
    cluster: dict  # rc, status, exit_reason as the cluster recorded them (crm_mon failure)
    predicted: dict  # the same three from harness.execd.run
    cluster_seconds: float  # enable -> failure recorded

    def mismatches(self) -> list[str]:
        return [key for key in COMPARED if self.cluster[key] != self.predicted[key]]


def run_case(config: LabConfig, agent: str, case: Case | str) -> Outcome:
    if isinstance(case, str):
        case = next(c for c in CASES if c.name == case)
    where = config.nodes[0]  # the case fails its first start here: the resource prefers it
    params = [f"{k}={v}" for k, v in case.params.items()]
    scenario.pcs(config, where, "resource", "create", case.resource, agent, *params,
                 "op", "start", f"timeout={case.start_timeout_s}s", "op", "monitor", "interval=10s",
                 "--disabled")
    key = f"{case.resource}_start_0"
    try:
        scenario.pcs(config, where, "constraint", "location", case.resource, "prefers", where)
        started = time.monotonic()
        scenario.pcs(config, where, "resource", "enable", case.resource)
        seen, _ = cluster.wait_for(config, where, lambda v: any(f.get("op_key") == key for f in v.failures),
                                   case.start_timeout_s + scenario.SLACK, f"failure {key}")
        seconds = time.monotonic() - started
    finally:
        scenario.delete_resource(config, case.resource)
    failure = seen.failure(key)
    recorded = {"rc": int(failure["exitcode"]), "status": failure["status"],
                "exit_reason": failure.get("exitreason", "")}
    predicted = predict(config, failure["node"], agent, case)
    return Outcome(case, agent, failure["node"], recorded, predicted, seconds)


PREDICT = """
import json, sys
sys.path.insert(0, sys.argv[1])
from harness.execd import Operation, run
spec = json.loads(sys.argv[2])
result = run(Operation(spec["agent"], "start", params=spec["params"], instance=spec["instance"],
                       timeout_ms=spec["timeout_ms"], node=spec["node"]))
print(json.dumps({"rc": result.rc, "status": result.status.text, "exit_reason": result.exit_reason or "",
                  "elapsed": result.elapsed}))
"""


def predict(config: LabConfig, where: str, agent: str, case: Case) -> dict:
    """harness.execd.run of the same start inside the node (python -I: no caller env reaches the agent)."""
    spec = {"agent": agent, "params": case.params, "instance": case.resource,
            "timeout_ms": case.start_timeout_s * 1000, "node": where}
    root = str(Path(harness.__file__).resolve().parents[1])
    proc = node.run(config, where, [sys.executable, "-I", "-c", PREDICT, root, json.dumps(spec)],
                    timeout=case.start_timeout_s + scenario.SLACK)
    if proc.returncode != 0:
        raise LabError(f"harness prediction failed on {where}: {proc.stderr.strip()[-400:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def describe(outcome: Outcome) -> str:
    def fmt(values: dict) -> str:
        return f"rc={values['rc']} status='{values['status']}' exit_reason='{values['exit_reason']}'"

    verdict = "same" if not outcome.mismatches() else f"DIFFERENT: {', '.join(outcome.mismatches())}"
    params = " ".join(f"{k}={v}" for k, v in outcome.case.params.items())
    return (f"[{outcome.case.name}] {outcome.agent} {params}"
            f" start timeout={outcome.case.start_timeout_s}s on {outcome.node}\n"
            f"    cluster: {fmt(outcome.cluster)} ({outcome.cluster_seconds:.1f} s after enable)\n"
            f"    harness: {fmt(outcome.predicted)} ({outcome.predicted['elapsed']:.2f} s)\n"
            f"    {verdict}")

"""ocfpy-check over every Debian resource agent a test box can run, against verdicts pinned as data.

tests/data/check-verdicts/debian.json holds, per agent, the parameters it is checked with and each
warning or error ocfpy-check reports for it, with the verdict (a real defect or a false alarm) and
why. A finding that appears or disappears fails here, so a regression either way is seen. Every
other installed agent is listed with the reason it cannot run here. A case may name stand-ins
for cluster commands (ethmonitor's attrd_updater): scripts put ahead of /usr/sbin on execd's PATH
inside the test's own mount namespace.
"""

from __future__ import annotations

import json
import os

import pytest

from isolation import REPO, run_scenario

VERDICTS = json.loads((REPO / "tests" / "data" / "check-verdicts" / "debian.json").read_text())
OCF_ROOT = "/usr/lib/ocf/resource.d"
PROVIDERS = ("heartbeat", "pacemaker")

pytestmark = pytest.mark.needs_root

CHECK = '''
import json, os, secrets, shutil, subprocess, sys, tempfile
from harness.check.runner import check_agent
from harness.check.session import Config
case = json.loads(sys.argv[1])
for command in case.get("network", []):  # inside the test's own network namespace
    subprocess.run(command.split(), check=True)
if case.get("stand_ins"):  # ahead of /usr/sbin on execd's PATH, in the test's own mount namespace
    subprocess.run(["mount", "-t", "tmpfs", "stand-ins", "/usr/local/sbin"], check=True)
for name, body in case.get("stand_ins", {}).items():
    with open("/usr/local/sbin/" + name, "w") as script:
        script.write("#!/bin/sh\\n" + body + "\\n")
    os.chmod("/usr/local/sbin/" + name, 0o755)
tmp = tempfile.mkdtemp(prefix="ocfpy-verdicts-")
os.chmod(tmp, 0o755)
rsctmp = os.path.join(tmp, "rsctmp")
os.mkdir(rsctmp)
fill = lambda values: {k: v.replace("TMP", tmp) for k, v in values.items()}
try:
    log = check_agent(Config(agent=case["agent"], params=fill(case["params"]), second_params=fill(case.get("second_params", {})),
                             instance="verdict-" + secrets.token_hex(3), extra_env={"HA_RSCTMP": rsctmp}, **case.get("config", {})))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
found = sorted({(f.check, f.severity) for f in log.findings if f.severity != "info"})
print(json.dumps({"found": found, "text": log.text()}))
'''


def installed_agents() -> set:
    return {f"ocf:{provider}:{name}" for provider in PROVIDERS if os.path.isdir(f"{OCF_ROOT}/{provider}")
            for name in os.listdir(f"{OCF_ROOT}/{provider}") if not name.startswith(".")}


def require_resource_agents() -> None:
    if not os.path.exists(f"{OCF_ROOT}/heartbeat/Dummy"):
        pytest.skip("Debian's resource-agents is not installed (tests/run installs it)")


def test_every_installed_agent_is_checked_or_says_why_it_cannot_run_here():
    require_resource_agents()
    covered = {case["agent"] for case in VERDICTS["checked"]} | {entry["agent"] for entry in VERDICTS["not_run"]}

    assert installed_agents() - covered == set(), "agents with no verdicts and no reason"
    assert covered - installed_agents() == set(), "verdicts for agents not installed"


@pytest.mark.parametrize("case", VERDICTS["checked"], ids=[case["agent"] for case in VERDICTS["checked"]])
def test_findings_match_the_pinned_verdicts(case):
    require_resource_agents()
    always = {(f["check"], f["severity"]) for f in case["findings"] if not f.get("sometimes")}
    sometimes = {(f["check"], f["severity"]) for f in case["findings"] if f.get("sometimes")}

    seen = run_scenario(CHECK, json.dumps(case), timeout=300, network=bool(case.get("network")))

    found = {tuple(pair) for pair in seen["found"]}
    assert always <= found <= always | sometimes, seen["text"]


def test_every_verdict_says_why_and_none_is_a_false_alarm():
    for case in VERDICTS["checked"]:
        for finding in case["findings"]:
            assert finding["why"] and finding["severity"] in ("error", "warning"), finding
            assert finding["alarm"] is True, f"{case['agent']}: a false alarm is pinned: {finding}"

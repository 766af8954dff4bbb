"""Start failure and start timeout: the real cluster's failure record equals harness.execd's prediction."""

from __future__ import annotations

import pytest

from harness.lab import compare
from lab_agents import DUMMY

LAB_TAG = "cmp"
pytestmark = pytest.mark.needs_root

# Pacemaker's own Dummy is the control: the same cases must agree for it too
AGENTS = sorted({DUMMY, "ocf:pacemaker:Dummy"})
EXPECTED = {"start failure": (1, "complete"), "start timeout": (1, "Timed Out")}


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("case", compare.CASES, ids=lambda case: case.name.replace(" ", "-"))
def test_cluster_failure_matches_harness_prediction(lab_up, agent, case):
    outcome = compare.run_case(lab_up, agent, case)

    assert (outcome.cluster["rc"], outcome.cluster["status"]) == EXPECTED[case.name]
    assert outcome.node == lab_up.nodes[0]
    assert outcome.predicted == {**outcome.cluster, "elapsed": outcome.predicted["elapsed"]}, \
        compare.describe(outcome)

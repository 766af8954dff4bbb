"""Dummy and Stateful created with a state path start never accepts (`pcs resource create d
ocf:ocfpy:Dummy state=d.state`): the probes say 6 on every node and Pacemaker stops it there;
that stop succeeds when nothing runs, instead of failing and fencing every node of the cluster
(the shell Dummy's probe says 7 and its stop 0)."""

from __future__ import annotations

import pytest

AGENTS = ["Dummy", "Stateful"]


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("state", ["d.state", "run/d.state"])
def test_a_never_started_resource_with_a_relative_state_stops(agent, state, run_agent, agent_log):
    probe = run_agent(agent, "monitor", params={"state": state})
    stop = run_agent(agent, "stop", params={"state": state})

    assert (probe.rc, probe.exit_reason) == (6, f"cannot determine the state: state: '{state}' is "
                                                "not an absolute path")
    assert (stop.rc, stop.exit_reason) == (0, None)
    assert "nothing to stop" in agent_log.read_text()


@pytest.mark.parametrize("agent", AGENTS)
def test_the_stop_fails_while_the_default_state_file_says_it_runs(agent, run_agent):
    assert run_agent(agent, "start", params={}).rc == 0

    stop = run_agent(agent, "stop", params={"state": "d.state"})

    assert stop.rc == 1  # the default state may be the one it ran with: not known to be stopped
    assert stop.exit_reason == ("cannot stop: state: 'd.state' is not an absolute path "
                                "(needed to find the resource)")
    assert run_agent(agent, "monitor", params={}).rc in (0, 8)  # left as it was

"""Bad input: each bad value gives rc 6 and one clean reason line, never a traceback or a shell."""

from __future__ import annotations

import os

import pytest

TYPED = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "agents", "Typed")

# (agent, parameters, words the exit reason must contain)
BAD = [
    ("Typed", {}, "name is required"),
    ("Typed", {"name": ""}, "name is required but empty"),
    ("Typed", {"name": "n", "count": "ten"}, "count: 'ten' is not an integer"),
    ("Typed", {"name": "n", "count": "101"}, "count: 101 is more than 100"),
    ("Typed", {"name": "n", "count": "1; touch {marker}"}, "is not an integer"),
    ("Typed", {"name": "n", "count": "$(touch {marker})"}, "is not an integer"),
    ("Typed", {"name": "n", "count": "`touch {marker}`"}, "is not an integer"),
    ("Typed", {"name": "n", "enabled": "maybe"}, "enabled: 'maybe' is not a boolean"),
    ("Typed", {"name": "n", "mode": "turbo"}, "mode: 'turbo' is not one of fast, safe"),
    ("Typed", {"name": "n", "mode": "safe\n"}, "must be a single line"),
    ("Typed", {"name": "a\nb"}, "name: 'a\\nb' must be a single line"),
    ("Typed", {"name": "n", "mode": "\"safe\""}, "is not one of"),
    ("Typed", {"name": "bad \udcff byte"}, "name: is not valid UTF-8"),
    ("Typed", {"name": "n", "token": "x\ny"}, "token: the value is not valid (secret, not shown)"),
    ("Dummy", {"op_sleep": "-1"}, "op_sleep: -1 is less than 0"),
    ("Dummy", {"op_sleep": "0.5"}, "is not an integer"),
    ("Dummy", {"op_sleep": "9" * 30}, "is more than 2147483"),
    ("Dummy", {"state": "relative/x.state"}, "is not an absolute path"),
    ("Dummy", {"envfile": "$(touch {marker})"}, "is not an absolute path"),
    ("Stateful", {"notify_delay": "soon"}, "notify_delay: 'soon' is not a number"),
    ("Stateful", {"notify_delay": "1m"}, "no unit or exponent"),  # sleep takes it; ocfpy says why not
]


def agent_path(name):
    return TYPED if name == "Typed" else name


@pytest.mark.parametrize("agent, params, words", BAD)
def test_bad_values_are_configuration_errors_with_one_clean_reason(agent, params, words, run_agent, tmp_path,
                                                                   agent_log):
    marker = tmp_path / "shell-ran"
    params = {key: value.replace("{marker}", str(marker)) for key, value in params.items()}
    # 2.1.8 and later hand newlines over as they are (2.1.5 escaped them to a literal \\n)
    result = run_agent(agent_path(agent), "start", params=params, pacemaker_version="2.1.8")
    assert result.rc == 6  # a value the parameter's declaration rejects: not configured
    assert result.exit_reason is not None and words.replace("{marker}", str(marker)) in result.exit_reason
    assert result.stderr.count(b"ocf-exit-reason:") == 1 and result.stdout == b""
    assert b"Traceback" not in result.stderr
    assert not agent_log.exists() or "Traceback" not in agent_log.read_text()
    assert not marker.exists()


@pytest.mark.parametrize("value", ["$(touch {marker})", "`touch {marker}`; touch {marker}", "'\"<&>"])
def test_free_text_is_data_never_code(value, run_agent, tmp_path):
    marker = tmp_path / "shell-ran"
    envfile = tmp_path / "env"
    value = value.replace("{marker}", str(marker))
    result = run_agent("Dummy", "start", params={"fake": value, "envfile": str(envfile)})
    assert result.rc == 0 and not marker.exists()
    assert f"OCF_RESKEY_fake={value}" in envfile.read_text()


@pytest.mark.parametrize("agent, params", [
    ("Typed", {"count": "ten"}), ("Dummy", {"op_sleep": "x"}), ("Stateful", {"notify_delay": "x"}),
])
def test_stop_and_probe_stay_safe_with_a_broken_configuration(agent, params, run_agent):
    assert run_agent(agent_path(agent), "stop", params=params).rc == 0
    assert run_agent(agent_path(agent), "monitor", params=params).rc == 7


# --- invalid parameters under a running resource (issue 13) ----------------------------------
# A running resource's parameters can change before a probe (a refresh, a node rejoining): the
# probe must still report the real state, and a stop must stop. (agent, bad parameters, role)
RUNNING_WITH_BAD_PARAMETER = [
    ("Dummy", {"op_sleep": "abc"}, "Started"),
    ("Dummy", {"op_sleep": "-1"}, "Started"),
    ("Dummy", {"op_sleep": "0.5"}, "Started"),
    ("Dummy", {"op_sleep": "9" * 30}, "Started"),
    ("Dummy", {"envfile": "relative/env"}, "Started"),
    ("Dummy", {"passwd": "two\nlines"}, "Started"),
    ("Dummy", {"op_sleep": "abc", "envfile": "relative/env"}, "Started"),
    ("Stateful", {"notify_delay": "abc"}, "Started"),
    ("Stateful", {"notify_delay": "-1"}, "Started"),
    ("Stateful", {"notify_delay": "1m"}, "Started"),
    ("Stateful", {"envfile": "relative/env"}, "Started"),
    ("Stateful", {"notify_delay": "abc"}, "Promoted"),
]


NEWLINES = "2.1.8"  # the first executor version that hands a newline over as it is


def start_resource(run_agent, agent, role, env):
    assert run_agent(agent, "start", extra_env=env).rc == 0
    if role == "Promoted":
        assert run_agent(agent, "promote", extra_env=env).rc == 0


@pytest.mark.parametrize("agent, bad, role", RUNNING_WITH_BAD_PARAMETER)
def test_probe_and_stop_of_a_running_resource_look_past_parameters_they_do_not_need(
        agent, bad, role, run_agent, rsctmp, fake_sbin, agent_log):
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}
    start_resource(run_agent, agent, role, env)
    running = 8 if role == "Promoted" else 0

    probe = run_agent(agent, "monitor", params=bad, extra_env=env, pacemaker_version=NEWLINES)
    recurring = run_agent(agent, "monitor", params=bad, interval_ms=10000, extra_env=env,
                          pacemaker_version=NEWLINES)
    stop = run_agent(agent, "stop", params=bad, extra_env=env, pacemaker_version=NEWLINES)

    assert (probe.rc, recurring.rc, stop.rc) == (running, running, 0)
    assert run_agent(agent, "monitor", extra_env=env).rc == 7  # really stopped
    assert os.listdir(rsctmp) == []
    assert b"ocf-exit-reason" not in probe.stderr + stop.stderr
    log = agent_log.read_text()
    assert "goes on despite an invalid parameter" in log and "Traceback" not in log


@pytest.mark.parametrize("agent", ["Dummy", "Stateful"])
@pytest.mark.parametrize("bad", [{"state": "relative/x.state"}, {"state": "/x\ny"}])
def test_an_invalid_state_path_leaves_the_state_unknown_probe_6_stop_1(agent, bad, run_agent,
                                                                       rsctmp, fake_sbin):
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}
    start_resource(run_agent, agent, "Started", env)

    probe = run_agent(agent, "monitor", params=bad, extra_env=env, pacemaker_version=NEWLINES)
    stop = run_agent(agent, "stop", params=bad, extra_env=env, pacemaker_version=NEWLINES)

    assert probe.rc == 6 and probe.exit_reason.startswith("cannot determine the state: state: ")
    assert stop.rc == 1 and stop.exit_reason.startswith("cannot stop: state: ")
    for result in (probe, stop):
        assert result.stderr.count(b"ocf-exit-reason:") == 1 and b"Traceback" not in result.stderr
    assert run_agent(agent, "monitor", extra_env=env).rc == 0  # nothing was touched: still running


@pytest.mark.parametrize("agent", ["Dummy", "Stateful"])
@pytest.mark.parametrize("pad, where", [("{} ", "after"), (" {}", "before"), ("\t{} ", "around")])
def test_a_state_path_pasted_with_white_space_is_refused_by_start_yet_found_by_probe_and_stop(
        agent, pad, where, run_agent, tmp_path, fake_sbin):
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}
    state = tmp_path / "x.state"
    assert run_agent(agent, "start", params={"state": str(state)}, extra_env=env).rc == 0
    padded = {"state": pad.format(state)}

    probe, start = run_agent(agent, "monitor", params=padded, extra_env=env), run_agent(agent, "start", params=padded)
    stop = run_agent(agent, "stop", params=padded, extra_env=env)

    assert (probe.rc, stop.rc) == (0, 0) and not state.exists()  # found, and really stopped
    assert start.rc == 6 and start.exit_reason.endswith(f"has white space {where} it")

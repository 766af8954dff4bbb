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

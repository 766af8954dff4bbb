"""agents/ping with a debug word it does not know (`pcs resource update ping debug=yes`, which pcs
accepts): the original takes it for false; a start refused with 6 would stop the clone on every
node, drop pingd, and with it every service a `not_defined pingd` rule keeps there."""

from __future__ import annotations

from ping_support import ORIGINAL, run_ping, updates
from ping_support import env, stub  # noqa: F401 (fixtures)

import pytest


@pytest.mark.parametrize("debug", ["yes", "on", "debug"])
def test_an_unknown_debug_word_starts_as_false_with_a_warning(env, stub, tmp_path, debug):
    params = {"host_list": "127.0.0.1", "timeout": "1", "multiplier": "1000", "debug": debug}

    validate = run_ping("validate-all", params=params, env=env)
    start = run_ping("start", params=params, env=env)

    assert (validate["rc"], start["rc"]) == (0, 0), start["exit_reason"]
    assert updates(stub) == ["1000"]
    log = (tmp_path / "agent.log").read_text()
    assert f"debug: '{debug}' is not one of false, true, verbose, 0, 1, 2: false used" in log


def test_the_original_starts_with_an_unknown_debug_word_too(env, stub):
    params = {"host_list": "127.0.0.1", "timeout": "1", "debug": "yes"}

    assert run_ping("start", params=params, env=env, agent=ORIGINAL)["rc"] == 0
    assert len(updates(stub)) == 1


def test_the_debug_parameter_is_a_string_as_in_the_original(env):
    result = run_ping("meta-data", params={}, env=env)

    assert '<parameter name="debug" required="0" reloadable="1">' in result["stdout"]
    assert '<content type="string" default="false" />' in result["stdout"].split('name="debug"')[1]

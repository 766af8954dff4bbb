"""Agent.certainly_stopped: a stop whose identifying parameter is invalid succeeds only when
the agent tells, from the usable values, that nothing runs; otherwise it fails as before."""

from __future__ import annotations

import pytest

from ocfpy import Agent, OCFError, Parameter
from ocfpy.params import absolute_path

UNUSABLE = {"OCF_RESKEY_path": "rel", "OCF_RESKEY_count": "3"}


def agent_with(verdict):
    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("path", shortdesc="where the state is", check=absolute_path, identifies=True),
        Parameter("count", "integer", shortdesc="count", default=1),
    ])
    ran = []
    agent.action("stop")(lambda ctx: ran.append("stop") or 0)
    agent.action("monitor")(lambda ctx: ran.append("monitor") or 0)
    seen = []

    @agent.certainly_stopped
    def check(ctx):
        seen.append(ctx.params.as_dict())
        if isinstance(verdict, Exception):
            raise verdict
        return verdict
    return agent, ran, seen


def test_a_stop_the_check_declares_needless_succeeds_without_its_handler(capfd):
    agent, ran, seen = agent_with(True)

    code = agent.main(["T", "stop"], UNUSABLE)

    err = capfd.readouterr().err
    assert (code, ran) == (0, [])
    assert seen == [{"path": None, "count": 3}]  # the usable values, the invalid one unset
    assert "ocf-exit-reason" not in err and "nothing to stop" in err


@pytest.mark.parametrize("verdict", [False, None, 1, OCFError("no answer"), OSError(5, "EIO")])
def test_a_stop_fails_as_before_unless_the_check_says_true(verdict, capfd):
    agent, ran, _ = agent_with(verdict)

    code = agent.main(["T", "stop"], UNUSABLE)

    err = capfd.readouterr().err
    assert (code, ran) == (1, [])
    assert err.splitlines()[-1] == ("ocf-exit-reason:cannot stop: path: 'rel' is not an absolute "
                                    "path (needed to find the resource)")
    assert "Traceback" not in err


def test_a_probe_still_says_6_and_the_check_is_not_asked(capfd):
    agent, ran, seen = agent_with(True)

    code = agent.main(["T", "monitor"], UNUSABLE)

    assert (code, ran, seen) == (6, [], [])


def test_a_stop_with_usable_values_runs_its_handler_without_asking(capfd):
    agent, ran, seen = agent_with(True)

    code = agent.main(["T", "stop"], {"OCF_RESKEY_path": "/run/x", "OCF_RESKEY_count": "x"})

    assert (code, ran, seen) == (0, ["stop"], [])

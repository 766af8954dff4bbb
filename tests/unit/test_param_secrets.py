"""Edges of UsableAs, lazy and deprecated parameters: secrets stay hidden, white space is no value."""

from __future__ import annotations

import pytest

from ocfpy import Agent, Parameter
from ocfpy.params import no_surrounding_space

RECURRING = {"OCF_RESKEY_CRM_meta_interval": "10000"}


def token_agent(seen, lazy):
    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("token", shortdesc="token", secret=True, check=no_surrounding_space, lazy=lazy),
    ])

    @agent.action("monitor")
    def monitor(ctx):
        seen.append(ctx.params.token)
        ctx.log.warning(f"the server said: bad token {ctx.params.token}")
        ctx.exit_reason(f"the server refused token={ctx.params.token}")
        return 1

    return agent


@pytest.mark.parametrize("lazy", [False, True])
def test_the_value_a_secret_check_gives_is_redacted_like_the_given_one(lazy, capfd):
    seen = []

    code = token_agent(seen, lazy).main(["T", "monitor"], dict(RECURRING, OCF_RESKEY_token=" hunter2 "))

    _, err = capfd.readouterr()
    assert (code, seen) == (1, ["hunter2"])
    assert "hunter2" not in err
    assert err.endswith("ocf-exit-reason:the server refused token=****\n")
    assert "bad token ****" in err


def alias_agent(seen):
    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("password", shortdesc="password", secret=True),
        Parameter("passwd", shortdesc="old name of password", replaced_with=("password",)),
    ])

    @agent.action("monitor")
    def monitor(ctx):
        seen.append((ctx.params.password, ctx.environment_dump(), ctx.show("passwd")))
        return 7

    return agent


def test_the_old_name_of_a_secret_is_kept_out_of_the_environment_dump(capfd):
    seen = []

    code = alias_agent(seen).main(["T", "monitor"], {"OCF_RESKEY_passwd": "hunter2", "OCF_RESKEY_x": "1"})

    assert code == 7
    assert seen == [("hunter2", {"OCF_RESKEY_x": "1"}, "****")]


def blank_agent(seen):
    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("device", shortdesc="device", required=True, identifies=True, check=no_surrounding_space),
    ])
    for action in ("stop", "monitor"):
        agent.action(action)(lambda ctx: seen.append(ctx.params.device) or 7)
    return agent


@pytest.mark.parametrize("action, code, reason", [
    ("monitor", 6, "cannot determine the state: device: ' ' has white space around it"),
    ("stop", 1, "cannot stop: device: ' ' has white space around it (needed to find the resource)"),
])
def test_white_space_alone_is_no_usable_value_of_a_required_parameter(action, code, reason, capfd):
    seen = []

    got = blank_agent(seen).main(["T", action], {"OCF_RESKEY_device": " "})

    _, err = capfd.readouterr()
    assert (got, seen) == (code, [])
    assert err.endswith(f"ocf-exit-reason:{reason}\n")


def prepared_agent(seen, checked):
    def costly(value):
        if value != "ok":  # the declared default is checked once, when declared
            checked.append(value)
            raise ValueError("missing )")

    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("regex", shortdesc="regex", check=costly, lazy=True, default="ok"),
    ])
    agent.before_each(lambda ctx: seen.append(("prepare", ctx.params.regex)))
    for action in ("start", "stop", "monitor", "demote", "promote", "notify"):
        agent.action(action)(lambda ctx: seen.append((ctx.action, ctx.params.regex, ctx.param_errors)) or 0)
    return agent


@pytest.mark.parametrize("action", ["monitor", "stop", "demote"])
def test_a_lazy_value_a_preparation_reads_is_checked_there_once_and_the_handler_gets_the_default(action, capfd):
    seen, checked = [], []

    code = prepared_agent(seen, checked).main(["T", action], {"OCF_RESKEY_regex": "a("})

    _, err = capfd.readouterr()
    assert (code, checked) == (0, ["a("])
    assert seen == [("prepare", "ok"), (action, "ok", ("regex: missing )",))]
    assert err.count("goes on despite an invalid parameter (default used): regex: missing )") == 1


@pytest.mark.parametrize("action", ["promote", "notify", "start", "validate-all"])
def test_the_other_actions_refuse_a_lazy_value_before_any_preparation(action, capfd):
    seen, checked = [], []

    code = prepared_agent(seen, checked).main(["T", action], {"OCF_RESKEY_regex": "a("})

    _, err = capfd.readouterr()
    assert (code, checked, seen) == (6, ["a("], [])
    assert err.endswith("ocf-exit-reason:regex: missing )\n")


@pytest.mark.parametrize("check", ["absolute_path", ("a", "b"), 3])
def test_a_check_that_is_no_function_is_refused_when_declared(check):
    with pytest.raises(ValueError, match=r"^Parameter 'p': check is a function taking the value \(such as "
                                         r"absolute_path\), not "):
        Parameter("p", shortdesc="p", check=check)

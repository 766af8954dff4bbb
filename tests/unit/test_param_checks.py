"""What state actions may outlive (a UsableAs value, lazy checks run on first read), and the time budget they get."""

from __future__ import annotations

import time

import pytest

from ocfpy import Agent, Parameter
from ocfpy.context import Context, resolve_params
from ocfpy.environment import Environment
from ocfpy.params import UsableAs, absolute_path, no_surrounding_space

PROBE = {}
RECURRING = {"OCF_RESKEY_CRM_meta_interval": "10000"}


def padded_agent(seen):
    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("device", shortdesc="device", required=True, identifies=True,
                  check=no_surrounding_space),
        Parameter("token", shortdesc="token", secret=True, check=no_surrounding_space),
    ])
    for action in ("start", "stop", "monitor", "demote", "promote"):
        agent.action(action)(lambda ctx: seen.append((ctx.params.device, ctx.param_errors)) or 0)
    return agent


def run(agent, action, env, capfd):
    code = agent.main(["T", action], env)
    _, err = capfd.readouterr()
    return code, err


def reasons(err):
    return [line[len("ocf-exit-reason:"):] for line in err.splitlines() if line.startswith("ocf-exit-reason:")]


@pytest.mark.parametrize("action, extra", [("stop", {}), ("monitor", PROBE), ("monitor", RECURRING),
                                           ("demote", {})])
def test_a_padded_identifying_value_is_used_stripped_by_the_state_actions(action, extra, capfd):
    seen = []

    code, err = run(padded_agent(seen), action, dict(extra, OCF_RESKEY_device=" /dev/sdb1 "), capfd)

    assert code == 0 and reasons(err) == []
    assert seen == [("/dev/sdb1", ("device: ' /dev/sdb1 ' has white space around it",))]
    assert (f"{action} goes on despite an invalid parameter ('/dev/sdb1' used): device: "
            "' /dev/sdb1 ' has white space around it") in err


@pytest.mark.parametrize("action", ["start", "validate-all", "promote"])
def test_a_padded_value_is_refused_by_every_other_action(action, capfd):
    seen = []

    code, err = run(padded_agent(seen), action, {"OCF_RESKEY_device": "/dev/sdb1 "}, capfd)

    assert (code, reasons(err), seen) == (6, ["device: '/dev/sdb1 ' has white space after it"], [])


def test_a_secret_usable_value_is_never_shown(capfd):
    seen = []

    code, err = run(padded_agent(seen), "monitor", {"OCF_RESKEY_device": "/dev/sdb1",
                                                    "OCF_RESKEY_token": " hunter2 "}, capfd)

    assert code == 0 and "hunter2" not in err
    assert "(**** used): token: the value is not valid (secret, not shown)" in err


@pytest.mark.parametrize("value, where", [(" /x", "before"), ("/x\t", "after"), (" /x ", "around")])
def test_white_space_is_placed_in_words_since_a_long_value_is_shown_cut(value, where):
    with pytest.raises(UsableAs, match=f"has white space {where} it$") as refused:
        no_surrounding_space(value)
    assert refused.value.value == "/x"


@pytest.mark.parametrize("value, refusal", [(" /run/x.state", UsableAs), ("run/x", ValueError), (" run/x", ValueError)])
def test_absolute_path_takes_a_padded_path_as_usable_and_a_relative_one_not(value, refusal):
    with pytest.raises(ValueError) as refused:
        absolute_path(value)
    assert type(refused.value) is refusal


def test_a_check_may_give_any_usable_value():
    def lower_case(value):
        if value != value.lower():
            raise UsableAs("is lower case", value.lower())

    param = Parameter("fstype", shortdesc="type", check=lower_case)

    with pytest.raises(UsableAs) as refused:
        param.convert("TMPFS")
    assert refused.value.value == "tmpfs" and param.convert("tmpfs") == "tmpfs"


def lazy_agent(seen, checked):
    def costly(value):
        checked.append(value)
        if "(" in value:
            raise ValueError("missing )")

    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("regex", shortdesc="regex", check=costly, lazy=True),
        Parameter("depth", "integer", shortdesc="depth", default=0),
    ])

    def handler(ctx):
        if ctx.params.depth:
            seen.append((ctx.params.regex, ctx.param_errors))
        return 0

    for action in ("start", "stop", "monitor"):
        agent.action(action)(handler)
    return agent


@pytest.mark.parametrize("action", ["stop", "monitor"])
def test_a_lazy_check_waits_for_the_first_read_in_the_state_actions(action, capfd):
    seen, checked = [], []

    code, err = run(lazy_agent(seen, checked), action, {"OCF_RESKEY_regex": "a("}, capfd)

    assert (code, checked, seen) == (0, [], []) and "WARNING" not in err


def test_a_lazy_value_read_in_a_monitor_is_checked_once_and_falls_back_with_a_warning(capfd):
    seen, checked = [], []
    env = {"OCF_RESKEY_regex": "a(", "OCF_RESKEY_depth": "1"}

    code, err = run(lazy_agent(seen, checked), "monitor", env, capfd)

    assert (code, checked, seen) == (0, ["a("], [(None, ("regex: missing )",))])
    assert "monitor goes on despite an invalid parameter (default used): regex: missing )" in err


@pytest.mark.parametrize("action", ["start", "validate-all"])
def test_a_lazy_check_runs_up_front_in_the_other_actions(action, capfd):
    seen, checked = [], []

    code, err = run(lazy_agent(seen, checked), action, {"OCF_RESKEY_regex": "a("}, capfd)

    assert (code, checked, reasons(err)) == (6, ["a("], ["regex: missing )"])


def test_as_dict_runs_the_pending_checks(capfd):
    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("regex", shortdesc="regex", check=absolute_path_like, lazy=True)])
    got = []
    agent.action("monitor")(lambda ctx: got.append(ctx.params.as_dict()) or 0)

    code, err = run(agent, "monitor", {"OCF_RESKEY_regex": "rel"}, capfd)

    assert code == 0 and got == [{"regex": None}] and "regex: not absolute" in err


def absolute_path_like(value):
    if not value.startswith("/"):
        raise ValueError("not absolute")


@pytest.mark.parametrize("keywords", [{}, {"check": absolute_path_like, "identifies": True}])
def test_lazy_without_a_check_or_on_an_identifying_value_is_refused_when_declared(keywords):
    with pytest.raises(ValueError, match="lazy defers a check"):
        Parameter("p", shortdesc="p", lazy=True, **keywords)


def test_show_names_an_unset_value_as_such_not_as_the_string_none(capfd):
    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("pidfile", shortdesc="pid file"), Parameter("count", "integer", shortdesc="n", default=3)])
    shown = []
    agent.action("start")(lambda ctx: shown.extend([ctx.show("pidfile"), ctx.show("count")]) or 0)

    assert run(agent, "start", {}, capfd)[0] == 0 and shown == ["(not set)", "'3'"]


@pytest.mark.parametrize("timeout_ms, default, low, high", [
    ("20000", 60.0, 18.9, 19.0),   # 20 s less the 1 s margin
    ("1000", 60.0, 0.7, 0.8),      # a 1 s monitor keeps four fifths, not 0
    (None, 5.0, 3.9, 4.0),         # no timeout: default seconds from the start, less the margin
])
def test_budget_keeps_a_margin_for_the_exit_reason_but_never_all_of_a_short_time(timeout_ms, default, low, high):
    env = Environment({} if timeout_ms is None else {"OCF_RESKEY_CRM_meta_timeout": timeout_ms},
                      started=time.monotonic())
    agent = Agent("T", version="1", shortdesc="test", parameters=[Parameter("x", shortdesc="x")])
    ctx = Context(agent, "start", env, resolve_params(agent.parameters, env)[0], ())

    assert low <= ctx.budget(default) <= high

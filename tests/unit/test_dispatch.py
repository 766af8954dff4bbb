"""main(): one action in, one code out, with OCF's safety rules and one clean exit reason."""

from __future__ import annotations

import os

import pytest

from ocfpy import Agent, NotInstalled, OCFExit, Parameter
from ocfpy.params import absolute_path


def make_agent(handlers=None, validator=None):
    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("count", "integer", shortdesc="count", default=1),
        Parameter("password", shortdesc="pw", secret=True),
        Parameter("name", shortdesc="name", required=True),
    ])
    for name, handler in (handlers or {}).items():
        agent.action(name)(handler)
    if validator:
        agent.validate(validator)
    return agent


GOOD = {"OCF_RESKEY_name": "n"}


def run(agent, argv, env, capfd):
    code = agent.main(["T"] + argv, env)
    out, err = capfd.readouterr()
    return code, out, err


def reasons(err):
    return [line for line in err.splitlines() if line.startswith("ocf-exit-reason:")]


def test_meta_data_needs_no_environment(capfd):
    code, out, _ = run(make_agent(), ["meta-data"], {}, capfd)
    assert code == 0 and out.startswith("<?xml")


def test_unknown_action_is_3_and_extra_arguments_are_ignored(capfd):
    agent = make_agent({"start": lambda ctx: OCFExit.SUCCESS})
    assert run(agent, ["frobnicate"], GOOD, capfd)[0] == 3
    assert run(agent, ["start", "extra", "args"], GOOD, capfd)[0] == 0


def test_missing_action_is_2_with_usage(capfd):
    code, _, err = run(make_agent(), [], GOOD, capfd)
    assert code == 2 and "usage:" in err


def test_handlers_get_typed_parameters_with_defaults(capfd):
    seen = {}
    agent = make_agent({"start": lambda ctx: seen.update(ctx.params.as_dict()) or 0})
    run(agent, ["start"], dict(GOOD, OCF_RESKEY_count="7"), capfd)
    assert seen == {"count": 7, "password": None, "name": "n"}


PROBE = {}
RECURRING = {"OCF_RESKEY_CRM_meta_interval": "10000"}


@pytest.mark.parametrize("action, env, code", [
    ("start", {}, 6),                                     # required parameter missing
    ("start", dict(GOOD, OCF_RESKEY_count="x"), 6),
    ("promote", dict(GOOD, OCF_RESKEY_count="x"), 6),
    ("validate-all", dict(GOOD, OCF_RESKEY_count="x"), 6),
])
def test_invalid_configuration_is_6_for_actions_that_change_or_check(action, env, code, capfd):
    agent = make_agent({name: lambda ctx: 0 for name in ("start", "promote")})
    got, out, err = run(agent, [action], env, capfd)
    assert got == code and len(reasons(err)) == 1
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize("action, extra", [("stop", {}), ("monitor", PROBE), ("monitor", RECURRING),
                                           ("demote", {})])
@pytest.mark.parametrize("answer", [0, 7, 1])
def test_stop_demote_and_monitor_run_despite_parameters_they_do_not_need(action, extra, answer,
                                                                         capfd):
    seen = {}

    def handler(ctx):
        seen.update(ctx.params.as_dict(), errors=ctx.param_errors)
        return answer

    agent = make_agent({action: handler})
    env = dict(extra, OCF_RESKEY_count="x")               # and the required name is missing
    code, out, err = run(agent, [action], env, capfd)
    assert code == (0 if action == "stop" and answer == 7 else answer)  # the handler's answer
    assert seen == {"count": 1, "password": None, "name": None,        # count's default stands in
                    "errors": ("count: 'x' is not an integer", "name is required but not set")}
    assert "WARNING" in err and "'x' is not an integer" in err and reasons(err) == []


def identifying_agent(handler):
    agent = Agent("T", version="1", shortdesc="test", parameters=[
        Parameter("path", shortdesc="where the state is", check=absolute_path, identifies=True),
        Parameter("count", "integer", shortdesc="count", default=1),
    ])
    for action in ("stop", "monitor"):
        agent.action(action)(handler)
    return agent


@pytest.mark.parametrize("action, extra, code, reason", [
    ("monitor", PROBE, 6, "cannot determine the state: path: 'rel' is not an absolute path"),
    ("monitor", RECURRING, 6, "cannot determine the state: path: 'rel' is not an absolute path"),
    ("stop", {}, 1, "cannot stop: path: 'rel' is not an absolute path (needed to find the resource)"),
])
def test_an_invalid_identifying_parameter_makes_the_state_unknowable(action, extra, code, reason,
                                                                     capfd):
    ran = []
    agent = identifying_agent(lambda ctx: ran.append(ctx) or 0)
    env = dict(extra, OCF_RESKEY_path="rel", OCF_RESKEY_count="x")
    got, out, err = run(agent, [action], env, capfd)
    assert (got, reasons(err)) == (code, ["ocf-exit-reason:" + reason])
    assert ran == [] and "count: 'x' is not an integer" in err and out == ""


def test_a_failing_preparation_warns_in_stop_and_monitor_and_fails_other_actions(capfd):
    agent = make_agent({name: lambda ctx: 0 for name in ("start", "stop", "monitor")})

    @agent.before_each
    def record(ctx):
        raise OSError(28, "No space left on device")

    for action in ("stop", "monitor"):
        code, _, err = run(agent, [action], GOOD, capfd)
        assert code == 0 and "record failed, ignored" in err and reasons(err) == []
    assert run(agent, ["start"], GOOD, capfd)[0] == 1


def test_an_uncaught_exception_is_1_with_one_line_reason_and_the_traceback_logged(capfd):
    def broken(ctx):
        raise RuntimeError("disk\nexploded")

    code, out, err = run(make_agent({"start": broken}), ["start"], GOOD, capfd)
    assert code == 1 and out == ""
    assert reasons(err) == ["ocf-exit-reason:internal error in start: RuntimeError: disk exploded"]
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("ocf-exit-reason:")


def test_typed_errors_set_code_and_reason(capfd):
    def missing(ctx):
        raise NotInstalled("mytool not found")

    code, _, err = run(make_agent({"start": missing}), ["start"], GOOD, capfd)
    assert code == 5 and reasons(err) == ["ocf-exit-reason:mytool not found"]


@pytest.mark.parametrize("action, returned, code", [
    ("stop", OCFExit.NOT_RUNNING, 0),        # stop of a stopped resource is success
    ("start", OCFExit.DEGRADED, 0),          # degraded codes only mean something from monitor
    ("monitor", OCFExit.DEGRADED, 190),
    ("monitor", OCFExit.DEGRADED_PROMOTED, 191),
    ("start", None, 1),                      # a handler must say what happened
    ("start", 42, 1),                        # execd would turn it into 1 anyway
    ("monitor", False, 1),                   # `return running` must not say 0, "running"
    ("stop", True, 1),
])
def test_codes_are_settled_for_the_action(action, returned, code, capfd):
    agent = make_agent({action: lambda ctx: returned})
    env = dict(GOOD, OCF_RESKEY_CRM_meta_interval="10000") if action == "monitor" else GOOD
    assert run(agent, [action], env, capfd)[0] == code


def test_a_bool_returned_for_a_code_is_1_with_a_reason_that_says_so(capfd):
    agent = make_agent({"monitor": lambda ctx: False})
    code, _, err = run(agent, ["monitor"], GOOD, capfd)
    assert code == 1 and reasons(err) == ["ocf-exit-reason:monitor returned an invalid exit code False"]


def test_an_exception_given_as_the_exit_reason_or_an_errors_reason_is_its_text(capfd):
    def given(ctx):
        try:
            open("/nonexistent/ocfpy-test")
        except OSError as error:
            ctx.exit_reason(error)
        raise NotInstalled(KeyError("mytool"))

    code, _, err = run(make_agent({"start": given}), ["start"], GOOD, capfd)
    assert code == 5 and reasons(err) == ["ocf-exit-reason:'mytool'"] and "Traceback" not in err

    agent = make_agent({"stop": lambda ctx: ctx.exit_reason(FileNotFoundError(2, "gone")) or 1})
    code, _, err = run(agent, ["stop"], GOOD, capfd)
    assert code == 1 and reasons(err) == ["ocf-exit-reason:[Errno 2] gone"]


def test_a_parameter_check_that_crashes_is_an_invalid_value_not_a_traceback(capfd):
    def crashing(value):
        raise OSError(5, "Input/output error")

    agent = Agent("T", version="1", shortdesc="test", parameters=[Parameter("x", shortdesc="x", check=crashing)])
    agent.action("monitor")(lambda ctx: 7)
    agent.action("start")(lambda ctx: 0)
    env = {"OCF_RESKEY_x": "v"}

    assert run(agent, ["monitor"], env, capfd)[0] == 7  # the probe still looks
    code, _, err = run(agent, ["start"], env, capfd)
    assert code == 6 and "Traceback" not in err
    assert reasons(err) == ["ocf-exit-reason:x: 'v' could not be checked: OSError: [Errno 5] Input/output error"]


@pytest.mark.parametrize("returned, code, shown", [
    (OCFExit.ERR_CONFIGURED, 6, "6"),  # a shell agent's `return $OCF_ERR_CONFIGURED`
    (5, 5, "5"),
    (False, 1, "False"),
    ("bad", 1, "'bad'"),
    ([], 1, "[]"),
])
@pytest.mark.parametrize("action", ["validate-all", "start"])
def test_a_validator_that_returns_a_verdict_is_not_ignored(returned, code, shown, action, capfd):
    agent = make_agent({"start": lambda ctx: 0}, validator=lambda ctx, environment: returned)

    rc, _, err = run(agent, [action], GOOD, capfd)

    assert rc == code
    assert reasons(err) == [f"ocf-exit-reason:the validator returned {shown} instead of raising "
                            "NotConfigured (or another ocfpy error) with the reason"]


@pytest.mark.parametrize("returned", [None, 0, OCFExit.SUCCESS])
def test_a_validator_that_returns_nothing_or_success_accepts(returned, capfd):
    agent = make_agent({"start": lambda ctx: 0}, validator=lambda ctx, environment: returned)
    assert run(agent, ["validate-all"], GOOD, capfd)[0] == 0
    assert run(agent, ["start"], GOOD, capfd)[0] == 0


@pytest.mark.parametrize("action, exit_with, code, reason", [
    ("stop", 7, 0, "already stopped"),            # settled as a returned 7 is
    ("start", 6, 6, "already stopped"),
    ("start", None, 0, "already stopped"),
    ("start", "no config", 1, "no config"),        # sys.exit("message"): the message is the reason
    ("start", True, 1, "start returned an invalid exit code True"),
])
def test_sys_exit_in_a_handler_ends_the_action_as_returning_its_code_would(action, exit_with, code, reason,
                                                                         capfd):
    import sys

    def exits(ctx):
        ctx.exit_reason("already stopped")
        sys.exit(exit_with)

    rc, _, err = run(make_agent({action: exits}), [action], GOOD, capfd)

    assert (rc, reasons(err)) == (code, [f"ocf-exit-reason:{reason}"])


def test_secret_values_never_reach_logs_or_reasons(capfd):
    def leak(ctx):
        ctx.log.error(f"password is {ctx.params.password}")
        raise RuntimeError(f"login failed with {ctx.params.password}")

    code, out, err = run(make_agent({"start": leak}), ["start"],
                         dict(GOOD, OCF_RESKEY_password="hunter2"), capfd)
    assert code == 1 and "hunter2" not in err + out and "****" in err


def test_a_bad_secret_is_reported_without_its_value(capfd):
    agent = Agent("T", version="1", shortdesc="t", parameters=[
        Parameter("pin", "integer", shortdesc="pin", secret=True)])
    agent.action("start")(lambda ctx: 0)
    code, _, err = run(agent, ["start"], {"OCF_RESKEY_pin": "12ab"}, capfd)
    assert code == 6 and "12ab" not in err and "pin" in reasons(err)[0]


@pytest.mark.parametrize("level, environment", [(None, False), ("0", False), ("10", True)])
def test_validate_all_checks_the_environment_only_from_level_10(level, environment, capfd):
    seen = []
    agent = make_agent(validator=lambda ctx, env_checks: seen.append(env_checks))
    env = dict(GOOD) if level is None else dict(GOOD, OCF_CHECK_LEVEL=level)
    assert run(agent, ["validate-all"], env, capfd)[0] == 0
    assert seen == [environment]


def test_start_runs_the_validator_with_environment_checks(capfd):
    def refuse(ctx, environment):
        raise NotInstalled("needs /usr/sbin/thing")

    agent = make_agent({"start": lambda ctx: 0}, validator=refuse)
    code, _, err = run(agent, ["start"], GOOD, capfd)
    assert code == 5 and reasons(err) == ["ocf-exit-reason:needs /usr/sbin/thing"]


def test_debug_logging_is_off_for_ha_debug_0(capfd):
    agent = make_agent({"start": lambda ctx: ctx.log.debug("noisy") or 0})
    _, _, err = run(agent, ["start"], dict(GOOD, HA_debug="0"), capfd)
    assert "noisy" not in err
    _, _, err = run(agent, ["start"], dict(GOOD, HA_debug="1"), capfd)
    assert "DEBUG: noisy" in err


def test_log_text_cannot_fake_an_exit_reason(capfd):
    agent = make_agent({"start": lambda ctx: ctx.log.error("ocf-exit-reason:forged") or 0})
    _, _, err = run(agent, ["start"], GOOD, capfd)
    assert reasons(err) == []


def test_commands_do_not_inherit_secret_parameters(capfd, fp):
    recorder = fp.register(["/usr/bin/env"], stdout="")

    def start(ctx):
        ctx.run(["/usr/bin/env"])
        return 0

    run(make_agent({"start": start}), ["start"], dict(GOOD, OCF_RESKEY_password="hunter2"), capfd)
    child_env = recorder.calls[0].kwargs["env"]
    assert child_env["OCF_RESKEY_name"] == "n" and child_env["LC_ALL"] == "C"
    assert "OCF_RESKEY_password" not in child_env


def test_the_environment_dump_never_follows_a_link(capfd, tmp_path):
    target = tmp_path / "target"
    target.write_text("keep\n")
    (tmp_path / "dump").symlink_to(target)
    agent = make_agent({"start": lambda ctx: ctx.dump_environment(str(tmp_path / "dump")) or 0})
    code, _, err = run(agent, ["start"], GOOD, capfd)
    assert code == 0 and "cannot write the environment" in err and target.read_text() == "keep\n"


@pytest.mark.parametrize("kind", ["missing directory", "directory", "fifo"])
def test_an_unwritable_environment_dump_is_logged_and_ignored(kind, capfd, tmp_path):
    path = tmp_path / "dump"
    if kind == "missing directory":
        path = tmp_path / "nonexistent" / "dump"
    elif kind == "directory":
        path.mkdir()
    else:
        os.mkfifo(path)
    agent = make_agent({"stop": lambda ctx: 0 if ctx.dump_environment(str(path)) is False else 1})
    code, _, err = run(agent, ["stop"], GOOD, capfd)
    assert code == 0 and f"cannot write the environment to {path}" in err and reasons(err) == []


def test_an_invalid_secret_stays_hidden_when_stop_runs_despite_it(capfd):
    agent = Agent("T", version="1", shortdesc="t", parameters=[
        Parameter("pin", "integer", shortdesc="pin", secret=True)])
    agent.action("stop")(lambda ctx: ctx.log.warning(f"raw {ctx.env.param('pin')}") or 0)
    code, _, err = run(agent, ["stop"], {"OCF_RESKEY_pin": "12ab"}, capfd)
    assert code == 0 and "12ab" not in err and "raw ****" in err

"""Run one action: resolve parameters, apply OCF's safety rules, call the handler, map the result.

Invalid parameters end most actions with 6. Stop, demote and monitor run anyway on the usable
values (an invalid one falls back to its default, or to the value its check's UsableAs gave;
the errors are in ``ctx.param_errors``), because
their answer is about the resource, not the configuration: a probe that said 7 without looking
could have Pacemaker start a running resource a second time, and a stop that said 0 without
stopping would leave it running. Only an invalid parameter that ``identifies`` the resource
makes the state unknowable: then a probe or monitor says 6 and a stop says 1, with one line,
unless the agent's ``certainly_stopped`` check tells from the other values that nothing runs.
"""

import os

from ocfpy import codes
from ocfpy.context import Context, resolve_params
from ocfpy.environment import Environment
from ocfpy.errors import NotConfigured, OCFError

#: Actions whose handler runs only after the validator accepted the configuration.
VALIDATED_ACTIONS = ("start", "reload-agent", "migrate_from")
#: Actions that find out or end the resource's state, whatever the configuration says
#: (demote is the first half of every stop of a promoted instance).
STATE_ACTIONS = ("stop", "monitor", "demote")
#: OCF_RESKEY_ names executors pass that no agent declares.
EXECUTOR_PARAMETERS = ("crm_feature_set", "OCF_CHECK_LEVEL")


def run_action(agent, action: str, environ) -> int:
    """The exit code of ``action``; its exit reason, if any, is the last line on stderr."""
    env = Environment(environ)
    params, errors = resolve_params(agent.parameters, env, defer_lazy=action in STATE_ACTIONS)
    hidden = [params.unchecked(name) for name in agent.secret_names]
    # the raw values too: an invalid one is not in params (its default stands in)
    hidden += [env.param(name) for name in agent.secret_names]
    secrets = tuple(sorted({str(value) for value in hidden if value}, key=len, reverse=True))
    ctx = Context(agent, action, env, params, secrets)
    try:
        code = _dispatch(agent, ctx, errors)
    except OCFError as error:
        code = error.rc
        if error.reason:
            ctx.exit_reason(error.reason)
    except SystemExit as error:  # sys.exit(code) in a handler, as a shell agent's `exit $rc`:
        code = 0 if error.code is None else error.code  # the code still gets settled below
        if isinstance(code, str):  # sys.exit("message"): the message is the reason
            ctx.exit_reason(code)
            code = codes.ERR_GENERIC
    except KeyboardInterrupt:
        code = codes.ERR_GENERIC
        ctx.exit_reason(f"{action} was interrupted")
    except Exception as error:  # the one place that turns a bug into rc 1 instead of a traceback
        code = codes.ERR_GENERIC
        _log_traceback(ctx)
        ctx.exit_reason(f"internal error in {action}: {type(error).__name__}: {error}")
    code = _settle(ctx, code)
    _write_reason(ctx)
    return int(code)


def _dispatch(agent, ctx: Context, errors: list) -> int:
    action = ctx.action
    if action == "validate-all":
        return _validate_all(agent, ctx, errors)
    handler = agent.handlers.get(action)
    if handler is None:
        ctx.exit_reason(f"{agent.name} does not implement the {action!r} action")
        return codes.ERR_UNIMPLEMENTED
    if errors and not _run_despite(agent, ctx, errors):
        return codes.SUCCESS  # a stop with nothing to stop
    _prepare(agent, ctx)
    if action in VALIDATED_ACTIONS:
        _warn_undeclared(agent, ctx)
    if action in VALIDATED_ACTIONS and agent.validator is not None:
        _validate(agent, ctx, True)
    code = handler(ctx)
    if code is None:
        raise TypeError(f"the {action} handler returned None instead of an exit code")
    return code


def _validate_all(agent, ctx: Context, errors: list) -> int:
    _warn_undeclared(agent, ctx)
    for error in errors[1:]:
        ctx.log.error(str(error))
    if errors:
        raise NotConfigured(str(errors[0]))
    _prepare(agent, ctx)
    if agent.validator is not None:
        _validate(agent, ctx, ctx.env.check_level >= 10)
    handler = agent.handlers.get("validate-all")
    return handler(ctx) if handler is not None else codes.SUCCESS


def _warn_undeclared(agent, ctx: Context) -> None:
    """Log each OCF_RESKEY_ parameter the agent does not declare: Pacemaker passes whatever it is
    given, so a typo (directroy=) would otherwise leave the real parameter at its default unseen."""
    prefix, meta = "OCF_RESKEY_", "OCF_RESKEY_CRM_meta_"
    names = [param.name for param in agent.parameters]
    given = {key[len(prefix):] for key in ctx.env.mapping if key.startswith(prefix) and not key.startswith(meta)}
    unknown = sorted(given.difference(names, EXECUTOR_PARAMETERS))
    if not unknown:
        return
    from difflib import get_close_matches

    for name in unknown:
        close = get_close_matches(name, names, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        ctx.log.warning(f"{agent.name} has no parameter {name}: ignored{hint}")


def _validate(agent, ctx: Context, environment: bool) -> None:
    """Run the validator; one that returns a code (a shell agent's habit) instead of raising
    fails with it rather than having its verdict ignored."""
    returned = agent.validator(ctx, environment)
    if returned is None or (returned == codes.SUCCESS and not isinstance(returned, bool)):
        return
    valid = isinstance(returned, int) and not isinstance(returned, bool) and returned in codes.VALID
    shown = int(returned) if valid else repr(returned)
    raise OCFError(f"the validator returned {shown} instead of raising NotConfigured (or another "
                   "ocfpy error) with the reason", rc=int(returned) if valid else codes.ERR_GENERIC)


def _run_despite(agent, ctx: Context, errors: list) -> bool:
    """Let stop, demote and monitor go on with invalid parameters they can do without; raise
    otherwise. False: a stop that has nothing to stop, its handler not to be run."""
    needed = [error for error in errors if error.identifies and not error.usable]
    if ctx.action not in STATE_ACTIONS or needed:
        first = (needed or errors)[0]
        for error in errors:
            if error is not first:
                ctx.log.error(f"invalid configuration: {error}")
        if ctx.action == "stop" and needed and _certainly_stopped(agent, ctx):
            ctx.log.warning(f"stop: {first}; the resource does not run here: nothing to stop")
            return False
        if ctx.action == "stop":
            raise OCFError(f"cannot stop: {first} (needed to find the resource)")
        if ctx.action == "monitor":
            raise NotConfigured(f"cannot determine the state: {first}")
        raise NotConfigured(str(first))
    for error in errors:
        ctx.note_invalid(error)
    return True


def _certainly_stopped(agent, ctx: Context) -> bool:
    if agent.stopped_check is None:
        return False
    try:
        return agent.stopped_check(ctx) is True
    except (OCFError, OSError, ValueError) as error:
        ctx.log.warning(f"stop: cannot tell whether the resource runs here: {error}")
        return False


def _prepare(agent, ctx: Context) -> None:
    """Run the ``before_each`` preparations; in stop, demote and monitor their failures only warn.

    Preparations serve side paths (an environment dump, a log): a failure there must not
    turn the answer about the resource into a failed stop or a wrong monitor.
    """
    for prepare in agent.preparations:
        if ctx.action not in STATE_ACTIONS:
            prepare(ctx)
            continue
        try:
            prepare(ctx)
        except (OCFError, OSError) as error:
            ctx.log.warning(f"{ctx.action}: {prepare.__name__} failed, ignored: {error}")


def _settle(ctx: Context, code) -> int:
    """Codes a handler may not return from this action are mapped to what Pacemaker expects."""
    try:  # a bool is no code: `return running` would make False 0, "running"
        valid = not isinstance(code, bool) and int(code) == code and int(code) in codes.VALID
    except (TypeError, ValueError):
        valid = False
    if not valid:
        ctx.log.error(f"{ctx.action} returned {code!r}, which is not an OCF exit code")
        ctx.exit_reason(f"{ctx.action} returned an invalid exit code {code!r}")
        return codes.ERR_GENERIC
    code = int(code)
    if ctx.action == "stop" and code == codes.NOT_RUNNING:
        return codes.SUCCESS
    if ctx.action != "monitor" and code in codes.DEGRADED_CODES:
        ctx.log.warning(f"{ctx.action} returned {code}, a degraded code only monitor may return")
        return codes.SUCCESS
    return code


def _log_traceback(ctx: Context) -> None:
    import traceback

    ctx.log.error(traceback.format_exc().rstrip())


def _write_reason(ctx: Context) -> None:
    if not ctx.reason:
        return
    from ocfpy import streams
    from ocfpy.reason import clean_message, fits, reason_line

    full = clean_message(ctx.reason, ctx.env.exit_reason_prefix)
    if not fits(full):  # Pacemaker keeps a shortened one: the whole of it goes to the log
        ctx.log.error(full)
        if not ctx.log.writes_stderr:  # and to stderr, which execd logs, as ocf_exit_reason does
            streams.write("stderr", f"ERROR: {full}\n")
    streams.flush("stdout")
    streams.flush("stderr")
    line = reason_line(ctx.reason, ctx.env.exit_reason_prefix)
    try:
        os.write(2, line)
    except OSError:
        pass  # stderr closed: nobody to tell

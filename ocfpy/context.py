"""What a handler receives: typed parameters, the environment, a logger and the time budget."""

import os
import stat
import time

from ocfpy.params import UsableAs, show_value


class ParameterError(ValueError):
    """A parameter value that is missing or cannot be used; the message is one line.

    ``usable`` tells that the value in Params is what the configured one means (a
    :class:`ocfpy.params.UsableAs`), not the default standing in for it.
    """

    def __init__(self, message: str, param, usable: bool = False):
        super().__init__(message)
        self.name = param.name
        self.identifies = param.identifies
        self.usable = usable


class Params:
    """Typed parameter values: ``params.state``, or ``params["name-with-dash"]``.

    A lazy parameter's check runs when its value is first read; a value it refuses is
    replaced (by the default, or the UsableAs value) and reported to ``report_invalid_to``.
    """

    def __init__(self, values: dict, given: frozenset, deferred: "dict | None" = None):
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_given", given)
        object.__setattr__(self, "_deferred", deferred or {})
        object.__setattr__(self, "_report", None)

    def __getattr__(self, name: str):
        if name in ("_values", "_given", "_deferred", "_report"):  # not set yet: copy, unpickle
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no parameter {name!r} is declared") from None

    def __getitem__(self, name: str):
        if name in self._deferred:
            self._check_now(name)
        return self._values[name]

    def __setattr__(self, name, value):
        raise AttributeError("parameters are read-only")

    def __contains__(self, name: str) -> bool:
        return name in self._values

    def is_set(self, name: str) -> bool:
        """The executor passed the parameter (possibly empty), rather than the default applying."""
        return name in self._given

    def as_dict(self) -> dict:
        return {name: self[name] for name in self._values}

    def unchecked(self, name: str):
        """The value without running a deferred check (for redacting a secret)."""
        return self._values[name]

    def report_invalid_to(self, report) -> None:
        """Call ``report(ParameterError)`` for each value a deferred check refuses."""
        object.__setattr__(self, "_report", report)

    def _check_now(self, name: str) -> None:
        param, raw = self._deferred.pop(name)
        try:
            self._values[name] = param.checked(self._values[name], raw)
        except ValueError as error:
            self._values[name], refused = _refusal(param, error)
            if self._report is not None:
                self._report(refused)


def resolve_params(declared, env, defer_lazy: bool = False) -> tuple:
    """(Params, [ParameterError]): every declared parameter converted, defaulted and checked.

    A value that is missing or invalid leaves its typed default (None without one) in Params,
    so that the actions that may still run (stop, monitor) get every usable value; a check's
    :class:`ocfpy.params.UsableAs` leaves its value instead. With ``defer_lazy``, the checks
    of lazy parameters wait until their value is read.
    """
    values, errors, given, deferred = {}, [], set(), {}
    by_name = {param.name: param for param in declared}
    for param in declared:
        raw = env.param(param.name)
        if raw is None:
            raw = _inherited_value(param, by_name, env)
        if raw is None:
            values[param.name] = param.typed_default()
            if param.required:
                errors.append(ParameterError(f"{param.name} is required but not set", param))
            continue
        given.add(param.name)
        if raw == "" and param.required:
            values[param.name] = None
            errors.append(ParameterError(f"{param.name} is required but empty", param))
            continue
        try:
            if defer_lazy and param.lazy:
                values[param.name] = param.unchecked(raw)
                deferred[param.name] = (param, raw)
            else:
                values[param.name] = param.convert(raw)
        except ValueError as error:
            values[param.name], refused = _refusal(param, error)
            errors.append(refused)
    return Params(values, frozenset(given), deferred), errors


def _refusal(param, error: ValueError) -> tuple:
    """(the value that stands in, the ParameterError) for a value ``param`` refused."""
    # white space alone stands for nothing: a required value it replaces is still missing
    usable = isinstance(error, UsableAs) and not (param.required and error.value in ("", None))
    problem = "the value is not valid (secret, not shown)" if param.secret else str(error)
    stand_in = error.value if usable else param.typed_default()
    return stand_in, ParameterError(f"{param.name}: {problem}", param, usable=usable)


def _inherited_value(param, by_name: dict, env) -> "str | None":
    """A parameter that is unset takes the value of a deprecated parameter it replaces."""
    for other in by_name.values():
        if param.name in other.replaced_with:
            raw = env.param(other.name)
            if raw is not None:
                return raw
    return None


class Context:
    """One action's world, handed to every handler."""

    def __init__(self, agent, action: str, env, params: Params, secrets: tuple):
        self.agent = agent
        self.action = action
        self.env = env
        self.params = params
        #: One line per invalid parameter a stop or monitor runs despite (its default, or the
        #: value a UsableAs gave, stands in).
        self.param_errors = ()
        self._secrets = secrets
        self._reason = None
        self._log = None
        params.report_invalid_to(self.note_invalid)

    def note_invalid(self, error) -> None:
        """Warn that this action goes on despite the invalid parameter ``error`` and keep it
        in ``param_errors``."""
        if error.usable and error.name in self.agent.secret_names:  # a lazy check's value is new
            self._hide(str(self.params.unchecked(error.name)))
        used = f"{self.show(error.name)} used" if error.usable else "default used"
        self.log.warning(f"{self.action} goes on despite an invalid parameter ({used}): {error}")
        self.param_errors += (str(error),)

    @property
    def log(self):
        """The agent's :class:`ocfpy.log.Log`, made on first use (a quiet action loads no logging)."""
        if self._log is None:
            from ocfpy.log import Log

            tag = self.env.get("HA_LOGTAG") or f"{self.agent.name}({self.instance})[{os.getpid()}]"
            self._log = Log(self.env.mapping, tag, self.redact)
        return self._log

    @property
    def instance(self) -> str:
        return self.env.instance

    @property
    def is_probe(self) -> bool:
        """A monitor with no interval: report the state, change nothing, 7 when stopped."""
        return self.env.is_probe(self.action)

    def time_left(self) -> "float | None":
        """Seconds before Pacemaker SIGKILLs this action (None without a timeout)."""
        return self.env.time_left()

    def budget(self, default: float, margin: float = 1.0) -> float:
        """Seconds this action may still wait, never negative: the time left (``default``
        seconds from the action's start when there is no timeout: crm_resource --force-*, a
        manual run), less ``margin`` for the exit reason, or less a fifth of the time left when
        that is less (a 1 s monitor keeps 0.8 s for its work instead of none)."""
        left = self.time_left()
        if left is None:
            left = max(0.0, self.env.started + default - time.monotonic())
        return max(0.0, left - min(margin, left * 0.2))

    def exit_reason(self, message: str) -> None:
        """Set the exit reason written when the action ends (the last one set wins); an
        exception given as ``message`` stands for its text."""
        self._reason = self.redact(str(message))

    @property
    def reason(self) -> "str | None":
        return self._reason

    def redact(self, text: str) -> str:
        """``text`` with every secret parameter value replaced by ``****``."""
        for secret in self._secrets:
            text = text.replace(secret, "****")
        return text

    def _hide(self, secret: str) -> None:
        """Redact ``secret`` too from now on (longest first, so no part of one shows)."""
        if secret and secret not in self._secrets:
            self._secrets = tuple(sorted(self._secrets + (secret,), key=len, reverse=True))

    def show(self, name: str) -> str:
        """A parameter's value for a message: quoted and escaped, ``****`` when secret,
        ``(not set)`` when it has no value (not the string 'None')."""
        value = self.params[name]
        if value is None:
            return "(not set)"
        return "****" if name in self.agent.secret_names else show_value(str(value))

    def environment_dump(self) -> dict:
        """The environment without secret parameters, for agents that record it."""
        hidden = {"OCF_RESKEY_" + name for name in self.agent.secret_names}
        return {key: value for key, value in self.env.mapping.items() if key not in hidden}

    def dump_environment(self, path: str) -> bool:
        """Append this action's environment, secrets left out, to ``path`` (never through a link).

        A side path: when ``path`` cannot be written, a warning is logged and False returned;
        the action goes on.
        """
        import time

        lines = [f"{key}={value}" for key, value in sorted(self.environment_dump().items())]
        text = f"### {self.action} @ {time.ctime()} ###\n" + "\n".join(lines) + "\n"
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
        try:
            fd = os.open(path, flags, 0o600)
            with os.fdopen(fd, "wb") as dump:
                if not stat.S_ISREG(os.fstat(dump.fileno()).st_mode):
                    raise IsADirectoryError(0, "not a regular file")
                dump.write(text.encode("utf-8", "surrogateescape"))
        except OSError as error:
            self.log.warning(f"cannot write the environment to {path}: {error.strerror}; ignored")
            return False
        return True

    def state_file(self, suffix: str = "state"):
        """This instance's :class:`ocfpy.state.StateFile` under HA_RSCTMP."""
        from ocfpy.state import StateFile

        return StateFile.for_instance(self.env, self.agent.name, suffix)

    def lock(self, name: str, **options):
        """An exclusive :class:`ocfpy.lock.Lock` under HA_RSCTMP, waited for until the deadline."""
        from ocfpy.lock import Lock

        return Lock(self.env, name, **options)

    def run(self, argv, **options):
        """Run a command within this action's time budget (see :func:`ocfpy.commands.run`).

        The command gets this action's environment without the secret parameters, and runs
        in its own process group: it is killed at the budget (the deadline less a margin),
        before Pacemaker's SIGKILL of the agent's group, which would not reach it.
        """
        from ocfpy.commands import run

        options.setdefault("deadline", self.env.deadline)
        options.setdefault("env", self.environment_dump())
        return run(argv, **options)

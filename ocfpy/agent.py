"""The Agent: declarations in, ``main()`` out; one call runs one action and returns its code."""

import os
import sys

BUILTIN_TIMEOUTS = {"meta-data": 5, "validate-all": 20}
#: Actions that only print (no action at all prints the usage to stderr, exit 2).
INFORMATIONAL = ("meta-data", "usage", "help", "-h", "--help", "")


def _seconds(value) -> str:
    """20 -> ``20s``; strings such as ``1m`` pass unchanged."""
    return f"{value}s" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


class ActionSpec:
    """One ``<action>`` line of the meta-data."""

    __slots__ = ("name", "timeout", "interval", "depth", "role", "start_delay")

    def __init__(self, name: str, timeout=20, interval=None, depth=None, role=None, start_delay=None):
        if role is not None and role not in ("Promoted", "Unpromoted"):
            raise ValueError(f"action {name!r}: role is 'Promoted' or 'Unpromoted', not {role!r}")
        self.name = name
        self.timeout = timeout
        self.interval = interval
        self.depth = depth
        self.role = role
        self.start_delay = start_delay

    def attributes(self) -> dict:
        """The XML attributes, in the order pcs and crmsh print them."""
        attributes = {"name": self.name, "timeout": _seconds(self.timeout)}
        if self.interval is not None:
            attributes["interval"] = _seconds(self.interval)
        if self.start_delay is not None:
            attributes["start-delay"] = _seconds(self.start_delay)
        if self.depth is not None:
            attributes["depth"] = str(self.depth)
        if self.role is not None:
            attributes["role"] = self.role
        return attributes


class Agent:
    """An OCF resource agent, declared once and run by :meth:`main`.

    Args:
        name: the agent's type, which is also its file name.
        version: the agent's own version (the OCF version is separate).
        shortdesc, longdesc: the descriptions in the meta-data.
        parameters: :class:`ocfpy.Parameter` declarations.
        ocf_version: ``"1.1"``, or ``"1.0"`` for meta-data that ocf-tester's DTD accepts.
    """

    def __init__(self, name: str, *, version: str, shortdesc: str, longdesc: str = "",
                 parameters=(), ocf_version: str = "1.1"):
        if ocf_version not in ("1.0", "1.1"):
            raise ValueError(f"ocf_version is '1.1' or '1.0', not {ocf_version!r}")
        for keyword, text in (("name", name), ("version", version), ("shortdesc", shortdesc),
                              ("longdesc", longdesc or "")):
            if not isinstance(text, str):  # the meta-data would fail, in Pacemaker's hands
                raise ValueError(f"Agent {keyword} is a string (such as version=\"1.0\"), not {text!r}")
        if not parameters:
            raise ValueError("an agent needs at least one parameter: the OCF 1.1 schema requires one")
        names = [param.name for param in parameters]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"parameters declared twice: {', '.join(duplicates)}")
        self.name = name
        self.version = version
        self.shortdesc = shortdesc
        self.longdesc = longdesc or shortdesc
        self.parameters = tuple(parameters)
        self.ocf_version = ocf_version
        secret = {p.name for p in parameters if p.secret}
        # an old name's value is the secret it passes on: hidden from dumps and commands too
        self.secret_names = frozenset(secret | {p.name for p in parameters if secret & set(p.replaced_with)})
        self.handlers = {}
        self.validator = None
        self.preparations = []
        self.stopped_check = None
        self._specs = []

    # --- declaration ----------------------------------------------------------------------
    def action(self, name: str, timeout=20, **advertised):
        """Decorator: ``handler(ctx) -> int`` runs ``name``; also advertised in the meta-data.

        ``timeout`` (seconds, or a string such as ``"2min"``) and ``advertised`` (``interval``,
        ``depth``, ``role`` ``"Promoted"``/``"Unpromoted"``, ``start_delay``) are the meta-data's
        attributes of the action: the defaults ``pcs resource create`` gives its operations.
        """
        if callable(name):  # a bare @agent.action would silently register nothing
            example = getattr(name, "__name__", "start")
            raise ValueError(f"@agent.action needs the action's name: @agent.action({example!r}), "
                             "not @agent.action")
        if name in INFORMATIONAL:  # answered before any handler could run
            raise ValueError(f"action {name!r} is built in: ocfpy answers it from the declaration")

        def register(handler):
            if name in self.handlers:
                raise ValueError(f"action {name!r} has two handlers")
            self.handlers[name] = handler
            self._specs.append(ActionSpec(name, timeout, **advertised))
            return handler
        return register

    def advertise(self, name: str, timeout=20, **attributes) -> None:
        """One more meta-data line for an action, e.g. a monitor for role Promoted or depth 10."""
        self._specs.append(ActionSpec(name, timeout, **attributes))

    def validate(self, check):
        """Decorator: ``check(ctx, environment: bool)`` raises an OCFError when the config is bad.

        It runs for ``validate-all`` (``environment`` when OCF_CHECK_LEVEL >= 10) and before
        ``start``, ``reload-agent`` and ``migrate_from`` (always with ``environment``).
        """
        self.validator = check
        return check

    def certainly_stopped(self, check):
        """Decorator: ``check(ctx) -> bool`` is True when the resource surely does not run on
        this node, told from the usable parameters alone.

        It runs only for a stop whose identifying parameter is invalid: True makes that stop
        succeed (nothing to stop) instead of failing, which would fence the node. Its
        OCFError, OSError or ValueError counts as False.
        """
        self.stopped_check = check
        return check

    def before_each(self, prepare):
        """Decorator: ``prepare(ctx)`` runs before every handler, for side paths such as a log.

        It runs once parameters are valid, and in stop and monitor also with the usable values
        when some are not; there, an OCFError or OSError it raises is logged and ignored.
        """
        self.preparations.append(prepare)
        return prepare

    def advertised_actions(self) -> list:
        """Every action line of the meta-data, built-ins included, in declaration order."""
        specs = list(self._specs)
        declared = {spec.name for spec in specs}
        for name, timeout in BUILTIN_TIMEOUTS.items():
            if name not in declared:
                specs.append(ActionSpec(name, timeout))
        return specs

    def metadata(self, ocf_version: "str | None" = None) -> str:
        """The meta-data XML as text."""
        from ocfpy.metadata import build_metadata

        return build_metadata(self, ocf_version or self.ocf_version)

    # --- running --------------------------------------------------------------------------
    def main(self, argv=None, environ=None) -> int:
        """Run the action named by ``argv[1]`` (extra arguments are ignored); return its code."""
        argv = sys.argv if argv is None else argv
        environ = os.environ if environ is None else environ
        action = argv[1] if len(argv) > 1 else ""
        if action in INFORMATIONAL:
            return self._inform(action, environ)
        from ocfpy.dispatch import run_action

        return run_action(self, action, environ)

    def _inform(self, action: str, environ) -> int:
        """The actions that only print: meta-data, usage (no parameters, no root, no logging)."""
        from ocfpy import streams

        if action == "meta-data":
            from ocfpy.launch import metadata_variant

            legacy = bool(metadata_variant(environ))
            return streams.print_text(self.metadata("1.0" if legacy else self.ocf_version))
        if action:
            return streams.print_text(self.usage() + "\n")
        streams.write("stderr", self.usage() + "\n")
        return 2

    def usage(self) -> str:
        names = sorted(set(self.handlers) | set(BUILTIN_TIMEOUTS))
        return f"usage: {self.name} {{{'|'.join(names)}}}"


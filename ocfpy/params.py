"""Parameters declared once: metadata, type conversion, defaults and validation all come from here."""

TYPES = ("string", "integer", "number", "boolean", "select", "duration")
#: The OCF 1.1 schema knows no fractional or duration type: both are announced as strings.
CONTENT_TYPES = {"number": "string", "duration": "string"}
#: Types that take ``minimum`` and ``maximum``.
BOUNDED_TYPES = ("integer", "number", "duration")
#: Types whose empty value means the default, as ``: ${OCF_RESKEY_x:=default}`` in a shell agent.
EMPTY_MEANS_DEFAULT = frozenset(("integer", "number", "boolean", "duration"))

# Pacemaker's spelling (crm_str_to_boolean), compared without regard to case.
TRUE_WORDS = frozenset(("true", "on", "yes", "y", "1"))
FALSE_WORDS = frozenset(("false", "off", "no", "n", "0"))

#: The characters of a plain name: a parameter, an agent type, a provider.
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


def is_true(value: object) -> bool:
    """True for Pacemaker's true words (``true on yes y 1``, any case) and for True itself."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in TRUE_WORDS


def show_value(value: str, limit: int = 40) -> str:
    """A value as it may appear in a one-line message: quoted, escaped, shortened."""
    shown = value.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
    shown = shown.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    shown = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in shown)
    if len(shown) > limit:
        shown = shown[: limit - 3] + "..."
    return "'" + shown + "'"


class UsableAs(ValueError):
    """Raised by a ``check``: the value is refused as configuration (validate-all and start
    answer 6 with the message), yet what it means is clear, so stop, monitor and demote use
    ``value`` in its place, with a warning, instead of failing to find the resource."""

    def __init__(self, message: str, value):
        super().__init__(message)
        self.value = value


def no_surrounding_space(value: str) -> None:
    """A ``Parameter(check=...)``: white space around the value is refused at start; stop and
    monitor use the value without it, so a probe still finds what ``/dev/sdb1 `` names."""
    stripped = value.strip()
    if value != stripped:  # where, in words: a long value is shown shortened, its end cut off
        where = "around it" if value[:1].isspace() and value[-1:].isspace() else \
            "before it" if value[:1].isspace() else "after it"
        raise UsableAs(f"{show_value(value)} has white space {where}", stripped)


def absolute_path(value: str) -> None:
    """A ``Parameter(check=...)``: the value, when given, is an absolute path; one with white
    space around it is refused at start and used without it by stop and monitor (a state file
    pasted as ``/run/x.state `` is still found)."""
    path = value.strip()
    if value and not path.startswith("/"):
        raise ValueError(f"{value!r} is not an absolute path")
    no_surrounding_space(value)


def _names(param: str, keyword: str, value) -> tuple:
    """A declaration's tuple of names; a lone string is refused (tuple("fast") is f, a, s, t)."""
    if isinstance(value, str):
        raise ValueError(f"Parameter {param!r}: {keyword} is a tuple of names, not the string "
                         f"{value!r} (for one name: ({value!r},))")
    return tuple(value)


class Parameter:
    """One agent parameter, declared once.

    Args:
        name: the instance attribute name (``OCF_RESKEY_<name>``).
        type: ``string``, ``integer``, ``number`` (a float, e.g. fractional seconds; announced
            as ``string`` in the meta-data), ``boolean``, ``select`` or ``duration`` (Pacemaker's
            ``5s``, ``1500ms``, ``2min``, a bare number meaning seconds: the typed value is in
            milliseconds; announced as ``string``). An empty ``integer``, ``number``,
            ``boolean`` or ``duration`` means its default, as Pacemaker's shell agents take it.
        shortdesc, longdesc: the descriptions shown by pcs and crmsh.
        default: a value of the parameter's type, applied when the parameter is unset.
        required: the resource cannot be configured without it.
        choices: the values a ``select`` accepts.
        minimum, maximum: bounds of an ``integer`` or a ``number`` (of a ``duration``, in ms).
        unique_group: resources of this agent must not share the values of this group.
        reloadable: a change can be applied by ``reload-agent`` without a restart.
        deprecated: superseded; ``replaced_with`` names the successors, which take its value.
        secret: the value never appears in a log line or an exit reason.
        multiline: accept CR and LF in the value (refused by default).
        check: a callable ``check(value) -> None`` raising ValueError with a message, or
            :class:`UsableAs` when stop and monitor may still use a corrected value.
        lazy: in stop, monitor and demote, run ``check`` only when the handler first reads
            the value (for a check too costly for every monitor, such as compiling a regular
            expression); every other action checks it before its handler runs.
        identifies: the value names what the agent manages (a device, a directory, a pidfile,
            a state path): without a usable value, stop and monitor cannot find the state.
    """

    __slots__ = (
        "name", "type", "shortdesc", "longdesc", "default", "required", "choices",
        "minimum", "maximum", "unique_group", "reloadable", "deprecated", "replaced_with",
        "deprecated_desc", "secret", "multiline", "check", "identifies", "lazy",
    )

    def __init__(
        self, name: str, type: str = "string", *, shortdesc: str, longdesc: str = "",
        default: object = None, required: bool = False, choices: tuple = (),
        minimum: "float | None" = None, maximum: "float | None" = None, unique_group: "str | None" = None,
        reloadable: bool = False, deprecated: bool = False, replaced_with: tuple = (),
        deprecated_desc: str = "", secret: bool = False, multiline: bool = False, check=None,
        identifies: bool = False, lazy: bool = False,
    ):
        self.name = name
        self.type = type
        self.shortdesc = shortdesc
        self.longdesc = longdesc or shortdesc
        self.default = default
        self.required = required
        self.choices = _names(name, "choices", choices)
        self.minimum = minimum
        self.maximum = maximum
        self.unique_group = unique_group
        self.reloadable = reloadable
        self.deprecated = deprecated or bool(replaced_with)
        self.replaced_with = _names(name, "replaced_with", replaced_with)
        self.deprecated_desc = deprecated_desc
        self.secret = secret
        self.multiline = multiline
        self.check = check
        self.identifies = identifies
        self.lazy = lazy
        self._check_declaration()

    def _check_declaration(self) -> None:
        where = f"Parameter {self.name!r}"
        if not self.name or not set(self.name) <= NAME_CHARS:
            raise ValueError(f"{where}: a name uses letters, digits, '_', '-' and '.' only")
        for keyword in ("shortdesc", "longdesc"):
            if not isinstance(getattr(self, keyword), str):
                raise ValueError(f"{where}: {keyword} is a string, not {getattr(self, keyword)!r}")
        if self.type not in TYPES:
            raise ValueError(f"{where}: type must be one of {', '.join(TYPES)}, not {self.type!r}")
        if (self.type == "select") != bool(self.choices):
            raise ValueError(f"{where}: choices go with type 'select', and 'select' needs choices")
        if (self.minimum is not None or self.maximum is not None) and self.type not in BOUNDED_TYPES:
            raise ValueError(f"{where}: minimum and maximum go with {', '.join(BOUNDED_TYPES)}, "
                             f"not with {self.type!r}")
        if not isinstance(self.unique_group, (str, type(None))):  # unique=1 was OCF 1.0's spelling
            raise ValueError(f"{where}: unique_group names the group (a string such as {self.name!r}), "
                             f"not {self.unique_group!r}")
        if self.check is not None and not callable(self.check):  # else every value given would be refused
            raise ValueError(f"{where}: check is a function taking the value (such as absolute_path), "
                             f"not {self.check!r}")
        if self.lazy and (self.check is None or self.identifies):
            raise ValueError(f"{where}: lazy defers a check, and an identifying value is checked "
                             "before stop or monitor looks for the resource")
        if self.required and self.default is not None:
            raise ValueError(f"{where}: a required parameter has no default")
        if self.default is not None:
            try:
                self.convert(self.default if isinstance(self.default, str) else self.default_text())
            except ValueError as error:
                raise ValueError(f"{where}: default: {error}") from None

    def default_text(self) -> "str | None":
        """The default as written in the metadata (booleans as ``true``/``false``)."""
        if self.default is None:
            return None
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return str(self.default)

    @property
    def content_type(self) -> str:
        """The ``<content type>`` of the meta-data."""
        return CONTENT_TYPES.get(self.type, self.type)

    def typed_default(self) -> object:
        """The default converted to the parameter's type (None when there is none)."""
        text = self.default_text()
        return None if text is None else self.convert(text)

    def convert(self, raw: str) -> object:
        """The typed value of ``raw``; ValueError with a one-line message when it is not valid."""
        return self.checked(self.unchecked(raw), raw)

    def unchecked(self, raw: str) -> object:
        """The typed value of ``raw`` before ``check`` has looked at it."""
        try:
            raw.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("is not valid UTF-8") from None
        if not self.multiline and ("\n" in raw or "\r" in raw):
            raise ValueError(f"{show_value(raw)} must be a single line")
        if self._means_default(raw):
            return None if self.default in (None, "") else self.typed_default()
        return getattr(self, "_to_" + self.type)(raw)

    def checked(self, value: object, raw: str) -> object:
        """``value`` (the typed form of ``raw``) once ``check`` has accepted it."""
        if self.check is None or self._means_default(raw):
            return value
        try:
            self.check(value)
        except ValueError:
            raise
        except Exception as error:  # a check's bug (os.listdir of a missing path) is no traceback
            problem = f"{type(error).__name__}: {error}"
            raise ValueError(f"{show_value(raw)} could not be checked: {problem}") from None
        return value

    def _means_default(self, raw: str) -> bool:
        return self.type in EMPTY_MEANS_DEFAULT and not raw.strip()

    def _to_string(self, raw: str) -> str:
        return raw

    def _to_integer(self, raw: str) -> int:
        text = raw.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not digits.isdigit() or not digits.isascii():
            raise ValueError(f"{show_value(raw)} is not an integer")
        return self._bounded(int(text))

    def _to_number(self, raw: str) -> float:
        text = raw.strip()
        digits = text[1:] if text[:1] in "+-" else text
        whole, _, fraction = digits.partition(".")
        if not (whole + fraction).isdigit() or not digits.isascii():
            raise ValueError(f"{show_value(raw)} is not a number (digits with at most one '.', e.g. 0.5; no unit or exponent)")
        return self._bounded(float(text))

    def _to_duration(self, raw: str) -> int:
        from ocfpy.durations import parse_ms  # here: agents without a duration never load it

        return self._bounded(parse_ms(raw))

    def _bounded(self, value):
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{value} is less than {self.minimum}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{value} is more than {self.maximum}")
        return value

    def _to_boolean(self, raw: str) -> bool:
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"{show_value(raw)} is not a boolean (true/false, yes/no, on/off, 1/0)")

    def _to_select(self, raw: str) -> str:
        if raw not in self.choices:
            raise ValueError(f"{show_value(raw)} is not one of {', '.join(self.choices)}")
        return raw

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, {self.type!r})"

"""Action declarations: the handler's name, timeout and the monitor variants advertised in meta-data."""

from __future__ import annotations

#: Actions Pacemaker's tools expect every agent to advertise.
MANDATORY = ("start", "stop", "monitor", "meta-data")


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

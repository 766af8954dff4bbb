"""Clone notifications: the CRM_meta_notify_* variables as structured data."""

from __future__ import annotations

OPERATIONS = ("start", "stop", "promote", "demote")
# Each list Pacemaker sends, with the legacy name it also sends for the promoted roles.
LISTS = ("active", "inactive", "promoted", "unpromoted") + OPERATIONS
LEGACY = {"promoted": "master", "unpromoted": "slave"}


def split_list(value: str | None) -> list:
    """A notify list: space separated; a single space (or nothing) means empty."""
    return value.split() if value else []


class Notification:
    """One ``notify`` call: its type, operation, and who is affected as (resource, node) pairs."""

    def __init__(self, type: str | None, operation: str | None, key_type: str | None,
                 key_operation: str | None, pairs: dict, nodes: dict):
        self.type = type                    # "pre" or "post"
        self.operation = operation          # "start", "stop", "promote" or "demote"
        self.key_type = key_type
        self.key_operation = key_operation
        self.pairs = pairs                  # list name -> [(resource, node), ...]
        self.nodes = nodes                  # "all" / "available" / "active" -> [node, ...]

    @classmethod
    def from_environment(cls, env) -> "Notification":
        pairs = {name: _pairs(env, name) for name in LISTS}
        nodes = {name: split_list(env.meta(f"notify_{name}_uname"))
                 for name in ("all", "available", "active")}
        return cls(env.meta("notify_type"), env.meta("notify_operation"),
                   env.meta("notify_key_type"), env.meta("notify_key_operation"), pairs, nodes)

    @property
    def is_pre(self) -> bool:
        return self.type == "pre"

    @property
    def is_post(self) -> bool:
        return self.type == "post"

    def resources(self, name: str) -> list:
        """The resource ids of one list, e.g. ``resources("start")``."""
        return [resource for resource, _ in self.pairs[name]]

    def unames(self, name: str) -> list:
        """The node names of one list, e.g. ``unames("promoted")``."""
        return [node for _, node in self.pairs[name]]


def _pairs(env, name: str) -> list:
    resources = _meta_list(env, f"notify_{name}_resource", LEGACY.get(name))
    nodes = _meta_list(env, f"notify_{name}_uname", LEGACY.get(name))
    if len(nodes) < len(resources):
        nodes += [None] * (len(resources) - len(nodes))
    return list(zip(resources, nodes))


def _meta_list(env, key: str, legacy: str | None) -> list:
    value = env.meta(key)
    if value is None and legacy:
        value = env.meta(key.replace(key.split("_")[1], legacy, 1))
    return split_list(value)

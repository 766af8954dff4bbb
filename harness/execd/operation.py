"""What to run: the Operation a caller hands to run() or spawn(), checked on construction."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Tuple, Union

from .lookup import AgentRef
from .reasons import version_tuple

PROFILES = ("execd", "crm_resource", "metadata")
DEFAULT_TIMEOUT_MS = 20000
METADATA_TIMEOUT_MS = 30000  # CRMD_METADATA_CALL_TIMEOUT: the controller's fixed meta-data timeout


class OperationError(ValueError):
    """An Operation that execd could not be asked to run; the message is one line for users."""


@dataclass(frozen=True)
class Operation:
    """One action of one agent, with the parameters the controller would pass to execd."""

    agent: Union[str, AgentRef]
    action: str
    params: Mapping[str, str] = field(default_factory=dict)
    instance: str = "test"
    interval_ms: int = 0
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    meta: Mapping[str, str] = field(default_factory=dict)
    check_level: Optional[int] = None
    node: str = "node1"
    profile: str = "execd"
    ra_path: Optional[str] = None
    extra_env: Mapping[str, str] = field(default_factory=dict)
    cwd: Optional[str] = None
    pacemaker_version: str = "2.1.5"
    node_uuid: str = "1"
    nul_truncation: bool = True  # as execd: a NUL byte cuts its 499-byte read (False keeps everything: not execd)
    user: Optional[str] = None  # run as this user (root only); metadata profile default: hacluster
    extra_args: Tuple[str, ...] = ()  # appended after the action; never execd behaviour (validator's V4 check)

    def __post_init__(self) -> None:
        _check_action(self.action)
        if not isinstance(self.extra_args, tuple) or not all(
                isinstance(arg, str) and "\0" not in arg for arg in self.extra_args):
            raise OperationError("extra_args must be a tuple of strings without NUL bytes")
        _check_positive_int("timeout_ms", self.timeout_ms, allow_zero=False)
        _check_positive_int("interval_ms", self.interval_ms, allow_zero=True)
        if self.profile not in PROFILES:
            raise OperationError(f"unknown profile {self.profile!r}; choose one of {', '.join(PROFILES)}")
        if self.check_level is not None and not isinstance(self.check_level, int):
            raise OperationError(f"check_level must be an integer, not {self.check_level!r}")
        for kind, mapping in (("parameter", self.params), ("meta attribute", self.meta),
                              ("environment variable", self.extra_env)):
            _check_names(kind, mapping)
        try:
            version_tuple(self.pacemaker_version)
        except ValueError as err:
            raise OperationError(str(err)) from None

    @property
    def on_fail(self) -> str:
        return str(self.meta.get("on_fail", self.meta.get("on-fail", "")))

    @property
    def is_recurring(self) -> bool:
        return self.interval_ms > 0


def _check_action(action: object) -> None:
    if not isinstance(action, str) or not action:
        raise OperationError("the action must be a non-empty string (start, stop, monitor, ...)")
    if "\0" in action:
        raise OperationError(f"action {action!r} contains a NUL byte")


def _check_positive_int(name: str, value: object, allow_zero: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise OperationError(f"{name} must be an integer number of milliseconds, not {value!r}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = "zero or more" if allow_zero else "more than zero"
        raise OperationError(f"{name} must be {bound} milliseconds, not {value}")


def _check_names(kind: str, mapping: Mapping[str, str]) -> None:
    """Names become environment variable names: '=' and NUL cannot be represented there."""
    for name, value in mapping.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise OperationError(f"{kind} {name!r}={value!r}: names and values must be strings")
        if "=" in name or "\0" in name:
            raise OperationError(f"{kind} name {name!r} cannot hold '=' or a NUL byte "
                                 "(it becomes an environment variable name)")

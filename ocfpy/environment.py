"""What the executor hands an agent: OCF variables, instance parameters and every CRM_meta_* value."""

import os
import time

from ocfpy.params import is_true

RESKEY = "OCF_RESKEY_"
META = "OCF_RESKEY_CRM_meta_"
DEFAULT_RSCTMP = "/run/resource-agents"


def _to_int(text: "str | None") -> "int | None":
    if text is None:
        return None
    text = text.strip()
    try:
        return int(text)
    except ValueError:
        return None


class Environment:
    """A read-only view of one action's environment, given as a mapping (never read at import)."""

    def __init__(self, mapping, started: "float | None" = None):
        self._env = mapping
        self._started = started

    @property
    def mapping(self):
        """The whole environment mapping this view reads."""
        return self._env

    def get(self, name: str, default: "str | None" = None) -> "str | None":
        """A raw environment variable."""
        return self._env.get(name, default)

    # --- identity -------------------------------------------------------------------------
    @property
    def instance(self) -> str:
        """OCF_RESOURCE_INSTANCE: the resource id (``id:N`` for globally-unique clones)."""
        return self._env.get("OCF_RESOURCE_INSTANCE", "") or "default"

    @property
    def resource_type(self) -> "str | None":
        return self._env.get("OCF_RESOURCE_TYPE")

    @property
    def provider(self) -> "str | None":
        return self._env.get("OCF_RESOURCE_PROVIDER")

    @property
    def ocf_root(self) -> str:
        return self._env.get("OCF_ROOT") or "/usr/lib/ocf"

    @property
    def ra_version(self) -> tuple:
        """(major, minor) of the OCF API the executor speaks; (1, 0) when it does not say."""
        return (_to_int(self._env.get("OCF_RA_VERSION_MAJOR")) or 1,
                _to_int(self._env.get("OCF_RA_VERSION_MINOR")) or 0)

    @property
    def exit_reason_prefix(self) -> str:
        return self._env.get("OCF_EXIT_REASON_PREFIX") or "ocf-exit-reason:"

    @property
    def rsctmp(self) -> str:
        """HA_RSCTMP, where state and lock files live."""
        return self._env.get("HA_RSCTMP") or DEFAULT_RSCTMP

    # --- parameters and meta attributes ---------------------------------------------------
    def param(self, name: str) -> "str | None":
        """OCF_RESKEY_<name> exactly as given: None when unset, '' when set but empty."""
        return self._env.get(RESKEY + name)

    def meta(self, name: str) -> "str | None":
        """OCF_RESKEY_CRM_meta_<name> (``-`` in op attributes arrives as ``_``)."""
        return self._env.get(META + name)

    def meta_bool(self, name: str) -> bool:
        return is_true(self.meta(name) or "")

    @property
    def interval_ms(self) -> int:
        """The operation's interval; 0 when absent, as for probes, start and stop."""
        return _to_int(self.meta("interval")) or 0

    @property
    def timeout_ms(self) -> "int | None":
        """CRM_meta_timeout: when Pacemaker SIGKILLs the whole process group, from fork."""
        return _to_int(self.meta("timeout"))

    @property
    def on_node(self) -> "str | None":
        return self.meta("on_node")

    @property
    def role(self) -> "str | None":
        """The monitor's role, ``Promoted`` or ``Unpromoted`` (legacy Master/Slave mapped)."""
        role = self.meta("role")
        return {"Master": "Promoted", "Slave": "Unpromoted"}.get(role, role) if role else None

    # --- clones ---------------------------------------------------------------------------
    @property
    def clone(self) -> "int | None":
        """This clone instance's number, None when the resource is not a clone."""
        return _to_int(self.meta("clone"))

    @property
    def is_clone(self) -> bool:
        return self.meta("clone_max") is not None

    @property
    def clone_max(self) -> "int | None":
        return _to_int(self.meta("clone_max"))

    @property
    def clone_node_max(self) -> "int | None":
        return _to_int(self.meta("clone_node_max"))

    @property
    def globally_unique(self) -> bool:
        return self.meta_bool("globally_unique")

    @property
    def promoted_max(self) -> "int | None":
        """How many instances may be promoted (falls back to the legacy master_max)."""
        value = _to_int(self.meta("promoted_max"))
        return value if value is not None else _to_int(self.meta("master_max"))

    @property
    def promoted_node_max(self) -> "int | None":
        value = _to_int(self.meta("promoted_node_max"))
        return value if value is not None else _to_int(self.meta("master_node_max"))

    @property
    def is_promotable(self) -> bool:
        return self.promoted_max is not None

    @property
    def notify_enabled(self) -> bool:
        return self.meta_bool("notify")

    @property
    def migrate_source(self) -> "str | None":
        return self.meta("migrate_source")

    @property
    def migrate_target(self) -> "str | None":
        return self.meta("migrate_target")

    def notification(self):
        """The notify variables as a :class:`ocfpy.notify.Notification`."""
        from ocfpy.notify import Notification

        return Notification.from_environment(self)

    # --- probes, depth, time --------------------------------------------------------------
    def is_probe(self, action: str) -> bool:
        """A monitor with no interval: Pacemaker omits CRM_meta_interval for probes."""
        return action == "monitor" and self.interval_ms == 0

    @property
    def check_level(self) -> int:
        """OCF_CHECK_LEVEL (also accepted with the OCF_RESKEY_ prefix); 0 when unset or bad."""
        raw = self._env.get("OCF_CHECK_LEVEL")
        if raw is None:
            raw = self.param("OCF_CHECK_LEVEL")
        level = _to_int(raw)
        return level if level is not None and level >= 0 else 0

    def check_level_for(self, supported=(0, 10, 20)) -> int:
        """The deepest supported level not above the requested one (the OCF next-lower rule)."""
        requested = self.check_level
        fitting = [level for level in supported if level <= requested]
        return max(fitting) if fitting else min(supported)

    @property
    def started(self) -> float:
        """time.monotonic() at the agent process's start (the executor's clock starts at fork)."""
        if self._started is None:
            self._started = process_start_monotonic()
        return self._started

    @property
    def deadline(self) -> "float | None":
        """time.monotonic() at which Pacemaker kills the action, None without CRM_meta_timeout."""
        timeout = self.timeout_ms
        return None if timeout is None else self.started + timeout / 1000.0

    def time_left(self) -> "float | None":
        """Seconds before the SIGKILL, never negative; None when there is no timeout."""
        deadline = self.deadline
        return None if deadline is None else max(0.0, deadline - time.monotonic())


def process_start_monotonic() -> float:
    """When this process started, on time.monotonic()'s clock (now, if /proc cannot tell)."""
    now = time.monotonic()
    try:
        with open("/proc/self/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])  # field 22 of stat(5): starttime, in clock ticks since boot
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - age if 0 <= age < 3600 else now

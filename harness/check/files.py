"""V6 for files: what the run's instances left in the agent's HA_RSCTMP once every one of them was stopped."""

from __future__ import annotations

import os

from harness.check.findings import WARNING

DEFAULT_RSCTMP = "/run/resource-agents"  # ocf-shellfuncs' HA_RSCTMP; execd passes none


def rsctmp(extra_env) -> str:
    return extra_env.get("HA_RSCTMP") or DEFAULT_RSCTMP


def entries(directory: str) -> set:
    try:
        return set(os.listdir(directory))
    except OSError:
        return set()


class LeftoverFiles:
    """The directory's entries before the run; after it, the new ones named after the run's instances."""

    def __init__(self, config) -> None:
        self.directory, self.instance = rsctmp(config.extra_env), config.instance
        self.before = entries(self.directory)

    def left(self) -> list:
        return sorted(name for name in entries(self.directory) - self.before if self.instance in name)

    def check(self, session) -> None:
        session.log.ran("hygiene.leftover-file")
        left = self.left()
        if left:
            shown = ", ".join(left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
            session.note("hygiene.leftover-file", WARNING,
                         f"after every instance was stopped, {self.directory} still holds what the run's starts made: {shown}",
                         "stop removes the files start created for the instance (state, pid and lock files)", "stop")

"""Node attributes through attrd_updater: value and dampening set together, failures as one-line OCF errors."""

from __future__ import annotations

import os
import time

from ocfpy import commands
from ocfpy.durations import show_ms
from ocfpy.errors import NotInstalled, OCFError

TOOL = "attrd_updater"
#: What an action keeps of its time left for attrd_updater after its own work (pinging...):
#: 2 s, or 30 % of a short action (attrd_updater answers in milliseconds while attrd runs).
RESERVE_MAX, RESERVE_SHARE = 2.0, 0.3
#: Where ocf-shellfuncs lets the shell find tools after the caller's PATH.
FALLBACK_DIRS = ("/sbin", "/bin", "/usr/sbin", "/usr/bin")


def search_path(env) -> list:
    """PATH first (a test's stand-in wins, as it does for the shell agents), then HA_SBIN_DIR."""
    dirs = [d for d in (env.get("PATH") or "").split(os.pathsep) if d]
    dirs.append(env.get("HA_SBIN_DIR") or "/usr/sbin")
    dirs.extend(FALLBACK_DIRS)
    return dirs


def find_tool(env, name: str = TOOL) -> str:
    """The program ``name`` on the search path; NotInstalled (5) when it is nowhere."""
    found = commands.find_binary(name, search_path(env))
    if found is None:
        raise NotInstalled(f"{name} not found (PATH, HA_SBIN_DIR): install pacemaker-cli-utils")
    return found


def reserve(time_left: float) -> float:
    """Seconds of ``time_left`` to keep for setting the attribute: 2 s, or 30 % of less than 6.7 s."""
    return min(RESERVE_MAX, time_left * RESERVE_SHARE)


def update_argv(tool: str, name: str, value: str, delay_ms: int) -> list:
    """-B sets value and dampening together: Pacemaker 2.1.5 ignores -d with -U/-v (PCMK#3166)."""
    return [tool, "-n", name, "-B", str(value), "-d", show_ms(delay_ms)]


def delete_argv(tool: str, name: str, delay_ms: int) -> list:
    return [tool, "-D", "-n", name, "-d", show_ms(delay_ms)]


def delay_argv(tool: str, name: str, delay_ms: int) -> list:
    return [tool, "-Y", "-n", name, "-d", show_ms(delay_ms)]


def query_argv(tool: str, name: str) -> list:
    return [tool, "-Q", "-n", name]


def run(argv: list, what: str, *, deadline: float | None = None, env=None) -> None:
    """Run an attrd_updater command; its failure (attrd down: exit 102) becomes rc 1 with one line.

    It is killed 1 s before the deadline, or half-way through a shorter time left, so that it is
    gone before Pacemaker kills the agent.
    """
    margin = 1.0 if deadline is None else min(1.0, (deadline - time.monotonic()) / 2)
    result = commands.run(argv, deadline=deadline, timeout=30.0, env=env, margin=margin)
    if result.ok:
        return
    if result.not_installed:
        raise NotInstalled(f"{what}: {result.stderr}")
    raise OCFError(f"{what}: {result.describe()}")

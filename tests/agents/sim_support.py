"""Helpers for harness.sim tests: small shell agents with knobs, and waiting on real processes."""

from __future__ import annotations

import os
import time
from pathlib import Path

from execd_support import shell_agent

from harness.execd import Operation

# one op of a resource at a time: a second one finding the busy marker fails with 1
SERIAL_AGENT = """
    mark="$HA_RSCTMP/busy-$OCF_RESOURCE_INSTANCE"
    mkdir "$mark" 2>/dev/null || exit 1
    echo "$1 $OCF_RESOURCE_INSTANCE" >> "$HA_RSCTMP/order"
    sleep "${OCF_RESKEY_sleep:-0}"
    rmdir "$mark"
    cat "$HA_RSCTMP/code-$OCF_RESOURCE_INSTANCE" 2>/dev/null && exit "$(cat "$HA_RSCTMP/code-$OCF_RESOURCE_INSTANCE")"
    exit 0
"""

# counts its runs and exits with the code in a file (for notify-on-change)
COUNTING_AGENT = """
    echo run >> "$HA_RSCTMP/runs-$OCF_RESOURCE_INSTANCE"
    exit "$(cat "$HA_RSCTMP/code-$OCF_RESOURCE_INSTANCE" 2>/dev/null || echo 0)"
"""

# hangs with a grandchild in its process group; both pids recorded
HANGING_AGENT = """
    sleep 60 &
    echo $! > "$HA_RSCTMP/grandchild"
    echo $$ > "$HA_RSCTMP/agent"
    wait
"""

# a resource with a state file; $HA_RSCTMP/<id>.<action>_<interval> holds a code that overrides the action
KNOB_AGENT = """
    state="$HA_RSCTMP/$OCF_RESOURCE_INSTANCE.state"
    knob="$HA_RSCTMP/$OCF_RESOURCE_INSTANCE.$1_${OCF_RESKEY_CRM_meta_interval:-0}"
    [ -f "$knob" ] && exit "$(cat "$knob")"
    case "$1" in
        start) : > "$state" ;;
        stop) rm -f "$state" ;;
        monitor) [ -f "$state" ] || exit 7 ;;
    esac
    exit 0
"""


class Agents:
    """A private OCF_RA_PATH and HA_RSCTMP with the agents above, and Operation factories."""

    def __init__(self, tmp_path: Path):
        self.ra_path = tmp_path / "ra"
        self.rsctmp = tmp_path / "rsctmp"
        self.rsctmp.mkdir()
        self.env = {"HA_RSCTMP": str(self.rsctmp)}
        self.serial = shell_agent(self.ra_path, "Serial", SERIAL_AGENT)
        self.counting = shell_agent(self.ra_path, "Counting", COUNTING_AGENT)
        self.hanging = shell_agent(self.ra_path, "Hanging", HANGING_AGENT)
        self.knob = shell_agent(self.ra_path, "Knob", KNOB_AGENT)

    def op(self, agent: str, rsc: str, action: str, **fields) -> Operation:
        return Operation(agent, action, instance=rsc, ra_path=str(self.ra_path), extra_env=self.env,
                         cwd=str(self.rsctmp), **fields)

    def set(self, name: str, value: object) -> None:
        """Write a knob atomically: an agent reading it mid-write would see an empty file."""
        scratch = self.rsctmp / f".{name}.new"
        scratch.write_text(f"{value}\n")
        os.replace(scratch, self.rsctmp / name)

    def lines(self, name: str) -> list:
        path = self.rsctmp / name
        return path.read_text().splitlines() if path.exists() else []


def wait_until(condition, timeout: float = 20.0, step: float = 0.02) -> bool:
    """Poll `condition` until it is true or `timeout` seconds pass (a bound, not a speed target)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def process_gone(pid: int) -> bool:
    """True once `pid` no longer exists or is only a zombie waiting for its reaper."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def ended(result) -> float:
    return result.started + result.elapsed


__all__ = ["Agents", "wait_until", "process_gone", "ended"]

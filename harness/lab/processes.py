"""Recorded processes: a PID is only ever signalled if its start time still matches the record."""

from __future__ import annotations

import os
import signal
import time
from typing import NamedTuple


class ProcessRecord(NamedTuple):
    """A process as the lab saw it: PID plus the kernel start time that makes it unique."""

    pid: int
    starttime: int

    def to_json(self) -> dict:
        return {"pid": self.pid, "starttime": self.starttime}

    @classmethod
    def from_json(cls, data: dict) -> "ProcessRecord":
        return cls(int(data["pid"]), int(data["starttime"]))


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (which may contain spaces)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            raw = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    return raw[raw.rfind(")") + 2:].split()


def starttime_of(pid: int) -> int | None:
    """The start time (clock ticks since boot) of a live PID, or None."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else None


def record(pid: int) -> ProcessRecord:
    """Record a PID we just started; raises if it is already gone."""
    start = starttime_of(pid)
    if start is None:
        raise ProcessLookupError(f"process {pid} exited before it could be recorded")
    return ProcessRecord(pid, start)


def is_alive(rec: ProcessRecord) -> bool:
    """True if the recorded process still runs (same start time, not a zombie)."""
    fields = _stat_fields(rec.pid)
    return bool(fields) and int(fields[19]) == rec.starttime and fields[0] not in ("Z", "X")


def signal_recorded(rec: ProcessRecord, signum: int) -> bool:
    """Send a signal only if the PID is still the recorded process. True if sent."""
    if not is_alive(rec):
        return False
    try:
        os.kill(rec.pid, signum)
    except ProcessLookupError:
        return False
    return True


def reap_if_child(pid: int) -> None:
    """Collect the exit status of our own child so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def wait_gone(rec: ProcessRecord, timeout: float, poll: float = 0.05) -> bool:
    """Wait until the recorded process is gone (or a zombie). True if it went in time."""
    deadline = time.monotonic() + timeout
    while True:
        reap_if_child(rec.pid)
        if not is_alive(rec):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(poll)


def terminate(rec: ProcessRecord, grace: float) -> bool:
    """SIGTERM, wait up to grace seconds, then SIGKILL. True if the process is gone."""
    if grace > 0 and signal_recorded(rec, signal.SIGTERM) and wait_gone(rec, grace):
        return True
    signal_recorded(rec, signal.SIGKILL)
    return wait_gone(rec, 10.0)


def children_of(pid: int) -> list[int]:
    """Direct children of a PID (from /proc, scanning when the children file is missing)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(p) for p in handle.read().split()]
    except OSError:
        pass
    found = []
    for entry in os.listdir("/proc"):
        fields = _stat_fields(int(entry)) if entry.isdigit() else None
        if fields and int(fields[1]) == pid:
            found.append(int(entry))
    return found

"""Writes to stdout and stderr that survive a closed, full or broken stream without a traceback."""

from __future__ import annotations

import os
import sys


def write(name: str, text: str) -> str | None:
    """Write and flush ``text`` to ``sys.<name>``; None when done, else why it failed."""
    stream = getattr(sys, name)
    if stream is None:
        return f"{name} is closed"
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError) as error:
        _mute(stream)
        return f"cannot write to {name}: {getattr(error, 'strerror', None) or error}"
    return None


def flush(name: str) -> None:
    """Flush ``sys.<name>`` if it is open; a failure mutes it."""
    stream = getattr(sys, name)
    if stream is None:
        return
    try:
        stream.flush()
    except (OSError, ValueError):
        _mute(stream)


def _mute(stream) -> None:
    """Point the stream at /dev/null, so the interpreter's last flush cannot fail loudly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass

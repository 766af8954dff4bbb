"""Writes to stdout and stderr that survive a closed, full or broken stream without a traceback."""

import os
import sys


def write(name: str, text: str) -> "str | None":
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


def print_text(text: str) -> int:
    """Exit code 0 when ``text`` reached stdout; else 1, with why on stderr (one line, no traceback)."""
    failure = write("stdout", text)
    if failure is None:
        return 0
    write("stderr", failure + "\n")
    return 1


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

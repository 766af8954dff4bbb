"""Command-line pieces every harness tool shares."""

from __future__ import annotations

import os
import sys


def name_value_pairs(items, what: str, error=ValueError) -> dict:
    """``NAME=VALUE`` strings into a dict, literally: the value is everything after the first '='.

    ``what`` names the option in the message (e.g. ``parameter``, ``-o``); ``error`` is the
    caller's one-line usage error class.
    """
    result = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise error(f"{what} {item!r}: expected NAME=VALUE")
        result[name] = value
    return result


def drop_stdout() -> None:
    """Point stdout at /dev/null once its reader has gone (head, grep -q), so that the
    interpreter's last flush raises no second BrokenPipeError."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

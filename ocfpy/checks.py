"""Reusable value checks for Parameter(check=...) and validate handlers."""

from __future__ import annotations

import os


def absolute_path(value: str) -> None:
    """A Parameter check: the value, when given, is an absolute path."""
    if value and not value.startswith("/"):
        raise ValueError(f"{value!r} is not an absolute path")


def can_create(path: str, *, make_directories: bool = False) -> bool:
    """Whether a file can be created at ``path``.

    Its directory must exist and be writable; with ``make_directories`` (for an agent's own
    default location, which it creates) a writable existing ancestor is enough.
    """
    directory = os.path.dirname(os.path.abspath(path))
    while make_directories and not os.path.lexists(directory):
        directory = os.path.dirname(directory)
    return os.path.isdir(directory) and os.access(directory, os.W_OK | os.X_OK)

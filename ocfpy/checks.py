"""Reusable value checks for Parameter(check=...) and validate handlers."""

from __future__ import annotations

import os


def absolute_path(value: str) -> None:
    """A Parameter check: the value, when given, is an absolute path."""
    if value and not value.startswith("/"):
        raise ValueError(f"{value!r} is not an absolute path")


def creatable_in(path: str) -> bool:
    """Whether ``path`` can be created: its nearest existing ancestor directory is writable."""
    directory = os.path.dirname(os.path.abspath(path))
    while not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    return os.access(directory, os.W_OK | os.X_OK)

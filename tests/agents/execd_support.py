"""Helpers for the executor's real-process tests: write small agents into a private OCF_RA_PATH."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

PROVIDER = "t"


def write_agent(ra_path: Path, name: str, body: str, mode: int = 0o755, provider: str = PROVIDER) -> Path:
    """Create <ra_path>/<provider>/<name> with `body` (dedented) and return its path."""
    directory = ra_path / provider
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    with open(path, "w") as handle:  # closed before anyone execs it (no ETXTBSY)
        handle.write(textwrap.dedent(body).lstrip("\n"))
    os.chmod(path, mode)
    return path


def shell_agent(ra_path: Path, name: str, script: str) -> str:
    """A POSIX sh agent running `script`; returns its ocf: spec."""
    write_agent(ra_path, name, "#!/bin/sh\n" + textwrap.dedent(script).lstrip("\n"))
    return f"ocf:{PROVIDER}:{name}"


def recording_scripts(directory: Path, calls: Path, names, logged: str = "$*", then: str = "") -> None:
    """Shell scripts ``names`` in ``directory``: each appends "NAME <logged>" to ``calls``, then
    runs ``then`` (``{name}`` in it is the script's name)."""
    for name in names:
        script = directory / name
        script.write_text(f'#!/bin/sh\necho "{name} {logged}" >> "{calls}"\n' + then.format(name=name))
        script.chmod(0o755)

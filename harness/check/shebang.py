"""What the agent file's first bytes tell execve(): a #! line it can follow, a binary, or neither."""

from __future__ import annotations

from typing import Optional

PROBE_BYTES = 256  # the kernel reads this much of a script for its #! line (BINPRM_BUF_SIZE)
ELF = b"\x7fELF"


def first_line(path: str) -> Optional[bytes]:
    """The file's first line, up to PROBE_BYTES; None when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(PROBE_BYTES)
    except OSError:
        return None
    return head.split(b"\n", 1)[0]


def carriage_return(line: Optional[bytes]) -> bool:
    """A #! line ending in CR (CRLF line endings): the kernel looks for an interpreter named 'sh\\r'."""
    return line is not None and line.startswith(b"#!") and line.endswith(b"\r")


def missing(line: Optional[bytes]) -> bool:
    """Neither a #! line nor an ELF binary: only execvp()'s /bin/sh fallback can run it."""
    return line is not None and not line.startswith((b"#!", ELF))

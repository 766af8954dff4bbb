"""Exit-reason parsing as in services_linux.c, with the version switch and execd's NUL truncation."""

from __future__ import annotations

REASON_PREFIX = b"ocf-exit-reason:"
EXIT_REASON_MAX_LEN = 128  # bytes; the cap was removed in Pacemaker 3.0.2
READ_CHUNK = 499  # execd reads pipes in 499-byte chunks and joins them with sprintf("%s")


def version_tuple(version: str) -> tuple[int, ...]:
    """'2.1.5' -> (2, 1, 5); trailing non-numeric parts ('2.1.5-rc1') are ignored."""
    numbers = []
    for part in version.split("."):
        digits = ""
        for char in part:
            if not char.isdigit():
                break
            digits += char
        if not digits:
            break
        numbers.append(int(digits))
    if not numbers:
        raise ValueError(f"not a Pacemaker version: {version!r}")
    return tuple(numbers)


def reason_is_capped(pacemaker_version: str) -> bool:
    """Whether this Pacemaker cuts exit reasons at 128 bytes (up to and including 3.0.1)."""
    return version_tuple(pacemaker_version) < (3, 0, 2)


def parse_exit_reason(stderr: bytes, pacemaker_version: str = "2.1.5") -> str | None:
    """The last 'ocf-exit-reason:' anywhere in stderr, to the end of its line; None if absent or empty."""
    found = stderr.rfind(REASON_PREFIX)
    if found < 0:
        return None
    reason = stderr[found + len(REASON_PREFIX):].split(b"\n", 1)[0]
    if not reason:
        return None
    if reason_is_capped(pacemaker_version):
        reason = reason[:EXIT_REASON_MAX_LEN]
    reason = reason.split(b"\0", 1)[0]  # strndup() stops at a NUL
    if not reason:
        return None
    return reason.decode("utf-8", errors="replace")


def truncate_at_nul_per_chunk(data: bytes, chunk: int = READ_CHUNK) -> bytes:
    """What execd keeps of a stream holding NUL bytes: each 499-byte read is cut at its first NUL.

    Real read boundaries depend on how the agent wrote; this assumes full 499-byte reads."""
    if b"\0" not in data:
        return data
    kept = []
    for start in range(0, len(data), chunk):
        kept.append(data[start:start + chunk].split(b"\0", 1)[0])
    return b"".join(kept)

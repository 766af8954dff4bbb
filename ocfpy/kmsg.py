"""The kernel's log from a moment on (/dev/kmsg): what it said while a mount failed.

mount(8) of util-linux 2.38 says only "wrong fs type, bad option, bad superblock on DEV,
missing codepage or helper program, or other error" and points at dmesg(1), where the kernel
logged the cause ("ext4: Unknown parameter 'bogus'"). Reading it needs root, as agents run.
"""

import os

#: Records read at most: a log flooded by something else must not hold up the action.
MAX_RECORDS = 500


class KernelLog:
    """Opened at the end of the kernel's log; :meth:`since` returns what was logged after.
    Where the log cannot be read (no /dev/kmsg, not root), it simply has nothing to say."""

    def __init__(self, path: str = "/dev/kmsg"):
        try:
            self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            self._fd = None
            return
        try:
            os.lseek(self._fd, 0, os.SEEK_END)
        except OSError:
            self.close()

    def since(self) -> list:
        """The text of each record logged since the log was opened, oldest first; the log
        is closed."""
        messages = []
        try:
            for _ in range(MAX_RECORDS if self._fd is not None else 0):
                try:
                    record = os.read(self._fd, 8192)
                except BrokenPipeError:  # records overwritten before they were read: skip on
                    continue
                except OSError:  # EAGAIN: nothing more
                    break
                if not record:
                    break
                messages.append(record_text(record))
        finally:
            self.close()
        return messages

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def record_text(record: bytes) -> str:
    """The message of one /dev/kmsg record: ``PRIORITY,SEQ,USEC,FLAGS;TEXT`` and then lines of
    ``KEY=VALUE`` (dropped)."""
    _, _, text = record.decode("utf-8", "replace").partition(";")
    return text.split("\n", 1)[0].strip()


def about_mount(messages: list, fstype: str, device: str) -> "str | None":
    """The last message that names the filesystem type (``ext4: ...``, ``EXT4-fs (loop0): ...``,
    ``XFS (loop0): ...``) or the device (``(loop0)``); None when there is none."""
    kind = fstype.lower()
    name = os.path.basename(device) if device.startswith("/dev/") else ""
    for message in reversed(messages):
        prefix = message.split(":", 1)[0].lower()
        by_kind = bool(kind) and (prefix == kind or prefix.startswith((kind + "-", kind + " (")))
        if by_kind or (name and f"({name})" in message.split(":", 1)[0]):
            return message.rstrip(".")
    return None

"""A lock between actions (and agents) on this node: flock on a file under HA_RSCTMP, with a deadline."""

from __future__ import annotations

import os
import time

from ocfpy.errors import OCFError

#: Seconds kept free before the action's deadline when the deadline comes from the environment.
DEFAULT_MARGIN = 1.0
_POLL_FIRST, _POLL_MAX = 0.01, 0.2


class Lock:
    """``with Lock(path):`` or ``with Lock(env, "name"):`` holds an exclusive flock.

    ``Lock(env, name)`` uses ``<HA_RSCTMP>/<name>.lock`` and, unless ``deadline`` or
    ``timeout`` say otherwise, waits until ``margin`` seconds before the action's
    deadline. ``Lock(path)`` waits for ``timeout`` seconds or until ``deadline`` (a
    time.monotonic() value), or for as long as it takes when neither is given. A lock
    that cannot be taken in time raises OCFError (rc 1).

    Unlike ocf_take_lock's pid file, the kernel releases an flock when its holder dies,
    even by SIGKILL at a timeout, so a stale lock cannot block the next action. The lock
    file is never removed (removing it would let two holders lock different files) and a
    symbolic link at its path is refused. Two Lock objects for one path block each other,
    also within one process.
    """

    def __init__(self, target, name: str | None = None, *, deadline: float | None = None,
                 timeout: float | None = None, shared: bool = False,
                 margin: float = DEFAULT_MARGIN, mode: int = 0o644):
        if isinstance(target, (str, os.PathLike)):
            if name is not None:
                raise TypeError("Lock(path) takes no name; use Lock(env, name)")
            self.path = os.fspath(target)
        else:
            if not name:
                raise TypeError("Lock(env, name) needs the lock's name")
            from ocfpy.state import safe_name

            self.path = os.path.join(target.rsctmp, safe_name(name) + ".lock")
            if deadline is None and target.deadline is not None:
                deadline = target.deadline - margin
        self.deadline = deadline
        self.timeout = timeout
        self.shared = shared
        self.mode = mode
        self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> "Lock":
        """Take the lock, waiting until the deadline at most."""
        import fcntl

        if self._fd is not None:
            raise OCFError(f"lock {self.path} is already held by this Lock object")
        operation = (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
        until = _earliest(self.deadline, self.timeout)
        pause = _POLL_FIRST
        while True:
            fd = self._open()
            if self._try(fd, operation):
                self._fd = fd
                self._record_holder()
                return self
            holder = _holder(fd)
            os.close(fd)
            left = None if until is None else until - time.monotonic()
            if left is not None and left <= 0:
                raise OCFError(f"could not take the lock {self.path} in time: "
                               f"held by {holder or 'another process'}")
            time.sleep(pause if left is None else min(pause, left))
            pause = min(pause * 2, _POLL_MAX)

    def release(self) -> None:
        """Give the lock up (closing the file releases the flock)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def __enter__(self) -> "Lock":
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()

    def _open(self) -> int:
        import stat

        from ocfpy.state import ensure_directory, regular_file_exists

        ensure_directory(os.path.dirname(self.path) or ".")
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(self.path, flags, self.mode)
        except OSError as error:
            regular_file_exists(self.path)  # raises for a link or a special file
            raise OCFError(f"cannot open the lock file {self.path}: {error.strerror}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OCFError(f"refusing to use {self.path} as a lock: it is not a regular file")
        return fd

    def _try(self, fd: int, operation: int) -> bool:
        """flock, then make sure the file locked is still the one at the path."""
        import fcntl

        try:
            fcntl.flock(fd, operation)
        except BlockingIOError:
            return False
        opened = os.fstat(fd)
        try:
            current = os.lstat(self.path)
        except FileNotFoundError:
            current = None
        if current is None or (current.st_dev, current.st_ino) != (opened.st_dev, opened.st_ino):
            # Someone removed or replaced the file while we waited: lock the new one instead.
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        return True

    def _record_holder(self) -> None:
        """Write our pid into the file, so a waiter that gives up can say who held the lock."""
        if self.shared:
            return
        try:
            os.ftruncate(self._fd, 0)
            os.pwrite(self._fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass  # the lock holds without it


def _holder(fd: int) -> str | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return f"pid {text}" if text.isdigit() else None


def _earliest(deadline: float | None, timeout: float | None) -> float | None:
    limits = [value for value in (deadline,) if value is not None]
    if timeout is not None:
        limits.append(time.monotonic() + timeout)
    return min(limits) if limits else None

"""How a check run ends early (a signal, --max-time, a crash) and the clean-up after the agent that follows."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Optional

SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
MAX_TIME = "max-time"
EXIT_INTERNAL = 3  # the check itself failed (a bug in ocfpy-check); the report says where


class RunEnded(BaseException):
    """Raised where the run is when it must end now; BaseException so no `except Exception` swallows it."""

    def __init__(self, how: str, signum: Optional[int] = None) -> None:
        super().__init__(how)
        self.how, self.signum = how, signum

    @property
    def exit_status(self) -> int:
        """128 + the signal, as a shell reports a process killed by it; 1 for --max-time (a failed check)."""
        return 128 + self.signum if self.signum else 1


def signal_name(signum: int) -> str:
    return signal.Signals(signum).name


class SignalGuard:
    """Turns SIGTERM, SIGHUP and SIGINT into RunEnded in the main thread; while shielded, only remembers them."""

    def __init__(self) -> None:
        self.previous: dict = {}
        self.shield_depth = 0
        self.pending: Optional[RunEnded] = None

    def install(self) -> "SignalGuard":
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
        self.previous.clear()

    def _handle(self, signum: int, _frame) -> None:
        ended = RunEnded(signal_name(signum), signum)
        if self.pending is None:
            self.pending = ended
        if self.shield_depth == 0:
            raise ended

    @contextlib.contextmanager
    def shielded(self):
        """The clean-up runs to its end: signals that arrive meanwhile are recorded, not raised (main thread only)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        self.shield_depth += 1
        try:
            yield
        finally:
            self.shield_depth -= 1

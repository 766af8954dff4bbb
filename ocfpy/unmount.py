"""Unmount a directory and everything mounted under it within a time budget, signalling holders.

Each unmount is tried first. While one is busy, the processes that hold the mounts are
found (:mod:`ocfpy.holders`) and signalled: the term signals during the first half of the
budget, the kill signals during the second, one round at a time; after each round the
wait ends as soon as every holder exited, or after the signal delay. Every unmount runs in
a child abandoned at the budget (:mod:`ocfpy.bounded`), so a filesystem that does not
answer makes the stop fail with one reason in time instead of hanging it.
"""

import errno
import time

from ocfpy.errors import OCFError

#: umount2 errors meaning "nothing is mounted there any more".
GONE = (errno.EINVAL, errno.ENOENT)
#: Seconds kept for the last unmount attempt: waits between attempts end this long before the end.
LAST_TRY = 0.15


def signal_numbers(text: str) -> list:
    """Signal names (``TERM``, ``SIGTERM``, any case) or numbers, space-separated, as numbers
    (ValueError for one that is not a signal)."""
    import signal

    numbers = []
    for name in text.split():
        if name.isdigit():
            number = int(name)
        else:
            upper = name.upper()
            upper = upper if upper.startswith("SIG") else "SIG" + upper
            number = getattr(signal, upper, None) if upper[3:].isalnum() else None  # not SIG_IGN
        if not isinstance(number, int) or not 0 < number < signal.NSIG:
            raise ValueError(f"{name!r} is not a signal")
        numbers.append(int(number))
    return numbers


def unmount_order(table, root, whole_device: bool = False) -> list:
    """What to unmount, deepest first: ``root`` and the mounts under it, and with
    ``whole_device`` the device's other mounts (binds of it elsewhere, with what is under them),
    so that no part of the filesystem stays mounted here when another node mounts it; never
    one on / or another system directory (a wrong disk: the tree under / is everything)."""
    from ocfpy.mounts import parts
    from ocfpy.mountspec import is_system_directory

    roots = [root]
    if whole_device:
        roots += [mount for mount in table.with_device(root.device)
                  if mount is not root and not is_system_directory(mount.mount_point)]
    chosen = {}
    for each in roots:
        if table.top(each.mount_point) is not each:
            raise OCFError(f"the filesystem is also mounted on {each.mount_point}, under another "
                           "mount: cannot unmount it")
        for mount in table.below(each.mount_point) + [each]:
            chosen[mount.mount_id] = mount
    order = {mount.mount_id: index for index, mount in enumerate(table.mounts)}
    return sorted(chosen.values(), reverse=True,
                  key=lambda mount: (len(parts(mount.mount_point)), order[mount.mount_id]))


class Plan:
    """How to unmount: signals, the wait after each round, who may be signalled."""

    def __init__(self, term_signals, kill_signals, delay: float, mode: str = "true",
                 force_when_killing: bool = False):
        self.term_signals = list(term_signals)
        self.kill_signals = list(kill_signals)
        self.delay = delay
        self.mode = mode  # true: by path and device; safe: by path only; false: never signal
        self.force_when_killing = force_when_killing  # MNT_FORCE in the second half (network fs)


class Unmounter:
    """Unmounts ``points`` (deepest first) within ``seconds``; OCFError with one reason if not."""

    def __init__(self, points: list, plan: Plan, seconds: float, *, devices=frozenset(),
                 log=None, exclude=(1,)):
        from ocfpy import fsops

        fsops.load_libc()  # before any fork
        self.points = list(points)
        self.plan = plan
        self.devices = frozenset(devices)
        self.log = log
        self.exclude = tuple(exclude)
        self.began = time.monotonic()
        self.end = self.began + seconds
        self.half = self.began + seconds / 2
        self.last_try = self.end - min(LAST_TRY, seconds / 4)
        self.term_rounds = self.kill_rounds = 0
        self.signalled = set()

    def run(self) -> None:
        remaining = list(self.points)
        while True:
            remaining = self._unmount_in_order(remaining)
            if not remaining:
                return
            if time.monotonic() >= self.last_try:
                raise OCFError(self._busy_reason(remaining))
            self._free(remaining)

    def _unmount_in_order(self, remaining: list) -> list:
        """Unmount while it works; the points still mounted (the first one busy or silent)."""
        from ocfpy import bounded, fsops

        while remaining:
            point = remaining[0]
            now = time.monotonic()
            killing = now >= self.half
            phase_end = self.end if killing else self.half  # a silent first try leaves the second half
            outcome = bounded.call(fsops.umount, point, killing and self.plan.force_when_killing,
                                   timeout=phase_end - now)
            if outcome.timed_out:
                if killing:
                    raise OCFError(f"the filesystem does not answer: umount gave no answer within "
                                   f"{self.end - self.began:.1f} s: {point}")
                return remaining
            if outcome.ok or outcome.errno in GONE:
                remaining = remaining[1:]
                continue
            if outcome.errno != errno.EBUSY:
                raise OCFError(f"cannot unmount {point}: {outcome.error}")
            return remaining
        return remaining

    def _free(self, remaining: list) -> None:
        """One round: signal the holders of what is still mounted, wait for them to go."""
        from ocfpy import holders

        until = min(self.last_try, time.monotonic() + self.plan.delay)
        if self.plan.mode == "false":
            time.sleep(max(0.0, min(until - time.monotonic(), 0.2)))
            return
        devices = self.devices if self.plan.mode == "true" else frozenset()
        found = holders.find_holders(remaining, devices, exclude=self.exclude)
        if not found:
            time.sleep(max(0.0, min(until - time.monotonic(), 0.05)))
            return
        number = self._next_signal()
        pinned = holders.pin(found)
        try:
            reached = holders.signal_all(pinned, number)
            self._log_round(found, number, reached)
            holders.wait_gone(reached, until)
        finally:
            holders.release(pinned)

    def _next_signal(self) -> int:
        if time.monotonic() < self.half and self.plan.term_signals:
            signals, index = self.plan.term_signals, self.term_rounds
            self.term_rounds += 1
        else:
            signals, index = self.plan.kill_signals or [9], self.kill_rounds
            self.kill_rounds += 1
        return signals[min(index, len(signals) - 1)]

    def _log_round(self, found, number, reached) -> None:
        self.signalled.update(process.pid for process in reached)
        if self.log is not None:
            names = ", ".join(holder.describe() for holder in found[:5])
            more = f" and {len(found) - 5} more" if len(found) > 5 else ""
            import signal

            try:
                number = signal.Signals(number).name
            except ValueError:
                pass
            self.log.info(f"{number} to {len(reached)} process(es) holding "
                          f"{self.points[-1]}: {names}{more}")

    def _busy_reason(self, remaining: list) -> str:
        from ocfpy import holders

        if self.plan.mode == "false":
            found = holders.find_holders(remaining, frozenset(), exclude=self.exclude)
        else:
            found = holders.find_holders(remaining, self.devices, exclude=self.exclude)
        who = f"; held by {', '.join(h.describe() for h in found[:3])}" if found else ""
        return (f"still busy after {time.monotonic() - self.began:.1f} s{who}: cannot unmount "
                f"{remaining[0]}")

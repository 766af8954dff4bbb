"""Which processes hold a mounted filesystem, and signalling them without hitting a reused PID.

Holders are found in /proc alone: readlink(2) of /proc/PID/{cwd,root,exe,fd/*} and the
lines of /proc/PID/maps. Neither stats anything on the filesystem, so the scan does not
block on a mount whose server stopped answering. A path counts when it lies inside one
of the mount points, compared component by component (``/x/data2`` is not inside
``/x/data``); a memory map also counts by its device number, for the devices that only
the stopped mounts show (a bind's source filesystem is mounted elsewhere: its users
outside the bind are never holders). The paths of a process in another mount namespace name
its own tree: they count only inside the copies that propagation links to our mounts; its
open files also count by their mount id (fdinfo), its maps by device.
"""

import os
import select
import time

from ocfpy.mounts import is_within
from ocfpy.process import process_alive, process_start_time

DELETED = " (deleted)"
_LINKS = ("cwd", "root", "exe")


class Holder:
    """A process using the filesystem: its pid, start time, and what it holds there."""

    __slots__ = ("pid", "start_time", "uses")

    def __init__(self, pid: int, start_time: "int | None", uses: list):
        self.pid = pid
        self.start_time = start_time
        self.uses = uses  # e.g. ["cwd /srv/data", "fd 3 /srv/data/db"]

    def describe(self) -> str:
        return f"{self.pid} ({', '.join(self.uses[:3])})"

    def __repr__(self) -> str:
        return f"Holder({self.pid}, {self.uses!r})"


def _readlink(path: str) -> "str | None":
    try:
        return os.readlink(path)
    except OSError:
        return None


def _on_mount(target: "str | None", mount_points) -> bool:
    if not target or not target.startswith("/"):  # sockets, pipes, anon inodes
        return False
    if target.endswith(DELETED):
        target = target[: -len(DELETED)]
    return any(is_within(target, point) for point in mount_points)


def _map_uses(pid_dir: str, mount_points, devices) -> list:
    """What /proc/PID/maps shows mapped from the filesystem: by path, or by device."""
    try:
        with open(pid_dir + "/maps", "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    uses = []
    for line in data.split(b"\n"):
        fields = line.split(None, 5)
        if len(fields) < 6:
            continue
        path = fields[5].decode("utf-8", "surrogateescape").replace("\\012", "\n")
        major, _, minor = fields[3].partition(b":")
        try:
            device = (int(major, 16), int(minor, 16))
        except ValueError:
            continue
        if _on_mount(path, mount_points) or device in devices:
            use = f"map {path}"
            if use not in uses:
                uses.append(use)
    return uses


def uses_of(pid_dir: str, mount_points, devices=frozenset()) -> list:
    """Everything process ``pid_dir`` (``/proc/PID``) holds on the mounts."""
    uses = []
    for name in _LINKS:
        target = _readlink(f"{pid_dir}/{name}")
        if _on_mount(target, mount_points):
            uses.append(f"{name} {target}")
    try:
        fds = os.listdir(pid_dir + "/fd")
    except OSError:
        fds = []
    for fd in fds:
        target = _readlink(f"{pid_dir}/fd/{fd}")
        if _on_mount(target, mount_points):
            uses.append(f"fd {fd} {target}")
    return uses + _map_uses(pid_dir, mount_points, devices)


def _fd_mount_id(pid_dir: str, fd: str) -> "int | None":
    """The mnt_id line of /proc/PID/fdinfo/FD: which mount the open file is on."""
    try:
        with open(f"{pid_dir}/fdinfo/{fd}", "rb") as handle:
            for line in handle.read().split(b"\n"):
                if line.startswith(b"mnt_id:"):
                    return int(line[7:])
    except (OSError, ValueError):
        pass
    return None


def foreign_uses(pid_dir: str, copies, mount_ids, devices=frozenset()) -> list:
    """What a process in another mount namespace holds of ours. Its paths name its own tree
    (``/srv/data`` there may be a plain directory), so they count only inside ``copies``, the
    mount points there of our mounts' propagated copies; an open file counts by its mount
    (fdinfo's mnt_id is one of ``mount_ids``), and maps by ``devices`` as everywhere."""
    try:
        fds = os.listdir(pid_dir + "/fd")
    except OSError:
        fds = []
    uses = [f"fd {fd} {_readlink(f'{pid_dir}/fd/{fd}')}" for fd in fds
            if _fd_mount_id(pid_dir, fd) in mount_ids]
    return uses + [use for use in uses_of(pid_dir, copies, devices) if use not in uses]


def _our_mounts(proc: str, mount_points) -> list:
    """The mounts on top of ``mount_points`` in this process's mount namespace."""
    from ocfpy.mounts import read_mount_table

    try:
        table = read_mount_table(f"{proc}/self/mountinfo")
    except OSError:
        return []
    tops = (table.top(point) for point in mount_points)
    return [mount for mount in tops if mount is not None]


def copies_in(pid_dir: str, ours) -> list:
    """Mount points, in the mount namespace of ``pid_dir``, of copies propagation links to
    ``ours`` (peers ``shared:N`` or slaves ``master:N`` of their groups): our unmount
    propagates to them, and is busy while one of them is."""
    from ocfpy.mounts import read_mount_table

    groups = {field[7:] for mount in ours for field in mount.propagation if field.startswith("shared:")}
    if not groups:
        return []
    try:
        table = read_mount_table(pid_dir + "/mountinfo")
    except OSError:
        return []
    return [mount.mount_point for mount in table.mounts
            if any(field.partition(":")[2] in groups for field in mount.propagation
                   if field.startswith(("shared:", "master:")))]


def find_holders(mount_points, devices=frozenset(), proc: str = "/proc", exclude=()) -> list:
    """The processes holding anything inside ``mount_points`` (or mapped from ``devices``).

    Kernel threads (no exe), this process and ``exclude`` are left out. A process in another
    mount namespace is judged by :func:`foreign_uses`, never by its paths.
    """
    skip = {os.getpid(), *exclude}
    ours = _readlink(f"{proc}/self/ns/mnt")
    our_mounts, copies = None, {}  # copies: per mount namespace
    holders = []
    for name in os.listdir(proc):
        if not name.isdigit() or int(name) in skip:
            continue
        pid_dir = f"{proc}/{name}"
        if _readlink(pid_dir + "/exe") is None and _readlink(pid_dir + "/cwd") is None:
            continue  # a kernel thread, or gone
        namespace = _readlink(pid_dir + "/ns/mnt")
        if ours is not None and namespace is not None and namespace != ours:
            if our_mounts is None:
                our_mounts = _our_mounts(proc, mount_points)
            if namespace not in copies:
                copies[namespace] = copies_in(pid_dir, our_mounts)
            uses = foreign_uses(pid_dir, copies[namespace], {mount.mount_id for mount in our_mounts},
                                devices)
        else:
            uses = uses_of(pid_dir, mount_points, devices)
        if uses:
            holders.append(Holder(int(name), start_time(pid_dir), uses))
    return holders


def start_time(pid_dir: str) -> "int | None":
    """Field 22 of ``/proc/PID/stat``: when the process started (clock ticks since boot)."""
    try:
        with open(pid_dir + "/stat", "rb") as handle:
            return int(handle.read().rpartition(b")")[2].split()[19])
    except (OSError, ValueError, IndexError):
        return None


# --- signalling ------------------------------------------------------------------------------
class Pinned:
    """One process, pinned by a pidfd where the kernel has them, so that a signal can never
    reach another process that got its pid after it exited."""

    __slots__ = ("pid", "start_time", "fd")

    def __init__(self, pid: int, start_time: "int | None"):
        self.pid = pid
        self.start_time = start_time
        self.fd = None
        opener = getattr(os, "pidfd_open", None)
        if opener is not None:
            try:
                self.fd = opener(pid)
            except OSError:
                self.fd = None
        if not self._same_process():
            self.close()
            self.start_time = -1  # gone, or already another process: never signalled

    def _same_process(self) -> bool:
        return self.start_time is None or process_start_time(self.pid) == self.start_time

    def alive(self) -> bool:
        if self.start_time == -1:
            return False
        if self.fd is not None:
            readable, _, _ = select.select([self.fd], [], [], 0)
            return not readable  # a pidfd turns readable when its process exits
        return process_alive(self.pid, self.start_time)

    def send(self, number: int) -> bool:
        """Send signal ``number``; False when the process is gone."""
        if not self.alive():
            return False
        try:
            if self.fd is not None:
                import signal

                signal.pidfd_send_signal(self.fd, number)
            elif self._same_process():
                os.kill(self.pid, number)
            else:
                return False
        except ProcessLookupError:
            return False
        return True

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def signal_all(pinned: list, number: int) -> list:
    """Send ``number`` to each pinned process; the ones it reached. SIGCONT follows any signal
    but SIGKILL: a stopped process (Ctrl-Z, a freezer) acts on it only once it runs again."""
    import signal

    reached = [process for process in pinned if process.send(number)]
    if number not in (signal.SIGKILL, signal.SIGCONT):
        for process in reached:
            process.send(signal.SIGCONT)
    return reached


def wait_gone(pinned: list, until: float) -> list:
    """Wait until every process exited or time.monotonic() reaches ``until``; the survivors."""
    pause = 0.005
    while True:
        alive = [process for process in pinned if process.alive()]
        left = until - time.monotonic()
        if not alive or left <= 0:
            return alive
        fds = [process.fd for process in alive if process.fd is not None]
        if len(fds) == len(alive):
            select.select(fds, [], [], left)  # wakes as soon as one of them exits
        else:
            time.sleep(min(pause, left))
            pause = min(pause * 2, 0.1)


def pin(holders: list) -> list:
    return [Pinned(holder.pid, holder.start_time) for holder in holders]


def release(pinned: list) -> None:
    for process in pinned:
        process.close()


# --- copies in other mount namespaces --------------------------------------------------------
def mounted_in_other_namespaces(devices, proc: str = "/proc") -> list:
    """(pid, mount point) of a mount of one of ``devices`` in another mount namespace, one per
    namespace: a copy made when that namespace was made, which no unmount of ours reaches
    unless propagation links it, and which keeps the filesystem mounted on this node."""
    from ocfpy.mounts import read_mount_table

    ours = _readlink(f"{proc}/self/ns/mnt")
    if ours is None:
        return []
    seen, found = {ours}, []
    for name in os.listdir(proc):
        namespace = _readlink(f"{proc}/{name}/ns/mnt") if name.isdigit() else None
        if namespace is None or namespace in seen:
            continue
        seen.add(namespace)
        try:
            table = read_mount_table(f"{proc}/{name}/mountinfo")
        except OSError:
            continue
        found += [(int(name), mount.mount_point) for mount in table.mounts if mount.device in devices][:1]
    return found


def refuse_copies_elsewhere(device: tuple, proc: str = "/proc") -> None:
    """OCFError when a local filesystem is still mounted in another mount namespace (one made
    while it was mounted, with private propagation): it stays mounted on this node, so another
    node must not mount it."""
    from ocfpy.errors import OCFError
    from ocfpy.identity import read_stat

    for pid, point in mounted_in_other_namespaces({device}, proc):
        stat = read_stat(pid)
        raise OCFError(f"still mounted in the mount namespace of process {pid} "
                       f"({stat.comm if stat else 'gone'}) on {point}")

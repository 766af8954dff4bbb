"""The mount table from /proc/self/mountinfo, parsed exactly, and which device is mounted where.

Nothing here stats, opens or resolves a path on a mounted filesystem: a filesystem whose
server stopped answering blocks every such call uninterruptibly. The table comes from
/proc/self/mountinfo, paths are resolved with readlink(2) only (which does not ask the
filesystem anything for a directory), and devices are compared by major:minor.
"""

import os

MOUNTINFO = "/proc/self/mountinfo"
#: Symbolic links deeper than this are a loop (the kernel's MAXSYMLINKS).
MAX_SYMLINKS = 40

#: Filesystems with no device behind them: "mounted" compares the source and type as given.
VIRTUAL_TYPES = frozenset((
    "tmpfs", "ramfs", "proc", "sysfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "overlay",
    "overlayfs", "mqueue", "hugetlbfs", "debugfs", "tracefs", "securityfs", "configfs",
))
#: Filesystems whose source is a server's export: compared as text.
NETWORK_TYPES = frozenset((
    "nfs", "nfs4", "aznfs", "efs", "cifs", "smbfs", "smb3", "glusterfs", "ceph", "lustre",
    "rozofs", "cvfs", "9p", "sshfs", "fuse.sshfs", "fuse.glusterfs",
))


class Mount:
    """One line of mountinfo (proc(5)): where, what, and how a filesystem is mounted."""

    __slots__ = ("mount_id", "parent_id", "device", "root", "mount_point", "mount_options",
                 "fstype", "source", "super_options", "propagation")

    def __init__(self, mount_id: int, parent_id: int, device: tuple, root: str, mount_point: str,
                 mount_options: str, fstype: str, source: str, super_options: str,
                 propagation: tuple = ()):
        self.mount_id = mount_id
        self.parent_id = parent_id
        self.device = device  # (major, minor): what st_dev of every file on it says
        self.root = root  # the directory of the filesystem mounted here ("/" unless a bind)
        self.mount_point = mount_point
        self.mount_options = mount_options
        self.fstype = fstype
        self.source = source
        self.super_options = super_options
        self.propagation = propagation  # the optional fields: ("shared:7", "master:3")

    @property
    def read_only(self) -> bool:
        """Mounted read-only, or its superblock is (as the kernel does after an error)."""
        return "ro" in self.mount_options.split(",") or "ro" in self.super_options.split(",")

    @property
    def dev_t(self) -> int:
        return os.makedev(*self.device)

    def __repr__(self) -> str:
        return (f"Mount({self.source!r} on {self.mount_point!r} type {self.fstype}, "
                f"dev {self.device[0]}:{self.device[1]}, root {self.root!r})")


def unescape(field: bytes) -> str:
    """A mountinfo field decoded: the kernel writes space, TAB, LF and backslash as ``\\ooo``."""
    if b"\\" not in field:
        return field.decode("utf-8", "surrogateescape")
    out = bytearray()
    index, size = 0, len(field)
    while index < size:
        byte = field[index]
        digits = field[index + 1:index + 4]
        if byte == 0x5C and len(digits) == 3 and all(0x30 <= d <= 0x37 for d in digits):
            out.append(int(digits, 8) & 0xFF)
            index += 4
        else:
            out.append(byte)
            index += 1
    return bytes(out).decode("utf-8", "surrogateescape")


def parse_line(line: bytes) -> "Mount | None":
    """One mountinfo line; None for a line that does not have mountinfo's shape."""
    fields = line.split(b" ")
    try:
        separator = fields.index(b"-", 6)
        major, minor = fields[2].split(b":")
        return Mount(int(fields[0]), int(fields[1]), (int(major), int(minor)),
                     unescape(fields[3]), unescape(fields[4]), fields[5].decode("ascii", "replace"),
                     unescape(fields[separator + 1]), unescape(fields[separator + 2]),
                     fields[separator + 3].decode("utf-8", "replace") if len(fields) > separator + 3
                     else "", tuple(field.decode("ascii", "replace") for field in fields[6:separator]))
    except (ValueError, IndexError):
        return None


def parse_mountinfo(data: bytes) -> list:
    """Every mount of a mountinfo text, in the kernel's order (a mount after the one it covers)."""
    mounts = []
    for line in data.split(b"\n"):
        mount = parse_line(line) if line else None
        if mount is not None:
            mounts.append(mount)
    return mounts


def _read(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def read_mount_table(path: str = MOUNTINFO) -> "MountTable":
    """The mount table now; read until two reads agree, as a table that changes while it is
    read in pieces can lose lines."""
    data = _read(path)
    for _ in range(3):
        again = _read(path)
        if again == data:
            break
        data = again
    return MountTable(parse_mountinfo(data))


# --- paths -----------------------------------------------------------------------------------
def parts(path: str) -> tuple:
    """The components of a normalized absolute path: ``/a/b`` -> ('a', 'b'), ``/`` -> ()."""
    return tuple(part for part in path.split("/") if part)


def is_within(path: str, base: str) -> bool:
    """``path`` is ``base`` or below it, component by component (``/x/data2`` is not in ``/x/data``)."""
    base_parts = parts(base)
    return parts(path)[:len(base_parts)] == base_parts


def join(*components) -> str:
    return "/" + "/".join(part for component in components for part in parts(component))


def normalize(path: str) -> str:
    """``path`` without repeated or trailing slashes; ``.`` and ``..`` are kept for resolve()."""
    if not path.startswith("/"):
        raise ValueError(f"{path!r} is not an absolute path")
    if "\0" in path:
        raise ValueError("the path contains a NUL byte")
    return "/" + "/".join(parts(path))


def resolve(path: str, readlink=os.readlink) -> str:
    """``path`` with every symbolic link and ``.``/``..`` resolved, as ``readlink -m`` does.

    Only readlink(2) is used: it never asks a mounted filesystem about its root, so it
    does not block on a dead mount. Components that do not exist are kept as written.
    """
    pending = list(reversed(parts(normalize(path))))
    resolved, hops = [], 0
    missing = False
    while pending:
        part = pending.pop()
        if part in (".", ""):
            continue
        if part == "..":
            if resolved:
                resolved.pop()
            continue
        candidate = "/" + "/".join(resolved + [part])
        target = None
        if not missing:
            try:
                target = readlink(candidate)
            except OSError as error:
                missing = error.errno != 22  # EINVAL: exists, not a link; anything else: absent
        if target is None:
            resolved.append(part)
            continue
        hops += 1
        if hops > MAX_SYMLINKS:
            raise ValueError(f"too many levels of symbolic links in {path!r}")
        if target.startswith("/"):
            resolved = []
        pending.extend(reversed(parts(target)))
    return "/" + "/".join(resolved)


# --- the table -------------------------------------------------------------------------------
class MountTable:
    """The mounts of this mount namespace, with the questions an agent asks of them."""

    def __init__(self, mounts: list):
        self.mounts = mounts

    def stack(self, directory: str) -> list:
        """The mounts on ``directory``, bottom first: a mount stacked on another is its child."""
        here = [mount for mount in self.mounts if mount.mount_point == directory]
        if len(here) < 2:
            return here
        ids = {mount.mount_id for mount in here}
        bottom = [mount for mount in here if mount.parent_id not in ids]
        ordered = bottom[:1] or here[:1]
        while True:
            above = [m for m in here if m.parent_id == ordered[-1].mount_id and m not in ordered]
            if not above:
                break
            ordered.append(above[-1])
        ordered.extend(mount for mount in here if mount not in ordered)  # a shape we do not know
        return ordered

    def top(self, directory: str) -> "Mount | None":
        """The mount one sees at ``directory``: the last one stacked there."""
        stack = self.stack(directory)
        return stack[-1] if stack else None

    def below(self, directory: str) -> list:
        """Mounts strictly under ``directory``, deepest first and top of a stack first: the
        order in which they can be unmounted."""
        found = [(index, mount) for index, mount in enumerate(self.mounts)
                 if mount.mount_point != directory and is_within(mount.mount_point, directory)]
        found.sort(key=lambda item: (len(parts(item[1].mount_point)), item[0]), reverse=True)
        return [mount for _, mount in found]

    def containing(self, path: str) -> "Mount | None":
        """The mount ``path`` lies on: the top mount of the deepest mount point above it."""
        best = None
        for mount in self.mounts:
            if is_within(path, mount.mount_point):
                if best is None or len(parts(mount.mount_point)) >= len(parts(best.mount_point)):
                    best = mount
        return best if best is None else self.top(best.mount_point)

    def with_device(self, device: tuple) -> list:
        return [mount for mount in self.mounts if mount.device == device]

"""What a configured mount names (device, type, options), and whether a mount in the table is it.

"Mounted" means this device on this directory: a block device is compared by major:minor,
a bind by the source's filesystem and directory within it, a network or virtual
filesystem by its source as given, a loop-mounted file by the loop device's backing file.
"""

import os
import stat

from ocfpy.mounts import NETWORK_TYPES, VIRTUAL_TYPES, is_within, join, normalize, parts, resolve
from ocfpy.params import no_surrounding_space

BLOCK, UUID, LABEL, BIND, VIRTUAL, NETWORK, LOOPFILE = (
    "block", "uuid", "label", "bind", "virtual", "network", "loop file")
DISK_LINKS = {UUID: "/dev/disk/by-uuid", LABEL: "/dev/disk/by-label"}

#: Mount states: the configured filesystem is on top of the directory, under another mount,
#: absent, or something else is there; UNKNOWN when the device cannot be found to compare.
MOUNTED, COVERED, NOT_MOUNTED, FOREIGN, UNKNOWN = (
    "mounted", "covered", "not mounted", "foreign", "unknown")


#: Directories a cluster must never mount over (and everything under the kernel's own trees).
SYSTEM_DIRECTORIES = frozenset((
    "/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/proc", "/root",
    "/run", "/sbin", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/lib", "/usr/lib64", "/usr/sbin",
    "/var", "/var/lib", "/var/log", "/var/tmp",
))
KERNEL_TREES = ("/proc", "/sys", "/dev")


def is_system_directory(path: str) -> bool:
    """/ and the system's own directories (normalized paths), the kernel's trees included."""
    return path in SYSTEM_DIRECTORIES or any(is_within(path, tree) for tree in KERNEL_TREES)


def check_mount_point(value: str) -> None:
    """ValueError for a path no managed filesystem may be mounted on: / and the system's own;
    for one with white space around it, a UsableAs without it (what a probe looks for)."""
    path = normalize(value.strip())
    if is_system_directory(path):
        raise ValueError(f"{path} is a system directory: refusing to mount over it")
    no_surrounding_space(value)


#: force_unmount's words (resource-agents' Filesystem) -> how stop finds the holders.
FORCE_UNMOUNT = {"true": "true", "yes": "true", "1": "true", "on": "true", "y": "true",
                 "safe": "safe", "false": "false", "no": "false", "0": "false", "off": "false",
                 "n": "false", "": "false"}


def force_unmount_mode(value: str) -> str:
    """``true``, ``safe`` or ``false`` from a force_unmount value (ValueError when invalid).

    resource-agents' later modifiers after a comma are accepted and have no effect, except
    ``move``, which is refused: holders are signalled, the mount is never moved away.
    """
    words = [word.strip().lower() for word in value.split(",")]
    if words[0] not in FORCE_UNMOUNT:
        raise ValueError(f"{value!r} is not true, safe or false")
    if "move" in words[1:]:
        raise ValueError("the 'move' modifier is not supported: processes are signalled instead")
    return FORCE_UNMOUNT[words[0]]


def check_status_prefix(value: str) -> None:
    """ValueError unless ``value`` is a path relative to the mount point, without '..'."""
    if value.startswith("/") or ".." in value.split("/") or "\0" in value:
        raise ValueError("must be a path relative to the mount point, without '..'")


def check_delay(value: str) -> None:
    """ValueError unless ``value`` is a number of seconds in [0, 3600)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 3600:  # also refuses nan and inf
        raise ValueError(f"{value!r} is not a number of seconds")


def check_signal_names(value: str) -> None:
    """Names or numbers, checked for their shape only: the signal module costs a probe 1 ms
    (enum); :func:`ocfpy.unmount.signal_numbers` checks that each is a signal."""
    for name in value.split():
        if not (name.isascii() and name.replace("_", "").isalnum()):
            raise ValueError(f"{name!r} is not a signal name or number")


def mounted_fstype(fstype: str) -> str:
    """``fstype`` as the mount table spells it: without white space, a kernel type in lower case
    (fuse.SubType keeps its case), so that a probe or stop finds a mount configured TMPFS."""
    fstype = fstype.strip()
    return fstype if "." in fstype else fstype.lower()


def option_words(options: str) -> list:
    return [word.strip() for word in options.split(",") if word.strip()]


def check_option_spacing(options: str) -> None:
    """ValueError for options separated by spaces (mount would take them for one option): a
    space before the first '=' (noatime nodiratime) or before another one (uid=0 gid=0); a
    value alone may hold one (username=John Doe)."""
    for word in option_words(options):
        pieces = word.split()
        if len(pieces) > 1 and ("=" not in pieces[0] or any("=" in piece for piece in pieces[1:])):
            raise ValueError(f"{word!r}: mount options are separated by commas "
                             f"({','.join(pieces)}), not spaces")


def mount_options(options: str) -> str:
    """``options`` as mount -o takes them: white space around the commas and empty ones dropped,
    as the shell's word splitting drops them for resource-agents' Filesystem."""
    return ",".join(option_words(options))


class DeviceSpec:
    """The ``device`` parameter understood: its kind and the value mount(8) is given."""

    __slots__ = ("kind", "value", "text")

    def __init__(self, kind: str, value: str, text: str):
        self.kind = kind
        self.value = value  # the path, the UUID or label, the export, the source name
        self.text = text  # as configured

    @property
    def is_block(self) -> bool:
        return self.kind in (BLOCK, UUID, LABEL)

    def mount_source(self) -> list:
        """The device arguments of mount(8)."""
        if self.kind == UUID:
            return ["-U", self.value]
        if self.kind == LABEL:
            return ["-L", self.value]
        return [self.value]

    def __repr__(self) -> str:
        return f"DeviceSpec({self.kind}, {self.value!r})"


def parse_device(device: str, fstype: str = "", options: str = "") -> DeviceSpec:
    """The kind of ``device`` (ValueError with one line when it cannot be one)."""
    text = device
    if device != device.strip():
        raise ValueError("has leading or trailing white space")
    for kind, forms in ((UUID, ("-U ", "--uuid=", "UUID=")), (LABEL, ("-L ", "--label=", "LABEL="))):
        for form in forms:
            if device.startswith(form):
                value = device[len(form):].strip()
                if not value:
                    raise ValueError(f"{form.strip()} names no {kind}")
                if "/" in value:
                    raise ValueError(f"a {kind} has no '/'")
                return DeviceSpec(kind, value, text)
    if device.startswith("-"):  # mount(8) would take it for options (-a mounts all of fstab)
        raise ValueError("starts with '-' and is not -U/-L, --uuid=/--label=")
    words = option_words(options)
    if "bind" in words or "rbind" in words:
        return DeviceSpec(BIND, normalize(device), text)
    if fstype in VIRTUAL_TYPES:
        return DeviceSpec(VIRTUAL, device, text)
    if fstype in NETWORK_TYPES or fstype.startswith("fuse.") or ":" in device or device.startswith("//"):
        return DeviceSpec(NETWORK, device.rstrip("/") or device, text)
    if not device.startswith("/"):
        if device and fstype not in ("", "none"):
            return DeviceSpec(VIRTUAL, device, text)  # a pseudo filesystem's source name
        raise ValueError("is not a block device path, -U/-L, UUID=/LABEL=, an export or a source name")
    if "loop" in words:
        return DeviceSpec(LOOPFILE, normalize(device), text)
    return DeviceSpec(BLOCK, normalize(device), text)


def mount_command(spec: DeviceSpec, fstype: str, options: str, directory: str) -> list:
    """The mount(8) command line that mounts ``spec`` on ``directory`` (no -t for a bind)."""
    argv = ["mount"]
    if fstype and spec.kind != BIND:
        argv += ["-t", fstype]
    if options:
        argv += ["-o", options]
    return argv + spec.mount_source() + [directory]


class Target:
    """A device as the mount table shows it: major:minor for a block device, else its source."""

    __slots__ = ("spec", "device", "path", "error")

    def __init__(self, spec: DeviceSpec, device: "tuple | None", path: "str | None",
                 error: str = ""):
        self.spec = spec
        self.device = device  # (major, minor) of a block device, when found
        self.path = path  # the block device node, the bind source or loop file, resolved
        self.error = error  # why the device could not be found

    @property
    def found(self) -> bool:
        return not self.error


def _block_number(path: str) -> "tuple | str":
    """(major, minor) of the block device at ``path``, or why there is none."""
    try:
        info = os.stat(path)  # a node under /dev: never on the mount this agent manages
    except OSError as error:
        return f"{path}: {error.strerror}"
    if not stat.S_ISBLK(info.st_mode):
        return f"{path} is not a block device"
    return (os.major(info.st_rdev), os.minor(info.st_rdev))


def _anonymous_on(mount, device: tuple) -> bool:
    """A filesystem whose mountinfo shows an anonymous device number (major 0: btrfs, for
    one) mounted from block device ``device``: its source names the node under /dev."""
    if mount.device[0] != 0 or not mount.source.startswith("/dev/") \
            or mount.fstype in VIRTUAL_TYPES or mount.fstype in NETWORK_TYPES \
            or mount.fstype.startswith("fuse"):  # their source is any text
        return False
    return _block_number(mount.source) == device  # a node under /dev, never on the mount


def blkid_lookup(seconds):
    """A :func:`locate` lookup for a UUID or label udev made no link for: ``blkid -U|-L``, given
    ``seconds()`` (asked when it runs) to answer."""
    def lookup(kind: str, value: str):
        from ocfpy import bounded

        outcome = bounded.command(["blkid", "-U" if kind == UUID else "-L", value], timeout=seconds())
        found = outcome.output.strip().splitlines()
        return found[0] if outcome.ok and found else None
    return lookup


def mounted_nowhere(table, target: Target, fstype: str) -> bool:
    """True when no mount of ``table`` can be ``target`` (:func:`is_target` says no to each)."""
    return all(is_target(mount, target, fstype, table) is False for mount in table.mounts)


def locate(spec: DeviceSpec, lookup=None) -> Target:
    """Find the device ``spec`` names without touching a mounted filesystem.

    A UUID or label goes through /dev/disk/by-uuid|by-label, then through
    ``lookup(kind, value) -> path | None`` (e.g. ``blkid -U`` within the time left)
    where udev made no links.
    """
    if spec.kind in (VIRTUAL, NETWORK):
        return Target(spec, None, None)
    if spec.kind in (BIND, LOOPFILE):
        return Target(spec, None, resolve(spec.value))
    path = spec.value
    if spec.kind in DISK_LINKS:
        link = os.path.join(DISK_LINKS[spec.kind], spec.value)
        path = resolve(link) if os.path.lexists(link) else (lookup(spec.kind, spec.value)
                                                            if lookup else None)
        if not path:
            return Target(spec, None, None, f"no device has {spec.kind} {spec.value}")
    else:
        path = resolve(path)
    number = _block_number(path)
    if isinstance(number, str):
        return Target(spec, None, path, number)
    return Target(spec, number, path)


def loop_backing_file(device: tuple, sys_root: str = "/sys") -> "str | None":
    """The file behind loop device ``device``, from sysfs; None if it is not a loop device."""
    try:
        with open(f"{sys_root}/dev/block/{device[0]}:{device[1]}/loop/backing_file", "rb") as handle:
            return handle.read().rstrip(b"\n").decode("utf-8", "surrogateescape")
    except OSError:
        return None


def bind_origin(table, source: str) -> "tuple | None":
    """(device, root) a bind of directory ``source`` shows in the table: the filesystem the
    source lies on, and the source's path within that filesystem."""
    under = table.containing(source)
    if under is None:
        return None
    inside = parts(source)[len(parts(under.mount_point)):]
    return under.device, join(under.root, "/".join(inside))


def is_target(mount, target: Target, fstype: str, table=None) -> "bool | None":
    """Whether ``mount`` is the configured filesystem; None when that cannot be told."""
    spec = target.spec
    if spec.kind == VIRTUAL:
        return mount.source == spec.value and (fstype in ("", "none") or mount.fstype == fstype)
    if spec.kind == NETWORK:
        return (mount.source.rstrip("/") or mount.source) == spec.value
    if spec.kind == BIND:
        origin = bind_origin(table, target.path) if table is not None else None
        return origin is not None and (mount.device, mount.root) == origin
    if spec.kind == LOOPFILE:
        return loop_backing_file(mount.device) == target.path
    if target.device is not None:
        return mount.device == target.device or _anonymous_on(mount, target.device)
    if mount.source in (spec.value, target.path):
        return True
    return None if mount.fstype not in VIRTUAL_TYPES else False


def mount_state(table, directory: str, target: Target, fstype: str) -> tuple:
    """(state, mount): where the configured filesystem is with respect to ``directory``."""
    stack = table.stack(directory)
    if not stack:
        return NOT_MOUNTED, None
    verdicts = [is_target(mount, target, fstype, table) for mount in stack]
    if verdicts[-1]:
        return MOUNTED, stack[-1]
    if verdicts[-1] is None:
        return UNKNOWN, stack[-1]
    for mount, verdict in zip(stack, verdicts):
        if verdict:
            return COVERED, mount
    return FOREIGN, stack[-1]

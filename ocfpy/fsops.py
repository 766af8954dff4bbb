"""What touches a mounted filesystem: reads, a status-file write, umount, the mount point.

The reads, the write and umount may block for as long as the storage does not answer, so
agents run them in a child through :func:`ocfpy.bounded.call`; an OSError says what failed.
The mount-point helpers at the end run in the agent and raise OCF errors.
"""

import errno
import mmap
import os

BLOCK = 4096
MNT_FORCE = 1
#: Flags of umount2(2) not to follow a link at the mount point.
UMOUNT_NOFOLLOW = 8

_libc = None


def load_libc() -> None:
    """Load libc for umount2(2): in the agent, before it forks a child to unmount."""
    global _libc
    if _libc is None:
        import ctypes

        _libc = ctypes.CDLL(None, use_errno=True)


def umount(directory: str, force: bool = False) -> None:
    """umount2(2) of ``directory`` (``force``: MNT_FORCE, which aborts requests in flight on
    network and FUSE filesystems); never lazy. OSError (EBUSY while it is held)."""
    import ctypes

    load_libc()
    flags = UMOUNT_NOFOLLOW | (MNT_FORCE if force else 0)
    if _libc.umount2(os.fsencode(directory), flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), directory)


def _aligned_buffer():
    return mmap.mmap(-1, BLOCK)  # page aligned, as O_DIRECT needs


def read_block(device: str) -> None:
    """Read the first 4 KiB of ``device`` past the page cache (O_DIRECT where it works)."""
    flags = os.O_RDONLY | os.O_CLOEXEC
    try:
        fd = os.open(device, flags | getattr(os, "O_DIRECT", 0))
    except OSError as error:
        if error.errno != errno.EINVAL:
            raise
        fd = os.open(device, flags)
    try:
        buffer = _aligned_buffer()
        try:
            os.readv(fd, [buffer])
        except OSError as error:
            if error.errno != errno.EINVAL:
                raise
            os.read(fd, BLOCK)
    finally:
        os.close(fd)


def read_directory(directory: str) -> None:
    """Read the first entries of ``directory``: the filesystem has to answer."""
    with os.scandir(directory) as entries:
        next(entries, None)


def write_status(path: str, content: bytes) -> None:
    """Write ``content`` to ``path``, fsync it, read it back and compare (the depth-20 check).

    The file's directory is created when missing; links are never followed.
    """
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o644)
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        back = os.read(fd, len(content) + 1)
    finally:
        os.close(fd)
    if back != content:
        raise OSError(errno.EIO, "the status file read back differs from what was written", path)


def make_mount_point(directory: str) -> None:
    """mkdir the mount point only when it is absent (it is not mounted: this is the parent fs);
    NotInstalled when it cannot be made or is no directory."""
    from ocfpy.errors import NotInstalled

    if not os.path.lexists(directory):
        try:
            os.makedirs(directory, 0o755)
        except OSError as error:
            raise NotInstalled(f"cannot create the mount point {directory}: {error.strerror}") from None
    if not os.path.isdir(directory):
        raise NotInstalled(f"{directory} is not a directory: it cannot be a mount point")


def make_bind_read_only(mount, directory: str, timeout: float) -> None:
    """bind,ro: remount the bind ``mount`` on ``directory`` read-only (never its source's
    superblock) unless it already is; OCFError when mount(8) fails."""
    from ocfpy import bounded
    from ocfpy.errors import OCFError

    if mount is None or "ro" in mount.mount_options.split(","):
        return
    outcome = bounded.command(["mount", "-o", "remount,bind,ro", directory], timeout=timeout)
    if not outcome.ok:
        raise OCFError(f"cannot make the bind on {directory} read-only: {outcome.error}")


#: util-linux's mount(8) adds this hint on a line of its own after the line saying what failed.
DMESG_HINT = "dmesg(1) may have more information"


def run_mount(argv: list, directory: str, fstype: str, device: str, timeout: float) -> "str | None":
    """Run mount(8) ``argv`` within ``timeout``: None when it mounted, else why not in one line
    (:func:`mount_error`, with what the kernel logged about ``fstype`` or ``device`` meanwhile)."""
    from ocfpy import bounded
    from ocfpy.kmsg import KernelLog, about_mount

    kernel_log = KernelLog()  # opened first: the cause of "wrong fs type, bad option" is only there
    outcome = bounded.command(argv, timeout=timeout)
    if outcome.ok:
        kernel_log.close()
        return None
    return mount_error(outcome, directory, about_mount(kernel_log.since(), fstype, device))


#: The start of util-linux's sentence for any error the kernel gave (EINVAL): the kernel's log
#: says which one it was.
CATCH_ALL = "wrong fs type, bad option, bad superblock"


def mount_error(outcome, directory: str, kernel_said: "str | None" = None) -> str:
    """What a failed mount(8) (a :func:`ocfpy.bounded.command` outcome) said, in one line: its
    last line that is not the dmesg hint, without the ``mount: DIR: `` a reason names already,
    the exit status last. ``kernel_said`` (see :mod:`ocfpy.kmsg`) replaces util-linux's
    catch-all sentence."""
    lines = [line.strip() for line in (outcome.output or "").splitlines()
             if line.strip() and DMESG_HINT not in line]
    if outcome.timed_out or not lines:
        return outcome.error
    message = lines[-1]
    for prefix in (f"mount: {directory}: ", "mount: "):
        if message.startswith(prefix):
            message = message[len(prefix):]
            break
    if kernel_said and message.startswith(CATCH_ALL):
        message = f"the kernel said: {kernel_said}"
    return f"{message.rstrip('.')} (mount exited with {outcome.rc})"

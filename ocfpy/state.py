"""State files under HA_RSCTMP, one per instance: written atomically, never through a symlink.

A path holding something else than a regular file (a directory, a fifo, a link) is refused
with :class:`ocfpy.errors.WrongKind` and one line, and no OSError leaves these functions.
"""

import errno
import os

from ocfpy.errors import InvalidArgument, OCFError, WrongKind

#: Why a lookup can fail when nothing can be at a path: missing, under a file, or a name too long.
_ABSENT = frozenset((errno.ENOENT, errno.ENOTDIR, errno.ENAMETOOLONG))

#: Characters kept as they are in a file name; anything else is %XX-encoded.
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:@+=,-")


def safe_name(text: str) -> str:
    """``text`` usable as one file name: '/', '%', controls and '..' are %XX-encoded (reversibly)."""
    encoded = "".join(ch if ch in _SAFE else _percent(ch) for ch in text)
    return encoded.replace("..", "%2E%2E") or "%"


def _percent(ch: str) -> str:
    return "".join(f"%{byte:02X}" for byte in ch.encode("utf-8", "surrogateescape"))


def instance_key(env) -> str:
    """The instance as it names files: the resource id, with ``:N`` for globally-unique clones.

    Pacemaker already passes ``id:N`` for a globally-unique clone (anonymous clone instances
    share the bare id, and run at most once per node); ``:N`` is added when a tool left it
    out. Resource ids cannot contain ':', so no primitive's key can equal a clone's.
    """
    instance = env.instance
    clone = env.clone
    if clone is not None and env.globally_unique and not instance.endswith(f":{clone}"):
        instance = f"{instance}:{clone}"
    return instance


def ensure_directory(directory: str, mode: int = 0o755) -> None:
    """Create ``directory`` (and parents) with exactly ``mode`` when it is missing, as execd does."""
    if os.path.isdir(directory):
        return
    try:
        os.makedirs(directory, mode)
        os.chmod(directory, mode)  # makedirs' mode is cut by the umask (execd's is 0026)
    except FileExistsError:
        if not os.path.isdir(directory):
            raise WrongKind(f"cannot create directory {directory}: something else is there") from None
    except OSError as error:
        raise OCFError(f"cannot create directory {directory}: {error.strerror}") from None


def can_create(path: str, *, make_directories: bool = False) -> bool:
    """Whether a file can be created at ``path``.

    Its directory must exist and be writable; with ``make_directories`` (for an agent's own
    default location, which it creates) a writable existing ancestor is enough.
    """
    directory = os.path.dirname(os.path.abspath(path))
    while make_directories and not os.path.lexists(directory):
        directory = os.path.dirname(directory)
    return os.path.isdir(directory) and os.access(directory, os.W_OK | os.X_OK)


def check_can_create(name: str, path: str, *, make_directories: bool = False) -> None:
    """For validators: WrongKind when ``path`` holds no regular file, InvalidArgument when
    a file cannot be created there; ``name`` (the parameter) begins the message."""
    try:
        regular_file_exists(path)
    except WrongKind as error:
        raise WrongKind(f"{name}: {error}") from None
    if not can_create(path, make_directories=make_directories):
        raise InvalidArgument(f"{name}: cannot create {path}: directory missing or not writable")


def kind(mode: int) -> str:
    """What a file of ``mode`` is, as a message says it: 'a directory', 'a fifo'..."""
    import stat

    kinds = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
             (stat.S_ISFIFO, "a fifo"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISCHR, "a character device"))
    return next((word for test, word in kinds if test(mode)), "an unknown kind of file")


def regular_file_exists(path: str) -> bool:
    """False when nothing is at ``path``; True for a regular file; WrongKind for anything else."""
    import stat

    try:
        info = os.lstat(path)
    except OSError as error:
        if error.errno in _ABSENT:
            return False
        raise OCFError(f"cannot look at {path}: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise WrongKind(f"refusing to use {kind(info.st_mode)} as a file: {path}")
    return True


def write_atomic(path: str, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data``: readers see the old or the new content, never a mix.

    The data goes to a temporary file in the same directory, is fsync'ed, then renamed over
    ``path``. A symbolic link at ``path`` or at the temporary path is refused. ``mode`` is
    cut by the process umask (0644 becomes 0640 under execd's umask 0026).
    """
    directory = os.path.dirname(path) or "."
    ensure_directory(directory)
    regular_file_exists(path)
    fd, temp = _temporary(path, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)  # rename() replaces a link planted meanwhile, never its target
    except BaseException as error:
        _unlink_quietly(temp)
        if isinstance(error, OSError):
            raise OCFError(f"cannot write {path}: {error.strerror}") from None
        raise
    _sync_directory(directory)
    remove_stale_temporaries(path)


def temporary_path(path: str) -> str:
    """Where :func:`write_atomic` stages ``path``'s new content: unique per process and thread."""
    from _thread import get_ident

    directory, base = os.path.split(path)
    return os.path.join(directory, f".{base}.{os.getpid()}-{get_ident()}.tmp")


def remove_stale_temporaries(path: str) -> None:
    """Delete the temporary files of ``path``'s writers that were killed before their rename
    (Pacemaker SIGKILLs an agent at its timeout); those of live processes stay."""
    directory, base = os.path.split(path)
    prefix = f".{base}."
    try:
        names = [name for name in os.listdir(directory or ".") if name.startswith(prefix)]
    except OSError:
        return
    for name in names:
        pid, dash, thread = name[len(prefix):-len(".tmp")].partition("-")
        if not (name.endswith(".tmp") and dash and pid.isdigit() and thread.isdigit()):
            continue
        if int(pid) != os.getpid() and not signal_reaches(int(pid)):
            _unlink_quietly(os.path.join(directory, name))


def signal_reaches(pid: int) -> bool:
    """A process ``pid`` exists (perhaps another user's, or a zombie): kill(pid, 0) finds it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _temporary(path: str, mode: int) -> tuple:
    """(fd, name) of a new temporary file next to ``path``."""
    name = temporary_path(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(2):
        try:
            return os.open(name, flags, mode), name
        except FileExistsError:
            regular_file_exists(name)
            _unlink_quietly(name)  # left behind by a writer killed with this pid
        except OSError as error:
            raise OCFError(f"cannot write {path}: {error.strerror}") from None
    raise OCFError(f"cannot write {path}: temporary file {name} keeps reappearing")


def _sync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename itself is already atomic
    finally:
        os.close(fd)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def remove_if_present(path: str) -> None:
    """Delete ``path`` (a link itself, never its target) and the temporary files killed writers
    left for it; nothing there is fine; else OCFError."""
    try:
        os.unlink(path)
    except OSError as error:
        if error.errno in (errno.EISDIR, errno.EPERM) and os.path.isdir(path):
            raise WrongKind(f"refusing to remove a directory: {path}") from None
        if error.errno not in _ABSENT:
            raise OCFError(f"cannot remove {path}: {error.strerror}") from None
    remove_stale_temporaries(path)


def read_regular(path: str) -> "bytes | None":
    """The content of the regular file ``path``, None when it is missing; links are refused."""
    import stat

    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno in _ABSENT:
            return None
        regular_file_exists(path)
        raise OCFError(f"cannot read {path}: {error.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise WrongKind(f"refusing to read {kind(mode)} as a file: {path}")
        with open(fd, "rb", closefd=False) as handle:
            return handle.read()
    except OSError as error:
        raise OCFError(f"cannot read {path}: {error.strerror}") from None
    finally:
        os.close(fd)


class StateFile:
    """One file of state: ``exists()``, ``read()``, ``write(text)``, ``remove()``."""

    def __init__(self, path: str, mode: int = 0o644):
        self.path = os.fspath(path)
        self.mode = mode

    @classmethod
    def for_instance(cls, env, agent_name: str, suffix: str = "state") -> "StateFile":
        """``<HA_RSCTMP>/<agent>-<instance>.<suffix>`` for this resource instance (see instance_key)."""
        name = f"{safe_name(agent_name)}-{safe_name(instance_key(env))}.{safe_name(suffix)}"
        return cls(os.path.join(env.rsctmp, name))

    def exists(self) -> bool:
        """A regular file is there (a symbolic link does not count)."""
        try:
            return regular_file_exists(self.path)
        except OCFError:
            return False

    def read(self) -> "str | None":
        """The text, None when there is no file; OCFError when it is a link or unreadable."""
        data = read_regular(self.path)
        return None if data is None else data.decode("utf-8", "replace")

    def write(self, text: str) -> None:
        """Replace the content atomically (see :func:`write_atomic`)."""
        write_atomic(self.path, text.encode("utf-8", "surrogateescape"), self.mode)

    def remove(self) -> None:
        """Delete the file (a link is deleted, never followed); a missing file is fine."""
        remove_if_present(self.path)

    def __repr__(self) -> str:
        return f"StateFile({self.path!r})"

"""Starting the agent as action_launch_child() does: own group, clean signals, umask 0026, no stray fds."""

from __future__ import annotations

import errno
import functools
import grp
import os
import pwd
import signal
import subprocess
import sys
from typing import Mapping, Optional, Tuple

CORES_DIR = "/var/lib/pacemaker/cores"  # execd's cwd (crm_log_init)
AGENT_UMASK = 0o026
CRM_DAEMON_USER = "hacluster"
_HAS_PROCESS_GROUP = sys.version_info >= (3, 11)
_SIGNALS_PYTHON_RESTORES = {signal.SIGPIPE, signal.SIGXFSZ}  # restore_signals=True
_UNCATCHABLE = {signal.SIGKILL, signal.SIGSTOP}
_THREAD_STATUS = "/proc/thread-self/status"  # SigBlk is per thread: the one that forks
_private_cwd: Optional[str] = None


class SpawnError(RuntimeError):
    """The harness itself could not start the agent (not an agent failure execd would report)."""


class ExecFailed(Exception):
    """execvp() failed in the child: execd's child then exits with an errno-mapped code."""

    def __init__(self, error: int):
        super().__init__(os.strerror(error))
        self.errno = error


def exec_failure_code(error: int) -> int:
    """services__handle_exec_error(): the exit status of a child whose execvp() failed."""
    if error in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.EINVAL, errno.ENOEXEC):
        return 5
    if error in (errno.EACCES, errno.EPERM):
        return 4
    return 1


def default_cwd() -> str:
    """execd's cwd if Pacemaker is installed and we may enter it (root), else one private temporary directory per process."""
    global _private_cwd
    if os.path.isdir(CORES_DIR) and os.access(CORES_DIR, os.X_OK):
        return CORES_DIR
    if _private_cwd is None or not os.path.isdir(_private_cwd):
        import atexit
        import shutil
        import tempfile  # only without Pacemaker installed, or not as root

        _private_cwd = tempfile.mkdtemp(prefix="ocfpy-execd-cwd-")
        atexit.register(shutil.rmtree, _private_cwd, True)  # the process's own: gone with it
    return _private_cwd


def _parent_state_needs_reset() -> bool:
    """True if the child would inherit more than restore_signals fixes: ignored signals, a mask, nice."""
    masks = kernel_signal_masks()
    if masks is None:
        inherits_signals = _python_sees_inherited_signals()
    else:
        blocked, ignored = masks
        inherits_signals = blocked != 0 or ignored & _resettable_signal_bits() != 0
    return inherits_signals or os.getpriority(os.PRIO_PROCESS, 0) != 0 or os.sched_getscheduler(0) != os.SCHED_OTHER


def kernel_signal_masks() -> Optional[Tuple[int, int]]:
    """(blocked, ignored) of this thread as the kernel holds them for exec (bit n-1: signal n); None without /proc.

    Read on every spawn, never cached: any signal() or pthread_sigmask() call can change them."""
    try:
        fd = os.open(_THREAD_STATUS, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        status = os.read(fd, 16384)
        return _mask_field(status, b"SigBlk:"), _mask_field(status, b"SigIgn:")
    except (OSError, ValueError):  # a status file without these lines (or cut before them)
        return None
    finally:
        os.close(fd)


def _mask_field(status: bytes, name: bytes) -> int:
    start = status.index(b"\n" + name) + len(name) + 1
    return int(status[start:status.index(b"\n", start)], 16)


@functools.lru_cache(maxsize=None)
def _resettable_signal_bits() -> int:
    """The signals whose SIG_IGN a child would keep (the valid ones never change in a process)."""
    skipped = _SIGNALS_PYTHON_RESTORES | _UNCATCHABLE
    return sum(1 << (sig - 1) for sig in signal.valid_signals() if sig not in skipped)


def _python_sees_inherited_signals() -> bool:
    """Without /proc: a blocked signal, or a SIG_IGN handler as Python records it."""
    if signal.pthread_sigmask(signal.SIG_BLOCK, []):
        return True
    for sig in signal.valid_signals():
        if sig in _SIGNALS_PYTHON_RESTORES or sig in _UNCATCHABLE:
            continue
        try:
            if signal.getsignal(sig) == signal.SIG_IGN:
                return True
        except (OSError, ValueError):
            continue
    return False


def _reset_child_state(set_pgid: bool) -> None:  # runs in the child between fork and exec
    for sig in signal.valid_signals():
        if sig not in _UNCATCHABLE:
            try:
                signal.signal(sig, signal.SIG_DFL)
            except (OSError, ValueError, RuntimeError):
                pass
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    try:
        if os.sched_getscheduler(0) != os.SCHED_OTHER:
            os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        os.setpriority(os.PRIO_PROCESS, 0, 0)
    except OSError:
        pass  # execd only logs this
    if set_pgid:
        os.setpgid(0, 0)


def _user_kwargs(user: str) -> dict:
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise SpawnError(f"no such user: {user!r}") from None
    if os.geteuid() != 0 and entry.pw_uid != os.geteuid():
        raise SpawnError(f"running an agent as {user!r} needs root")
    groups = os.getgrouplist(user, entry.pw_gid)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": groups}


def metadata_user() -> Optional[str]:
    """The controller runs meta-data as hacluster; as root we do the same when that user exists."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(CRM_DAEMON_USER)
        grp.getgrgid(pwd.getpwnam(CRM_DAEMON_USER).pw_gid)
    except KeyError:
        return None
    return CRM_DAEMON_USER


def popen_kwargs(env: Mapping[str, str], cwd: str, inherit_stdin: bool, user: Optional[str]) -> dict:
    """Popen arguments reproducing execd's child set-up (H6/H7)."""
    kwargs = {
        "stdin": None if inherit_stdin else subprocess.DEVNULL,
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "env": dict(env),
        "cwd": cwd,
        "close_fds": True,
        "restore_signals": True,  # undoes CPython's SIG_IGN of SIGPIPE and SIGXFSZ
        "umask": AGENT_UMASK,
    }
    if _HAS_PROCESS_GROUP:
        kwargs["process_group"] = 0
    if _parent_state_needs_reset() or not _HAS_PROCESS_GROUP:
        kwargs["preexec_fn"] = functools.partial(_reset_child_state, not _HAS_PROCESS_GROUP)
    if user is not None:
        kwargs.update(_user_kwargs(user))
    return kwargs


def start_agent(path: str, action: str, kwargs: dict, extra_args: tuple = ()) -> subprocess.Popen:
    """execvp(path, [path, action]), including its /bin/sh fallback for files without '#!'."""
    try:
        return _popen([path, action, *extra_args], kwargs)
    except ExecFailed as failure:
        if failure.errno != errno.ENOEXEC:
            raise
    return _popen(["/bin/sh", path, action, *extra_args], kwargs)


def _popen(argv: list, kwargs: dict) -> subprocess.Popen:
    try:
        return subprocess.Popen(argv, **kwargs)
    except OSError as err:
        if err.errno is None or err.filename != argv[0]:
            raise SpawnError(f"cannot start {argv[0]}: {err}") from None
        raise ExecFailed(err.errno) from None
    except subprocess.SubprocessError as err:
        raise SpawnError(f"cannot start {argv[0]}: {err}") from None

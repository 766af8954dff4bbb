"""Daemons: start them detached, record them in pidfiles that survive PID reuse, stop them in time."""

from __future__ import annotations

import os
import time

from ocfpy.errors import InsufficientPrivileges, NotInstalled, OCFError
from ocfpy.identity import PID_MAX_LIMIT, TAG_VARIABLE, read_stat
from ocfpy.identity import valid_pid as _valid_pid
from ocfpy.state import signal_reaches

#: Seconds stop_process may take when the action has no deadline (Pacemaker's default op timeout).
DEFAULT_BUDGET = 20.0
_POLL_FIRST, _POLL_MAX = 0.01, 0.1
#: Popen objects of started daemons, kept so that they are reaped rather than reported as leaked.
_STARTED = {}


class Pidfile:
    """A pidfile's content: the pid, and when known its start time (clock ticks) and comm."""

    __slots__ = ("pid", "start_time", "comm")

    def __init__(self, pid: int, start_time: int | None = None, comm: str | None = None):
        self.pid = pid
        self.start_time = start_time
        self.comm = comm

    def alive(self) -> bool:
        """The recorded process still runs (a pid reused by another process does not count)."""
        return process_alive(self.pid, self.start_time)

    def __repr__(self) -> str:
        return f"Pidfile(pid={self.pid}, start_time={self.start_time}, comm={self.comm!r})"


def _stat(pid: int) -> tuple | None:
    """(comm, state, start time in clock ticks since boot) from /proc/<pid>/stat; None if gone."""
    info = read_stat(pid)
    return None if info is None else (info.comm, info.state, info.start_time)


def process_start_time(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks since boot (field 22 of proc(5) stat); None if gone."""
    info = read_stat(pid)
    return None if info is None else info.start_time


def _proc_mounted() -> bool:
    return os.path.exists("/proc/self/stat")


def process_alive(pid: int, start_time: int | None = None, comm: str | None = None) -> bool:
    """``pid`` runs (a zombie does not), and is the process that had ``start_time`` and ``comm``.

    Comparing the start time tells a reused pid from the original process; ``comm``
    (at most 15 characters, see proc(5)) adds a check on the program's name.
    """
    if not _valid_pid(pid):
        return False
    if not _proc_mounted():
        return signal_reaches(pid)
    info = _stat(pid)
    if info is None or info[1] in ("Z", "X"):
        return False
    if start_time is not None and info[2] != start_time:
        return False
    return comm is None or info[0] == comm[:15]


# --- pidfiles --------------------------------------------------------------------------------
def write_pidfile(path: str, pid: int, mode: int = 0o644) -> Pidfile:
    """Record ``pid`` atomically in ``path``: the pid on the first line, then its start time.

    Tools that read only the first line still find the pid. Refuses a link at ``path``.
    """
    from ocfpy.state import write_atomic

    if not _valid_pid(pid):
        raise ValueError(f"not a process id: {pid!r}")
    info = _stat(pid)
    record = Pidfile(pid, info[2] if info else None, info[0] if info else None)
    lines = [str(pid)]
    if record.start_time is not None:
        lines.append(f"start_time={record.start_time}")
        lines.append("comm=" + record.comm.encode("unicode_escape").decode("ascii"))
    write_atomic(os.fspath(path), ("\n".join(lines) + "\n").encode("ascii"), mode)
    return record


def read_pidfile(path: str) -> Pidfile | None:
    """The pidfile's record; None when it is missing or its first line is not a usable pid.

    Nothing but a decimal pid in 2..PID_MAX_LIMIT is accepted, so program output that ended up
    in a pidfile can never become a list of processes to signal. A link is refused (OCFError).
    """
    from ocfpy.state import read_regular

    data = read_regular(os.fspath(path))
    if not data:
        return None
    lines = data.decode("ascii", "replace").splitlines()
    first = lines[0].strip()
    if not (first.isdigit() and first.isascii()) or not 1 < int(first) <= PID_MAX_LIMIT:
        return None
    fields = dict(line.split("=", 1) for line in lines[1:] if "=" in line)
    start = fields.get("start_time", "")
    comm = fields.get("comm")
    return Pidfile(int(first), int(start) if start.isdigit() else None,
                   comm.encode("ascii", "replace").decode("unicode_escape") if comm else None)


def remove_pidfile(path: str | None, stopped) -> None:
    """Remove the pidfile if it names one of the ``stopped`` pids: the one start wrote, or the
    one a daemon writing its own pidfile there put (naming any other process: left)."""
    from ocfpy.state import remove_if_present

    try:
        written = read_pidfile(path) if path else None
    except OCFError:
        return  # a link or something else now: not ours to remove
    if written is not None and written.pid in stopped:
        remove_if_present(path)


# --- stopping --------------------------------------------------------------------------------
def stop_process(pid: int, *, deadline: float | None, signals=None, escalate_after: float = 0.5,
                 start_time: int | None = None, comm: str | None = None,
                 margin: float = 1.0) -> bool:
    """Signal ``pid`` until it exits; True once it is gone, False if it outlives the deadline.

    ``signals`` (default SIGTERM, SIGKILL) are sent in turn; each but the last is given
    ``escalate_after`` of the time left before ``deadline`` less ``margin`` (a
    time.monotonic() value; None allows DEFAULT_BUDGET seconds), the last one all of it.
    A process with another ``start_time`` or ``comm`` than given (a reused pid) is never
    signalled and counts as gone; without ``start_time`` the one seen now is pinned.
    """
    import signal

    if not _valid_pid(pid) or pid == 1 or pid == os.getpid():
        raise ValueError(f"refusing to signal process {pid!r}")
    signals = tuple(signals or (signal.SIGTERM, signal.SIGKILL))
    end = (time.monotonic() + DEFAULT_BUDGET if deadline is None else deadline) - margin
    if start_time is None:
        start_time = process_start_time(pid)
    for number, sig in enumerate(signals):
        if not process_alive(pid, start_time, comm):
            return True
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        now = time.monotonic()
        if number == len(signals) - 1:
            wait_until = max(end, now + 0.05)  # give a final SIGKILL a moment to land
        else:
            wait_until = now + max(0.0, end - now) * escalate_after
        if _wait_gone(pid, start_time, comm, wait_until):
            return True
    return not process_alive(pid, start_time, comm)


def _wait_gone(pid: int, start_time: int | None, comm: str | None, until: float) -> bool:
    def gone():
        _reap(pid)
        return not process_alive(pid, start_time, comm)

    return _poll_until(gone, until)


def _poll_until(done, until: float) -> bool:
    """Call ``done()`` at growing intervals until it is true (True) or ``until`` passes (False)."""
    pause = _POLL_FIRST
    while True:
        if done():
            return True
        left = until - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, _POLL_MAX)


def exit_status(pid: int) -> int | None:
    """How a daemon this process started ended (Popen's returncode); None while it runs or if
    it is not one of ours."""
    started = _STARTED.get(pid)
    return None if started is None else started.poll()


def _reap(pid: int) -> None:
    """Collect the exit status of a daemon we started, so it does not linger as a zombie.

    Other children are left to their owner (a Popen would lose its returncode); a zombie
    counts as gone anyway.
    """
    started = _STARTED.get(pid)
    if started is not None and started.poll() is not None:
        del _STARTED[pid]


# --- sessions --------------------------------------------------------------------------------
def stop_session(identity, *, deadline: float | None, term_wait: float,
                 margin: float = 1.0) -> list:
    """Stop every process of ``identity``'s session (:class:`ocfpy.identity.Identity`).

    SIGTERM, then SIGCONT (a SIGSTOPped process acts on its TERM only once continued), to
    each; after ``term_wait`` seconds, or sooner when the time before ``deadline`` less
    ``margin`` runs short, SIGKILL to whatever is left, found afresh (children forked
    meanwhile included). Returns the pids that outlived the deadline (processes in
    uninterruptible sleep can); a zombie counts as gone. Only processes that
    :meth:`Identity.members` vouches for are ever signalled.
    """
    import signal

    end = (time.monotonic() + DEFAULT_BUDGET if deadline is None else deadline) - margin
    members = identity.members()
    if not members:
        return []
    _signal_all(members, (signal.SIGTERM, signal.SIGCONT))
    kill_at = min(time.monotonic() + max(0.0, term_wait), end - _KILL_RESERVE)
    if _wait_session_gone(identity, kill_at):
        return []
    while True:
        left = identity.members()
        if not left:
            return []
        _signal_all(left, (signal.SIGKILL,))
        if _wait_session_gone(identity, min(time.monotonic() + 0.5, max(end, time.monotonic() + 0.05))):
            return []
        if time.monotonic() >= end:
            return identity.members()


def term_wait(configured: str | None, timeout_ms: int | None) -> float:
    """Seconds between SIGTERM and SIGKILL: ``configured`` whole seconds, else 2/3 of the stop
    timeout, else 10 s (as ocf:heartbeat:anything)."""
    configured = (configured or "").strip()
    if configured.isdigit():
        return float(configured)
    return timeout_ms / 1500.0 if timeout_ms else 10.0


#: Seconds kept for SIGKILL out of the stop budget, so that TERM's wait never uses it all.
_KILL_RESERVE = 0.5


def _signal_all(pids, signals) -> None:
    for pid in pids:
        if pid > 1 and pid != os.getpid():
            for sig in signals:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    break


def _wait_session_gone(identity, until: float) -> bool:
    def gone():
        for pid in list(_STARTED):
            _reap(pid)
        return not identity.members()

    return _poll_until(gone, until)


# --- starting --------------------------------------------------------------------------------
def daemonize(argv, *, stdout: str | None = None, stderr: str | None = None, cwd: str = "/",
              env=None, umask: int | None = None, pidfile: str | None = None,
              user: str | None = None, tag: str | None = None) -> int:
    """Start ``argv`` (never through a shell) as a daemon that outlives the action; its pid.

    The child gets a new session (setsid), hence its own process group, with stdin on
    /dev/null, stdout and stderr appended to the given log files (or /dev/null) and every
    other descriptor closed. So it holds none of the executor's pipes (no SIGPIPE once
    execd stops reading them) and the SIGKILL execd sends to the agent's process group
    when an action times out does not reach it: a ``start`` that times out after
    daemonize() leaves the daemon running, and Pacemaker's recovery stop must find and
    stop it (record it with ``pidfile`` and use :func:`stop_process`): the daemon writes
    that record itself before it execs, so even a start killed inside daemonize() leaves
    it. Anything the daemon forks stays in its group, away from the agent's.

    ``env`` defaults to os.environ; ``umask`` to the agent's (0026 under execd). ``user``
    (a name) runs the daemon as that user, with that user's groups and HOME, USER and
    LOGNAME, without any shell or login (so a nologin account works); ``tag`` is set as
    TAG_VARIABLE in its environment, which its children inherit (see
    :class:`ocfpy.identity.Identity`). A missing program raises NotInstalled (rc 5), a
    missing user NotInstalled, a user switch the agent may not make InsufficientPrivileges.
    """
    import subprocess

    from ocfpy.commands import check_argv

    argv = check_argv(argv)
    env = dict(os.environ if env is None else env)
    credentials = _credentials(user, env) if user is not None else {}
    # the first record comes from the child itself, before it execs
    recorder = {} if pidfile is None else {"preexec_fn": _recorder(os.fspath(pidfile))}
    if tag:
        env[TAG_VARIABLE] = tag
    out = _open_log(stdout)
    try:
        err = out if stderr is not None and stderr == stdout else _open_log(stderr)
    except OCFError:
        _close_log(out)
        raise
    try:
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd,
                env=env, close_fds=True, start_new_session=True,
                umask=-1 if umask is None else umask, **credentials, **recorder,
            )
        except OSError:
            if pidfile is not None:
                _drop_dead_record(pidfile)  # the child recorded itself, then failed to exec
            raise
    except FileNotFoundError as error:
        if error.filename == cwd:
            raise OCFError(f"cannot start {os.path.basename(argv[0])}: no directory {cwd}") from None
        raise NotInstalled(f"command not found: {argv[0]}") from None
    except PermissionError as error:
        if credentials and error.filename is None:
            raise InsufficientPrivileges(f"cannot start {os.path.basename(argv[0])} as {user}: "
                                         f"{error.strerror}") from None
        raise NotInstalled(f"command not executable: {argv[0]}") from None
    except OSError as error:  # ENOEXEC and kin: there is a file, but not a program
        raise NotInstalled(f"cannot run {argv[0]}: {error.strerror}") from None
    finally:
        for fd in {out, err}:
            _close_log(fd)
    if proc.pid > 0:
        _STARTED[proc.pid] = proc
    if pidfile is not None:
        write_pidfile(pidfile, proc.pid)
    return proc.pid


def _recorder(pidfile: str):
    """A preexec_fn writing the child's pid and start time to ``pidfile`` before it execs.

    Popen returns only once the program runs, and a start SIGKILLed meanwhile (its timeout)
    would leave a daemon, already in its own session, that no pidfile names: the recovery
    stop could not find it. The parent writes the full record once Popen returns. The child
    runs this between fork and exec, so it uses os calls only, never raises, and a pidfile
    that is a link or not a regular file is refused beforehand (by write_atomic's checks).
    """
    from ocfpy.state import ensure_directory, regular_file_exists

    directory, name = os.path.split(os.path.abspath(pidfile))
    ensure_directory(directory)
    regular_file_exists(pidfile)
    target = os.fsencode(pidfile)
    # named as state.temporary_path names them (thread 0), so that remove_stale_temporaries knows it
    temporary = os.fsencode(os.path.join(directory, f".{name}."))

    def record_self() -> None:
        try:
            fd = os.open(b"/proc/self/stat", os.O_RDONLY | os.O_CLOEXEC)
            try:
                start_time = os.read(fd, 4096).rsplit(b")", 1)[1].split()[19]
            finally:
                os.close(fd)
            pid = os.getpid()
            staged = temporary + b"%d-0.tmp" % pid
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
            fd = os.open(staged, flags, 0o644)
            try:
                os.write(fd, b"%d\nstart_time=%s\n" % (pid, start_time))
            finally:
                os.close(fd)
            os.rename(staged, target)
        except Exception:  # e.g. a user that may not write there: the parent writes it
            pass

    return record_self


def _drop_dead_record(pidfile: str) -> None:
    try:
        record = read_pidfile(pidfile)
        if record is not None and not record.alive():
            from ocfpy.state import remove_if_present

            remove_if_present(pidfile)
    except OCFError:
        pass


def _credentials(user: str, env: dict) -> dict:
    """Popen options switching to ``user`` (its uid, gid, groups); sets HOME, USER, LOGNAME."""
    import pwd

    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        raise NotInstalled(f"user {user} does not exist") from None
    env.update(HOME=entry.pw_dir or "/", USER=entry.pw_name, LOGNAME=entry.pw_name)
    return {"user": entry.pw_uid, "group": entry.pw_gid,
            "extra_groups": os.getgrouplist(entry.pw_name, entry.pw_gid)}


def last_log_line(path: str | None) -> str:
    """The last line a daemon wrote to the log file ``path``, for an exit reason ('' if none).

    Only a regular file is read (never through a link, never blocking on a fifo), and only
    its last 512 bytes.
    """
    import stat

    try:
        fd = os.open(path or "", os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return ""
    with os.fdopen(fd, "rb") as log:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # /dev/null, a fifo: nothing to read back
            return ""
        log.seek(max(0, info.st_size - 512))
        lines = log.read().decode("utf-8", "replace").strip().splitlines()
    return lines[-1].strip() if lines else ""


def _open_log(path: str | None) -> int:
    """A descriptor appending to ``path`` (created 0640, never through a link), or DEVNULL."""
    import errno
    import subprocess

    if path is None:
        return subprocess.DEVNULL
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(path, flags, 0o640)
    except OSError as error:
        reason = "it is a symbolic link" if error.errno == errno.ELOOP else error.strerror
        raise OCFError(f"cannot open the log file {path}: {reason}") from None


def _close_log(fd: int) -> None:
    if fd >= 0:  # subprocess.DEVNULL is -3
        os.close(fd)

"""Process identity that PID reuse cannot fool: who a process is, and which processes are its session."""

import os

#: /proc/sys/kernel/pid_max can never exceed this (PID_MAX_LIMIT on 64-bit Linux).
PID_MAX_LIMIT = 4194304
#: The environment variable that tags every process a daemon started with its identity's token.
TAG_VARIABLE = "OCFPY_DAEMON_TAG"
_FIELDS = ("pid", "start_time", "exe", "sid", "uid", "boot", "tag")


def valid_pid(pid) -> bool:
    """An int that can be a process id (a bool or a str is not)."""
    return isinstance(pid, int) and not isinstance(pid, bool) and 0 < pid <= PID_MAX_LIMIT


class Stat:
    """What /proc/PID/stat says of a process: comm, state, ppid, pgrp, session, start time."""

    __slots__ = ("pid", "comm", "state", "ppid", "pgrp", "session", "start_time")

    def __init__(self, pid: int, comm: str, fields: list):
        self.pid = pid
        self.comm = comm
        self.state = fields[0]
        self.ppid, self.pgrp, self.session = int(fields[1]), int(fields[2]), int(fields[3])
        self.start_time = int(fields[19])  # field 22 of proc(5): clock ticks since boot

    @property
    def zombie(self) -> bool:
        return self.state in ("Z", "X", "x")


def read_stat(pid: int) -> "Stat | None":
    """/proc/PID/stat parsed; None when the process is gone or ``pid`` is no process id.

    comm sits between the first '(' and the *last* ')': a program may name itself with
    spaces and parentheses, so only what follows the last ')' is split into fields.
    """
    if not valid_pid(pid):
        return None
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            data = handle.read()
    except OSError:  # gone (ENOENT, ESRCH), or /proc not mounted
        return None
    head, _, tail = data.rpartition(b")")
    fields = tail.decode("ascii", "replace").split()
    if len(fields) < 20:
        return None
    return Stat(pid, head.partition(b"(")[2].decode("utf-8", "replace"), fields)


def read_uid(pid: int) -> "int | None":
    """The real uid of ``pid`` (the Uid: line of /proc/PID/status); None when gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"Uid:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def read_exe(pid: int) -> "str | None":
    """The program ``pid`` runs (readlink /proc/PID/exe, " (deleted)" dropped); None if unknown."""
    try:
        exe = os.readlink(f"/proc/{pid}/exe")
    except OSError:  # gone, a zombie, a kernel thread, or not ours to look at
        return None
    return exe[: -len(" (deleted)")] if exe.endswith(" (deleted)") else exe


def read_tag(pid: int) -> "str | None":
    """The value of TAG_VARIABLE in the environment ``pid`` was started with; None if absent."""
    prefix = TAG_VARIABLE.encode() + b"="
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    for entry in data.split(b"\0"):
        if entry.startswith(prefix):
            return entry[len(prefix):].decode("ascii", "replace")
    return None


def boot_id() -> str:
    """This boot's random id: start times (ticks since boot) only compare within one boot."""
    try:
        with open("/proc/sys/kernel/random/boot_id", "rb") as handle:
            return handle.read().decode("ascii", "replace").strip()
    except OSError:
        return ""


def new_tag() -> str:
    """A token no other process can guess, to tag a daemon's processes with."""
    return os.urandom(12).hex()


class Identity:
    """A started process, recorded so that only it and its session are ever acted on.

    ``pid`` and ``start_time`` name the process (a reused pid has another start time),
    ``exe`` and ``uid`` the program and user it started with (for the record: a process may
    exec or drop root), ``sid`` the session it leads, ``boot`` the boot it started in, and ``tag`` the token its processes carry in their
    environment (TAG_VARIABLE), which finds a daemon that left the session with setsid().
    """

    __slots__ = _FIELDS

    def __init__(self, pid: int, start_time: int, exe: "str | None", sid: int, uid: int,
                 boot: str = "", tag: str = ""):
        self.pid, self.start_time, self.exe, self.sid = pid, start_time, exe, sid
        self.uid, self.boot, self.tag = uid, boot, tag

    @classmethod
    def capture(cls, pid: int, tag: str = "") -> "Identity | None":
        """The identity of the live process ``pid`` now; None when it is gone or a zombie."""
        stat = read_stat(pid)
        uid = read_uid(pid)
        if stat is None or stat.zombie or uid is None:
            return None
        return cls(pid, stat.start_time, read_exe(pid), stat.session, uid, boot_id(), tag)

    @classmethod
    def pending(cls, tag: str, uid: "int | None" = None) -> "Identity":
        """What a start records before it forks: the tag alone, and this process's start time
        as the lower bound of its children's. A start killed before it could record its
        program's pid so leaves that program findable (and stoppable) by its tag. ``uid``,
        for the record: the user the program will run as (default: this process's)."""
        own = read_stat(os.getpid())
        uid = os.getuid() if uid is None else uid
        return cls(0, own.start_time if own else 0, None, 0, uid, boot_id(), tag)

    # --- the state file's text ------------------------------------------------------------
    def to_text(self) -> str:
        """``name=value`` lines, the form :meth:`from_text` reads."""
        return "".join(f"{name}={'' if getattr(self, name) is None else getattr(self, name)}\n"
                       for name in _FIELDS)

    @classmethod
    def from_text(cls, text: "str | None") -> "Identity | None":
        """The identity written by :meth:`to_text`; None for anything else (never a guess)."""
        if not text:
            return None
        fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        numbers = [fields.get(name, "") for name in ("pid", "start_time", "sid", "uid")]
        if not all(number.isdigit() and number.isascii() for number in numbers):
            return None
        pid, start_time, sid, uid = (int(number) for number in numbers)
        pending = pid == sid == 0 and bool(fields.get("tag"))
        if not pending and (not valid_pid(pid) or not valid_pid(sid)):
            return None
        return cls(pid, start_time, fields.get("exe") or None, sid, uid,
                   fields.get("boot", ""), fields.get("tag", ""))

    # --- is it still there ----------------------------------------------------------------
    def _this_boot(self) -> bool:
        return not self.boot or self.boot == boot_id()

    def leader_alive(self) -> bool:
        """The recorded process itself runs: same pid and start time in this boot, no zombie.

        A pid and its start time name one process for the whole boot (a reused pid has a
        later start time). Its program and user are not required to be the recorded ones:
        the same process may exec its real program (a wrapper script) or drop root
        (``memcached -u``). PID 1 and this very process are never the recorded one.
        """
        if not self.pid or self.pid in (1, os.getpid()) or not self._this_boot():
            return False
        stat = read_stat(self.pid)
        return stat is not None and not stat.zombie and stat.start_time == self.start_time

    def belongs(self, stat: Stat, session_ours: bool = True) -> bool:
        """``stat``'s process is one of ours: in the recorded session, or carrying our tag.

        Besides, it started no earlier than the recorded process and is neither PID 1, this
        process, nor a zombie. Only our descendants can be in our session (the kernel keeps a
        session id allocated while any process is in it; ``session_ours`` is False once the
        number names another process) or inherit our tag, whatever user they switched to.
        """
        if stat.pid in (1, os.getpid()) or stat.zombie or stat.start_time < self.start_time:
            return False
        if session_ours and self.sid and stat.session == self.sid:  # a pending record has none
            return True
        return bool(self.tag) and read_tag(stat.pid) == self.tag

    def members(self) -> list:
        """Every live process of ours (see :meth:`belongs`), the recorded one first if it runs."""
        if not self._this_boot():
            return []
        found = []
        session_ours = self._sid_not_reused()  # a reused number: the tag still finds ours
        for stat in all_processes():
            if stat.pid == self.pid and self.leader_alive():
                found.insert(0, stat.pid)
            elif self.belongs(stat, session_ours):
                found.append(stat.pid)
        return found

    def _sid_not_reused(self) -> bool:
        """A process that now has our session's number as its pid is not ours: our session died."""
        stat = read_stat(self.sid)
        return stat is None or stat.start_time == self.start_time

    def __repr__(self) -> str:
        return (f"Identity(pid={self.pid}, start_time={self.start_time}, exe={self.exe!r}, "
                f"sid={self.sid}, uid={self.uid})")


def running_pids(identity: "Identity | None") -> list:
    """The pids of the recorded process and its session; the fast path asks /proc one pid."""
    if identity is None:
        return []
    if identity.leader_alive():
        return [identity.pid]
    return identity.members()


def all_processes():
    """The Stat of every process in /proc (processes that vanish while listed are skipped)."""
    try:
        names = os.listdir("/proc")
    except OSError:
        return
    for name in names:
        if name.isdigit():
            stat = read_stat(int(name))
            if stat is not None:
                yield stat

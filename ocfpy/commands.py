"""Run a command within the action's time budget, with LC_ALL=C and never through a shell."""

from __future__ import annotations

import os
import time

from ocfpy.errors import NotInstalled, OCFError

#: systemd's default PATH, which pacemaker-execd passes on; used when PATH is unset.
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#: Seconds to wait for the pipes to close after the group got SIGKILL.
DRAIN_SECONDS = 2.0
NO_TIME_LEFT = "no time left before the action's deadline"


class CommandResult:
    """What a command did: ``rc`` (None when it was killed for the deadline), decoded output."""

    __slots__ = ("argv", "rc", "stdout", "stderr", "timed_out", "not_installed")

    def __init__(self, argv: list, rc: int | None, stdout: str = "", stderr: str = "",
                 timed_out: bool = False, not_installed: bool = False):
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out
        self.not_installed = not_installed  # the program is missing or not executable

    @property
    def ok(self) -> bool:
        return self.rc == 0 and not self.timed_out

    @property
    def program(self) -> str:
        """The command's name for messages (arguments may hold secrets, so they are left out)."""
        return os.path.basename(self.argv[0]) if self.argv else "?"

    def describe(self) -> str:
        """One line: what went wrong, with the last line of the command's error output."""
        if self.timed_out and self.stderr == NO_TIME_LEFT:
            return f"{self.program} was not started: {NO_TIME_LEFT}"
        if self.timed_out:
            return f"{self.program} did not finish within the time left and was killed"
        if self.not_installed:  # rc 126/127 were never the program's own
            return self.stderr
        detail = _last_line(self.stderr) or _last_line(self.stdout)
        text = f"{self.program} exited with {self.rc}"
        return f"{text}: {detail}" if detail else text

    def __repr__(self) -> str:
        return (f"CommandResult(argv={self.argv!r}, rc={self.rc!r}, timed_out={self.timed_out!r}, "
                f"stdout={self.stdout!r}, stderr={self.stderr!r})")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def check_words(value: str) -> None:
    """A ``Parameter(check=..., lazy=True)``: words split as a POSIX shell splits them, never
    expanded (:func:`split_words`); ValueError for an open quote or a trailing backslash.
    Lazy: shlex loads re and enum, which a monitor that runs no command should not pay for."""
    split_words(value)


def check_command_line(value: str) -> None:
    """A ``Parameter(check=..., lazy=True)``: words (see :func:`check_words`) naming a command;
    empty means no command is configured."""
    if value and not split_words(value):
        raise ValueError("names no command")


def split_words(value: str) -> list:
    """``value`` as POSIX shell words (quotes and backslashes, no expansion); [] when empty."""
    if not value:
        return []
    import shlex

    try:
        return shlex.split(value)
    except ValueError as error:
        raise ValueError(str(error)) from None


def check_argv(argv) -> list:
    """``argv`` as a list of str; a str (shell-like command line) or other types are refused."""
    if isinstance(argv, (str, bytes)):
        raise TypeError("argv must be a list of arguments, not a string: commands never run "
                        "through a shell")
    if not isinstance(argv, (list, tuple)):
        raise TypeError(f"argv must be a list or tuple of str, not {type(argv).__name__}")
    if not argv:
        raise ValueError("argv is empty: there is no command to run")
    checked = []
    for arg in argv:
        if isinstance(arg, os.PathLike):
            arg = os.fspath(arg)
        if not isinstance(arg, str):
            raise TypeError(f"every argument must be a str, not {type(arg).__name__}")
        if "\0" in arg:
            raise ValueError(f"argument {len(checked)} of the command contains a NUL byte")
        checked.append(arg)
    return checked


def child_environment(env=None) -> dict:
    """The child's environment: ``env`` (default os.environ) with LC_ALL=C, as ocf-shellfuncs does."""
    child = dict(os.environ if env is None else env)
    child["LC_ALL"] = "C"
    return child


def effective_timeout(timeout: float | None, deadline: float | None, margin: float) -> float | None:
    """The smaller of ``timeout`` and the time before ``deadline`` less ``margin``; None: unbounded."""
    limits = []
    if timeout is not None:
        limits.append(float(timeout))
    if deadline is not None:
        limits.append(deadline - time.monotonic() - margin)
    return max(0.0, min(limits)) if limits else None


def run(argv, *, deadline: float | None = None, timeout: float | None = None, input=None,
        env=None, cwd=None, check: bool = False, margin: float = 1.0) -> CommandResult:
    """Run ``argv`` (never through a shell) and return its :class:`CommandResult`.

    The command runs in its own process group with stdin from ``input`` (str or bytes) or
    /dev/null, and ``LC_ALL=C`` in its environment. It may run for at most ``timeout``
    seconds and must end ``margin`` seconds before ``deadline`` (a time.monotonic() value,
    normally the action's: Pacemaker SIGKILLs the agent's group then). When the time is
    up, the command's whole process group gets SIGKILL and the result has ``timed_out``
    and ``rc`` None.

    Because the command has its own group, Pacemaker's SIGKILL of the agent's group does
    not reach it: the margin is what makes sure it is gone before the agent is.

    A missing program gives rc 127 (126 when it cannot be executed). With ``check``, a
    missing program raises NotInstalled (rc 5) and a failure or timeout raises OCFError
    (rc 1), each with a one-line reason naming the program.
    """
    argv = check_argv(argv)
    limit = effective_timeout(timeout, deadline, margin)
    if limit is not None and limit <= 0:
        result = CommandResult(argv, None, "", NO_TIME_LEFT, True)
    else:
        result = _spawn_and_wait(argv, limit, input, child_environment(env), cwd)
    if check:
        _raise_for(result)
    return result


def _raise_for(result: CommandResult) -> None:
    if result.not_installed:
        raise NotInstalled(result.stderr)
    if not result.ok:
        raise OCFError(result.describe())


def _spawn_and_wait(argv: list, limit: float | None, input, env: dict, cwd) -> CommandResult:
    import subprocess

    data = input.encode("utf-8") if isinstance(input, str) else input
    try:
        proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd, close_fds=True,
            **_own_group_options(),
        )
    except FileNotFoundError as error:
        if cwd is not None and error.filename == cwd:
            raise OCFError(f"cannot run {os.path.basename(argv[0])}: no directory {cwd}") from None
        return CommandResult(argv, 127, "", f"command not found: {argv[0]}", not_installed=True)
    except PermissionError:
        return CommandResult(argv, 126, "", f"command not executable: {argv[0]}",
                             not_installed=True)
    except OSError as error:  # the kernel refuses the program: no #! line, a name too long
        return CommandResult(argv, 126, "", f"cannot run {argv[0]}: {error.strerror}",
                             not_installed=True)
    try:
        out, err = proc.communicate(data, timeout=limit)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        out, err = _drain(proc)
        return CommandResult(argv, None, _decode(out), _decode(err), True)
    return CommandResult(argv, proc.returncode, _decode(out), _decode(err))


def _own_group_options() -> dict:
    """Popen options that put the child in a new process group (Popen(process_group=) is 3.11+).

    Before 3.11 a new session does it (its group id is the child's pid, as with setpgrp):
    preexec_fn is not safe in a process with threads, and agents run commands from threads.
    """
    import sys

    if sys.version_info >= (3, 11):
        return {"process_group": 0}
    return {"start_new_session": True}


def kill_group(pgid: int) -> None:
    """SIGKILL every process of group ``pgid``; a pgid of 0 or less is never signalled."""
    import signal

    if pgid <= 0:
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _drain(proc) -> tuple:
    """The output collected so far; a survivor outside the group holding a pipe is not awaited."""
    import subprocess

    try:
        return proc.communicate(timeout=DRAIN_SECONDS)
    except subprocess.TimeoutExpired:
        for pipe in (proc.stdout, proc.stderr):
            pipe.close()
        proc.wait()
        return b"", b""


def _decode(data) -> str:
    return data.decode("utf-8", "replace") if data else ""


def find_binary(name: str, path=None) -> str | None:
    """The executable ``name`` is found as: a name with a '/' as given, else searched in ``path``.

    ``path`` is a PATH-style string or a list of directories; by default os.environ's PATH
    (systemd's default PATH when that is unset).
    """
    if not name:
        return None
    if "/" in name:
        return name if _is_executable(name) else None
    if path is None:
        path = os.environ.get("PATH") or DEFAULT_PATH
    directories = path.split(os.pathsep) if isinstance(path, str) else list(path)
    for directory in directories:
        candidate = os.path.join(directory or ".", name)
        if _is_executable(candidate):
            return candidate
    return None


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def require_binary(name: str, path=None) -> str:
    """Like :func:`find_binary`, but a missing program raises NotInstalled (rc 5)."""
    found = find_binary(name, path)
    if found is None:
        raise NotInstalled(f"command not found: {name}")
    return found


def why_not_a_program(name: str, path=None) -> str:
    """Why :func:`find_binary` found no program ``name``, for an exit reason: the admin's next
    step differs for a missing file, a directory, a mode and a name not in PATH."""
    if "/" not in name:
        if path is None:
            path = os.environ.get("PATH") or DEFAULT_PATH
        shown = path if isinstance(path, str) else os.pathsep.join(path)
        return f"{name}: no such command in PATH ({shown})"
    if not os.path.lexists(name):
        return f"{name} does not exist"
    if os.path.isdir(name):
        return f"{name} is a directory, not a program"
    try:
        mode = os.stat(name).st_mode
    except OSError as error:
        return f"{name}: {error.strerror}"
    return f"{name} is not executable (mode {mode & 0o7777:04o})"


def missing_interpreter(program: str) -> "str | None":
    """Why the script ``program`` cannot start although it is executable, said of the script
    ("its #! interpreter '/bin/bahs' does not exist (PATH)"): exec says ENOENT, as if the script
    itself were missing. None when nothing is wrong with its #! line."""
    try:
        with open(program, "rb") as handle:
            first = handle.readline(256)
    except OSError:
        return None  # executable but unreadable (mode 0711): exec itself will tell
    if not first.startswith(b"#!"):
        return None
    words = first[2:].rstrip(b"\n").replace(b"\t", b" ").split(b" ")
    interpreter = next((word for word in words if word), b"").decode("utf-8", "surrogateescape")
    if not interpreter.startswith("/") or os.path.exists(interpreter):
        return None
    if interpreter.endswith("\r"):
        return f"it has DOS (CRLF) line ends, so its #! interpreter {interpreter!r} does not exist ({program})"
    return f"its #! interpreter {interpreter!r} does not exist ({program})"

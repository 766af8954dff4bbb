"""Work that may hang on dead storage, done in a child the agent abandons at its time limit.

A process blocked on a filesystem whose server stopped answering cannot be killed, not
even by SIGKILL, until the server answers. So anything that touches such a filesystem (a
read, a write, a non-lazy umount, mount(8) itself) runs in a child: the agent waits for
it as long as its budget allows, then sends SIGKILL and goes on without it, reporting the
failure before Pacemaker's deadline. An abandoned child is reaped by init once it returns.
"""

import os
import select
import signal
import time

#: A child's exit status for an OSError: this plus its errno.
ERRNO_BASE = 64
#: Seconds an abandoned child is given to die after SIGKILL before it is left behind.
LEAVE_AFTER = 0.05


class Outcome:
    """What a bounded piece of work did: ``ok``, or ``error`` (one line), or ``timed_out``."""

    __slots__ = ("ok", "error", "timed_out", "rc", "output")

    def __init__(self, ok: bool, error: str = "", timed_out: bool = False, rc: "int | None" = None,
                 output: str = ""):
        self.ok = ok
        self.error = error
        self.timed_out = timed_out
        self.rc = rc
        self.output = output

    @property
    def errno(self) -> "int | None":
        """The errno of the OSError a child function raised."""
        if self.rc is not None and ERRNO_BASE < self.rc < ERRNO_BASE + 190:
            return self.rc - ERRNO_BASE
        return None

    def __repr__(self) -> str:
        return f"Outcome(ok={self.ok}, error={self.error!r}, timed_out={self.timed_out}, rc={self.rc})"


def _child(function, args, write_fd: int) -> None:
    """In the forked child: run ``function``, report an error line on ``write_fd``, exit."""
    code = 0
    _off_the_executors_pipes()
    try:
        message = function(*args) or ""
    except OSError as error:
        message = f"{error.strerror or error}"
        code = ERRNO_BASE + error.errno if error.errno and 0 < error.errno < 190 else 1
    except BaseException as error:  # the child must end here whatever happens
        message, code = f"{type(error).__name__}: {error}", 2
    try:
        os.write(write_fd, str(message).encode("utf-8", "replace")[:4096])
    finally:
        os._exit(code)


def _off_the_executors_pipes() -> None:
    """Point stdin, stdout and stderr at /dev/null: a child left behind stuck in the kernel
    must not keep the executor's pipes open."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass


def call(function, *args, timeout: float) -> Outcome:
    """``function(*args)`` in a forked child, given ``timeout`` seconds.

    The function's OSError becomes ``error`` (its strerror); a string it returns is kept as
    ``output``. When the time is up the child is killed and abandoned: ``timed_out``.
    """
    if timeout <= 0:
        return Outcome(False, "no time left", True)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(function, args, write_fd)
    os.close(write_fd)
    try:
        data, finished = _collect(read_fd, time.monotonic() + timeout)
    finally:
        os.close(read_fd)
    if not finished:
        _abandon(pid)
        return Outcome(False, f"no answer within {timeout:.1f} s", True)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8
    text = data.decode("utf-8", "replace")
    if code == 0:
        return Outcome(True, rc=0, output=text)
    return Outcome(False, text or f"exited with {code}", rc=code)


def call_or_raise(what: str, function, *args, timeout: float) -> None:
    """:func:`call`, raising OCFError naming ``what`` when the function fails or hangs."""
    from ocfpy.errors import OCFError

    outcome = call(function, *args, timeout=timeout)
    if outcome.timed_out:  # the cause first: a long path is cut with the 128-byte exit reason
        raise OCFError(f"the filesystem does not answer: {what}: {outcome.error}")
    if not outcome.ok:
        raise OCFError(f"{what}: {outcome.error}")


def _collect(read_fd: int, until: float) -> tuple:
    """(data, finished): the child's report, read until EOF (it exited) or ``until``."""
    chunks = []
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return b"".join(chunks), False
        readable, _, _ = select.select([read_fd], [], [], left)
        if not readable:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def _abandon(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    until = time.monotonic() + LEAVE_AFTER
    while time.monotonic() < until:
        try:
            if os.waitpid(pid, os.WNOHANG)[0]:
                return
        except ChildProcessError:
            return
        time.sleep(0.005)


def command(argv: list, *, timeout: float, env=None) -> Outcome:
    """Run ``argv`` (never through a shell, LC_ALL=C, its own process group) for at most
    ``timeout`` seconds; output is captured. A command stuck on dead storage is abandoned."""
    import subprocess

    from ocfpy.commands import check_argv, child_environment

    argv = check_argv(argv)
    if timeout <= 0:
        return Outcome(False, "no time left", True)
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, env=child_environment(env),
                                close_fds=True, start_new_session=True)
    except OSError as error:
        return Outcome(False, f"cannot run {argv[0]}: {error.strerror}", rc=127)
    until = time.monotonic() + timeout
    data, finished = _collect(proc.stdout.fileno(), until)
    proc.stdout.close()
    if not finished:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        _abandon(proc.pid)
        return Outcome(False, f"{os.path.basename(argv[0])} gave no answer within {timeout:.1f} s",
                       True, output=data.decode("utf-8", "replace"))
    try:
        rc = proc.wait(timeout=max(LEAVE_AFTER, until - time.monotonic()))
    except subprocess.TimeoutExpired:  # output closed, the process itself still stuck
        _abandon(proc.pid)
        return Outcome(False, f"{os.path.basename(argv[0])} did not exit within {timeout:.1f} s",
                       True)
    text = data.decode("utf-8", "replace")
    if rc == 0:
        return Outcome(True, rc=0, output=text)
    last = [line.strip() for line in text.splitlines() if line.strip()]
    detail = f": {last[-1]}" if last else ""
    return Outcome(False, f"{os.path.basename(argv[0])} exited with {rc}{detail}", rc=rc,
                   output=text)

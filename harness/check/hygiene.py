"""V5 exit-reason hygiene on every result, V6 process hygiene (leftovers, pipes, cwd writes)."""

from __future__ import annotations

import os
import signal
import time
from typing import Optional

from harness.execd import ExecStatus, Result

from harness.check.findings import ERROR, INFO, WARNING, Finding
from harness.check.session import TOKEN_VARIABLE, Session

PREFIX = b"ocf-exit-reason:"
REASON_CAP = 128
NO_REASON_NEEDED = (0, 3, 7, 8)  # success, not implemented (probing), not running, promoted
DEGRADED = (190, 191)
LEFTOVER_GRACE_S = 0.1


class ExitReasonHygiene:
    """Observer for Session.record: checks every result's stdout/stderr (V5) and codes."""

    def __init__(self, session: Session, seen: Optional[set] = None) -> None:
        self.session = session
        self.seen: set = set() if seen is None else seen  # shared by the lanes of one run
        for check in ("hygiene.exit-reason", "hygiene.exit-reason-stdout", "hygiene.nul",
                      "hygiene.exit-code", "lifecycle.degraded-code"):
            session.log.ran(check)

    def __call__(self, step: str, result: Result) -> None:
        if result.status != ExecStatus.DONE or result.action == "meta-data" and result.rc == 0:
            return
        md = self.session.md
        # an action the meta-data does not advertise, or extra arguments: the check that asked has its own finding
        asked_for_trouble = result.op.extra_args or (md is not None and not md.advertises(result.action))
        for finding in result_findings(step, result):
            if asked_for_trouble and finding.message.endswith("and no exit reason"):
                continue
            key = (finding.check, finding.action, finding.severity)
            if key not in self.seen:  # one report per kind and action is enough
                self.seen.add(key)
                self.session.log.add(finding)


def result_findings(step: str, result: Result) -> list:
    """What is wrong with how this result reports itself."""
    found = []
    action, rc = result.action, result.rc
    count = result.stderr.count(PREFIX)
    reasons = {line.split(PREFIX, 1)[1] for line in result.stderr.splitlines() if PREFIX in line}
    if count > 1:
        found.append(Finding("hygiene.exit-reason", ERROR if len(reasons) > 1 else WARNING,
                             f"{step}: {count} exit reasons on stderr; Pacemaker keeps only the last",
                             "write one exit reason, last, on stderr", action=action, rc=rc))
    if PREFIX in result.stdout and count == 0:
        found.append(Finding("hygiene.exit-reason-stdout", ERROR,
                             f"{step}: the exit reason went to stdout, where Pacemaker never looks",
                             "write ocf-exit-reason:... to stderr", action=action, rc=rc))
    if result.nul_on_stderr:
        found.append(Finding("hygiene.nul", ERROR, f"{step}: NUL byte on stderr (execd loses what follows it)",
                             "never write NUL bytes", action=action, rc=rc))
    if result.exit_reason is not None and len(result.exit_reason.encode()) >= REASON_CAP:
        found.append(Finding("hygiene.exit-reason", WARNING,
                             f"{step}: exit reason of {len(result.exit_reason.encode())}+ bytes; Pacemaker <= 3.0.1 cuts it at 128",
                             "keep exit reasons short", action=action, rc=rc))
    if rc not in NO_REASON_NEEDED and rc not in DEGRADED and not result.exit_reason:
        found.append(Finding("hygiene.exit-reason", WARNING, f"{step}: {action} failed with rc {rc} and no exit reason",
                             "say why on stderr as ocf-exit-reason:<text>", action=action, rc=rc))
    if result.exit_reason and "OCF_RESKEY_" in result.exit_reason:
        found.append(Finding("hygiene.exit-reason", INFO, f"{step}: exit reason names OCF_RESKEY_ variables",
                             "name parameters as users configure them", action=action, rc=rc))
    if result.agent_exit is not None and result.agent_exit != rc:
        found.append(Finding("hygiene.exit-code", WARNING, f"{step}: {action} exited {result.agent_exit}, which execd turns into {rc}",
                             "exit with an OCF code (0-9, 190, 191)", action=action, rc=rc))
    if rc in DEGRADED and action != "monitor":
        found.append(Finding("lifecycle.degraded-code", ERROR, f"{step}: {action} returned {rc}; degraded codes count as success only from monitor",
                             "return degraded codes only from monitor", action=action, rc=rc))
    return found


# -- processes ------------------------------------------------------------------------------
def agent_processes(token: str, prefix: bool = False) -> list:
    """(pid, pgid, sid, cmdline, fds) of live processes whose environment carries the token.

    With prefix, also those of the run's other instances (their tokens are token-NAME)."""
    marker = f"{TOKEN_VARIABLE}={token}".encode()
    found, me = [], str(os.getpid())
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or entry == me:
            continue
        try:
            if not carries_token(_read(f"/proc/{entry}/environ"), marker, prefix):
                continue
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read().rsplit(b")", 1)[1].split()
            if stat[0] in (b"Z", b"X") or _dying(entry):
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        found.append((int(entry), int(stat[2]), int(stat[3]), cmdline, _std_fds(entry)))
    return found


def carries_token(environ: bytes, marker: bytes, prefix: bool = False) -> bool:
    """environ (NUL-separated, as /proc/PID/environ) has the variable marker exactly, or with prefix marker-NAME."""
    padded = b"\0" + environ + b"\0"
    return b"\0" + marker + b"\0" in padded or (prefix and b"\0" + marker + b"-" in padded)


def _read(path: str) -> bytes:
    """A /proc file's whole content through an unbuffered file (every scan reads one per process)."""
    with open(path, "rb", buffering=0) as handle:
        return handle.readall()


def _dying(pid: str) -> bool:
    """A SIGKILL is pending (e.g. the group kill of a timed-out action): it ends as soon as it runs again."""
    with open(f"/proc/{pid}/status", "rb") as handle:
        pending = [line.split()[1] for line in handle if line.startswith((b"SigPnd:", b"ShdPnd:"))]
    return any(int(mask, 16) & (1 << (signal.SIGKILL - 1)) for mask in pending)


def _std_fds(pid: str) -> dict:
    fds = {}
    for fd in (1, 2):
        try:
            fds[fd] = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            pass
    return fds


def check_after_start(session: Session, start: Result) -> None:
    """V6 warnings: a daemon the start left holding the executor's pipes or in its process group."""
    session.log.ran("hygiene.daemon-detach")
    for pid, pgid, _sid, cmdline, fds in agent_processes(session.token):
        pipes = [fd for fd, target in fds.items() if target.startswith("pipe:")]
        if pipes:
            session.note("hygiene.daemon-detach", WARNING,
                         f"after start, pid {pid} ({cmdline[:60]}) still holds a pipe on fd {pipes[0]}; it dies of SIGPIPE on its first write",
                         "redirect a daemon's stdout/stderr to /dev/null or a log and setsid() it", "start")
        elif start.pid is not None and pgid == start.pid:
            session.note("hygiene.daemon-detach", INFO,
                         f"after start, pid {pid} ({cmdline[:60]}) stays in start's process group",
                         "setsid() the daemon so a timed-out action's group kill cannot reach it", "start")


def check_after_stop(session: Session, step: str, token: Optional[str] = None) -> list:
    """V6 error: nothing the agent started may outlive stop. Leftovers are reported, then killed."""
    session.log.ran("hygiene.leftover-process")
    leftovers = agent_processes(token or session.token)
    if leftovers:  # a process killed a moment ago may not have run (and died) yet on a busy machine
        time.sleep(LEFTOVER_GRACE_S)
        leftovers = agent_processes(token or session.token)
    for pid, _pgid, _sid, cmdline, _fds in leftovers:
        session.note("hygiene.leftover-process", ERROR, f"{step}: pid {pid} ({cmdline[:80]}) is still running after stop",
                     "stop must end every process the resource started", "stop")
        _kill(pid)
    return leftovers


def check_cwd(session: Session) -> None:
    """V6 warning: the agent wrote into its working directory (execd's is /var/lib/pacemaker/cores)."""
    session.log.ran("hygiene.cwd-writes")
    written = sorted(os.listdir(session.cwd))
    if written:
        session.note("hygiene.cwd-writes", WARNING, f"the agent wrote into its working directory: {', '.join(written[:5])}",
                     "use absolute paths (HA_RSCTMP, /run, /var/lib/...) instead of the cwd")


def kill_leftovers(session: Session) -> list:
    """Kill what the agent left (processes carrying one of this run's tokens only); their pids."""
    return kill_marked(session.token)


def kill_marked(token: str) -> list:
    """SIGKILL every process whose environment carries the token (or token-NAME); their pids."""
    leftovers = [pid for pid, *_rest in agent_processes(token, prefix=True)]
    for pid in leftovers:
        _kill(pid)
    return leftovers


def _kill(pid: int) -> Optional[bool]:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        return False
    return True

"""ocfpy.process: PID-reuse-proof pidfiles, stopping within a deadline, daemons detached from the agent."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import shutil

import pytest
from isolation import run_isolated, unshare_available

import ocfpy
from ocfpy.errors import NotInstalled, OCFError
from ocfpy.identity import TAG_VARIABLE, Identity, Stat, read_exe, read_stat
from ocfpy.process import (
    Pidfile, daemonize, last_log_line, process_alive, process_start_time, read_pidfile, stop_process,
    stop_session, write_pidfile,
)

PACKAGE_PARENT = str(Path(ocfpy.__file__).resolve().parent.parent)


@pytest.fixture
def spawn():
    """Start real short-lived children; every one is killed and reaped afterwards."""
    children = []

    def start(argv, **options):
        proc = subprocess.Popen(argv, **options)
        children.append(proc)
        return proc

    yield start
    for proc in children:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


@pytest.fixture
def daemons():
    """pids of daemons started by a test, killed afterwards (they are not our children)."""
    pids = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


def wait_for(predicate, seconds: float = 5.0) -> bool:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


# --- pidfiles -------------------------------------------------------------------------------
def test_pidfile_records_pid_start_time_and_comm(tmp_path, spawn):
    proc = spawn(["sleep", "30"])
    path = str(tmp_path / "d.pid")
    written = write_pidfile(path, proc.pid)
    lines = Path(path).read_text().splitlines()
    assert lines[0] == str(proc.pid)  # tools that read one line still find the pid
    record = read_pidfile(path)
    assert (record.pid, record.start_time, record.comm) == (proc.pid, written.start_time, "sleep")
    assert record.start_time == process_start_time(proc.pid) is not None
    assert record.alive()
    proc.kill()
    proc.wait()
    assert not record.alive()


@pytest.mark.parametrize("content", [
    "", "\n", "abc\n", "12 13\n", "-1\n", "0\n", "1\n", "99999999\n", "+5\n", "٣\n",
    "Starting server...\n1234\n",  # program output captured into the pidfile (resource-agents#496)
])
def test_pidfile_without_a_usable_pid_reads_as_none(tmp_path, content):
    path = tmp_path / "d.pid"
    path.write_text(content)
    assert read_pidfile(str(path)) is None


def test_plain_pidfile_written_by_a_daemon_is_read(tmp_path):
    path = tmp_path / "d.pid"
    path.write_text("4321\n")
    record = read_pidfile(str(path))
    assert (record.pid, record.start_time, record.comm) == (4321, None, None)


def test_missing_pidfile_is_none(tmp_path):
    assert read_pidfile(str(tmp_path / "none.pid")) is None


def test_symlinked_pidfile_is_refused(tmp_path, spawn):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "d.pid"
    os.symlink(victim, link)
    with pytest.raises(OCFError, match="symbolic link"):
        write_pidfile(str(link), spawn(["sleep", "30"]).pid)
    with pytest.raises(OCFError, match="symbolic link"):
        read_pidfile(str(link))
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("pid", [0, -1, True, 2 ** 40, "12"])
def test_write_pidfile_refuses_what_is_not_a_pid(tmp_path, pid):
    with pytest.raises(ValueError):
        write_pidfile(str(tmp_path / "d.pid"), pid)


# --- liveness and PID reuse -----------------------------------------------------------------
def test_a_reused_pid_is_not_taken_for_the_daemon(tmp_path, spawn):
    # The pid now belongs to another process than the one recorded: its start time differs.
    other = spawn(["sleep", "30"])
    recorded = process_start_time(other.pid) - 1
    (tmp_path / "d.pid").write_text(f"{other.pid}\nstart_time={recorded}\ncomm=sleep\n")
    record = read_pidfile(str(tmp_path / "d.pid"))
    assert record.alive() is False
    assert process_alive(other.pid) is True
    assert stop_process(other.pid, deadline=time.monotonic() + 5, start_time=recorded) is True
    time.sleep(0.1)
    assert other.poll() is None, "stop_process signalled a process that only shares the pid"


@pytest.mark.parametrize("comm, alive", [("sleep", True), ("sleepy", False), (None, True)])
def test_comm_check(spawn, comm, alive):
    proc = spawn(["sleep", "30"])
    assert wait_for(lambda: process_alive(proc.pid, comm="sleep"))
    assert process_alive(proc.pid, comm=comm) is alive


@pytest.mark.parametrize("pid", [0, -5, 2 ** 40, None, "1"])
def test_impossible_pids_are_not_alive(pid):
    assert process_alive(pid) is False


def test_a_zombie_is_not_alive(spawn):
    proc = spawn(["true"])
    assert wait_for(lambda: not process_alive(proc.pid))
    assert os.path.exists(f"/proc/{proc.pid}")  # still a zombie: we have not reaped it


# --- stopping -------------------------------------------------------------------------------
def test_sigterm_is_enough_for_a_polite_process(spawn):
    proc = spawn(["sleep", "30"])
    started = time.monotonic()
    assert stop_process(proc.pid, deadline=time.monotonic() + 10) is True
    assert time.monotonic() - started < 2
    assert proc.wait(timeout=1) == -signal.SIGTERM


def test_a_process_ignoring_sigterm_gets_sigkill_before_the_deadline(spawn):
    proc = spawn(["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"],
                 stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    started = time.monotonic()
    assert stop_process(proc.pid, deadline=started + 2.0, margin=0.5, escalate_after=0.5) is True
    elapsed = time.monotonic() - started
    assert 0.6 <= elapsed < 1.5  # half of the 1.5 s budget on SIGTERM, then SIGKILL
    assert proc.wait(timeout=1) == -signal.SIGKILL
    proc.stdout.close()


def test_a_survivor_is_reported_when_the_deadline_passes(spawn):
    proc = spawn(["sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"],
                 stdout=subprocess.PIPE)
    assert proc.stdout.readline() == b"ready\n"
    started = time.monotonic()
    assert stop_process(proc.pid, deadline=started + 0.6, margin=0.1,
                        signals=(signal.SIGTERM,)) is False
    assert time.monotonic() - started < 1.2  # the deadline (0.5 s after the margin) is kept
    assert proc.poll() is None
    proc.stdout.close()


def test_stopping_a_process_that_is_gone_succeeds():
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert stop_process(proc.pid, deadline=time.monotonic() + 1) is True


@pytest.mark.parametrize("pid", [0, -1, 1, "self"])
def test_stop_refuses_to_signal_dangerous_pids(pid):
    with pytest.raises(ValueError):
        stop_process(os.getpid() if pid == "self" else pid, deadline=time.monotonic() + 1)


# --- daemonize ------------------------------------------------------------------------------
AGENT = """
import sys, time
from ocfpy.process import daemonize
print(daemonize(["sleep", "30"]), flush=True)
sys.stderr.write("agent done\\n")
if sys.argv[1] == "linger":
    time.sleep(30)
"""


def run_agent(mode: str, **options) -> subprocess.Popen:
    """A stand-in for an agent's start run as execd runs it: stdout and stderr are pipes."""
    leaked_r, leaked_w = os.pipe()  # an inheritable descriptor the daemon must not get either
    os.set_inheritable(leaked_w, True)
    try:
        return subprocess.Popen(
            [sys.executable, "-c", AGENT, mode], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=PACKAGE_PARENT),
            pass_fds=(leaked_w,), **options)
    finally:
        os.close(leaked_r)
        os.close(leaked_w)


def fd_targets(pid: int) -> dict:
    fds = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            fds[int(fd)] = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:
            pass
    return fds


def test_daemon_holds_none_of_the_callers_pipes_and_has_its_own_session(daemons):
    agent = run_agent("exit")
    pipes = {f"pipe:[{os.fstat(f.fileno()).st_ino}]" for f in (agent.stdout, agent.stderr)}
    out, err = agent.communicate(timeout=10)  # EOF comes: the daemon holds no pipe end
    pid = int(out)
    daemons.append(pid)
    assert agent.returncode == 0 and err == b"agent done\n"
    assert process_alive(pid), "the daemon did not survive the agent"
    fds = fd_targets(pid)
    assert sorted(fds) == [0, 1, 2] and set(fds.values()) == {"/dev/null"}
    assert not pipes & set(fds.values())
    assert os.getsid(pid) == pid != os.getsid(0)
    assert os.getpgid(pid) == pid


def test_group_sigkill_of_the_agent_does_not_reach_the_daemon(daemons):
    # What execd does when start times out: kill(-agent_pgid, SIGKILL).
    agent = run_agent("linger", process_group=0) if sys.version_info >= (3, 11) else \
        run_agent("linger", preexec_fn=os.setpgrp)
    pid = int(agent.stdout.readline())
    daemons.append(pid)
    os.killpg(agent.pid, signal.SIGKILL)
    assert agent.wait(timeout=5) == -signal.SIGKILL
    agent.communicate()
    assert process_alive(pid)


def test_daemon_output_goes_to_the_log_files_with_cwd_env_and_umask(tmp_path, daemons):
    log, errlog = tmp_path / "out.log", tmp_path / "err.log"
    log.write_text("earlier\n")
    pid = daemonize(["sh", "-c", "pwd; umask; echo $MARK; echo problem >&2"],
                    stdout=str(log), stderr=str(errlog), cwd=str(tmp_path),
                    env={"MARK": "m1", "PATH": os.environ["PATH"]}, umask=0o077)
    daemons.append(pid)
    assert wait_for(lambda: not process_alive(pid))
    assert log.read_text() == f"earlier\n{tmp_path}\n0077\nm1\n"
    assert errlog.read_text() == "problem\n"
    assert stat.S_IMODE(errlog.stat().st_mode) & 0o007 == 0


def test_stdout_and_stderr_may_share_one_log(tmp_path, daemons):
    log = tmp_path / "both.log"
    pid = daemonize(["sh", "-c", "echo out; echo err >&2"], stdout=str(log), stderr=str(log))
    daemons.append(pid)
    assert wait_for(lambda: not process_alive(pid))
    assert sorted(log.read_text().split()) == ["err", "out"]


def test_daemonize_writes_a_pidfile_that_stop_process_uses(tmp_path):
    pidfile = str(tmp_path / "d.pid")
    pid = daemonize(["sleep", "30"], pidfile=pidfile)
    record = read_pidfile(pidfile)
    assert record.pid == pid and record.alive()
    assert stop_process(record.pid, deadline=time.monotonic() + 5, start_time=record.start_time)
    assert not record.alive()


def test_symlinked_log_file_is_refused(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    os.symlink(victim, tmp_path / "out.log")
    with pytest.raises(OCFError, match="symbolic link"):
        daemonize(["true"], stdout=str(tmp_path / "out.log"))
    assert victim.read_text() == "precious\n"


@pytest.mark.parametrize("argv, error", [
    (["ocfpy-no-such-daemon"], NotInstalled),
    ("sleep 30", TypeError),
])
def test_daemonize_refuses_bad_argv(argv, error):
    with pytest.raises(error):
        daemonize(argv)


def test_daemonize_popen_options(fp):
    recorder = fp.register(["mydaemon", "--flag", "$(x)"])
    daemonize(["mydaemon", "--flag", "$(x)"], env={"A": "1"})
    kwargs = recorder.last_call.kwargs
    assert kwargs["start_new_session"] is True and kwargs["close_fds"] is True
    assert kwargs["stdin"] == subprocess.DEVNULL and kwargs["stdout"] == subprocess.DEVNULL
    assert kwargs["cwd"] == "/" and kwargs["env"] == {"A": "1"}
    assert not kwargs.get("shell", False)


def test_last_log_line_reads_only_the_end_of_a_regular_file(tmp_path):
    log = tmp_path / "err.log"
    log.write_text("x" * 5000 + "\nstarting\nconfig broken: no port\n\n")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    os.symlink(log, tmp_path / "link")
    assert last_log_line(str(log)) == "config broken: no port"
    assert [last_log_line(path) for path in (str(fifo), str(tmp_path / "link"), "/dev/null", None,
                                             str(tmp_path / "none"))] == [""] * 5


def test_pidfile_repr_is_readable():
    assert repr(Pidfile(5, 7, "x")) == "Pidfile(pid=5, start_time=7, comm='x')"


# --- identity -------------------------------------------------------------------------------
def test_stat_of_a_program_named_with_spaces_and_parentheses(tmp_path, spawn):
    program = tmp_path / "a) b (c"
    shutil.copy("/bin/sleep", program)
    proc = spawn([str(program), "30"])
    assert wait_for(lambda: (read_stat(proc.pid) or Stat(0, "", ["R"] * 20)).comm == "a) b (c")
    stat = read_stat(proc.pid)
    assert stat.state in "RS" and (stat.ppid, stat.session) == (os.getpid(), os.getsid(0))
    assert stat.start_time == process_start_time(proc.pid)


def test_identity_survives_its_text_and_knows_its_process(spawn):
    proc = spawn(["sleep", "30"], start_new_session=True)
    assert wait_for(lambda: read_exe(proc.pid) == os.path.realpath(shutil.which("sleep")))
    identity = Identity.capture(proc.pid, tag="t1")
    assert (identity.pid, identity.sid, identity.uid) == (proc.pid, proc.pid, os.getuid())
    again = Identity.from_text(identity.to_text())
    assert again.to_text() == identity.to_text() and again.leader_alive()
    proc.kill()
    proc.wait()
    assert not again.leader_alive() and again.members() == []


def edited(identity, **changes):
    fields = dict(line.split("=", 1) for line in identity.to_text().splitlines())
    fields.update({key: str(value) for key, value in changes.items()})
    return Identity.from_text("".join(f"{key}={value}\n" for key, value in fields.items()))


@pytest.mark.parametrize("change", [
    {"start_time": "START-1"},  # the pid was reused by another process
    {"boot": "another-boot"},  # recorded before a reboot
])
def test_a_recorded_identity_that_does_not_fit_is_not_alive(spawn, change):
    proc = spawn(["sleep", "30"], start_new_session=True)
    assert wait_for(lambda: read_exe(proc.pid) == os.path.realpath(shutil.which("sleep")))
    identity = Identity.capture(proc.pid)
    change = {key: (identity.start_time - 1 if value == "START-1" else value)
              for key, value in change.items()}
    assert not edited(identity, **change).leader_alive()
    assert edited(identity, **change).members() == []


@pytest.mark.parametrize("change", [
    {"exe": "/bin/sh"},  # a wrapper script that exec'ed its real program
    {"uid": 0 if os.getuid() else 4242},  # a daemon that switched users (memcached -u)
])
def test_the_same_process_under_another_program_or_user_is_still_the_recorded_one(spawn, change):
    proc = spawn(["sleep", "30"], start_new_session=True)
    assert wait_for(lambda: read_exe(proc.pid) == os.path.realpath(shutil.which("sleep")))
    identity = edited(Identity.capture(proc.pid), **change)

    assert identity.leader_alive() and identity.members() == [proc.pid]


def test_pid_1_and_the_caller_are_never_alive_whatever_the_file_says():
    for pid in (1, os.getpid()):
        identity = Identity.capture(pid)
        assert identity is not None and not identity.leader_alive()


def test_a_zombie_has_no_identity_and_is_not_alive(spawn):
    proc = spawn(["sleep", "30"])
    identity = Identity.capture(proc.pid)
    proc.send_signal(signal.SIGKILL)
    assert wait_for(lambda: read_stat(proc.pid).zombie)
    assert not identity.leader_alive() and Identity.capture(proc.pid) is None
    assert identity.members() == []


@pytest.mark.parametrize("text", [
    None, "", "garbage", "pid=12\n", "pid=x\nstart_time=1\nsid=1\nuid=0\n",
    "pid=0\nstart_time=1\nsid=1\nuid=0\n", "pid=12 13\nstart_time=1\nsid=12\nuid=0\n",
    "pid=-5\nstart_time=1\nsid=1\nuid=0\n",
])
def test_an_identity_is_read_from_its_own_text_only(text):
    assert Identity.from_text(text) is None


# --- stopping a session (inside new PID and mount namespaces) --------------------------------
needs_namespaces = pytest.mark.skipif(unshare_available() is not None,
                                      reason=f"no PID and mount namespaces here: {unshare_available()}")
DOUBLE_FORK = "import os, time\nif os.fork(): os._exit(0)\n{setsid}if os.fork(): os._exit(0)\ntime.sleep(60)\n"


def _start_session(code: str) -> Identity:
    proc = subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                            env=dict(os.environ, **{TAG_VARIABLE: "tag-1"}))
    identity = Identity.capture(proc.pid, tag="tag-1")
    _STARTED_HERE.append(proc)
    return identity


_STARTED_HERE = []


def scenario_stop(code: str, term_wait: float, budget: float, stop_first: bool) -> dict:
    """Start ``code`` in a session, then stop the session; what happened, for the test."""
    bystander = subprocess.Popen(["sleep", "60"], start_new_session=True)
    identity = _start_session(code)
    time.sleep(0.5)
    members = identity.members()
    if stop_first:
        for pid in members:
            os.kill(pid, signal.SIGSTOP)
    started = time.monotonic()
    survivors = stop_session(identity, deadline=started + budget, term_wait=term_wait, margin=0.2)
    elapsed = time.monotonic() - started
    _STARTED_HERE[-1].wait(timeout=2)  # gone for members() once its exit began; reaped soon after
    return {"members": len(members), "survivors": survivors, "elapsed": elapsed,
            "left": identity.members(), "leader_rc": _STARTED_HERE[-1].returncode,
            "bystander_alive": bystander.poll() is None}


def stopped(code, term_wait=5.0, budget=10.0, stop_first=False):
    return run_isolated(scenario_stop, code, term_wait, budget, stop_first, timeout=60)


@needs_namespaces
@pytest.mark.needs_root
def test_a_session_stops_on_sigterm_and_nothing_else_is_touched():
    result = stopped("import time; time.sleep(60)")
    assert result["members"] == 1 and result["survivors"] == [] and result["left"] == []
    assert result["leader_rc"] == -signal.SIGTERM and result["elapsed"] < 1.0
    assert result["bystander_alive"]


@needs_namespaces
@pytest.mark.needs_root
def test_a_session_ignoring_sigterm_gets_sigkill_after_term_wait():
    code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)"
    result = stopped(code, term_wait=1.0)
    assert result["leader_rc"] == -signal.SIGKILL and result["left"] == []
    assert 1.0 <= result["elapsed"] < 2.0 and result["bystander_alive"]


@needs_namespaces
@pytest.mark.needs_root
def test_sigkill_comes_before_the_deadline_even_if_term_wait_is_longer():
    code = "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)"
    result = stopped(code, term_wait=30.0, budget=2.0)
    assert result["survivors"] == [] and result["elapsed"] < 1.8


@needs_namespaces
@pytest.mark.needs_root
def test_a_sigstopped_session_is_still_stopped_by_sigterm():
    result = stopped("import time; time.sleep(60)", stop_first=True)
    assert result["leader_rc"] == -signal.SIGTERM and result["elapsed"] < 1.0


@needs_namespaces
@pytest.mark.needs_root
@pytest.mark.parametrize("setsid, found_by", [("", "its session"), ("os.setsid()\n", "its tag")])
def test_a_double_forking_daemon_is_found_and_stopped(setsid, found_by):
    result = stopped(DOUBLE_FORK.format(setsid=setsid))
    assert result["members"] == 1, f"the grandchild is found by {found_by}"
    assert result["survivors"] == [] and result["left"] == [] and result["bystander_alive"]


def test_the_pidfile_is_written_by_the_daemon_before_it_execs(tmp_path, monkeypatch, daemons):
    # a start SIGKILLed while Popen waits for the exec never writes the pidfile itself: the
    # daemon's own record must already be there for the recovery stop
    import ocfpy.process

    pidfile = str(tmp_path / "run" / "d.pid")
    monkeypatch.setattr(ocfpy.process, "write_pidfile", lambda *args: None)  # the parent never gets to it

    pid = daemonize(["sleep", "30"], pidfile=pidfile)
    daemons.append(pid)

    record = read_pidfile(pidfile)
    assert (record.pid, record.start_time) == (pid, process_start_time(pid)) and record.alive()
    assert os.listdir(tmp_path / "run") == ["d.pid"]  # its staging file renamed, none left


def test_a_pidfile_that_is_a_link_is_refused_before_anything_starts(tmp_path, fp):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    os.symlink(victim, tmp_path / "d.pid")
    fp.register(["sleep", "30"])  # a start would be recorded here

    with pytest.raises(OCFError, match="symbolic link"):
        daemonize(["sleep", "30"], pidfile=str(tmp_path / "d.pid"))

    assert fp.call_count(["sleep", "30"]) == 0 and victim.read_text() == "precious\n"


def test_a_program_that_cannot_start_leaves_no_record_of_its_child(tmp_path):
    pidfile = tmp_path / "d.pid"
    with pytest.raises(NotInstalled):
        daemonize(["ocfpy-no-such-daemon"], pidfile=str(pidfile))
    assert not pidfile.exists()

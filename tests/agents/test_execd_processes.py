"""Process handling against real agents (issue 3 item 5c and H2, H8, H11, H12)."""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from execd_support import shell_agent, write_agent

from harness.execd import ExecStatus, Operation, run, spawn

PY_CHATTY = """#!/usr/bin/python3
import os, sys
block = int(os.environ["OCF_RESKEY_block"])
for i in range(int(os.environ["OCF_RESKEY_blocks"])):
    os.write(2, b"e" * block)  # stderr first: a reader that drains stdout to EOF first would deadlock
    os.write(1, b"o" * block)
os.write(2, b"ocf-exit-reason:chatty done\\n")
sys.exit(3)
"""


def _alive(pid: int) -> bool:
    """Running or sleeping; a zombie or a reaped process counts as dead."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_until(predicate, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def reaper():
    """Grandchildren a test leaves behind are killed at the end, by their recorded pids only."""
    pids = []
    yield pids
    for pid in pids:
        if pid > 1 and _alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_every_exit_code_0_to_255_is_mapped_as_execd_does(tmp_path):
    agent = shell_agent(tmp_path, "Exit", 'exit "$OCF_RESKEY_code"')
    kept = set(range(10)) | {190, 191}

    seen = {code: run(Operation(agent, "monitor", params={"code": str(code)}, ra_path=str(tmp_path)))
            for code in range(256)}

    assert {code: (r.rc, r.agent_exit, r.status) for code, r in seen.items()} == {
        code: (code if code in kept else 1, code, ExecStatus.DONE) for code in range(256)}


@pytest.mark.parametrize("name, text", [("TERM", "Terminated"), ("KILL", "Killed"), ("HUP", "Hangup"),
                                        ("SEGV", "Segmentation fault"), ("USR1", "User defined signal 1")])
def test_death_by_signal_is_an_error_with_pacemakers_reason(tmp_path, name, text):
    agent = shell_agent(tmp_path, "Sig", """
        echo "ocf-exit-reason:ignored, the agent did not exit" >&2
        kill -s "$OCF_RESKEY_sig" $$
        sleep 5
    """)

    result = run(Operation(agent, "monitor", params={"sig": name}, ra_path=str(tmp_path)))

    assert (result.rc, result.status, result.agent_exit) == (1, ExecStatus.ERROR, None)
    assert result.signal == getattr(signal, "SIG" + name)
    assert result.exit_reason == f"Resource agent interrupted by {text} signal"


GROUP_SLEEPER = """
    trap 'echo TERM >> "$OCF_RESKEY_dir/trapped"' TERM
    sleep 60 &
    echo $! > "$OCF_RESKEY_dir/grandchild"
    echo "ocf-exit-reason:never reached" >&2 &
    wait
"""


def test_timeout_sigkills_the_whole_group_at_once(tmp_path, reaper):
    agent = shell_agent(tmp_path, "Slow", GROUP_SLEEPER)

    result = run(Operation(agent, "start", params={"dir": str(tmp_path)}, timeout_ms=700, ra_path=str(tmp_path)))

    grandchild = int((tmp_path / "grandchild").read_text())
    reaper.append(grandchild)
    assert (result.rc, result.status, result.signal) == (1, ExecStatus.TIMEOUT, signal.SIGKILL)
    assert result.exit_reason == "Resource agent did not complete within 700ms"
    assert 0.7 <= result.elapsed < 5
    assert _wait_until(lambda: not _alive(grandchild)), "the grandchild in the agent's group survived"
    assert not (tmp_path / "trapped").exists(), "SIGTERM was sent; execd sends SIGKILL only"


@pytest.mark.parametrize("op_kwargs, reason", [
    ({"meta": {"on_fail": "block"}}, "Resource agent did not complete within 1.200s"),
    ({"profile": "crm_resource"}, "Resource agent did not exit within specified timeout"),
])
def test_timeout_kills_only_the_pid_with_on_fail_block_and_under_crm_resource(tmp_path, reaper, op_kwargs, reason):
    agent = shell_agent(tmp_path, "Slow", GROUP_SLEEPER)

    result = run(Operation(agent, "start", params={"dir": str(tmp_path)}, timeout_ms=1200, ra_path=str(tmp_path),
                           **op_kwargs))

    grandchild = int((tmp_path / "grandchild").read_text())
    reaper.append(grandchild)
    assert (result.rc, result.status, result.exit_reason) == (1, ExecStatus.TIMEOUT, reason)
    assert _alive(grandchild), "only the agent's pid should have been killed"


def test_agent_that_daemonizes_without_detaching_does_not_hang(tmp_path, reaper):
    agent = shell_agent(tmp_path, "Daemon", """
        sleep 60 &
        echo $! > "$OCF_RESKEY_dir/daemon"
        echo started
        exit 0
    """)

    result = run(Operation(agent, "start", params={"dir": str(tmp_path)}, ra_path=str(tmp_path)))

    daemon = int((tmp_path / "daemon").read_text())
    reaper.append(daemon)
    assert (result.rc, result.status, result.stdout) == (0, ExecStatus.DONE, b"started\n")
    assert result.elapsed < 5, "the harness waited for the pipes, not for the agent's exit"
    assert _alive(daemon), "execd leaves the group alone after a normal exit"
    assert os.getpgid(daemon) == result.pid


def test_chatty_agent_on_both_streams_does_not_deadlock(tmp_path):
    write_agent(tmp_path, "Chatty", PY_CHATTY)
    blocks, block = 64, 65536  # 4 MiB on each stream

    result = run(Operation("ocf:t:Chatty", "monitor", params={"blocks": str(blocks), "block": str(block)},
                           timeout_ms=60000, ra_path=str(tmp_path)))

    assert (result.rc, result.status) == (3, ExecStatus.DONE)
    assert result.stdout == b"o" * (blocks * block)
    assert result.stderr == b"e" * (blocks * block) + b"ocf-exit-reason:chatty done\n"
    assert result.exit_reason == "chatty done"


@pytest.mark.parametrize("body, mode, rc, reason", [
    ("#!/bin/sh\nexit 0\n", 0o644, 4, "Child process was unable to execute file"),
    ("#!/nonexistent/interpreter\nexit 0\n", 0o755, 5, "Child process was unable to execute file"),
    ('echo "plain $1"\nexit 3\n', 0o755, 3, None),
    ("garbage-command-that-does-not-exist\n", 0o755, 1, None),
])
def test_exec_failures_and_the_bin_sh_fallback(tmp_path, body, mode, rc, reason):
    write_agent(tmp_path, "Odd", body, mode=mode)

    result = run(Operation("ocf:t:Odd", "start", ra_path=str(tmp_path)))

    assert (result.rc, result.status, result.exit_reason) == (rc, ExecStatus.DONE, reason)
    if rc == 3:
        assert result.stdout == b"plain start\n"


def test_directory_in_place_of_the_agent_is_permission_denied(tmp_path):
    (tmp_path / "t" / "Dir").mkdir(parents=True)

    result = run(Operation("ocf:t:Dir", "start", ra_path=str(tmp_path)))

    assert (result.rc, result.exit_reason) == (4, "Child process was unable to execute file")


def test_spawn_cancel_kills_the_group_and_reports_cancelled(tmp_path, reaper):
    agent = shell_agent(tmp_path, "Slow", GROUP_SLEEPER)
    handle = spawn(Operation(agent, "monitor", params={"dir": str(tmp_path)}, interval_ms=5000,
                             ra_path=str(tmp_path)))
    assert _wait_until(lambda: (tmp_path / "grandchild").exists())
    grandchild = int((tmp_path / "grandchild").read_text())
    reaper.append(grandchild)

    result = handle.cancel()

    assert handle.done() and handle.pgid == handle.pid == result.pid
    assert (result.rc, result.status, result.exit_reason) == (0, ExecStatus.CANCELLED, None)
    assert _wait_until(lambda: not _alive(grandchild))


def test_spawn_reports_through_wait_and_on_done(tmp_path):
    agent = shell_agent(tmp_path, "Quick", "sleep 0.2; exit 7")
    seen = []

    handle = spawn(Operation(agent, "monitor", ra_path=str(tmp_path)), on_done=seen.append)

    with pytest.raises(TimeoutError):
        handle.wait(timeout=0.01)
    result = handle.wait(timeout=10)
    assert result.rc == 7 and _wait_until(lambda: seen == [result])


def test_values_with_any_bytes_reach_the_agent_unchanged_where_execd_does_not_escape(tmp_path):
    agent = shell_agent(tmp_path, "Echo", 'printf "%s" "$OCF_RESKEY_v"')
    value = "\udcff\udcfe raw bytes, $(touch pwned) `id` ; | & *"

    result = run(Operation(agent, "start", params={"v": value}, ra_path=str(tmp_path), pacemaker_version="2.1.8"))

    assert result.stdout == value.encode("utf-8", "surrogateescape")
    assert not (tmp_path / "pwned").exists() and not os.path.exists("pwned")


HOSTILE_PARENT = """
import os, signal, sys, threading
from harness.execd import Operation, run
os.nice(5)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1, signal.SIGTERM])
results = []
worker = threading.Thread(target=lambda: results.append(run(Operation(sys.argv[1], "monitor"))))
worker.start()
worker.join()
sys.stdout.buffer.write(results[0].stdout)
"""


def test_child_gets_default_signals_empty_mask_and_nice_0_from_any_parent(tmp_path):
    """H6/H7: even from a niced harness thread with ignored and blocked signals."""
    agent = write_agent(tmp_path, "State", """#!/bin/sh
        while read -r key value; do
            case "$key" in SigBlk:|SigIgn:) echo "$key $value";; esac
        done < /proc/$$/status
        set -- $(sed 's/.*) //' /proc/$$/stat)
        echo "nice ${17}"
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))

    proc = subprocess.run([sys.executable, "-c", HOSTILE_PARENT, str(agent)], capture_output=True, env=env,
                          timeout=60)

    assert proc.stdout.decode().split("\n") == [
        "SigBlk: 0000000000000000", "SigIgn: 0000000000000000", "nice 0", ""], proc.stderr.decode()


def test_by_default_a_nul_loses_what_follows_it_in_its_read_as_execd_does(tmp_path):
    """execd-nul-in-stderr.log: execd reported output 'before' and no exit reason."""
    agent = shell_agent(tmp_path, "Nul", r"""
        printf 'before\0after\nocf-exit-reason:lost\n' >&2
        exit 1
    """)

    default = run(Operation(agent, "monitor", ra_path=str(tmp_path)))
    lenient = run(Operation(agent, "monitor", ra_path=str(tmp_path), nul_truncation=False))

    assert (default.output, default.exit_reason, default.nul_on_stderr) == (b"before", None, True)
    assert (lenient.stderr, lenient.exit_reason) == (b"before\0after\nocf-exit-reason:lost\n", "lost")


def test_many_concurrent_spawns_all_complete_with_their_own_results(tmp_path):
    agent = shell_agent(tmp_path, "Echo", 'sleep 0.1; echo "$OCF_RESOURCE_INSTANCE"; exit "$OCF_RESKEY_rc"')

    handles = [spawn(Operation(agent, "monitor", instance=f"r{i}", params={"rc": str(i % 10)},
                               ra_path=str(tmp_path))) for i in range(60)]
    results = [handle.wait(timeout=30) for handle in handles]

    assert [(r.stdout, r.rc) for r in results] == [(f"r{i}\n".encode(), i % 10) for i in range(60)]


@pytest.fixture
def open_ra_path():
    """An agent directory hacluster can reach (pytest's tmp dirs are 0700 root when run as root)."""
    path = tempfile.mkdtemp(prefix="ocfpy-execd-meta-")
    os.chmod(path, 0o755)
    try:
        yield Path(path)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_metadata_profile_runs_as_hacluster_without_parameters(open_ra_path):
    if os.geteuid() != 0:
        pytest.skip("running meta-data as hacluster needs root")
    try:
        hacluster = pwd.getpwnam("hacluster")
    except KeyError:
        pytest.skip("no hacluster user (Debian: pacemaker)")
    agent = shell_agent(open_ra_path, "Meta", """
        id -u
        tr '\\0' '\\n' < /proc/$$/environ | grep -c '^OCF_RESKEY_' >&2
        echo "$OCF_RESOURCE_INSTANCE"
    """)

    result = run(Operation(agent, "meta-data", params={"ignored": "x"}, profile="metadata", instance="rsc1",
                           timeout_ms=30000, ra_path=str(open_ra_path)))

    assert result.stdout == f"{hacluster.pw_uid}\nrsc1\n".encode() and result.stderr == b"0\n"
    assert result.metadata_ok


def test_metadata_without_stdout_is_not_usable(open_ra_path):
    agent = shell_agent(open_ra_path, "Quiet", "echo only-stderr >&2")

    result = run(Operation(agent, "meta-data", profile="metadata", ra_path=str(open_ra_path)))

    assert result.rc == 0 and not result.metadata_ok

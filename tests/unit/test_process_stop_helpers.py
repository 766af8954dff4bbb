"""What Daemon's stop and monitor use: running_pids, term_wait, remove_pidfile."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from ocfpy.identity import Identity, read_stat, running_pids
from ocfpy.process import remove_pidfile, term_wait, write_pidfile


@pytest.mark.parametrize("configured, timeout_ms, seconds", [
    ("7", 30000, 7.0), (" 7 ", None, 7.0), ("", 30000, 20.0), (None, 30000, 20.0),
    ("", None, 10.0), ("", 0, 10.0), ("soon", 3000, 2.0),
])
def test_term_wait_is_stop_timeout_else_two_thirds_of_the_timeout_else_ten(configured, timeout_ms, seconds):
    assert term_wait(configured, timeout_ms) == seconds


def sleeping_member(identity, leader: int) -> bool:
    return any(getattr(read_stat(pid), "comm", "") == "sleep" for pid in identity.members() if pid != leader)


def test_running_pids_are_the_leader_else_what_is_left_of_its_session():
    assert running_pids(None) == []
    leader = subprocess.Popen(["sh", "-c", "sleep 30 & wait"], start_new_session=True)
    left = []
    try:
        until = time.monotonic() + 5
        identity = Identity.capture(leader.pid)
        while not sleeping_member(identity, leader.pid) and time.monotonic() < until:
            time.sleep(0.02)  # until the forked shell has become sleep
        assert running_pids(identity) == [leader.pid]  # the fast path: one pid asked
        leader.kill()
        leader.wait()
        left = running_pids(identity)
        assert len(left) == 1 and left[0] != leader.pid and read_stat(left[0]).comm == "sleep"
    finally:
        if leader.poll() is None:
            leader.kill()
            leader.wait()
        for pid in left:
            os.kill(pid, signal.SIGKILL)


def test_a_pidfile_naming_a_stopped_pid_is_removed_any_other_is_left(tmp_path):
    path = str(tmp_path / "daemon.pid")
    write_pidfile(path, 4242)
    remove_pidfile(path, [4243])
    assert os.path.exists(path)  # another process's: left
    remove_pidfile(path, [4243, 4242])
    assert not os.path.exists(path)
    remove_pidfile(path, [4242])  # already gone: fine
    remove_pidfile(None, [4242])


def test_a_pidfile_that_became_a_link_is_left(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("4242\n")
    link = tmp_path / "daemon.pid"
    link.symlink_to(target)
    remove_pidfile(str(link), [4242])
    assert link.is_symlink() and target.exists()


def test_a_pending_record_reads_back_with_its_tag_and_a_pidless_one_without_is_no_record():
    pending = Identity.pending("a1b2c3", 65534)

    again = Identity.from_text(pending.to_text())

    assert (again.pid, again.sid, again.tag, again.uid) == (0, 0, "a1b2c3", 65534)
    assert not again.leader_alive()
    assert Identity.from_text(pending.to_text().replace("tag=a1b2c3", "tag=")) is None
    assert Identity.pending("a1b2c3").uid == os.getuid()  # the user, when the agent's own


def test_a_pending_record_claims_only_tagged_processes_never_session_zero():
    pending = Identity.pending("never-carried-by-anyone", 0)

    assert pending.members() == []  # kernel threads (session 0) and the rest carry no tag

"""ocfpy.bounded and ocfpy.fsops: work in a child abandoned at its time limit; the checks it runs."""

from __future__ import annotations

import os
import time

from ocfpy import bounded, fsops


def hang():
    time.sleep(30)


def fail():
    raise PermissionError(13, "Permission denied")


def test_a_child_that_does_not_answer_is_abandoned_in_time():
    began = time.monotonic()
    outcome = bounded.call(hang, timeout=0.3)
    assert outcome.timed_out and not outcome.ok and "no answer within 0.3 s" in outcome.error
    assert time.monotonic() - began < 1.0


def test_errors_and_results_come_back_as_one_line():
    assert bounded.call(fail, timeout=5).error == "Permission denied"
    assert bounded.call(lambda: "fine", timeout=5).output == "fine"
    assert bounded.call(hang, timeout=0).error == "no time left"


def test_commands_report_rc_and_last_line_and_are_abandoned_when_stuck():
    assert bounded.command(["true"], timeout=5).ok
    failed = bounded.command(["sh", "-c", "echo first; echo last >&2; exit 3"], timeout=5)
    assert (failed.rc, failed.error) == (3, "sh exited with 3: last")
    began = time.monotonic()
    stuck = bounded.command(["sleep", "30"], timeout=0.3)
    assert stuck.timed_out and time.monotonic() - began < 1.0
    assert bounded.command(["/nonexistent/tool"], timeout=5).rc == 127


def test_write_status_writes_reads_back_and_makes_its_directory(tmp_path):
    path = tmp_path / ".status" / "rsc_node"
    fsops.write_status(str(path), b"rsc\n")
    assert path.read_bytes() == b"rsc\n"


def test_reads_of_a_directory_and_a_file(tmp_path):
    (tmp_path / "f").write_bytes(b"x" * 8192)
    fsops.read_directory(str(tmp_path))
    fsops.read_block(str(tmp_path / "f"))


def test_umount_of_a_directory_that_is_not_a_mount_point_fails_with_errno(tmp_path):
    outcome = bounded.call(fsops.umount, str(tmp_path), timeout=5)
    assert not outcome.ok and outcome.error in (os.strerror(22), os.strerror(1))

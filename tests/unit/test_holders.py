"""ocfpy.holders: who holds a mount, from readlink and maps of a /proc tree; pidfd signalling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ocfpy.holders import Pinned, find_holders, pin, release, signal_all, wait_gone

STAT = "{pid} (cmd with ) paren) S 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 {start} 1 1\n"
MAPS = (
    "7f0000000000-7f0000001000 r--s 00000000 07:02 12 /srv/data/db.file\n"
    "7f0000001000-7f0000002000 r-xp 00000000 fd:01 99 /usr/lib/libc.so.6\n"
    "7f0000002000-7f0000003000 rw-p 00000000 00:00 0 \n"
    "7f0000003000-7f0000004000 r--p 00000000 07:05 77 /elsewhere/via/other/path\n"
)


def fake_process(proc, pid, *, cwd="/", root="/", exe="/usr/bin/true", fds=(), maps="", start=500):
    """One /proc/PID directory of links (never followed: the targets need not exist)."""
    directory = proc / str(pid)
    (directory / "fd").mkdir(parents=True)
    for name, target in (("cwd", cwd), ("root", root), ("exe", exe)):
        os.symlink(target, directory / name)
    for number, target in enumerate(fds, start=3):
        os.symlink(target, directory / "fd" / str(number))
    (directory / "maps").write_text(maps)
    (directory / "stat").write_text(STAT.format(pid=pid, start=start))
    return directory


@pytest.fixture
def proc(tmp_path):
    return tmp_path / "proc"


def holders(proc, points=("/srv/data",), devices=frozenset()):
    return {holder.pid: holder.uses for holder in find_holders(points, devices, proc=str(proc))}


def test_cwd_root_exe_fd_and_maps_each_make_a_holder(proc):
    fake_process(proc, 101, cwd="/srv/data/sub")
    fake_process(proc, 102, root="/srv/data")
    fake_process(proc, 103, exe="/srv/data/bin/app")
    fake_process(proc, 104, fds=("/srv/data/log (deleted)", "socket:[123]"))
    fake_process(proc, 105, maps=MAPS)
    found = holders(proc)
    assert found == {
        101: ["cwd /srv/data/sub"], 102: ["root /srv/data"], 103: ["exe /srv/data/bin/app"],
        104: ["fd 3 /srv/data/log (deleted)"], 105: ["map /srv/data/db.file"],
    }


def test_a_prefix_named_sibling_and_the_parent_are_not_holders(proc):
    fake_process(proc, 201, cwd="/srv/data2", fds=("/srv/data2/file",), maps=MAPS.replace("/srv/data/", "/srv/data2/"))
    fake_process(proc, 202, cwd="/srv")
    fake_process(proc, 203, cwd="/srv/dat")
    assert holders(proc) == {}


def test_paths_with_newline_space_and_backslash(proc):
    point = "/srv/a b\\c\nd"
    fake_process(proc, 301, cwd=point + "/x")
    fake_process(proc, 302, maps="7f-8f r--p 0 07:02 1 /srv/a b\\c\\012d/lib.so\n")
    assert holders(proc, (point,)) == {301: [f"cwd {point}/x"], 302: [f"map {point}/lib.so"]}


def test_a_map_counts_by_device_only_for_devices_the_caller_names(proc):
    fake_process(proc, 401, maps=MAPS)
    assert holders(proc, ("/nowhere",)) == {}
    assert holders(proc, ("/nowhere",), {(7, 5)}) == {401: ["map /elsewhere/via/other/path"]}


def test_own_process_kernel_threads_and_non_pids_are_skipped(proc):
    fake_process(proc, os.getpid(), cwd="/srv/data")
    (proc / "7").mkdir(parents=True)  # a kernel thread: no links at all
    (proc / "self").mkdir()
    (proc / "999").mkdir()
    assert holders(proc) == {}
    fake_process(proc, 500, cwd="/srv/data")
    assert find_holders(["/srv/data"], proc=str(proc))[0].start_time == 500


# --- real processes --------------------------------------------------------------------------
@pytest.fixture
def child():
    procs = []

    def start(code="import time; time.sleep(60)"):
        proc = subprocess.Popen([sys.executable, "-c", code])
        procs.append(proc)
        time.sleep(0.05)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_a_real_holder_by_cwd_is_found_and_signalled(tmp_path, child):
    data = tmp_path / "data"
    (tmp_path / "data2").mkdir()
    data.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], cwd=data)
    bystander = child()
    try:
        found = find_holders([str(data)])
        assert [h.pid for h in found] == [holder.pid]
        pinned = pin(found)
        assert [p.pid for p in signal_all(pinned, signal.SIGTERM)] == [holder.pid]
        holder.wait(5)
        assert wait_gone(pinned, time.monotonic() + 2) == []
        release(pinned)
        assert bystander.poll() is None
    finally:
        holder.kill()
        holder.wait()


def test_wait_gone_returns_survivors_at_the_deadline(child):
    ignoring = child("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)")
    pinned = [Pinned(ignoring.pid, None)]
    signal_all(pinned, signal.SIGTERM)
    began = time.monotonic()
    assert [p.pid for p in wait_gone(pinned, began + 0.3)] == [ignoring.pid]
    assert 0.25 < time.monotonic() - began < 1.0
    signal_all(pinned, signal.SIGKILL)
    ignoring.wait(5)
    assert wait_gone(pinned, time.monotonic() + 1) == []


def test_a_stopped_process_is_continued_after_term_and_ends(child):
    frozen = child()
    frozen.send_signal(signal.SIGSTOP)
    pinned = [Pinned(frozen.pid, None)]

    reached = signal_all(pinned, signal.SIGTERM)

    assert [p.pid for p in reached] == [frozen.pid]
    assert wait_gone(pinned, time.monotonic() + 2) == []
    assert frozen.wait(1) == -signal.SIGTERM


def test_a_pid_whose_start_time_changed_is_never_signalled(child):
    proc = child()
    stale = Pinned(proc.pid, 1)  # the process recorded earlier had another start time
    assert not stale.alive() and not stale.send(signal.SIGKILL)
    assert proc.poll() is None


def test_a_process_in_another_mount_namespace_holds_only_by_mount_id_and_device(proc):
    (proc / "self" / "ns").mkdir(parents=True)
    os.symlink("mnt:[1]", proc / "self" / "ns" / "mnt")
    (proc / "self" / "mountinfo").write_text("40 1 7:2 / /srv/data rw - ext4 /dev/loop2 rw\n")
    for pid, mnt_id in ((301, 40), (302, 77)):  # fd 3 on our mount; on another one
        directory = fake_process(proc, pid, cwd="/srv/data", fds=("/srv/data/f",), maps=MAPS)
        (directory / "ns").mkdir()
        os.symlink("mnt:[2]", directory / "ns" / "mnt")
        (directory / "fdinfo").mkdir()
        (directory / "fdinfo" / "3").write_text(f"pos:\t0\nflags:\t02\nmnt_id:\t{mnt_id}\n")
    assert holders(proc) == {301: ["fd 3 /srv/data/f"]}  # its paths name its own tree
    assert holders(proc, devices={(7, 2)}) == {301: ["fd 3 /srv/data/f", "map /srv/data/db.file"],
                                              302: ["map /srv/data/db.file"]}


def test_in_another_mount_namespace_paths_count_inside_the_propagated_copies_of_ours(proc):
    (proc / "self" / "ns").mkdir(parents=True)
    os.symlink("mnt:[1]", proc / "self" / "ns" / "mnt")
    (proc / "self" / "mountinfo").write_text("40 1 7:2 / /srv/data rw shared:7 - ext4 /dev/loop2 rw\n")
    for pid, propagation in ((401, "master:7"), (402, "shared:7"), (403, "master:8"), (404, "")):
        directory = fake_process(proc, pid, cwd="/srv/data/sub")
        (directory / "ns").mkdir()
        os.symlink(f"mnt:[{pid}]", directory / "ns" / "mnt")
        (directory / "mountinfo").write_text(f"90 1 7:2 / /srv/data rw {propagation} - ext4 /dev/loop2 rw\n")
    assert holders(proc) == {401: ["cwd /srv/data/sub"], 402: ["cwd /srv/data/sub"]}


def test_a_copy_of_the_device_in_another_mount_namespace_is_found_once_per_namespace(proc):
    from ocfpy.holders import mounted_in_other_namespaces

    (proc / "self" / "ns").mkdir(parents=True)
    os.symlink("mnt:[1]", proc / "self" / "ns" / "mnt")
    for pid, namespace, table in ((501, 1, "7:2 / /srv/data"), (502, 2, "7:9 / /srv/other"),
                                  (503, 3, "7:2 / /srv/data"), (504, 3, "7:2 / /srv/data")):
        directory = fake_process(proc, pid)
        (directory / "ns").mkdir()
        os.symlink(f"mnt:[{namespace}]", directory / "ns" / "mnt")
        (directory / "mountinfo").write_text(f"90 1 {table} rw - ext4 /dev/loop2 rw\n")
    found = mounted_in_other_namespaces({(7, 2)}, proc=str(proc))
    assert found in ([(503, "/srv/data")], [(504, "/srv/data")])  # ours (1) and 7:9 are not


def test_a_copy_in_another_mount_namespace_fails_the_stop_with_one_reason(proc):
    from ocfpy.errors import OCFError
    from ocfpy.holders import refuse_copies_elsewhere

    (proc / "self" / "ns").mkdir(parents=True)
    os.symlink("mnt:[1]", proc / "self" / "ns" / "mnt")
    directory = fake_process(proc, 4194000)  # above any real pid: its stat is read from /proc
    (directory / "ns").mkdir()
    os.symlink("mnt:[2]", directory / "ns" / "mnt")
    (directory / "mountinfo").write_text("90 1 7:2 / /srv/data rw - ext4 /dev/loop2 rw\n")
    refuse_copies_elsewhere((7, 9), proc=str(proc))  # another device: nothing to refuse
    with pytest.raises(OCFError) as raised:
        refuse_copies_elsewhere((7, 2), proc=str(proc))
    assert raised.value.reason == ("still mounted in the mount namespace of process 4194000 "
                                   "(gone) on /srv/data")

"""ocf:ocfpy:Filesystem's stop: only the holders of this mount are signalled, within the time it has.

Holders by working directory, open file, memory map and chroot are killed; a process on a
prefix-named sibling, on the parent filesystem or on a bind's source outside the bind
survives. Each body runs in its own PID and mount namespaces (tests/isolation.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from filesystem_support import (  # noqa: F401 (fs and loops are fixtures)
    MARKS, alive, bind_of_mounted, fs, gone, kill_all, loops, mount, mounted_sources, sleeper, start_process,
    wait_ready,
)
from isolation import isolated

pytestmark = MARKS

HOLD_FILE = "import time; f = open({path!r}, 'a'); open({ready!r}, 'w').close(); time.sleep(600)"
HOLD_MAP = ("import mmap, time\n"
            "with open({path!r}, 'w+b') as f:\n"
            "    f.write(b'x' * 4096); f.flush(); m = mmap.mmap(f.fileno(), 4096)\n"
            "open({ready!r}, 'w').close(); time.sleep(600)")  # the fd is closed: only the map holds
HOLD_CHROOT = ("import os, time; os.chroot({path!r}); os.chdir('/'); open('/ready', 'w').close(); "
               "time.sleep(600)")
IGNORE_TERM = ("import os, signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
               "os.chdir({path!r}); open({ready!r}, 'w').close(); time.sleep(600)")


def test_holders_by_cwd_file_map_and_chroot_die_a_prefix_sibling_lives(fs, loops, tmp_path):
    check_holders(fs, loops("ext4"), str(tmp_path / "x"))


@isolated
def check_holders(fs, device, root):
    data, sibling, ready = f"{root}/data", f"{root}/data2", f"{root}/ready"
    for path in (data, sibling, ready):
        os.makedirs(path)
    params = {"device": device, "directory": data, "fstype": "ext4"}
    assert fs("start", params).rc == 0
    mount("-t", "tmpfs", "tmpfs", sibling)
    holders = {
        "cwd": sleeper(cwd=data),
        "file": start_process(HOLD_FILE.format(path=f"{data}/held", ready=f"{ready}/file")),
        "map": start_process(HOLD_MAP.format(path=f"{data}/mapped", ready=f"{ready}/map")),
        "chroot": start_process(HOLD_CHROOT.format(path=data)),
    }
    survivors = {
        "sibling cwd": sleeper(cwd=sibling),
        "sibling file": start_process(HOLD_FILE.format(path=f"{sibling}/f", ready=f"{ready}/s")),
        "parent": sleeper(cwd=root),
    }
    for name in ("file", "map", "s"):
        wait_ready(f"{ready}/{name}")
    wait_ready(f"{data}/ready")
    try:
        stop = fs("stop", params, timeout_ms=20000)
        assert (stop.rc, stop.exit_reason) == (0, None)
        assert {name: gone(proc) for name, proc in holders.items()} == dict.fromkeys(holders, True)
        assert {name: alive(proc) for name, proc in survivors.items()} == dict.fromkeys(survivors, True)
        assert mounted_sources(data) == [] and mounted_sources(sibling) == ["tmpfs"]
        assert stop.elapsed < 2.0  # no fixed wait: the holders exit at once on TERM
    finally:
        kill_all(*holders.values(), *survivors.values())


@isolated
def test_a_holder_ignoring_term_is_killed_in_the_second_half(fs, tmp_path):
    data = str(tmp_path / "data")
    params = {"device": "tmpfs", "directory": data, "fstype": "tmpfs", "signal_delay": "0.5"}
    assert fs("start", params).rc == 0
    stubborn = start_process(IGNORE_TERM.format(path=data, ready=f"{tmp_path}/ready"))
    wait_ready(f"{tmp_path}/ready")
    try:
        stop = fs("stop", params, timeout_ms=4000)
        assert (stop.rc, stop.status.name) == (0, "DONE")
        assert gone(stubborn) and stubborn.returncode == -9
        assert 1.0 < stop.elapsed < 4.0  # TERM for half of the budget, then KILL
    finally:
        kill_all(stubborn)


@isolated
def test_a_stopped_holder_is_continued_so_that_term_ends_it_at_once(fs, tmp_path):
    data = str(tmp_path / "data")
    params = {"device": "tmpfs", "directory": data, "fstype": "tmpfs"}
    assert fs("start", params).rc == 0
    frozen = sleeper(cwd=data)
    frozen.send_signal(signal.SIGSTOP)  # a job suspended with Ctrl-Z, a frozen backup run
    try:
        stop = fs("stop", params, timeout_ms=20000)
        assert (stop.rc, stop.exit_reason) == (0, None)
        assert gone(frozen) and frozen.returncode == -signal.SIGTERM
        assert stop.elapsed < 3.0  # not half of the 20 s budget waiting to send SIGKILL
        assert mounted_sources(data) == []
    finally:
        kill_all(frozen)


def busy_tmpfs(fs, tmp_path, **options):
    """A started tmpfs resource with ``options`` and a sleeping holder in it: (data, params, holder)."""
    data = str(tmp_path / "data")
    params = {"device": "tmpfs", "directory": data, "fstype": "tmpfs", **options}
    assert fs("start", params).rc == 0
    holder = sleeper(cwd=data)
    time.sleep(0.1)
    return data, params, holder


@isolated
def test_a_stop_that_cannot_unmount_fails_with_one_reason_before_its_timeout(fs, tmp_path):
    data, params, holder = busy_tmpfs(fs, tmp_path, force_unmount="false")
    try:
        stop = fs("stop", params, timeout_ms=3000)
        assert (stop.rc, stop.status.name) == (1, "DONE") and stop.elapsed < 3.0
        assert "still busy" in stop.exit_reason and str(holder.pid) in stop.exit_reason
        assert stop.stderr.count(b"ocf-exit-reason:") == 1
        assert alive(holder) and mounted_sources(data) == ["tmpfs"]
    finally:
        kill_all(holder)


@isolated
def test_safe_mode_kills_holders_found_by_path(fs, tmp_path):
    _, params, holder = busy_tmpfs(fs, tmp_path, force_unmount="safe")
    try:
        assert fs("stop", params).rc == 0 and gone(holder)
    finally:
        kill_all(holder)


def test_a_bind_stop_spares_users_of_its_source_outside_the_bind(fs, loops, tmp_path):
    check_bind_stop(fs, loops("ext4"), str(tmp_path))


@isolated
def check_bind_stop(fs, device, root):
    source_fs, params = bind_of_mounted(device, root, "bind", "private")
    bind = params["directory"]
    assert fs("start", params).rc == 0
    inside = sleeper(cwd=bind)
    private = sleeper(cwd=f"{source_fs}/private")
    via_source = sleeper(cwd=f"{source_fs}/exported")  # the same directory, not through the bind
    time.sleep(0.1)
    try:
        assert fs("stop", params).rc == 0
        assert gone(inside) and alive(private) and alive(via_source)
        assert mounted_sources(bind) == [] and mounted_sources(source_fs) == [device]
    finally:
        kill_all(inside, private, via_source)


@isolated
def test_nested_mounts_are_unmounted_first(fs, tmp_path):
    data = str(tmp_path / "data")
    params = {"device": "tmpfs", "directory": data, "fstype": "tmpfs"}
    assert fs("start", params).rc == 0
    os.makedirs(f"{data}/nested/deeper")
    mount("-t", "tmpfs", "inner", f"{data}/nested")
    os.makedirs(f"{data}/nested/deeper")
    mount("-t", "tmpfs", "innermost", f"{data}/nested/deeper")
    holder = sleeper(cwd=f"{data}/nested/deeper")
    time.sleep(0.1)
    try:
        assert fs("stop", params).rc == 0 and gone(holder)
        assert [mounted_sources(p) for p in (data, f"{data}/nested")] == [[], []]
    finally:
        kill_all(holder)


@isolated
def test_fast_stop_gives_up_after_6_seconds_whatever_the_timeout(fs, tmp_path):
    _, params, holder = busy_tmpfs(fs, tmp_path, force_unmount="false", fast_stop="yes")
    try:
        stop = fs("stop", params, timeout_ms=30000)
        assert stop.rc == 1 and 5.5 < stop.elapsed < 7.5 and "still busy after" in stop.exit_reason
    finally:
        kill_all(holder)


def test_no_modprobe_fuser_or_lsof_is_needed(fs, tmp_path):
    only_mount = tmp_path / "bin"
    only_mount.mkdir()
    os.symlink(shutil.which("mount"), only_mount / "mount")
    check_without_tools(fs, str(tmp_path / "data"), str(only_mount))


@isolated
def check_without_tools(fs, data, path):
    params = {"device": "tmpfs", "directory": data, "fstype": "tmpfs"}
    env = {"extra_env": {"PATH": path}}
    assert [fs.probe(params, **env).rc, fs("start", params, **env).rc] == [7, 0]
    holder = sleeper(cwd=data)
    time.sleep(0.1)
    try:
        assert [fs.monitor(params, 20, **env).rc, fs("stop", params, **env).rc] == [0, 0]
        assert gone(holder) and mounted_sources(data) == []
    finally:
        kill_all(holder)


def test_other_mounts_of_the_device_go_with_it_and_only_those(fs, loops, tmp_path):
    check_other_mounts(fs, loops("ext4"), str(tmp_path))


@isolated
def check_other_mounts(fs, device, root):
    data, elsewhere, unrelated = f"{root}/data", f"{root}/elsewhere", f"{root}/unrelated"
    params = {"device": device, "directory": data, "fstype": "ext4"}
    assert fs("start", params).rc == 0
    os.makedirs(f"{data}/sub")
    for path in (elsewhere, unrelated):
        os.mkdir(path)
    mount("--bind", f"{data}/sub", elsewhere)  # the same filesystem, seen elsewhere on this node
    mount("-t", "tmpfs", "unrelated", unrelated)
    holder = sleeper(cwd=elsewhere)
    bystander = sleeper(cwd=unrelated)
    time.sleep(0.1)
    try:
        assert fs("stop", params).rc == 0
        assert [mounted_sources(p) for p in (data, elsewhere, unrelated)] == [[], [], ["unrelated"]]
        assert gone(holder) and alive(bystander)
    finally:
        kill_all(holder, bystander)


NEW_MOUNT_NAMESPACE = "import ctypes; assert ctypes.CDLL(None).unshare(0x20000) == 0\n"  # CLONE_NEWNS
HOLD_IN_OWN_NAMESPACE = NEW_MOUNT_NAMESPACE + (
    "import os, time; os.chdir({path!r}); f = open({path!r} + '/file', 'w'); "
    "open({ready!r}, 'w').close(); time.sleep(600)")
OPEN_THEN_UNSHARE = ("f = open({path!r} + '/held', 'w')\n" + NEW_MOUNT_NAMESPACE
                     + "import os, time; os.chdir('/'); open({ready!r}, 'w').close(); time.sleep(600)")


@isolated
def test_a_process_in_another_mount_namespace_is_judged_by_its_mounts_not_its_paths(fs, tmp_path):
    data, ready = str(tmp_path / "data"), str(tmp_path / "ready")
    os.makedirs(data)
    os.mkdir(ready)
    # before the mount: its /data is the plain directory, which its cwd and open file are on
    lookalike = start_process(HOLD_IN_OWN_NAMESPACE.format(path=data, ready=f"{ready}/a"))
    wait_ready(f"{ready}/a")
    params = {"device": "tmpfs", "directory": data, "fstype": "tmpfs"}
    assert fs("start", params).rc == 0
    holder = sleeper(cwd=data)  # makes the first unmount busy, so the holders are looked for
    # its open file is on this mount, whatever namespace it moved to afterwards
    escaped = start_process(OPEN_THEN_UNSHARE.format(path=data, ready=f"{ready}/b"))
    wait_ready(f"{ready}/b")
    try:
        assert fs("stop", params).rc == 0
        assert gone(holder) and gone(escaped) and alive(lookalike)
        assert mounted_sources(data) == []
    finally:
        kill_all(holder, escaped, lookalike)


@isolated
def test_a_holder_in_a_slave_copy_of_the_mount_is_killed(fs, tmp_path):
    """A service's private namespace (systemd PrivateTmp=) made after the mount holds a slave
    copy of it: with the parent shared, as systemd makes /, our unmount propagates there and
    is busy until that copy is free."""
    root = str(tmp_path)
    data, ready = f"{root}/data", f"{root}/ready"
    mount("--bind", root, root)
    mount("--make-shared", root)
    params = {"device": "tmpfs", "directory": data, "fstype": "tmpfs"}
    assert fs("start", params).rc == 0
    slave = subprocess.Popen(["unshare", "--mount", "--propagation", "slave", sys.executable, "-c",
                              f"import os, time; os.chdir({data!r}); open({ready!r}, 'w').close(); "
                              "time.sleep(600)"], start_new_session=True)
    wait_ready(ready)
    try:
        stop = fs("stop", params, timeout_ms=6000)
        assert (stop.rc, stop.exit_reason) == (0, None) and gone(slave)
        assert mounted_sources(data) == []
    finally:
        kill_all(slave)


def test_a_private_copy_in_another_mount_namespace_fails_the_stop(fs, loops, tmp_path):
    check_private_copy(fs, loops("ext4"), str(tmp_path / "data"))


@isolated
def check_private_copy(fs, device, data):
    """A namespace made while the filesystem is mounted, with private propagation, keeps its
    own copy that our unmount never reaches: the filesystem is still mounted on this node."""
    params = {"device": device, "directory": data, "fstype": "ext4"}
    assert fs("start", params).rc == 0
    copy = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sleep", "600"])
    try:
        until = time.monotonic() + 5
        while os.readlink(f"/proc/{copy.pid}/ns/mnt") == os.readlink("/proc/self/ns/mnt"):
            assert time.monotonic() < until, "unshare made no namespace"
            time.sleep(0.01)
        stop = fs("stop", params)
        assert stop.rc == 1 and f"mount namespace of process {copy.pid}" in stop.exit_reason
        assert alive(copy)  # it holds nothing of ours: never signalled
    finally:
        kill_all(copy)


def test_the_systems_own_filesystem_is_refused_by_start_and_never_unmounted_by_stop(fs, loops, tmp_path):
    check_system_disk(fs, loops("ext4"), str(tmp_path / "data"))


@isolated
def check_system_disk(fs, device, data):
    """The disk holding a system directory (here /var/tmp, inside this namespace only) named
    by mistake: stop must not unmount / or kill every process holding it."""
    mount(device, "/var/tmp")
    params = {"device": device, "directory": data, "fstype": "ext4"}
    start = fs("start", params)
    assert start.rc == 6 and "the system's own filesystem" in start.exit_reason
    os.makedirs(data)
    mount(device, data)  # mounted by hand: stop unmounts the directory, and only it
    user = sleeper(cwd="/var/tmp")
    time.sleep(0.1)
    try:
        assert fs("stop", params).rc == 0
        assert mounted_sources(data) == [] and mounted_sources("/var/tmp") == [device]
        assert alive(user)
    finally:
        kill_all(user)

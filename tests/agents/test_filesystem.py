"""ocf:ocfpy:Filesystem on real filesystems: lifecycles, paths of every shape, safety and codes.

Every body runs in its own PID and mount namespaces (tests/isolation.py): mounts vanish
with the namespace and loop devices are detached by the fixtures, also when a test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest
from filesystem_support import MARKS, bind_of_mounted, fs, loops, mount, mounted_sources  # noqa: F401 (fixtures)
from isolation import isolated

pytestmark = MARKS


def lifecycle(fs, params, directory):
    """Probe, start twice, every monitor depth, stop twice, probe: the codes of each step."""
    codes = {"probe": fs.probe(params).rc, "start": [fs("start", params).rc for _ in range(2)]}
    codes["mounted"] = len(mounted_sources(directory))
    codes["monitor"] = [fs.monitor(params, depth).rc for depth in (0, 10, 20)]
    codes["probe running"] = fs.probe(params).rc
    codes["stop"] = [fs("stop", params).rc for _ in range(2)]
    codes["after"] = (fs.probe(params).rc, len(mounted_sources(directory)))
    return codes


EXPECTED = {"probe": 7, "start": [0, 0], "mounted": 1, "monitor": [0, 0, 0], "probe running": 0,
            "stop": [0, 0], "after": (7, 0)}


@pytest.mark.parametrize("fstype", ["ext4", "xfs", "btrfs"])  # btrfs: mountinfo shows 0:N
def test_lifecycle_on_a_loop_device(fs, loops, tmp_path, fstype):
    device = loops(fstype)
    check_lifecycle(fs, device, str(tmp_path / "mnt" / "data"), fstype)


@isolated
def check_lifecycle(fs, device, directory, fstype):
    params = {"device": device, "directory": directory + "//", "fstype": fstype}
    assert lifecycle(fs, params, directory) == EXPECTED
    assert os.path.isdir(directory)  # made by start, left for the next one


@isolated
def test_tmpfs_lifecycle_and_the_status_file_of_depth_20(fs, tmp_path):
    directory = str(tmp_path / "scratch")
    params = {"device": "tmpfs", "directory": directory, "fstype": "tmpfs", "options": "size=4m"}
    assert fs("start", params).rc == 0
    assert fs.monitor(params, 20).rc == 0
    status = os.path.join(directory, ".Filesystem_status", f"test_{os.uname().nodename}")
    with open(status) as handle:
        assert handle.read().startswith("test ")
    assert fs("stop", params).rc == 0 and mounted_sources(directory) == []


@pytest.mark.parametrize("name", ["with space", "100%", "back\\slash", "a.b", "new\nline"])
def test_directory_names_of_every_shape(fs, tmp_path, name):
    check_name(fs, str(tmp_path / name))


@isolated
def check_name(fs, directory):
    params = {"device": "tmpfs", "directory": directory, "fstype": "tmpfs"}
    # execd 2.1.5-2.1.7 turns a newline in a value into the two characters '\n'; 2.1.8 passes it
    fs.pacemaker_version = "2.1.8"
    assert lifecycle(fs, params, directory) == EXPECTED


@isolated
def test_a_dot_matches_itself_only(fs, tmp_path):
    other = str(tmp_path / "axb")
    os.mkdir(other)
    mount("-t", "tmpfs", "tmpfs", other)
    params = {"device": "tmpfs", "directory": str(tmp_path / "a.b"), "fstype": "tmpfs"}
    assert fs.probe(params).rc == 7
    assert fs("stop", params).rc == 0
    assert mounted_sources(other) == ["tmpfs"]


@isolated
def test_a_symlinked_mount_point_is_the_directory_it_names(fs, tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "link")
    params = {"device": "tmpfs", "directory": str(tmp_path / "link"), "fstype": "tmpfs"}
    assert fs("start", params).rc == 0
    assert mounted_sources(str(real)) == ["tmpfs"]
    assert fs.probe(params).rc == 0 and fs("stop", params).rc == 0


def test_bind_ro_makes_the_bind_read_only_never_its_source(fs, loops, tmp_path):
    check_bind_ro(fs, loops("ext4"), str(tmp_path))


@isolated
def check_bind_ro(fs, device, root):
    source_fs, params = bind_of_mounted(device, root, "bind,ro")
    bind = params["directory"]
    assert fs("start", params).rc == 0
    assert fs.probe(params).rc == 0
    with pytest.raises(OSError):
        open(f"{bind}/x", "w").close()
    open(f"{source_fs}/exported/still-writable", "w").close()  # the source stays read-write
    assert fs.monitor(params, 20).rc == 0  # read-only by configuration: depth 20 only reads
    assert fs("stop", params).rc == 0 and mounted_sources(bind) == []
    assert mounted_sources(source_fs) == [device]


@pytest.mark.parametrize("fstype", ["tmpfs", "ext4"])
def test_depth_20_detects_a_read_only_remount(fs, loops, tmp_path, fstype):
    device = loops(fstype) if fstype != "tmpfs" else "tmpfs"
    check_read_only_remount(fs, device, str(tmp_path / "data"), fstype)


@isolated
def check_read_only_remount(fs, device, directory, fstype):
    params = {"device": device, "directory": directory, "fstype": fstype}
    assert fs("start", params).rc == 0
    mount("-o", "remount,ro", directory)
    deep = fs.monitor(params, 20)
    assert deep.rc == 1 and "read-only" in deep.exit_reason
    assert fs.monitor(params, 0).rc == 1
    assert fs.probe(params).rc == 0  # it is mounted: a probe says so


def test_a_read_write_mount_configured_ro_fails_the_monitor(fs, loops, tmp_path):
    check_rw_configured_ro(fs, loops("ext4"), str(tmp_path / "data"))


@isolated
def check_rw_configured_ro(fs, device, directory):
    params = {"device": device, "directory": directory, "fstype": "ext4", "options": "ro"}
    assert fs("start", params).rc == 0 and fs.monitor(params).rc == 0
    mount("-o", "remount,rw", directory)
    monitor = fs.monitor(params)
    assert monitor.rc == 1 and "read-write but configured ro" in monitor.exit_reason
    assert fs.probe(params).rc == 0  # it is mounted: a probe says so
    assert fs("stop", params).rc == 0


# --- codes and safety ------------------------------------------------------------------------
BAD_SETTINGS = {"fast_stop": "maybe", "run_fsck": "sometimes", "force_unmount": "bogus",
                "term_signals": "NOPE", "kill_signals": "-3", "signal_delay": "abc",
                "force_clones": "perhaps", "statusfile_prefix": "../escape"}


@isolated
def test_a_mounted_filesystem_is_found_and_stopped_whatever_else_is_invalid(fs, tmp_path):
    directory = str(tmp_path / "d")
    good = {"device": "tmpfs", "directory": directory, "fstype": "tmpfs"}
    assert fs("start", good).rc == 0
    for name, value in BAD_SETTINGS.items():
        bad = dict(good, **{name: value})
        assert (name, fs.probe(bad).rc, fs.monitor(bad, 20).rc) == (name, 0, 0)
        assert (name, fs("validate-all", bad).rc, fs("start", bad).rc) == (name, 6, 6)
    assert fs("stop", dict(good, **BAD_SETTINGS)).rc == 0 and mounted_sources(directory) == []


@isolated
def test_a_missing_device_probe_7_stop_0_start_5(fs, tmp_path):
    params = {"device": "/dev/ocfpy-no-such-disk", "directory": str(tmp_path / "no" / "parent"),
              "fstype": "ext4"}
    assert fs.probe(params).rc == 7
    assert fs("stop", params).rc == 0
    start = fs("start", params)
    assert start.rc == 5 and "ocfpy-no-such-disk" in start.exit_reason


@pytest.mark.parametrize("directory", ["/", "/etc", "/usr/", "/proc/sys", "/dev/shm"])
def test_system_directories_are_refused(fs, directory):
    params = {"device": "tmpfs", "directory": directory, "fstype": "tmpfs"}
    start = fs("start", params)
    assert start.rc == 6 and "system directory" in start.exit_reason
    assert fs("validate-all", params).rc == 6
    assert fs.probe(params).rc != 0  # "/" is always mounted: a probe must not claim it


@isolated
def test_another_device_on_the_directory_is_refused_by_start_and_left_by_stop(fs, tmp_path):
    directory = str(tmp_path / "d")
    os.mkdir(directory)
    mount("-t", "tmpfs", "other", directory)
    params = {"device": "tmpfs", "directory": directory, "fstype": "tmpfs"}
    start = fs("start", params)
    assert start.rc == 1 and "another filesystem" in start.exit_reason
    assert fs.probe(params).rc == 7
    assert fs.monitor(params).rc == 1
    assert fs("stop", params).rc == 0 and mounted_sources(directory) == ["other"]


@isolated
def test_covered_by_a_later_mount_probe_0_stop_fails_with_one_reason(fs, tmp_path):
    directory = str(tmp_path / "d")
    params = {"device": "tmpfs", "directory": directory, "fstype": "tmpfs"}
    assert fs("start", params).rc == 0
    mount("-t", "tmpfs", "over", directory)
    assert fs.probe(params).rc == 0
    monitor = fs.monitor(params)
    assert monitor.rc == 1 and "mounted over it: over (tmpfs" in monitor.exit_reason
    start = fs("start", params)
    assert start.rc == 1 and "another filesystem mounted: over (tmpfs" in start.exit_reason
    stop = fs("stop", params)
    # a long path loses its middle in the reason, so that its end is kept; stderr has it whole
    assert stop.rc == 1 and "over (tmpfs" in stop.exit_reason
    assert stop.exit_reason.rstrip("\n").endswith("unmount it first")
    assert f"mounted over {directory}: over (tmpfs".encode() in stop.stderr
    assert stop.stderr.count(b"ocf-exit-reason:") == 1


@isolated  # without the check, start runs `mount -t ext4 -a DIR`: every ext4 of fstab
def test_a_device_mount_would_take_for_options_is_refused(fs, tmp_path):
    directory = str(tmp_path / "d")
    for device in ("-a", "--make-rshared"):
        params = {"device": device, "directory": directory, "fstype": "ext4"}
        start = fs("start", params)
        assert (device, start.rc) == (device, 6) and "starts with '-'" in start.exit_reason
        assert fs("validate-all", params).rc == 6
    assert not os.path.exists(directory)


@isolated
def test_unsupported_type_and_missing_tools_start_5(fs, tmp_path):
    params = {"device": "/dev/null", "directory": str(tmp_path / "d"), "fstype": "zfs"}
    start = fs("start", params)
    assert start.rc == 5 and "zfs" in start.exit_reason
    nfs = {"device": "server:/export", "directory": str(tmp_path / "n"), "fstype": "nfs4"}
    assert fs("start", nfs).rc == 5


def test_labels_and_uuids_through_blkid(fs, loops, tmp_path):
    device = loops("ext4", label="ocfpytest")
    uuid = subprocess.run(["blkid", "-s", "UUID", "-o", "value", device], capture_output=True,
                          text=True, check=True).stdout.strip()
    check_spellings(fs, device, uuid, str(tmp_path / "data"))


@isolated
def check_spellings(fs, device, uuid, directory):
    link = directory + ".disk"
    os.symlink(device, link)
    for spelling in ("LABEL=ocfpytest", "-L ocfpytest", f"UUID={uuid}", f"--uuid={uuid}", link):
        params = {"device": spelling, "directory": directory, "fstype": "ext4"}
        assert (spelling, fs("start", params).rc) == (spelling, 0)
        assert mounted_sources(directory) == [device]
        assert fs.probe(params).rc == 0 and fs("stop", params).rc == 0


def test_fsck_policies(fs, loops, tmp_path):
    check_fsck(fs, loops("ext2"), loops("ext4"), str(tmp_path))


@isolated
def check_fsck(fs, broken_ext2, ext4, root):
    with open(broken_ext2, "r+b") as disk:  # the primary superblock, zeroed
        disk.seek(1024)
        disk.write(b"\0" * 1024)
    params = {"device": broken_ext2, "directory": f"{root}/e2", "fstype": "ext2"}
    auto = fs("start", params)
    assert auto.rc == 1 and "fsck" in auto.exit_reason
    never = fs("start", dict(params, run_fsck="no"))
    assert never.rc == 1 and "cannot mount" in never.exit_reason
    forced = {"device": ext4, "directory": f"{root}/e4", "fstype": "ext4", "run_fsck": "force"}
    assert fs("start", forced).rc == 0 and "running fsck" in fs.log_text()
    assert fs("stop", forced).rc == 0


def test_fsck_never_runs_on_a_filesystem_mounted_elsewhere(fs, loops, tmp_path):
    check_no_fsck_when_mounted(fs, loops("ext4"), str(tmp_path))


@isolated
def check_no_fsck_when_mounted(fs, device, root):
    os.mkdir(f"{root}/elsewhere")
    mount(device, f"{root}/elsewhere")
    params = {"device": device, "directory": f"{root}/data", "fstype": "ext4", "run_fsck": "force"}
    assert fs("start", params).rc == 0
    assert "not running fsck: the filesystem is mounted on" in fs.log_text()
    assert f"is also mounted on {root}/elsewhere, which stop unmounts too" in fs.log_text()
    assert fs("stop", params).rc == 0


def test_a_clone_of_a_local_filesystem_needs_force_clones(fs, loops, tmp_path):
    check_clones(fs, loops("ext4"), str(tmp_path / "data"))


@isolated
def check_clones(fs, device, directory):
    params = {"device": device, "directory": directory, "fstype": "ext4"}
    clone = {"clone": "0", "clone_max": "2", "clone_node_max": "1"}
    refused = fs("start", params, meta=clone)
    assert refused.rc == 6 and "cluster-aware" in refused.exit_reason
    assert fs("start", dict(params, force_clones="true"), meta=clone).rc == 0
    assert fs("stop", params, meta=clone).rc == 0


def test_start_5_when_fsck_is_needed_but_missing(fs, loops, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("mount", "blkid"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    check_missing_fsck(fs, loops("ext2"), str(tmp_path / "data"), str(bin_dir))


@isolated
def check_missing_fsck(fs, device, directory, path):
    params = {"device": device, "directory": directory, "fstype": "ext2"}
    start = fs("start", params, extra_env={"PATH": path})
    assert start.rc == 5 and "fsck" in start.exit_reason
    assert fs("start", dict(params, run_fsck="no"), extra_env={"PATH": path}).rc == 0
    assert fs("stop", params).rc == 0


def test_a_failed_mount_says_what_the_kernel_said_not_mounts_catch_all(fs, loops):
    short = tempfile.mkdtemp(prefix="fs-")  # the reason fits execd's 128 bytes with a short path
    try:
        check_failed_mount(fs, loops("ext4"), os.path.join(short, "d"))
    finally:
        shutil.rmtree(short, ignore_errors=True)


@isolated
def check_failed_mount(fs, device, directory):
    params = {"device": device, "directory": directory, "fstype": "ext4", "options": "bogus"}

    start = fs("start", params)

    assert start.rc == 1 and mounted_sources(directory) == []
    # util-linux 2.38 says "wrong fs type, bad option, bad superblock on ..., or other error"
    assert start.exit_reason == (f"cannot mount {device} on {directory}: the kernel said: "
                                 "ext4: Unknown parameter 'bogus' (mount exited with 32)")


def test_a_probe_and_a_depth_0_monitor_load_only_the_mount_table_modules(ocfpy_pythonpath,
                                                                         readable_agents, tmp_path):
    # no mount is made: the directory stays unmounted, so this needs no namespace
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ocfpy_pythonpath, "HA_RSCTMP": str(tmp_path),
           "PYTHONPROFILEIMPORTTIME": "1", "OCF_RESKEY_device": "/dev/ocfpy-no-such-disk",
           "OCF_RESKEY_directory": str(tmp_path / "d"), "OCF_RESKEY_fstype": "ext4"}
    probe = subprocess.run([f"{readable_agents}/Filesystem", "monitor"], env=env,
                           capture_output=True, text=True)
    imported = {line.split("|")[-1].strip() for line in probe.stderr.splitlines() if "import time:" in line}
    assert probe.returncode == 7
    assert {name for name in imported if name.startswith("ocfpy")} == {
        "ocfpy", "ocfpy.agent", "ocfpy.codes", "ocfpy.errors", "ocfpy.params", "ocfpy.context",
        "ocfpy.environment", "ocfpy.dispatch", "ocfpy.mounts", "ocfpy.mountspec"}
    assert not imported & {"enum", "signal", "subprocess", "ctypes", "select", "logging",
                           "__future__", "re", "typing"}

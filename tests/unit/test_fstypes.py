"""ocfpy.fstypes and the parameter rules of ocfpy.unmount and ocfpy.mountspec."""

from __future__ import annotations

import signal

import pytest

from ocfpy import fstypes
from ocfpy.errors import NotInstalled, OCFError
from ocfpy.mountspec import (
    check_delay, check_mount_point, check_option_spacing, check_signal_names,
    check_status_prefix, force_unmount_mode, mount_options, mounted_fstype,
)
from ocfpy.unmount import signal_numbers


def test_kernel_support_from_proc_filesystems_or_a_module_alias(tmp_path):
    proc, modules = tmp_path / "proc", tmp_path / "modules"
    proc.mkdir()
    (proc / "filesystems").write_text("nodev\ttmpfs\n\text4\nnodev\tfuse\n")
    release = __import__("os").uname().release
    (modules / release).mkdir(parents=True)
    (modules / release / "modules.alias").write_text("alias fs-xfs xfs\n")
    supports = lambda t: fstypes.kernel_supports(t, str(proc), str(modules))  # noqa: E731
    assert [supports(t) for t in ("ext4", "tmpfs", "fuse.bindfs", "xfs", "zfs")] == \
        [True, True, True, True, False]


def test_fsck_policy_is_resource_agents():
    assert fstypes.fsck_wanted("auto", "ext2", True) and fstypes.fsck_wanted("auto", "", True)
    assert not fstypes.fsck_wanted("auto", "ext4", True)
    assert fstypes.fsck_wanted("force", "xfs", True)
    assert not fstypes.fsck_wanted("force", "ext2", False)  # never on a non-block device
    assert not fstypes.fsck_wanted("no", "ext2", True)


def test_clones_of_local_types_need_force_clones():
    assert fstypes.clone_refusal("gfs2", [], False) is None
    assert "cluster-aware" in fstypes.clone_refusal("ext4", ["ro"], False)
    assert fstypes.clone_refusal("ext4", [], True) is None
    assert fstypes.clone_refusal("vfat", ["ro"], False) is None
    assert fstypes.clone_refusal("vfat", [], False)


def test_helpers_and_missing_tools():
    assert fstypes.mount_helpers("nfs4") == [("mount.nfs4",)]
    assert fstypes.mount_helpers("fuse.bindfs") == [("mount.fuse3", "mount.fuse"), ("bindfs",)]
    assert fstypes.mount_helpers("ext4") == []
    fstypes.require_tools([("sh",)])
    with pytest.raises(NotInstalled, match="no-such-tool-a or no-such-tool-b"):
        fstypes.require_tools([("no-such-tool-a", "no-such-tool-b")])


@pytest.mark.parametrize("path", ["/", "//", "/etc", "/usr/", "/proc/sys", "/dev/shm", "/var"])
def test_system_directories_are_no_mount_points(path):
    with pytest.raises(ValueError, match="system directory"):
        check_mount_point(path)


def test_other_directories_are_mount_points():
    for path in ("/srv/data", "/mnt", "/var/lib/pgsql", "/home", "/devices"):
        check_mount_point(path)


def test_force_unmount_words():
    assert [force_unmount_mode(w) for w in ("true", "YES", "safe", "false", "0", "", "safe,xargs")] == \
        ["true", "true", "safe", "false", "false", "false", "safe"]
    for bad in ("fasle", "true,move"):
        with pytest.raises(ValueError):
            force_unmount_mode(bad)


def test_signal_names_and_numbers():
    assert signal_numbers("TERM sigint 9 SIGHUP") == [signal.SIGTERM, signal.SIGINT, 9, signal.SIGHUP]
    assert signal_numbers("") == []
    for bad in ("NOPE", "0", "SIG_IGN", "-3", "999"):
        with pytest.raises(ValueError):
            signal_numbers(bad)


def test_parameter_shapes_a_probe_checks_without_loading_more():
    check_status_prefix(".Filesystem_status/")
    check_delay("0.5")
    check_signal_names("TERM sigint 9 SIG_X")  # the shape only: signal_numbers checks the rest
    for check, bad in ((check_status_prefix, "/abs"),
                       (check_status_prefix, "a/../b"), (check_status_prefix, "a\0b"),
                       (check_delay, "-1"), (check_delay, "3600"), (check_delay, "nan"),
                       (check_delay, "soon"), (check_signal_names, "TERM -9"),
                       (check_signal_names, "T\u00c9RM")):
        with pytest.raises(ValueError):
            check(bad)


@pytest.mark.parametrize("rc", [0, 1, 3])
def test_fsck_that_repaired_or_found_nothing_passes(fake_tool, rc):
    args = fake_tool("fsck", f"exit {rc}")
    fstypes.fsck("/dev/loop9", "ext2", 10.0)
    assert args.read_text() == "-t ext2 -p /dev/loop9\n"


def test_fsck_without_a_type_lets_fsck_detect_it(fake_tool):
    args = fake_tool("fsck", "exit 0")
    fstypes.fsck("/dev/loop9", "", 10.0)
    assert args.read_text() == "-p /dev/loop9\n"


def test_fsck_errors_left_or_no_answer_fail_with_one_reason(fake_tool):
    fake_tool("fsck", "exit 4")
    with pytest.raises(OCFError, match=r"fsck of /dev/loop9 found errors .*\(exit 4\); repair it by hand"):
        fstypes.fsck("/dev/loop9", "ext2", 10.0)
    fake_tool("fsck", "sleep 30")
    with pytest.raises(OCFError, match=r"^fsck of /dev/loop9: fsck gave no answer within 0.3 s"):
        fstypes.fsck("/dev/loop9", "ext2", 0.3)


@pytest.mark.parametrize("configured, mounted", [
    ("ext4", "ext4"), ("EXT4", "ext4"), (" tmpfs ", "tmpfs"), ("fuse.bindfs", "fuse.bindfs"),
    ("fuse.SSHFS", "fuse.SSHFS"), ("", ""),
])
def test_an_fstype_is_read_as_the_mount_table_spells_it(configured, mounted):
    assert mounted_fstype(configured) == mounted


@pytest.mark.parametrize("options, given", [
    ("ro", "ro"), (" ro", "ro"), ("ro, noatime", "ro,noatime"), ("ro,,noatime,", "ro,noatime"),
    ("", ""), ("username=John Doe,ro", "username=John Doe,ro"),
])
def test_mount_options_drop_the_white_space_and_empty_words_shells_drop(options, given):
    check_option_spacing(options)
    assert mount_options(options) == given


@pytest.mark.parametrize("options, hint", [
    ("noatime nodiratime", "(noatime,nodiratime)"),
    ("uid=0 gid=0", "(uid=0,gid=0)"),
    ("ro,user_xattr acl", "(user_xattr,acl)"),
])
def test_options_separated_by_spaces_are_refused_with_the_comma_spelling(options, hint):
    with pytest.raises(ValueError, match="mount options are separated by commas") as caught:
        check_option_spacing(options)
    assert hint in str(caught.value)

"""ocfpy.fstypes and the parameter rules of ocfpy.unmount and ocfpy.mountspec."""

from __future__ import annotations

import signal

import pytest

from ocfpy import fstypes
from ocfpy.errors import NotInstalled
from ocfpy.mountspec import check_mount_point, force_unmount_mode
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

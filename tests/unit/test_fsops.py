"""ocfpy.fsops: the mount point made only when absent; a bind made read-only only when it is not."""

from __future__ import annotations

import pytest

from ocfpy import fsops
from ocfpy.bounded import Outcome
from ocfpy.errors import NotInstalled, OCFError
from ocfpy.mounts import parse_line


def test_an_absent_mount_point_is_made_with_its_parents(tmp_path):
    directory = tmp_path / "a" / "b"
    fsops.make_mount_point(str(directory))
    assert directory.is_dir() and oct(directory.stat().st_mode & 0o777) == "0o755"
    fsops.make_mount_point(str(directory))  # present: left as it is


def test_a_mount_point_that_is_no_directory_or_cannot_be_made_is_not_installed(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(NotInstalled, match="is not a directory: it cannot be a mount point"):
        fsops.make_mount_point(str(tmp_path / "file"))
    with pytest.raises(NotInstalled, match="cannot create the mount point .*: Not a directory"):
        fsops.make_mount_point(str(tmp_path / "file" / "sub"))


def bind(options):
    return parse_line(f"40 27 7:0 /src /srv/a {options} - ext4 /dev/loop0 rw".encode())


def test_a_read_write_bind_is_remounted_read_only(fake_tool):
    args = fake_tool("mount", "exit 0")
    fsops.make_bind_read_only(bind("rw,relatime"), "/srv/a", 10.0)
    assert args.read_text() == "-o remount,bind,ro /srv/a\n"


def test_a_read_only_bind_or_none_is_left(fake_tool):
    args = fake_tool("mount", "exit 0")
    fsops.make_bind_read_only(bind("ro,relatime"), "/srv/a", 10.0)
    fsops.make_bind_read_only(None, "/srv/a", 10.0)
    assert not args.exists()


def test_a_remount_that_fails_says_why(fake_tool):
    fake_tool("mount", "echo refused; exit 32")
    with pytest.raises(OCFError, match="cannot make the bind on /srv/a read-only: "):
        fsops.make_bind_read_only(bind("rw"), "/srv/a", 10.0)


@pytest.mark.parametrize("output, reason", [
    ("mount: /srv/d: wrong fs type, bad option, bad superblock on /dev/sdb1, missing codepage "
     "or helper program, or other error.\n       dmesg(1) may have more information after failed "
     "mount system call.\n",
     "wrong fs type, bad option, bad superblock on /dev/sdb1, missing codepage or helper program, "
     "or other error (mount exited with 32)"),
    ("mount.nfs: access denied by server while mounting nas:/export\n",
     "mount.nfs: access denied by server while mounting nas:/export (mount exited with 32)"),
    ("mount: /srv/other: special device /dev/sdz does not exist.\n",
     "/srv/other: special device /dev/sdz does not exist (mount exited with 32)"),
])
def test_a_failed_mount_is_told_by_its_message_without_the_dmesg_hint(output, reason):
    outcome = Outcome(False, "mount exited with 32: dmesg(1) may ...", rc=32, output=output)

    assert fsops.mount_error(outcome, "/srv/d") == reason


@pytest.mark.parametrize("output, reason", [
    ("mount: /srv/d: wrong fs type, bad option, bad superblock on /dev/sdb1, missing codepage "
     "or helper program, or other error.\n", "the kernel said: ext4: Unknown parameter 'bogus' (mount exited with 32)"),
    ("mount: /srv/other: special device /dev/sdz does not exist.\n",  # mount's own words stand
     "/srv/other: special device /dev/sdz does not exist (mount exited with 32)"),
])
def test_what_the_kernel_said_replaces_only_mounts_catch_all_sentence(output, reason):
    outcome = Outcome(False, "mount exited with 32", rc=32, output=output)

    assert fsops.mount_error(outcome, "/srv/d", "ext4: Unknown parameter 'bogus'") == reason


@pytest.mark.parametrize("outcome", [
    Outcome(False, "mount gave no answer within 5.0 s", True, output="mount: /srv/d: partial"),
    Outcome(False, "cannot run mount: No such file or directory", rc=127),
])
def test_a_mount_that_said_nothing_or_hung_keeps_its_outcome(outcome):
    assert fsops.mount_error(outcome, "/srv/d") == outcome.error

"""ocfpy.fsops: the mount point made only when absent; a bind made read-only only when it is not."""

from __future__ import annotations

import pytest

from ocfpy import fsops
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

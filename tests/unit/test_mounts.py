"""ocfpy.mounts and ocfpy.mountspec: mountinfo parsed exactly, and "this device on this directory"."""

from __future__ import annotations

import os

import pytest

from ocfpy import mountspec
from ocfpy.mounts import (
    MountTable, is_within, normalize, parse_line, parse_mountinfo, read_mount_table, resolve,
    unescape,
)
from ocfpy.mountspec import (
    BIND, BLOCK, COVERED, FOREIGN, LABEL, LOOPFILE, MOUNTED, NETWORK, NOT_MOUNTED, UNKNOWN, UUID,
    VIRTUAL, Target, mount_command, mount_state, parse_device,
)

FIXTURE = b"""\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
40 27 7:0 / /srv/data rw,relatime shared:7 - ext4 /dev/loop0 rw
41 27 7:0 /exported /srv/export\\040share rw,relatime - ext4 /dev/loop0 rw
42 27 7:1 / /srv/a%b\\134c\\011d\\012e rw - xfs /dev/loop1 rw,attr2
43 27 0:50 / /srv/data2 rw - tmpfs tmpfs rw,size=1024k
44 40 7:2 / /srv/data rw - ext4 /dev/loop2 rw
45 40 0:51 / /srv/data/nested rw - tmpfs tmpfs rw
46 27 0:52 / /srv/nfs rw - nfs4 server:/export rw,vers=4.2
47 27 7:3 / /srv/ro ro,relatime - ext4 /dev/loop3 ro,errors=remount-ro
"""


def table() -> MountTable:
    return MountTable(parse_mountinfo(FIXTURE))


def test_octal_escapes_decode_to_the_path_the_kernel_has():
    assert unescape(b"a\\040b\\011c\\012d\\134e") == "a b\tc\nd\\e"
    assert unescape(b"100%\\1x\\") == "100%\\1x\\"  # not three octal digits: kept as written
    mount = table().top("/srv/a%b\\c\td\ne")
    assert mount is not None and mount.fstype == "xfs" and mount.device == (7, 1)


def test_every_field_of_a_line():
    mount = parse_line(b"41 27 7:0 /exported /srv/export\\040share rw,relatime - ext4 /dev/loop0 rw")
    assert (mount.mount_id, mount.parent_id, mount.device) == (41, 27, (7, 0))
    assert (mount.root, mount.mount_point, mount.source) == ("/exported", "/srv/export share", "/dev/loop0")
    assert (mount.mount_options, mount.super_options, mount.fstype) == ("rw,relatime", "rw", "ext4")
    assert parse_line(b"garbage line") is None


def test_optional_fields_of_any_number_are_skipped():
    mount = parse_line(b"40 27 7:0 / /x rw shared:7 master:2 propagate_from:3 - ext4 /dev/loop0 rw")
    assert (mount.fstype, mount.source) == ("ext4", "/dev/loop0")


def test_stacked_mounts_the_last_one_counts():
    mounts = table()
    assert [m.device for m in mounts.stack("/srv/data")] == [(7, 0), (7, 2)]
    assert mounts.top("/srv/data").device == (7, 2)


def test_stack_follows_parents_not_file_order():
    text = (b"27 1 254:1 / / rw - ext4 /dev/vda1 rw\n"
            b"60 50 7:2 / /x rw - ext4 /dev/loop2 rw\n"
            b"50 27 7:0 / /x rw - ext4 /dev/loop0 rw\n")
    assert MountTable(parse_mountinfo(text)).top("/x").device == (7, 2)


def test_below_lists_nested_mounts_deepest_first_and_never_a_prefix_sibling():
    nested = [m.mount_point for m in table().below("/srv/data")]
    assert nested == ["/srv/data/nested"]
    assert "/srv/data2" not in nested


def test_component_wise_containment():
    assert is_within("/srv/data/x", "/srv/data") and is_within("/srv/data", "/srv/data")
    assert not is_within("/srv/data2", "/srv/data")
    assert is_within("/anything", "/")


def test_normalize_strips_repeated_and_trailing_slashes():
    assert normalize("/srv//data///") == "/srv/data"
    assert normalize("/") == "/"
    with pytest.raises(ValueError):
        normalize("srv/data")


def test_resolve_follows_links_with_readlink_only(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to("real")
    (tmp_path / "abs").symlink_to(tmp_path / "link")
    assert resolve(str(tmp_path / "abs") + "/") == str(tmp_path / "real")
    assert resolve(str(tmp_path / "real" / ".." / "link" / "missing" / "x")) == \
        str(tmp_path / "real" / "missing" / "x")
    (tmp_path / "loop").symlink_to("loop")
    with pytest.raises(ValueError, match="symbolic links"):
        resolve(str(tmp_path / "loop"))


def test_resolve_never_stats(tmp_path):
    calls = []

    def readlink(path):
        calls.append(path)
        raise OSError(22, "Invalid argument")

    assert resolve("/a/b/c", readlink=readlink) == "/a/b/c"
    assert calls == ["/a", "/a/b", "/a/b/c"]


def test_the_real_table_has_the_root_mount():
    assert read_mount_table().containing("/proc/self") is not None


# --- device forms ----------------------------------------------------------------------------
@pytest.mark.parametrize("device, kind, value", [
    ("-U 1234-abcd", UUID, "1234-abcd"), ("--uuid=1234", UUID, "1234"), ("UUID=1234", UUID, "1234"),
    ("-L data", LABEL, "data"), ("--label=data", LABEL, "data"), ("LABEL=data", LABEL, "data"),
    ("/dev//sdb1", BLOCK, "/dev/sdb1"), ("server:/export/", NETWORK, "server:/export"),
    ("//server/share", NETWORK, "//server/share"),
])
def test_device_forms(device, kind, value):
    spec = parse_device(device, "ext4")
    assert (spec.kind, spec.value) == (kind, value)


def test_device_forms_that_depend_on_type_and_options():
    assert parse_device("tmpfs", "tmpfs").kind == VIRTUAL
    assert parse_device("/srv/src/", "none", "bind,ro").kind == BIND
    assert parse_device("/images/disk.img", "ext4", "loop").kind == LOOPFILE
    assert parse_device("/src", "fuse.bindfs").kind == NETWORK


@pytest.mark.parametrize("device", [" /dev/sdb1", "LABEL=", "UUID=a/b", "sdb1"])
def test_bad_devices_are_refused_with_a_reason(device):
    with pytest.raises(ValueError):
        parse_device(device, "")


@pytest.mark.parametrize("fstype", ["ext4", "tmpfs", "nfs4", ""])
@pytest.mark.parametrize("device", ["-a", "--make-rshared", "-oremount,ro", "-a:/x", "--all"])
def test_a_device_mount_would_read_as_options_is_refused(device, fstype):
    with pytest.raises(ValueError, match="starts with '-'"):
        parse_device(device, fstype)


def test_mount_source_arguments():
    assert parse_device("UUID=12", "ext4").mount_source() == ["-U", "12"]
    assert parse_device("/dev/sdb1", "ext4").mount_source() == ["/dev/sdb1"]


def test_mount_command_lines():
    assert mount_command(parse_device("UUID=12", "ext4"), "ext4", "noatime", "/srv/a") == \
        ["mount", "-t", "ext4", "-o", "noatime", "-U", "12", "/srv/a"]
    assert mount_command(parse_device("/srv/src", "none", "bind"), "none", "bind", "/srv/a") == \
        ["mount", "-o", "bind", "/srv/src", "/srv/a"]  # no -t for a bind
    assert mount_command(parse_device("/dev/sdb1"), "", "", "/srv/a") == ["mount", "/dev/sdb1", "/srv/a"]


# --- mounted = this device on this directory -------------------------------------------------
def block(number, path="/dev/loopX"):
    return Target(parse_device(path, "ext4"), number, path)


def test_mounted_means_this_device_on_this_directory():
    mounts = table()
    assert mount_state(mounts, "/srv/data", block((7, 2)), "ext4")[0] == MOUNTED
    assert mount_state(mounts, "/srv/data", block((7, 0)), "ext4")[0] == COVERED
    assert mount_state(mounts, "/srv/data", block((7, 9)), "ext4")[0] == FOREIGN
    assert mount_state(mounts, "/srv/none", block((7, 2)), "ext4")[0] == NOT_MOUNTED
    assert mount_state(mounts, "/srv/data/", block((7, 2)), "ext4")[0] == NOT_MOUNTED  # callers normalize


def test_a_filesystem_on_an_anonymous_device_number_is_found_by_its_source_node(monkeypatch):
    """btrfs shows 0:N in mountinfo, not its block device's major:minor."""
    nodes = {"/dev/sdb1": (8, 17)}
    monkeypatch.setattr(mountspec, "_block_number", lambda path: nodes.get(path, "absent"))
    lines = (b"50 27 0:62 / /srv/b rw - btrfs /dev/sdb1 rw,subvol=/\n"
             b"51 27 0:63 / /srv/t rw - tmpfs /dev/sdb1 rw\n")
    mounts = MountTable(parse_mountinfo(FIXTURE + lines))
    assert mount_state(mounts, "/srv/b", block((8, 17), "/dev/sdb1"), "btrfs")[0] == MOUNTED
    assert mount_state(mounts, "/srv/b", block((8, 18), "/dev/sdb2"), "btrfs")[0] == FOREIGN
    assert mount_state(mounts, "/srv/t", block((8, 17), "/dev/sdb1"), "")[0] == FOREIGN  # any text


def test_a_device_that_cannot_be_found_compares_by_source_or_is_unknown():
    missing = Target(parse_device("/dev/loop3", "ext4"), None, "/dev/loop3", "missing")
    assert mount_state(table(), "/srv/ro", missing, "ext4")[0] == MOUNTED
    other = Target(parse_device("/dev/sdz", "ext4"), None, "/dev/sdz", "missing")
    assert mount_state(table(), "/srv/ro", other, "ext4")[0] == UNKNOWN
    assert mount_state(table(), "/srv/data2", other, "ext4")[0] == FOREIGN  # tmpfs is never a disk


def test_a_bind_is_its_source_directory_on_its_source_filesystem():
    source = Target(parse_device("/srv/data/exported", "none", "bind"), None, "/srv/data/exported")
    mounts = MountTable(parse_mountinfo(FIXTURE.replace(b"44 40 7:2 / /srv/data rw - ext4 /dev/loop2 rw\n", b"")))
    assert mount_state(mounts, "/srv/export share", source, "none")[0] == MOUNTED
    elsewhere = Target(parse_device("/srv/data/private", "none", "bind"), None, "/srv/data/private")
    assert mount_state(mounts, "/srv/export share", elsewhere, "none")[0] == FOREIGN


def test_virtual_and_network_sources_compare_as_text():
    tmpfs = mountspec.locate(parse_device("tmpfs", "tmpfs"))
    assert mount_state(table(), "/srv/data2", tmpfs, "tmpfs")[0] == MOUNTED
    nfs = mountspec.locate(parse_device("server:/export/", "nfs4"))
    assert mount_state(table(), "/srv/nfs", nfs, "nfs4")[0] == MOUNTED


def test_read_only_is_the_mount_or_the_superblock():
    assert table().top("/srv/ro").read_only
    assert not table().top("/srv/data").read_only
    assert parse_line(b"1 1 7:0 / /x rw - ext4 /dev/loop0 ro").read_only


def test_locate_a_block_device_and_a_missing_label(tmp_path):
    null = mountspec.locate(parse_device("/dev/null", "ext4"))
    assert not null.found and "not a block device" in null.error
    label = mountspec.locate(parse_device("LABEL=no-such-label-here", "ext4"), lambda kind, value: None)
    assert not label.found and "label" in label.error
    looked_up = []
    mountspec.locate(parse_device("UUID=feed", "ext4"), lambda *a: looked_up.append(a))
    assert looked_up == [("uuid", "feed")] or os.path.exists("/dev/disk/by-uuid/feed")

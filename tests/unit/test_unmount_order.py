"""ocfpy.unmount.unmount_order: what a stop unmounts, deepest first, and what it refuses."""

from __future__ import annotations

import pytest

from ocfpy.errors import OCFError
from ocfpy.mounts import MountTable, parse_mountinfo
from ocfpy.unmount import unmount_order

TABLE = b"""\
27 1 254:1 / / rw - ext4 /dev/vda1 rw
60 27 7:5 / /srv/a rw - ext4 /dev/loop5 rw
61 60 0:60 / /srv/a/sub rw - tmpfs tmpfs rw
62 27 7:5 /dir /srv/b rw - ext4 /dev/loop5 rw
63 27 7:5 / /tmp rw - ext4 /dev/loop5 rw
64 27 7:6 / /srv/c rw - ext4 /dev/loop6 rw
65 64 7:6 /x /srv/c/bind rw - ext4 /dev/loop6 rw
66 27 0:61 / /srv/c/bind rw - tmpfs tmpfs rw
"""


def points(mounts):
    return [mount.mount_point for mount in mounts]


def test_the_directory_and_what_is_under_it_deepest_first():
    table = MountTable(parse_mountinfo(TABLE))
    assert points(unmount_order(table, table.top("/srv/a"))) == ["/srv/a/sub", "/srv/a"]


def test_the_whole_device_adds_its_other_mounts_but_never_a_system_directory():
    table = MountTable(parse_mountinfo(TABLE))
    assert points(unmount_order(table, table.top("/srv/a"), whole_device=True)) == \
        ["/srv/a/sub", "/srv/b", "/srv/a"]  # /tmp is a system directory: a wrong disk, left


def test_a_mount_of_the_device_hidden_under_another_is_refused():
    table = MountTable(parse_mountinfo(TABLE))
    with pytest.raises(OCFError, match="also mounted on /srv/c/bind, under another mount"):
        unmount_order(table, table.top("/srv/c"), whole_device=True)

"""ocfpy.kmsg: the kernel's words about a failed mount, picked from its log's records."""

from __future__ import annotations

import pytest

from ocfpy.kmsg import KernelLog, about_mount, record_text


def test_a_record_is_its_text_without_header_or_dictionary():
    record = b"3,1234,30773489431,-;EXT4-fs (loop0): VFS: Can't find ext4 filesystem\n SUBSYSTEM=block\n"

    assert record_text(record) == "EXT4-fs (loop0): VFS: Can't find ext4 filesystem"


LOGGED = [
    "loop0: detected capacity change from 0 to 131072",
    "ext4: Unknown parameter 'bogus'",
    "veth0: left promiscuous mode",
]


@pytest.mark.parametrize("messages, fstype, device, said", [
    (LOGGED, "ext4", "/dev/loop0", "ext4: Unknown parameter 'bogus'"),
    (["EXT4-fs (loop3): VFS: Can't find ext4 filesystem"], "ext4", "/dev/loop3",
     "EXT4-fs (loop3): VFS: Can't find ext4 filesystem"),
    (["XFS (loop1): Invalid superblock magic number"], "", "/dev/loop1",  # found by the device
     "XFS (loop1): Invalid superblock magic number"),
    (["xfs: Unknown parameter 'x'"], "xfs", "/srv/image.xfs", "xfs: Unknown parameter 'x'"),
    (LOGGED, "xfs", "/dev/loop5", None),  # another filesystem's words are not this mount's
    (["ext4: Unknown parameter 'bogus'"], "ext", "/dev/sdb1", None),  # ext is not ext4
    (["loop0: detected capacity change"], "", "/dev/loop0", None),  # names it, not in ( )
    ([], "ext4", "/dev/loop0", None),
])
def test_the_last_message_naming_the_type_or_the_device_is_the_mounts(messages, fstype, device, said):
    assert about_mount(messages, fstype, device) == said


def test_a_log_that_cannot_be_read_has_nothing_to_say(tmp_path):
    assert KernelLog(str(tmp_path / "no-kmsg")).since() == []


def test_a_log_read_to_its_end_stops_there(tmp_path):
    log = tmp_path / "log"
    log.write_bytes(b"6,1,1,-;before\n")
    kernel_log = KernelLog(str(log))  # a file: a read at its end returns nothing, as EAGAIN does

    assert kernel_log.since() == [] and kernel_log.since() == []

"""ocf:ocfpy:Filesystem's stop with a directory or a device it cannot use (an admin's relative
path or typo): nothing to stop when the device is mounted nowhere on the node, or nothing is
mounted on the directory; a failure (to be fenced) only when what is mounted may be it.

A resource created so, or probed again after `pcs resource update` and `pcs resource cleanup`,
is probed 6 on every node, and Pacemaker then stops it there with the same parameters: a stop
that failed would fence a node that runs nothing.
Each body that mounts runs in its own PID and mount namespaces (tests/isolation.py).
"""

from __future__ import annotations

import os

import pytest
from filesystem_support import MARKS, fs, loops, mount, mounted_sources  # noqa: F401 (fixtures)
from isolation import isolated

pytestmark = MARKS


@pytest.mark.parametrize("directory", ["mnt-e", "data/", "/"])
def test_a_stop_with_an_unusable_directory_succeeds_when_the_device_is_mounted_nowhere(
        fs, loops, directory):
    params = {"device": loops("ext4"), "directory": directory, "fstype": "ext4"}

    probe = fs.probe(params)
    stop = fs("stop", params)

    assert probe.rc == 6  # the state is not known from the directory: the admin is told
    assert (stop.rc, stop.exit_reason) == (0, None), stop.exit_reason
    assert "nothing to stop" in fs.log_text()


def test_a_stop_with_an_unusable_directory_fails_while_the_device_is_mounted(fs, loops, tmp_path):
    check_mounted_device_is_not_declared_stopped(fs, loops("ext4"), str(tmp_path / "data"))


@isolated
def check_mounted_device_is_not_declared_stopped(fs, device, directory):
    os.makedirs(directory)
    mount("-t", "ext4", device, directory)
    params = {"device": device, "directory": "data", "fstype": "ext4"}

    stop = fs("stop", params)

    assert stop.rc == 1
    assert stop.exit_reason == ("cannot stop: directory: 'data' is not an absolute path "
                                "(needed to find the resource)")
    assert mounted_sources(directory) == [device]  # left as it was: no guess at the mount point


@pytest.mark.parametrize("device", ["UUID=", "-L", "LABEL=a/b"])
def test_a_stop_with_an_unreadable_device_succeeds_when_nothing_is_mounted_on_the_directory(
        fs, tmp_path, device):
    params = {"device": device, "directory": str(tmp_path / "data"), "fstype": "ext4"}

    start = fs("start", params)
    stop = fs("stop", params)

    assert start.rc == 6  # refused, with the reason, before anything is made
    assert (stop.rc, stop.exit_reason) == (0, None), stop.exit_reason
    assert "the filesystem is not mounted here: nothing to stop" in fs.log_text()


def test_a_stop_with_an_unreadable_device_fails_while_something_is_mounted_there(fs, tmp_path):
    check_unreadable_device_over_a_mount(fs, str(tmp_path / "data"))


@isolated
def check_unreadable_device_over_a_mount(fs, directory):
    os.makedirs(directory)
    mount("-t", "tmpfs", "somefs", directory)
    params = {"device": "UUID=", "directory": directory, "fstype": "ext4"}

    stop = fs("stop", params)

    assert (stop.rc, stop.exit_reason) == (1, "device 'UUID=': UUID= names no uuid")
    assert mounted_sources(directory) == ["somefs"]

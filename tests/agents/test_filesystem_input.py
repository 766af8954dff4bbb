"""ocf:ocfpy:Filesystem given what admins really type: each mistake gets its code and one reason
before anything is mounted, and what the shell agent forgives (" ro") works here too.

Every body that could mount runs in its own PID and mount namespaces (tests/isolation.py).
"""

from __future__ import annotations

import os

import pytest
from filesystem_support import MARKS, fs, loops, mounted_sources  # noqa: F401 (fixtures)
from isolation import isolated

from ocfpy.mounts import read_mount_table

pytestmark = MARKS


def one_reason(result) -> str:
    assert result.stderr.count(b"ocf-exit-reason:") == 1 and b"Traceback" not in result.stderr
    return result.exit_reason


@pytest.mark.parametrize("options, hint", [
    ("noatime nodiratime", "'noatime nodiratime': mount options are separated by commas (noatime,nodiratime)"),
    ("ro,noatime uid=0", "'noatime uid=0': mount options are separated by commas (noatime,uid=0)"),
    ("uid=0 gid=0", "'uid=0 gid=0': mount options are separated by commas (uid=0,gid=0)"),
])
def test_options_separated_by_spaces_are_a_configuration_error(fs, loops, tmp_path, options, hint):
    params = {"device": loops("ext4"), "directory": str(tmp_path / "data"), "fstype": "ext4",
              "options": options}

    validate = fs("validate-all", params)
    start = fs("start", params)

    assert (validate.rc, start.rc) == (6, 6)  # mount would take them for one unknown option
    assert f"options: {hint}, not spaces" in one_reason(start)
    assert not os.path.exists(tmp_path / "data")  # refused before anything was made


def test_a_value_holding_a_space_is_left_to_mount(fs, tmp_path):
    params = {"device": "//server/share", "directory": str(tmp_path / "data"), "fstype": "cifs",
              "options": "ro,username=John Doe"}

    assert fs("validate-all", params).rc == 0


@pytest.mark.parametrize("options", [" ro", "ro, noatime", "ro,noatime,"])
def test_white_space_around_the_options_is_dropped_as_the_shell_agent_drops_it(fs, loops, tmp_path, options):
    check_options_mounted(fs, loops("ext4"), str(tmp_path / "data"), options)


@isolated
def check_options_mounted(fs, device, directory, options):
    params = {"device": device, "directory": directory, "fstype": "ext4", "options": options}

    start = fs("start", params)
    mounted = read_mount_table().stack(directory)
    depth_20 = fs.monitor(params, 20)
    stop = fs("stop", params)

    assert start.rc == 0, start.exit_reason
    assert len(mounted) == 1 and mounted[0].read_only
    assert depth_20.rc == 0  # configured ro: only read, and read-only as configured
    assert stop.rc == 0 and mounted_sources(directory) == []


@isolated
def test_an_upper_case_type_is_a_configuration_error_that_names_the_type(fs, tmp_path):
    params = {"device": "/dev/ocfpy-no-such-disk", "directory": str(tmp_path / "data"), "fstype": "EXT4"}

    start = fs("start", params)

    assert start.rc == 6  # not 5: nothing is missing from the node, the name is wrong
    assert one_reason(start) == "fstype EXT4: filesystem types are lower case: ext4"


def test_validate_all_from_check_level_10_finds_what_start_would_refuse(fs, tmp_path):
    regular_file = tmp_path / "a-file"
    regular_file.write_text("not a mount point\n")
    file_point = {"device": "tmpfs", "directory": str(regular_file), "fstype": "tmpfs"}
    no_disk = {"device": "UUID=00000000-ocfpy-no-such-uuid", "directory": str(tmp_path / "d"),
               "fstype": "ext4"}

    results = [fs("validate-all", params, check_level=level) for params in (file_point, no_disk)
               for level in (0, 10)]

    assert [result.rc for result in results] == [0, 5, 0, 5]
    assert one_reason(results[1]) == f"{regular_file} is not a directory: it cannot be a mount point"
    assert one_reason(results[3]) == "cannot find the device: no device has uuid 00000000-ocfpy-no-such-uuid"
    assert regular_file.read_text() == "not a mount point\n"


@pytest.mark.parametrize("name, value, reason", [
    ("device", "tmpfs ", "device 'tmpfs ': has leading or trailing white space"),
    ("fstype", "tmpfs ", "fstype 'tmpfs ': has leading or trailing white space"),
    ("fstype", "TMPFS", "fstype TMPFS: filesystem types are lower case: tmpfs"),
])
def test_a_mistyped_device_or_type_is_refused_by_start_but_never_fails_a_probe_or_stop(
        fs, tmp_path, name, value, reason):
    check_mistyped(fs, str(tmp_path / "data"), {name: value}, reason)


@isolated
def check_mistyped(fs, directory, mistake, reason):
    good = {"device": "tmpfs", "directory": directory, "fstype": "tmpfs"}
    bad = dict(good, **mistake)  # e.g. pasted into pcs resource update
    assert fs("start", good).rc == 0

    start, validate = fs("start", bad), fs("validate-all", bad, check_level=10)
    probe, monitor, stop = fs.probe(bad), fs.monitor(bad), fs("stop", bad)

    assert (probe.rc, monitor.rc) == (0, 0)  # it is mounted: 6 or 7 would have Pacemaker stop it...
    assert stop.rc == 0 and mounted_sources(directory) == []  # ...and a failed stop fence the node
    assert (start.rc, validate.rc) == (6, 6)
    assert one_reason(start) == reason

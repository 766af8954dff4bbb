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
from ocfpy.params import show_value

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


@pytest.mark.parametrize("params, reason", [
    ({"device": "tmpfs", "directory": "{file}", "fstype": "tmpfs"},
     "{file} is not a directory: it cannot be a mount point"),
    ({"device": "UUID=00000000-ocfpy-no-such-uuid", "directory": "{tmp}/d", "fstype": "ext4"},
     "cannot find the device: no device has uuid 00000000-ocfpy-no-such-uuid"),
    ({"device": "{tmp}/no-source", "directory": "{tmp}/d", "fstype": "none", "options": "bind"},
     "the bind source {tmp}/no-source does not exist"),
    # short paths: the hint comes last, and Pacemaker keeps 128 bytes (both are only looked at)
    ({"device": "/usr", "directory": "{tmp}/d", "fstype": "ext4"},
     "cannot find the device: /usr is not a block device (a directory: options=bind mounts one)"),
    ({"device": "/etc/passwd", "directory": "{tmp}/d", "fstype": "ext4"},
     "cannot find the device: /etc/passwd is not a block device (a file: options=loop mounts an image)"),
], ids=["file-as-mount-point", "no-such-uuid", "no-bind-source", "directory-as-device", "image-as-device"])
def test_validate_all_from_check_level_10_finds_what_start_would_refuse(fs, tmp_path, params, reason):
    regular_file = tmp_path / "a-file"
    regular_file.write_text("not a mount point\n")
    params = {name: value.replace("{file}", str(regular_file)).replace("{tmp}", str(tmp_path))
              for name, value in params.items()}

    configuration, node = fs("validate-all", params), fs("validate-all", params, check_level=10)

    assert (configuration.rc, node.rc) == (0, 5)
    assert one_reason(node) == reason.replace("{file}", str(regular_file)).replace("{tmp}", str(tmp_path))
    assert regular_file.read_text() == "not a mount point\n" and not os.path.exists(tmp_path / "d")


@pytest.mark.parametrize("name, value, reason", [
    ("device", "tmpfs ", "device: 'tmpfs ' has white space after it"),
    ("fstype", " tmpfs", "fstype: ' tmpfs' has white space before it"),
    ("fstype", "TMPFS", "fstype TMPFS: filesystem types are lower case: tmpfs"),
])
def test_a_mistyped_device_or_type_is_refused_by_start_but_never_fails_a_probe_or_stop(
        fs, tmp_path, name, value, reason):
    check_mistyped(fs, str(tmp_path / "data"), {name: value}, reason)


def test_a_mount_point_pasted_with_a_space_is_refused_by_start_but_found_by_probe_and_stop(fs, tmp_path):
    directory = str(tmp_path / "data")  # before, the probe said 7 and start mounted it again on "data "
    check_mistyped(fs, directory, {"directory": directory + " "},
                   f"directory: {show_value(directory + ' ')} has white space after it")
    assert not os.path.exists(directory + " ")


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

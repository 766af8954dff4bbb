"""ocf:ocfpy:Filesystem on the real cluster: a group fails over with its data, never mounted twice.

Both nodes see one loop device (the host's /dev) holding ext4. A group of Filesystem and
Dummy runs on one node; that node is killed; both start on the other with the data written
before intact, and the mount tables of both nodes, read throughout, never show the
filesystem on two nodes at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

import pytest

from harness.lab import cluster, node
from harness.lab.scenario import SLACK, pcs
from lab_agents import DUMMY
from ocfpy.mounts import parse_mountinfo

LAB_TAG = "fs"
pytestmark = pytest.mark.needs_root
FILESYSTEM = "ocf:ocfpy:Filesystem"
PAYLOAD = "written before the failover\n"


@pytest.fixture(scope="module")
def disk():
    """An ext4 loop device and a mount point on the host, both visible in the nodes."""
    work = tempfile.mkdtemp(prefix="ocfpyfs-", dir="/var/tmp")
    os.chmod(work, 0o755)
    image, directory = os.path.join(work, "shared.img"), os.path.join(work, "mnt")
    os.mkdir(directory)
    with open(image, "wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    device = subprocess.run(["losetup", "-f", "--show", image], check=True, capture_output=True,
                            text=True).stdout.strip()
    try:
        subprocess.run(["mkfs.ext4", "-q", "-F", device], check=True, capture_output=True)
        yield {"device": device, "directory": directory}
    finally:
        subprocess.run(["losetup", "-d", device], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def group(disk, lab_up):
    """fsgroup = shared_fs (Filesystem) then shared_dummy (Dummy), Started on one node."""
    config, where = lab_up, lab_up.nodes[0]
    pcs(config, where, "resource", "create", "shared_fs", FILESYSTEM, f"device={disk['device']}",
        f"directory={disk['directory']}", "fstype=ext4", "op", "monitor", "interval=5s",
        "--group", "fsgroup")
    pcs(config, where, "resource", "create", "shared_dummy", DUMMY, "op", "monitor", "interval=5s",
        "--group", "fsgroup")
    view, _ = cluster.wait_for(config, where, both_started_on_one_node, SLACK, "fsgroup Started")
    return {"config": config, "home": view.started_on("shared_fs"), **disk}


def both_started_on_one_node(view) -> bool:
    home = view.started_on("shared_fs")
    return home is not None and view.started_on("shared_dummy") == home


def nodes_mounting(config, device: str, directory: str) -> set:
    """The nodes whose mount table has the device on the directory (nodes that are down: none)."""
    major_minor = os.stat(device).st_rdev
    found = set()
    for name in config.nodes:
        if not node.is_up(config, name):
            continue
        proc = node.run(config, name, ["cat", "/proc/self/mountinfo"], timeout=30)
        if proc.returncode != 0:
            continue
        for mount in parse_mountinfo(proc.stdout.encode("utf-8", "surrogateescape")):
            if mount.mount_point == directory and mount.dev_t == major_minor:
                found.add(name)
    return found


def test_the_group_runs_on_one_node_with_the_filesystem_mounted_there_only(group):
    config = group["config"]
    assert nodes_mounting(config, group["device"], group["directory"]) == {group["home"]}


def test_after_a_node_kill_both_start_on_the_other_with_the_data_never_mounted_twice(group):
    config, home, directory = group["config"], group["home"], group["directory"]
    survivor = next(name for name in config.nodes if name != home)
    write = ("import os, sys; f = open(sys.argv[1], 'w'); f.write(sys.argv[2]); f.flush(); "
             "os.fsync(f.fileno())")
    node.run(config, home, ["python3", "-c", write, f"{directory}/data", PAYLOAD], check=True)

    node.kill(config, home)
    seen, until = [], time.monotonic() + SLACK
    while True:
        seen.append(nodes_mounting(config, group["device"], directory))
        view = cluster.view(config, survivor)
        if both_started_on_one_node(view) and view.started_on("shared_fs") == survivor:
            break
        assert time.monotonic() < until, f"fsgroup never started on {survivor}: {view.summary()}"
        time.sleep(0.2)
    seen.append(nodes_mounting(config, group["device"], directory))

    assert all(len(nodes) <= 1 for nodes in seen), seen
    assert seen[-1] == {survivor}
    read = node.run(config, survivor, ["cat", f"{directory}/data"], check=True)
    assert read.stdout == PAYLOAD

"""What an admin does to running ocfpy resources, on the real cluster: `pcs resource update` of a
Daemon's health check reloads it (the server keeps its pid), and `pcs resource move` of a
Filesystem group whose mount a SIGSTOPped process holds ends long before SIGKILL would be due.

The steps run in file order on one lab.
"""

from __future__ import annotations

import time

import pytest

from harness.lab import cluster, node
from harness.lab.scenario import SLACK, pcs
from test_filesystem_failover import disk  # noqa: F401 (a fixture: an ext4 loop device)

LAB_TAG = "ht"
pytestmark = pytest.mark.needs_root
PORT = 8093
IDENTITY = "/run/resource-agents/Daemon-{}.identity"
STOP_TIMEOUT = 60  # Filesystem's default stop timeout: SIGKILL comes after half of it


def daemon_pid(config, where: str, resource: str) -> int:
    text = node.run(config, where, ["cat", IDENTITY.format(resource)], check=True).stdout
    return int(dict(line.split("=", 1) for line in text.splitlines())["pid"])


def test_updating_a_health_check_reloads_the_daemon_without_restarting_it(lab_up):
    config, where = lab_up, lab_up.nodes[0]
    pcs(config, where, "resource", "create", "web", "ocf:ocfpy:Daemon", "binfile=/usr/bin/python3",
        f"cmdline_options=-m http.server --bind 127.0.0.1 {PORT}", "workdir=/tmp",
        f"health_url=http://127.0.0.1:{PORT}/", "health_timeout=2",
        "op", "monitor", "interval=5s", "OCF_CHECK_LEVEL=10")
    view, _ = cluster.wait_for(config, where, lambda v: v.started_on("web"), SLACK, "web Started")
    home = view.started_on("web")
    before = daemon_pid(config, home, "web")

    pcs(config, where, "resource", "update", "web", "health_timeout=5", "health_status=200-299",
        "--wait=60")

    view = cluster.view(config, where)
    assert view.started_on("web") == home and view.failures == []
    assert daemon_pid(config, home, "web") == before
    log = node.run(config, home, ["cat", "/var/log/pacemaker/pacemaker.log"], check=True).stdout
    assert "Result of reload-agent operation for web on " + home + ": ok" in log
    pcs(config, where, "resource", "delete", "web")


def test_moving_a_group_whose_mount_a_stopped_process_holds_does_not_wait_for_sigkill(lab_up, disk):
    config, where = lab_up, lab_up.nodes[0]
    directory = disk["directory"]
    pcs(config, where, "resource", "create", "shared_fs", "ocf:ocfpy:Filesystem",
        f"device={disk['device']}", f"directory={directory}", "fstype=ext4",
        "op", "monitor", "interval=5s", "--group", "held")
    pcs(config, where, "resource", "create", "held_sleep", "ocf:ocfpy:Daemon", "binfile=sleep",
        "cmdline_options=600", f"workdir={directory}", "--group", "held")
    view, _ = cluster.wait_for(config, where, lambda v: v.started_on("held_sleep"), SLACK,
                               "held Started")
    home = view.started_on("shared_fs")
    other = next(name for name in config.nodes if name != home)
    node.run(config, home, ["sh", "-c", f"echo kept > {directory}/data && sync"], check=True)
    # a job suspended with Ctrl-Z in the mount: SIGTERM reaches it only once it is continued
    frozen = node.run(config, home, ["sh", "-c", f"cd {directory} && setsid sleep 3600 "
                                     "</dev/null >/dev/null 2>&1 & echo $!"], check=True)
    pid = frozen.stdout.strip()
    node.run(config, home, ["kill", "-STOP", pid], check=True)

    began = time.monotonic()
    pcs(config, where, "resource", "move", "held", other, f"--wait={STOP_TIMEOUT * 2}")
    seconds = time.monotonic() - began

    view = cluster.view(config, where)
    assert view.started_on("shared_fs") == other and view.started_on("held_sleep") == other
    assert view.failures == []
    print(f"move with a SIGSTOPped holder: {seconds:.1f} s")
    assert seconds < STOP_TIMEOUT / 2  # SIGTERM worked: no wait for the second half's SIGKILL
    assert node.run(config, home, ["kill", "-0", pid]).returncode != 0
    assert node.run(config, other, ["cat", f"{directory}/data"], check=True).stdout == "kept\n"
    pcs(config, where, "resource", "delete", "held_sleep")
    pcs(config, where, "resource", "delete", "shared_fs")

"""ocf:ocfpy:Daemon on the real cluster: an http.server with health_url is restarted in place when it
hangs (SIGSTOP inside its node, the depth-10 monitor fails), and fails over when its node is killed.

The steps build on each other and run in file order on one lab.
"""

from __future__ import annotations

import subprocess

import pytest

from harness.lab import cluster, node
from harness.lab.scenario import SLACK, pcs

LAB_TAG = "dm"
pytestmark = pytest.mark.needs_root
RESOURCE = "web"
PORT = 8088  # each node has its own loopback: the same port on both
DEEP_INTERVAL = 3  # seconds between depth-10 monitors
IDENTITY = f"/run/resource-agents/Daemon-{RESOURCE}.identity"


class Web:
    """The Daemon resource under test, and what the tests saw of it."""

    def __init__(self, config):
        self.config = config
        self.home = None
        self.view = None

    def wait(self, where, predicate, what, timeout=SLACK):
        self.view, seconds = cluster.wait_for(self.config, where, predicate, timeout, what)
        return seconds

    def pid(self, where=None) -> int:
        text = node.run(self.config, where or self.home, ["cat", IDENTITY], check=True).stdout
        return int(dict(line.split("=", 1) for line in text.splitlines())["pid"])

    def get(self, where=None) -> subprocess.CompletedProcess:
        code = (f"import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:{PORT}/', "
                "timeout=5).status)")
        return node.run(self.config, where or self.home, ["/usr/bin/python3", "-c", code])


@pytest.fixture(scope="module")
def web(lab_up):
    return Web(lab_up)


def test_create_starts_a_server_that_answers(web):
    where = web.config.nodes[0]
    pcs(web.config, where, "resource", "create", RESOURCE, "ocf:ocfpy:Daemon", "binfile=/usr/bin/python3",
        f"cmdline_options=-m http.server --bind 127.0.0.1 {PORT}", "workdir=/tmp",
        f"health_url=http://127.0.0.1:{PORT}/", "health_timeout=2",
        "op", "monitor", "interval=5s", "timeout=20s",
        "op", "monitor", f"interval={DEEP_INTERVAL}s", "timeout=10s", "OCF_CHECK_LEVEL=10")

    web.wait(where, lambda v: v.started_on(RESOURCE), f"{RESOURCE} Started")
    web.home = web.view.started_on(RESOURCE)

    answer = web.get()
    assert answer.returncode == 0 and answer.stdout.strip() == "200", answer.stderr
    assert web.view.failures == []


def test_a_hung_server_fails_depth_10_and_is_restarted_in_place(web):
    hung = web.pid()
    node.run(web.config, web.home, ["kill", "-STOP", str(hung)], check=True)
    key = f"{RESOURCE}_monitor_{DEEP_INTERVAL * 1000}"

    seconds = web.wait(web.home, lambda v: v.failure(key, web.home), "the depth-10 monitor failing",
                       timeout=DEEP_INTERVAL + 10 + SLACK)
    failure = web.view.failure(key, web.home)
    web.wait(web.home, lambda v: v.started_on(RESOURCE) == web.home and v.failure(key),
             f"{RESOURCE} Started again on {web.home}")

    assert (failure["exitcode"], failure["status"]) == ("1", "complete")
    assert failure["exitreason"] == "health_url: timeout after 2.0 s"
    print(f"SIGSTOP to failed depth-10 monitor in crm_mon: {seconds:.1f} s")
    assert web.pid() != hung
    alive = node.run(web.config, web.home, ["kill", "-0", str(hung)])
    assert alive.returncode != 0, "the SIGSTOPped server was not stopped"
    assert web.get().stdout.strip() == "200"


def test_killing_its_node_moves_the_server_to_the_other(web):
    victim = web.home
    survivor = next(name for name in web.config.nodes if name != victim)
    node.run(web.config, survivor, ["crm_resource", "--cleanup", "--resource", RESOURCE])

    node.kill(web.config, victim)
    web.wait(survivor, lambda v: victim not in v.online, f"{victim} OFFLINE")
    web.wait(survivor, lambda v: v.started_on(RESOURCE) == survivor, f"{RESOURCE} on {survivor}")

    answer = web.get(survivor)
    assert answer.returncode == 0 and answer.stdout.strip() == "200", answer.stderr
    web.home = survivor

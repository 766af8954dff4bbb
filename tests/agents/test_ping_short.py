"""Short monitors: a 1 s or 2 s monitor pings within its timeout and still sets the attribute.

The time kept for attrd_updater is 2 s only out of a long action, and a share of a short one
(ocfpy.attrd.reserve). With a fixed 2 s every monitor of 2.5 s or less failed. The original
(2.1.5) times such monitors out too: ping -c 3 takes 2 s, and fping waits for the 5 s it makes
of a derived timeout below 1 s when a host is dead.
"""

from __future__ import annotations

import shutil

import pytest

from ping_support import DEAD_V4, PEER_V4, PEER_V6, run_ping, updates
from ping_support import env, network, original, stub  # noqa: F401 (fixtures)

pytestmark = pytest.mark.needs_root

HOSTS = " ".join(PEER_V4 + PEER_V6 + (DEAD_V4,))  # three answer, one never does


@pytest.fixture(params=["true", "false"], ids=["fping", "ping"])
def use_fping(request):
    if request.param == "true" and not shutil.which("fping"):
        pytest.skip("fping is not installed (apt-get install fping)")
    return request.param


@pytest.mark.parametrize("op_timeout_ms", [1000, 2000])
@pytest.mark.parametrize("link_up, score", [(True, "3"), (False, "0")], ids=["link-up", "link-down"])
def test_a_short_monitor_counts_the_answering_hosts_within_its_timeout(
        env, stub, network, use_fping, op_timeout_ms, link_up, score):
    # link down: no host answers and every ping runs until the budget kills it
    params = {"host_list": HOSTS, "use_fping": use_fping}
    run_ping("start", params=params, env=env, netns=network.client)
    network.set_link(up=link_up)

    result = run_ping("monitor", params=params, env=env, netns=network.client, interval_ms=10000,
                      timeout_ms=op_timeout_ms)

    assert (result["status_name"], result["rc"]) == ("DONE", 0), result["stderr"][-300:]
    assert result["elapsed_ms"] < op_timeout_ms
    assert updates(stub) == ["3", score]


@pytest.mark.parametrize("op_timeout_ms", [1000, 2000])
def test_the_original_times_the_same_short_monitor_out(env, stub, network, original, use_fping, op_timeout_ms):
    params = {"host_list": " ".join(PEER_V4 + (DEAD_V4,)), "use_fping": use_fping}  # one family: fping
    run_ping("start", params=params, env=env, netns=network.client, agent=original)

    result = run_ping("monitor", params=params, env=env, netns=network.client, interval_ms=10000,
                      timeout_ms=op_timeout_ms, agent=original)

    assert result["status_name"] == "TIMEOUT"

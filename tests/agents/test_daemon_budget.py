"""agents/Daemon run by hand, without CRM_meta_timeout (as ocf-tester and scripts run agents): its
actions still end within the default budget of 20 s. Inside new PID and mount namespaces."""

from __future__ import annotations

import os
import socket
import subprocess
import time

import pytest
from isolation import run_isolated
from test_daemon import world  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.needs_root,
    pytest.mark.skipif(os.geteuid() != 0, reason="new PID and mount namespaces need root"),
]


def by_hand(world: dict, action: str, **params) -> dict:
    """``agent action`` with the OCF environment and no CRM_meta_timeout, as a script runs it."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "PYTHONPATH": world["pythonpath"],
           "OCF_ROOT": "/usr/lib/ocf", "OCF_RESOURCE_INSTANCE": "test",
           "HA_RSCTMP": world["rsctmp"], "HA_VARRUN": world["dir"] + "/", "PCMK_logfacility": "none"}
    env.update({f"OCF_RESKEY_{name}": value for name, value in params.items()})
    started = time.monotonic()
    try:
        done = subprocess.run([world["agent"], action], env=env, capture_output=True, text=True,
                              timeout=40, cwd=world["dir"])
    except subprocess.TimeoutExpired:
        return {"rc": None, "elapsed": time.monotonic() - started, "stderr": "still running after 40 s"}
    return {"rc": done.returncode, "elapsed": time.monotonic() - started, "stderr": done.stderr}


def scenario_never_healthy(world: dict, port: int) -> dict:
    params = {"binfile": "sleep", "cmdline_options": "300", "health_url": f"http://127.0.0.1:{port}/"}
    return {"start": by_hand(world, "start", **params), "stop": by_hand(world, "stop", **params)}


def test_a_start_never_healthy_without_a_timeout_ends_within_the_default_budget(world):
    with socket.socket() as closed:  # bound, never listening: refused, and nobody else takes it
        closed.bind(("127.0.0.1", 0))
        seen = run_isolated(scenario_never_healthy, world, closed.getsockname()[1], timeout=120)

    start = seen["start"]
    assert start["rc"] == 1 and 18 < start["elapsed"] < 21, start  # 20 s less the 1 s margin
    assert "ocf-exit-reason:not healthy before the start timeout: health_url: refused" in start["stderr"]
    assert seen["stop"]["rc"] == 0

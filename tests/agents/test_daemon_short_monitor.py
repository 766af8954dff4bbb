"""agents/Daemon under a short monitor timeout (`pcs resource op add web monitor interval=7s
OCF_CHECK_LEVEL=20 timeout=1s`): the health checks get most of the second, instead of none
("health_url: timeout after 0.0 s" from every monitor, each one a recovery of a healthy
server)."""

from __future__ import annotations

import socket
import sys


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_one_second_monitor_checks_a_healthy_server_and_passes(run_agent, tmp_path):
    port = free_port()
    params = {"binfile": sys.executable, "workdir": str(tmp_path),
              "cmdline_options": f"-m http.server --bind 127.0.0.1 {port}",
              "health_url": f"http://127.0.0.1:{port}/", "health_regex": "Directory listing"}
    assert run_agent("Daemon", "start", params=params).rc == 0
    try:
        monitors = [run_agent("Daemon", "monitor", params=params, interval_ms=7000,
                              timeout_ms=1000, check_level=depth) for depth in (0, 10, 20)]
    finally:
        stop = run_agent("Daemon", "stop", params=params)

    assert [(m.rc, m.exit_reason) for m in monitors] == [(0, None)] * 3
    assert stop.rc == 0

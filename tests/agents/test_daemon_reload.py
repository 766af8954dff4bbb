"""agents/Daemon's reload-agent: the health checks and stop_timeout change under a running daemon
without restarting it (pcs resource update web health_timeout=5 reloads, as its meta-data says);
what start needs to run the program still restarts it. Inside new PID and mount namespaces."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pytest
from isolation import run_isolated
from test_daemon import Resource, alive, free_port, http_server, world  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.needs_root,
    pytest.mark.skipif(os.geteuid() != 0, reason="new PID and mount namespaces need root"),
]
#: What the daemon runs as and with: a change restarts it (stop with the old values, start new).
RESTARTING = {"binfile", "cmdline_options", "workdir", "pidfile", "logfile", "errlogfile", "user"}


def scenario_reload(world: dict, changed: dict) -> dict:
    port = free_port()
    web = http_server(world, port, health_url=f"http://127.0.0.1:{port}/", health_timeout=2)
    seen = {"start": web.run("start")}
    pid = web.pid()
    port_changed = {key: value.format(port=port) for key, value in changed.items()}
    seen.update({"reload": web.run("reload-agent", **port_changed), "alive": alive(pid),
                 "same_pid": web.pid() == pid,
                 "monitor": web.monitor(10, **port_changed)})
    seen["stop"] = web.run("stop")
    return seen


def scenario_reload_of_a_stopped_daemon(world: dict) -> dict:
    daemon = Resource(world, binfile="sleep", cmdline_options="120")
    return daemon.run("reload-agent", health_timeout="5")


@pytest.fixture
def metadata(world):
    import subprocess

    text = subprocess.run([world["agent"], "meta-data"], capture_output=True, check=True,
                          env={"PYTHONPATH": world["pythonpath"]}).stdout
    return ET.fromstring(text)


def test_only_what_start_runs_the_program_with_restarts_it(metadata):
    reloadable = {p.get("name"): p.get("reloadable") == "1" for p in metadata.iter("parameter")}
    actions = {action.get("name") for action in metadata.iter("action")}

    assert {name for name, yes in reloadable.items() if not yes} == RESTARTING
    assert "reload-agent" in actions


@pytest.mark.parametrize("changed", [
    {"health_timeout": "5"}, {"health_status": "200,204"}, {"stop_timeout": "3"},
    {"health_tcp": "127.0.0.1:{port}"}, {"health_regex": "Directory listing"},
    {"health_command": "true"}, {"monitor_hook": "true"},
], ids=lambda value: ",".join(value))
def test_a_reloadable_change_keeps_the_running_daemon(world, changed):
    seen = run_isolated(scenario_reload, world, changed, timeout=60)

    assert seen["start"]["rc"] == 0
    assert (seen["reload"]["rc"], seen["reload"]["reason"]) == (0, None)
    assert seen["alive"] and seen["same_pid"]
    assert seen["monitor"]["rc"] == 0 and seen["stop"]["rc"] == 0


def test_a_reload_to_an_invalid_value_says_6_and_leaves_the_daemon_alone(world):
    seen = run_isolated(scenario_reload, world, {"health_status": "600-100"}, timeout=60)

    assert seen["reload"]["rc"] == 6 and seen["reload"]["reason"].startswith("health_status:")
    assert seen["alive"] and seen["same_pid"] and seen["stop"]["rc"] == 0


def test_a_reload_of_a_daemon_that_does_not_run_says_7(world):
    seen = run_isolated(scenario_reload_of_a_stopped_daemon, world, timeout=60)

    assert seen["rc"] == 7 and "not running" in seen["reason"]

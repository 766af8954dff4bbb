"""Side paths never fail an action: envfile, log and trace files, and state paths of the wrong kind."""

from __future__ import annotations

import os
import socket

import pytest

AGENTS = ["Dummy", "Stateful"]
LIFECYCLE = [("start", 0), ("monitor", 0), ("monitor", 10000), ("stop", 0), ("monitor", 0)]
LIFECYCLE_CODES = [0, 0, 0, 0, 7]


def make(path, kind, tmp_path):
    """Put a ``kind`` of file at ``path``: what a side path may meet on a real node."""
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(path))
        listener.close()
    elif kind == "symlink":
        target = tmp_path / "precious"
        target.write_text("keep\n")
        path.symlink_to(target)
    elif kind == "dangling symlink":
        path.symlink_to(tmp_path / "nothing-here")
    elif kind != "missing directory":
        raise ValueError(kind)


def run_lifecycle(run_agent, agent, params, *, after_start=None, **options):
    """start, probe, recurring monitor, stop, probe; ``after_start`` adds parameters past start."""
    results = []
    for action, interval in LIFECYCLE:
        given = dict(params, **(after_start or {})) if results else params
        results.append(run_agent(agent, action, params=given, interval_ms=interval, timeout_ms=5000,
                                 **options))
    return results


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("kind", ["missing directory", "directory", "fifo", "symlink"])
def test_an_envfile_that_cannot_be_written_is_logged_and_ignored(agent, kind, run_agent, tmp_path,
                                                                 fake_sbin, agent_log):
    envfile = tmp_path / ("no/such/dir/env" if kind == "missing directory" else "env")
    make(envfile, kind, tmp_path)
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}

    results = run_lifecycle(run_agent, agent, {"envfile": str(envfile)}, extra_env=env)

    assert [result.rc for result in results] == LIFECYCLE_CODES
    assert all(b"ocf-exit-reason" not in result.stderr for result in results[:4])
    assert f"cannot write the environment to {envfile}" in agent_log.read_text()
    if kind == "symlink":
        assert (tmp_path / "precious").read_text() == "keep\n"


@pytest.mark.parametrize("agent", AGENTS)
def test_validate_all_warns_about_an_envfile_it_cannot_create(agent, run_agent, tmp_path, agent_log):
    result = run_agent(agent, "validate-all", params={"envfile": str(tmp_path / "no/dir/env")},
                       check_level=10)
    assert result.rc == 0 and "envfile: cannot create" in agent_log.read_text()


@pytest.mark.parametrize("sink", ["PCMK_logfile", "HA_DEBUGLOG", "OCF_TRACE_FILE"])
@pytest.mark.parametrize("kind", ["missing directory", "directory", "fifo"])
def test_a_log_or_trace_file_that_cannot_be_written_is_ignored(sink, kind, run_agent, tmp_path):
    path = tmp_path / ("no/such/dir/log" if kind == "missing directory" else "log")
    make(path, kind, tmp_path)
    env = {sink: str(path), "HA_debug": "1", "OCF_TRACE_RA": "1"}
    # op_sleep=abc makes monitor and stop log a warning, reload logs a debug line: all reach the sink
    results = run_lifecycle(run_agent, "Dummy", {}, after_start={"op_sleep": "abc"}, extra_env=env)
    results.append(run_agent("Dummy", "reload", extra_env=env, timeout_ms=5000))
    assert [result.rc for result in results] == LIFECYCLE_CODES + [0]  # a fifo nobody reads never hangs


KINDS = ["directory", "fifo", "socket", "symlink", "dangling symlink"]
SHOWN = {"symlink": "symbolic link", "dangling symlink": "symbolic link"}


@pytest.mark.parametrize("agent", AGENTS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_state_path_of_the_wrong_kind_is_not_a_running_resource(agent, kind, run_agent, tmp_path,
                                                                  fake_sbin, agent_log):
    state = tmp_path / "state"
    make(state, kind, tmp_path)
    params = {"state": str(state)}
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}

    def act(action, **options):
        return run_agent(agent, action, params=params, extra_env=env, timeout_ms=5000, **options)

    probe, recurring = act("monitor"), act("monitor", interval_ms=10000)
    validate, start = act("validate-all", check_level=10), act("start")
    stop = act("stop")

    shown = f"a {SHOWN.get(kind, kind)} as a file"
    for result, code in ((probe, 7), (recurring, 7), (validate, 2), (start, 2)):
        assert result.rc == code and shown in result.exit_reason
        assert result.stderr.count(b"ocf-exit-reason:") == 1
    assert stop.rc == 0 and b"ocf-exit-reason" not in stop.stderr
    assert state.is_dir() if kind == "directory" else not os.path.lexists(state)
    if kind == "symlink":
        assert (tmp_path / "precious").read_text() == "keep\n"
    assert not agent_log.exists() or "Traceback" not in agent_log.read_text()


def test_a_directory_where_statefuls_scripted_code_goes_is_ignored(run_agent, rsctmp, fake_sbin,
                                                                    agent_log):
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}
    assert run_agent("Stateful", "start", extra_env=env).rc == 0
    (rsctmp / "Stateful-test.state.rc").mkdir()
    assert run_agent("Stateful", "monitor", extra_env=env).rc == 0
    assert run_agent("Stateful", "stop", extra_env=env).rc == 0
    assert "no scripted code" in agent_log.read_text()

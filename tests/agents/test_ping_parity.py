"""agents/ping runs with the values ocf:pacemaker:ping runs with, and fails when the ping program does.

The original (2.1.5, run here with the same recording attrd_updater) takes attempts=0,
timeout=0, use_fping="" and dampen="" without complaint; ocfpy's ping once refused them with 6.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from execd_support import recording_scripts
from ping_support import DEAD_V4, PEER_V4, run_ping, updates
from ping_support import env, network, original, stub  # noqa: F401 (fixtures)


def recording_programs(directory: Path) -> Path:
    """fping and ping that log their arguments, then run the real program; the log file."""
    directory.mkdir()
    calls = directory / "calls"
    recording_scripts(directory, calls, ("fping", "ping"), then='exec /usr/bin/{name} "$@"\n')
    return calls


@pytest.fixture
def recorded(env, tmp_path):
    """(env with the recording fping and ping first on PATH, the file their calls go to)."""
    calls = recording_programs(tmp_path / "programs")
    return dict(env, PATH=f"{calls.parent}:{env['PATH']}"), calls


@pytest.mark.parametrize("name, value", [
    ("attempts", "0"), ("timeout", "0"), ("use_fping", ""), ("dampen", ""), ("timeout", ""),
])
def test_validate_all_takes_the_values_the_original_runs_with(env, name, value):
    result = run_ping("validate-all", params={"host_list": "127.0.0.1", name: value}, env=env)

    assert result["rc"] == 0, result["exit_reason"]


@pytest.mark.parametrize("use_fping, theirs, ours", [
    # the original runs fping with no -t value (expr: division by zero) and "ping -c 0", which
    # iputils 20221126 refuses (older ones ping until killed): pingd=0 with every host answering
    ("true", "fping -r 0 -t -B 1.0 127.0.0.1", "fping -r 0 -t 1000 -B 1.0 127.0.0.1"),
    ("false", "ping -n -q -W 1 -c 0 127.0.0.1", "ping -n -q -c 1 -i 1.000 -w 1 127.0.0.1"),
])
def test_attempts_0_sends_one_request_where_the_original_counts_the_host_dead(
        recorded, stub, original, use_fping, theirs, ours):
    env, calls = recorded
    params = {"host_list": "127.0.0.1", "attempts": "0", "timeout": "1", "use_fping": use_fping}

    by_original = run_ping("start", params=params, env=env, agent=original)
    by_ocfpy = run_ping("start", params=params, env=env)

    assert (by_original["rc"], by_ocfpy["rc"]) == (0, 0), by_ocfpy["exit_reason"]
    assert calls.read_text().splitlines() == [theirs, ours]
    assert updates(stub) == ["0", "1"]
    assert "attempts=0 taken as 1" in Path(env["PCMK_logfile"]).read_text()


@pytest.mark.parametrize("use_fping, theirs, ours", [
    # a timeout below 1 s is 5 s: fping's -t 5000 ms / attempts (-r counting retries there),
    # ping's -W 5 there and -w 5 here (here the attempts are spread over those 5 s)
    ("true", "fping -r 3 -t 1666 -B 1.0 127.0.0.1", "fping -r 2 -t 1667 -B 1.0 127.0.0.1"),
    ("false", "ping -n -q -W 5 -c 3 127.0.0.1", "ping -n -q -c 1 -i 1.667 -w 5 127.0.0.1"),
])
def test_timeout_0_means_5_seconds_as_in_the_original(recorded, stub, original, use_fping, theirs, ours):
    env, calls = recorded
    params = {"host_list": "127.0.0.1", "timeout": "0", "use_fping": use_fping}

    by_original = run_ping("start", params=params, env=env, agent=original)
    by_ocfpy = run_ping("start", params=params, env=env)

    assert (by_original["rc"], by_ocfpy["rc"]) == (0, 0), by_ocfpy["exit_reason"]
    assert calls.read_text().splitlines() == [theirs, ours]
    assert updates(stub) == ["1", "1"]


def test_empty_use_fping_and_dampen_mean_their_defaults_fping_and_5s(recorded, stub):
    env, calls = recorded
    params = {"host_list": "127.0.0.1", "timeout": "1", "use_fping": "", "dampen": ""}

    result = run_ping("start", params=params, env=env)

    assert result["rc"] == 0, result["exit_reason"]
    assert calls.read_text().split()[0] == "fping"
    assert stub.calls() == ["-n pingd -B 1 -d 5000ms"]


@pytest.mark.needs_root  # binding to an interface (SO_BINDTODEVICE) is refused to others first
@pytest.mark.parametrize("use_fping, reason", [
    ("false", "cannot ping: ping exited with 2: /usr/bin/ping: SO_BINDTODEVICE nosuchif0: No such device"),
    ("true", "cannot ping: fping exited with 1: binding to specific interface (SO_BINTODEVICE): "
             "No such device"),
])
def test_a_missing_interface_in_options_fails_with_1_where_the_original_sets_0(
        env, stub, original, use_fping, reason):
    # the original logs "Unexpected result" and sets pingd=0: on every node, services stopped
    params = {"host_list": "127.0.0.1", "timeout": "1", "use_fping": use_fping,
              "options": "-I nosuchif0"}

    by_original = run_ping("start", params=params, env=env, agent=original)
    by_ocfpy = run_ping("start", params=params, env=env)

    assert by_original["rc"] == 0
    assert (by_ocfpy["rc"], by_ocfpy["exit_reason"]) == (1, reason)
    assert updates(stub) == ["0"]  # the original's


@pytest.mark.needs_root
@pytest.mark.parametrize("use_fping", ["true", "false"])
def test_hosts_without_a_route_or_a_name_count_dead_and_are_no_error(env, stub, network, tmp_path, use_fping):
    # ping exits 2 for these too ("Network is unreachable", "Temporary failure in name resolution")
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 10.232.0.53\n")  # no route to it in the test's network
    params = {"host_list": f"{PEER_V4[0]} {DEAD_V4} 10.232.0.1 fd00:232::1 gone.example",
              "timeout": "1", "use_fping": use_fping}

    result = run_ping("start", params=params, env=env, netns=network.client, resolv_conf=resolv)

    assert (result["rc"], result["exit_reason"]) == (0, None)
    assert updates(stub) == ["1"]

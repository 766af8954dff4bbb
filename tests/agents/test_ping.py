"""agents/ping as execd runs it: real pings (loopback, or namespaces made here), a recording attrd_updater."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET

import pytest

from ping_support import DEAD_V4, DEAD_V6, ORIGINAL, PEER_V4, PEER_V6, run_ping, updates
from ping_support import env, network, stub  # noqa: F401 (fixtures)


def parameters(metadata: str) -> dict:
    root = ET.fromstring(metadata)
    return {p.get("name"): p.find("content").attrib for p in root.iter("parameter")}


def test_parameters_and_actions_are_the_originals(env):
    result = run_ping("meta-data", params={}, env=env)
    ours = parameters(result["stdout"])
    root = ET.fromstring(result["stdout"])
    actions = {a.get("name") for a in root.iter("action")}

    if os.path.exists(ORIGINAL):
        original = run_ping("meta-data", params={}, env=env, agent=ORIGINAL)
        assert set(ours) == set(parameters(original["stdout"]))
    assert ours["dampen"] == {"type": "string", "default": "5s"}
    assert ours["name"]["default"] == "pingd" and ours["attempts"]["default"] == "3"
    assert "default" not in ours["timeout"]  # derived from the operation's timeout
    assert {"start", "stop", "monitor", "validate-all", "reload-agent", "meta-data"} <= actions


@pytest.mark.parametrize("hosts, reason", [
    ("", "host_list is required but empty"),
    ("10.0.0.1 -f", "host_list: '-f' is not a host name or IP address"),
    ("[fd00::1]", "host_list: '[fd00::1]': write the IPv6 address without brackets: fd00::1"),
    ("127.0.0.1,::1", "host_list: '127.0.0.1,::1' is not a host name or IP address: hosts are separated by spaces"),
    ("127.0.0.1, ::1", "host_list: '127.0.0.1,' is not a host name or IP address: hosts are separated by spaces"),
])
def test_a_bad_host_list_is_6_with_one_line(env, hosts, reason):
    result = run_ping("validate-all", params={"host_list": hosts}, env=env)

    assert (result["rc"], result["exit_reason"]) == (6, reason)


def test_a_bad_dampen_is_6_and_5s_is_fine(env):
    bad = run_ping("validate-all", params={"host_list": "127.0.0.1", "dampen": "soon"}, env=env)
    good = run_ping("validate-all", params={"host_list": "127.0.0.1", "dampen": "5s"}, env=env)

    assert bad["rc"] == 6 and "dampen: 'soon' is not a duration" in bad["exit_reason"]
    assert good["rc"] == 0


def test_loopback_lifecycle_sets_value_and_delay_together_and_stop_deletes(env, stub):
    params = {"host_list": "127.0.0.1 ::1", "multiplier": "1000", "dampen": "3s", "timeout": "1"}

    probe = run_ping("monitor", params=params, env=env)
    probed_calls = list(stub.calls())
    start = run_ping("start", params=params, env=env)
    monitor = run_ping("monitor", params=params, env=env, interval_ms=10000)
    stop = run_ping("stop", params=params, env=env)
    after = run_ping("monitor", params=params, env=env)

    assert [r["rc"] for r in (probe, start, monitor, stop, after)] == [7, 0, 0, 0, 7]
    assert probed_calls == []
    assert stub.calls() == ["-n pingd -B 2000 -d 3000ms", "-n pingd -B 2000 -d 3000ms",
                            "-D -n pingd -d 3000ms"]


def test_attrd_down_fails_start_and_monitor_with_1_and_its_reason_never_102(env, stub):
    params = {"host_list": "127.0.0.1", "timeout": "1"}
    assert run_ping("start", params=params, env=env)["rc"] == 0
    stub.go_down()

    monitor = run_ping("monitor", params=params, env=env, interval_ms=10000)
    stop = run_ping("stop", params=params, env=env)
    start = run_ping("start", params=params, env=env)

    for result in (monitor, start):
        assert result["rc"] == 1
        assert result["exit_reason"].startswith("cannot set pingd=1: attrd_updater exited with 102")
        assert "Connection refused" in result["exit_reason"]
    assert stop["rc"] == 0  # the marker is gone; attrd forgets the attribute with the node


def test_a_stopped_resource_fails_its_recurring_monitor_with_a_reason(env):
    result = run_ping("monitor", params={"host_list": "127.0.0.1"}, env=env, interval_ms=10000)

    assert result["rc"] == 7 and "is gone: not started" in result["exit_reason"]


def fping_recorder(directory):
    """An fping that says every host is alive and records its arguments (to see the timeout used)."""
    directory.mkdir()
    calls = directory / "fping-calls"
    script = directory / "fping"
    # the agent passes -r N -t MS -B 1.0, then the hosts (no options configured here)
    script.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\nshift 6\nfor h; do echo "$h is alive"; done\n')
    script.chmod(0o755)
    return calls


@pytest.mark.parametrize("hosts, op_timeout_ms, timeout, low_ms, high_ms", [
    (2, 60000, None, 3000, 3000),    # 60000 / 2 hosts / 3 attempts / 1100 = 9 s, a third per try
    (5, 20000, None, 333, 333),      # 1 s
    (10, 20000, None, 1667, 1667),   # below 1 s: 5 s, as the original
    (1, 20000, "1500ms", 500, 500),  # explicit durations are taken as they are
    (1, 20000, "30s", 5000, 6000),   # ... but must fit the 20 s operation, attrd's 2 s kept
])
def test_the_attempt_timeout_is_derived_as_the_original_and_fits_the_budget(
        env, stub, tmp_path, hosts, op_timeout_ms, timeout, low_ms, high_ms):
    calls = fping_recorder(tmp_path / "fping")
    params = {"host_list": " ".join(f"h{n}.example" for n in range(hosts))}
    if timeout:
        params["timeout"] = timeout

    result = run_ping("start", params=params, env=dict(env, PATH=f"{calls.parent}:{env['PATH']}"),
                      timeout_ms=op_timeout_ms)

    args = calls.read_text().split()
    assert result["rc"] == 0, result["exit_reason"]
    assert args[:2] == ["-r", "2"] and args[2] == "-t" and low_ms <= int(args[3]) <= high_ms
    assert updates(stub) == [str(hosts)]


@pytest.mark.needs_root
@pytest.mark.parametrize("use_fping", ["true", "false"])
def test_hosts_answer_then_stop_answering_when_the_link_goes_down(env, stub, network, use_fping):
    if use_fping == "true" and not shutil.which("fping"):
        pytest.skip("fping is not installed (apt-get install fping)")
    hosts = " ".join(PEER_V4 + PEER_V6 + (DEAD_V4, DEAD_V6))  # IPv4 and IPv6 in one list
    params = {"host_list": hosts, "multiplier": "100", "attempts": "2", "timeout": "1",
              "use_fping": use_fping, "failure_score": "100"}

    start = run_ping("start", params=params, env=env, netns=network.client)
    network.set_link(up=False)
    cut = run_ping("monitor", params=params, env=env, netns=network.client, interval_ms=10000)
    network.set_link(up=True)
    healed = run_ping("monitor", params=params, env=env, netns=network.client, interval_ms=10000)

    assert start["rc"] == 0 and healed["rc"] == 0
    assert (cut["rc"], cut["exit_reason"]) == (1, "pingd=0 is below failure_score 100")
    assert updates(stub) == ["300", "0", "300"]


@pytest.mark.needs_root
@pytest.mark.parametrize("use_fping", ["true", "false"])
def test_dead_hosts_are_pinged_at_once_within_the_monitors_timeout(env, stub, network, use_fping):
    # one after another, 3 dead hosts x 3 s would take 9 s of a 6 s monitor
    params = {"host_list": f"{DEAD_V4} {DEAD_V6} 10.231.0.8", "attempts": "3", "timeout": "3",
              "use_fping": use_fping}
    run_ping("start", params={**params, "attempts": "1", "timeout": "1"}, env=env, netns=network.client)

    result = run_ping("monitor", params=params, env=env, netns=network.client, interval_ms=10000,
                      timeout_ms=6000)

    assert (result["status_name"], result["rc"]) == ("DONE", 0), result["stderr"]
    assert updates(stub)[-1] == "0"


def test_reload_agent_applies_a_new_dampening_at_once(env, stub):
    params = {"host_list": "127.0.0.1", "timeout": "1"}
    run_ping("start", params=params, env=env)

    result = run_ping("reload-agent", params={**params, "dampen": "10s"}, env=env)

    assert result["rc"] == 0
    assert stub.calls()[-1] == "-Y -n pingd -d 10000ms"


def test_validate_all_at_level_10_checks_the_pidfile_directory(env, tmp_path):
    params = {"host_list": "127.0.0.1", "pidfile": str(tmp_path / "missing" / "ping-pingd")}

    shallow = run_ping("validate-all", params=params, env=env)
    deep = run_ping("validate-all", params=params, env=dict(env, OCF_CHECK_LEVEL="10"))

    assert shallow["rc"] == 0
    assert deep["rc"] == 2 and "pidfile: cannot create" in deep["exit_reason"]


def test_a_bad_parameter_stop_and_probe_do_without_still_stop_and_report_running(env, stub):
    params = {"host_list": "127.0.0.1", "timeout": "1"}
    run_ping("start", params=params, env=env)

    probe = run_ping("monitor", params={**params, "dampen": "soon"}, env=env)
    stop = run_ping("stop", params={**params, "dampen": "soon"}, env=env)
    after = run_ping("monitor", params=params, env=env)

    assert (probe["rc"], stop["rc"], after["rc"]) == (0, 0, 7)
    assert stub.calls()[-1] == "-D -n pingd -d 5000ms"  # the default dampening stood in


def test_white_space_around_the_name_is_refused_by_start_but_a_running_ping_is_still_found(env, stub):
    params = {"host_list": "127.0.0.1", "timeout": "1"}
    run_ping("start", params=params, env=env)
    padded = {**params, "name": "pingd "}  # as pasted into pcs resource update

    probe = run_ping("monitor", params=padded, env=env)
    stop = run_ping("stop", params=padded, env=env)
    after = run_ping("monitor", params=params, env=env)
    start = run_ping("start", params=padded, env=env)

    assert (probe["rc"], stop["rc"], after["rc"]) == (0, 0, 7)  # the original: 7, and stop leaves it
    assert stub.calls()[-1] == "-D -n pingd -d 5000ms"
    assert (start["rc"], start["exit_reason"]) == (
        6, "name: 'pingd ' has white space: a node attribute's name has none (a rule could not name it)")


def test_a_name_with_a_space_inside_is_6_and_nothing_is_set(env, stub):
    result = run_ping("start", params={"host_list": "127.0.0.1", "timeout": "1", "name": "my ping"}, env=env)

    assert result["rc"] == 6 and result["exit_reason"].startswith("name: 'my ping' has white space: a node attribute's name")
    assert stub.calls() == []


def test_a_failing_fping_fails_the_monitor_instead_of_setting_0(env, stub, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    message = "fping: can't create socket (must run as root?)"
    (broken / "fping").write_text(f'#!/bin/sh\necho "{message}" >&2\nexit 4\n')
    (broken / "fping").chmod(0o755)
    params = {"host_list": "127.0.0.1", "timeout": "1"}

    result = run_ping("start", params=params, env=dict(env, PATH=f"{broken}:{env['PATH']}"))

    assert result["rc"] == 1
    assert result["exit_reason"] == f"cannot ping: fping exited with 4: {message}"
    assert updates(stub) == []


def test_a_directory_at_the_pidfile_fails_start_but_probe_says_7_and_stop_0(env, stub, tmp_path):
    # a failed start is followed by a stop: a stop failing on it would get the node fenced
    params = {"host_list": "127.0.0.1", "timeout": "1", "pidfile": str(tmp_path)}

    start = run_ping("start", params=params, env=env)
    probe = run_ping("monitor", params=params, env=env)
    stop = run_ping("stop", params=params, env=env)

    assert (start["rc"], start["exit_reason"]) == (2, f"refusing to use a directory as a file: {tmp_path}")
    assert (probe["rc"], stop["rc"]) == (7, 0)
    assert tmp_path.is_dir()


@pytest.mark.parametrize("debug", ["True", "VERBOSE", "0"])
def test_debug_words_are_taken_in_any_case_as_the_original_does(env, debug):
    result = run_ping("start", params={"host_list": "127.0.0.1", "timeout": "1", "debug": debug}, env=env)

    assert result["rc"] == 0, result["exit_reason"]


@pytest.mark.needs_root
@pytest.mark.parametrize("use_fping", ["true", "false"])
def test_a_host_name_whose_lookup_hangs_does_not_make_the_other_hosts_dead(
        env, stub, network, tmp_path, use_fping):
    # fping looks all names up before it pings: one hanging lookup held back the whole list
    # until the budget killed it, and the reachable peer counted dead (pingd=0: a failover)
    if use_fping == "true" and not shutil.which("fping"):
        pytest.skip("fping is not installed (apt-get install fping)")
    resolv = tmp_path / "resolv.conf"
    resolv.write_text(f"nameserver {DEAD_V4}\n")  # in the test's network, never answers
    params = {"host_list": f"{PEER_V4[0]} gone.example", "use_fping": use_fping}

    result = run_ping("start", params=params, env=env, netns=network.client, timeout_ms=8000,
                      resolv_conf=resolv)

    assert (result["status_name"], result["rc"]) == ("DONE", 0), result["stderr"]
    assert updates(stub) == ["1"]


@pytest.mark.parametrize("use_fping", ["true", "false"])
def test_options_the_ping_program_refuses_fail_with_1_instead_of_setting_0(env, stub, use_fping):
    # every host counted dead would set pingd=0 on every node: services stopped everywhere
    params = {"host_list": "127.0.0.1 localhost", "timeout": "1", "use_fping": use_fping,
              "options": "-Z"}

    result = run_ping("start", params=params, env=env)

    program = "fping" if use_fping == "true" else "ping"
    assert result["rc"] == 1
    assert result["exit_reason"].startswith(f"cannot ping: {program} refused its arguments: ")
    assert result["exit_reason"].endswith("invalid option -- 'Z'")
    assert updates(stub) == []


def test_an_empty_attribute_name_is_6_and_nothing_is_set(env, stub):
    result = run_ping("start", params={"host_list": "127.0.0.1", "timeout": "1", "name": ""}, env=env)

    assert (result["rc"], result["exit_reason"]) == (6, "name: must not be empty (it names the node attribute)")
    assert stub.calls() == []


def test_a_negative_multiplier_is_6_and_no_negative_score_is_set(env, stub):
    # the original sets pingd=-1 and fails the start only through its failure_score default 0
    result = run_ping("start", params={"host_list": "127.0.0.1", "timeout": "1", "multiplier": "-1"}, env=env)

    assert (result["rc"], result["exit_reason"]) == (6, "multiplier: -1 is less than 0")
    assert stub.calls() == []


def test_with_an_empty_name_probe_and_stop_still_work(env, stub):
    params = {"host_list": "127.0.0.1", "timeout": "1", "name": ""}

    probe = run_ping("monitor", params=params, env=env)
    stop = run_ping("stop", params=params, env=env)

    assert (probe["rc"], stop["rc"]) == (7, 0)


@pytest.mark.needs_root
def test_more_hosts_than_open_files_allow_at_once_are_pinged_in_waves_within_the_timeout(
        env, stub, network):
    # 241 pings at once under 256 open files: out of descriptors, an internal error and tracebacks
    dead = [f"10.231.0.{n}" for n in range(10, 250)]
    params = {"host_list": " ".join([PEER_V4[0]] + dead), "use_fping": "false", "attempts": "1",
              "timeout": "2"}

    result = run_ping("start", params=params, env=env, netns=network.client, timeout_ms=10000,
                      open_files=256)

    assert (result["status_name"], result["rc"]) == ("DONE", 0), result["stderr"][-300:]
    assert "Traceback" not in result["stderr"]
    assert updates(stub) == ["1"]

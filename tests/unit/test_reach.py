"""Reachability checks: argv built for fping and ping, fping's report read per host, commands run at once."""

from __future__ import annotations

import sys

import pytest

from ocfpy import reach
from ocfpy.commands import CommandResult


@pytest.mark.parametrize("host", ["10.0.0.1", "fd00::1", "fe80::1%eth0", "gw.example.com", "node-2"])
def test_host_names_and_addresses_are_accepted(host):
    reach.check_host(host)


@pytest.mark.parametrize("host", ["-f", "--flood", "a;b", "$(reboot)", "a/b", "", "10.0.0.1\n"])
def test_anything_that_could_be_an_option_or_junk_is_refused(host):
    with pytest.raises(ValueError, match="is not a host name or IP address"):
        reach.check_host(host)


def test_a_host_list_needs_one_host_and_checks_each():
    assert reach.split_hosts(" 10.0.0.1  fd00::1 ") == ["10.0.0.1", "fd00::1"]
    with pytest.raises(ValueError, match="lists no host"):
        reach.check_host_list("   ")
    with pytest.raises(ValueError, match="'-c'"):
        reach.check_host_list("10.0.0.1 -c")


def test_the_timeout_shrinks_to_fit_the_budget():
    assert reach.fit_timeout(2.0, None) == 2.0
    assert reach.fit_timeout(2.0, 60.0) == 2.0
    assert reach.fit_timeout(6.0, 3.5) == pytest.approx(3.5 - reach.SLACK)


def test_ping_stops_at_the_first_reply_and_spreads_the_attempts_over_the_timeout():
    argv = reach.ping_argv("/bin/ping", "fd00::1", 3, 6.0, ["-I", "eth0"])

    assert argv == ["/bin/ping", "-n", "-q", "-c", "1", "-i", "2.000", "-w", "6", "-I", "eth0", "fd00::1"]


def test_fping_makes_exactly_attempts_tries_each_a_share_of_the_timeout():
    argv = reach.fping_argv("/usr/bin/fping", ["10.0.0.1", "fd00::1"], 3, 1.5)

    assert argv == ["/usr/bin/fping", "-r", "2", "-t", "500", "-B", "1.0", "10.0.0.1", "fd00::1"]


def test_fping_report_is_read_per_host_ipv6_and_errors_included():
    hosts = ["10.0.0.1", "fd00::2", "fd00::2:3", "nosuch.invalid", "10.0.0.9"]
    out = "10.0.0.1 is alive\nfd00::2:3 is alive\n10.0.0.9 is unreachable\n"
    err = ("fd00::2: error while sending ping: Network is unreachable\n"
           "nosuch.invalid: Temporary failure in name resolution\n")

    found = reach.parse_fping(hosts, CommandResult(["fping"], 2, out, err))

    assert [(r.host, r.alive) for r in found] == [
        ("10.0.0.1", True), ("fd00::2", False), ("fd00::2:3", True), ("nosuch.invalid", False),
        ("10.0.0.9", False)]
    assert found[1].detail == "fd00::2: error while sending ping: Network is unreachable"


@pytest.mark.parametrize("rc, stderr, reason", [
    (1, "fping: invalid option -- 'Z'", "fping refused its arguments: fping: invalid option -- 'Z'"),
    (3, "fping: invalid option -- 'Z'", "fping refused its arguments: fping: invalid option -- 'Z'"),
    (4, "fping: can't create socket (must run as root?)",
     "fping exited with 4: fping: can't create socket (must run as root?)"),
    (0, "10.0.0.1 : xmt/rcv/%loss = 3/3/0%",  # -c changes what fping prints
     "fping reported on none of its hosts (an option changed its output?)"),
])
def test_fping_failing_as_a_program_is_not_every_host_dead(rc, stderr, reason):
    with pytest.raises(reach.ProbeFailed) as failed:
        reach.parse_fping(["10.0.0.1"], CommandResult(["fping"], rc, "", stderr + "\n"))

    assert str(failed.value) == reason


def test_a_killed_fping_counts_its_silent_hosts_dead_with_the_reason():
    found = reach.parse_fping(["10.0.0.1"], CommandResult(["fping"], None, "", "", timed_out=True))

    assert not found[0].alive and "killed" in found[0].detail


def test_ping_results_map_to_alive_dead_and_errors():
    ok = reach.from_ping("h", CommandResult(["ping"], 0, "1 packets transmitted, 1 received\n"))
    silent = reach.from_ping("h", CommandResult(["ping"], 1, "4 packets transmitted, 0 received\n"))
    error = reach.from_ping("h", CommandResult(["ping"], 2, "", "ping: connect: Network is unreachable\n"))
    killed = reach.from_ping("h", CommandResult(["ping"], None, "", "", timed_out=True))

    assert (ok.alive, silent.alive, error.alive, killed.alive) == (True, False, False, False)
    assert "Network is unreachable" in error.detail
    assert "budget" in killed.detail


def test_commands_run_at_the_same_time(tmp_path):
    # each waits until all three have started: run one after another, they would all be killed
    barrier = ("import os, sys, time\nopen(os.path.join(sys.argv[1], sys.argv[2]), 'w').close()\n"
               "while len(os.listdir(sys.argv[1])) < 3: time.sleep(0.01)\n")
    argvs = [[sys.executable, "-c", barrier, str(tmp_path), str(n)] for n in range(3)]

    results = reach.run_parallel(argvs, timeout=20)

    assert [r.rc for r in results] == [0, 0, 0]


def test_commands_still_running_at_the_budget_are_killed():
    results = reach.run_parallel([["sleep", "30"], ["true"]], timeout=0.3)

    assert results[0].timed_out and results[1].ok


def test_probe_hosts_needs_a_program():
    with pytest.raises(ValueError):
        reach.probe_hosts(["10.0.0.1"], attempts=1, timeout=1, budget=None)
    assert reach.probe_hosts([], attempts=1, timeout=1, budget=None) == []


def test_fping_gets_the_addresses_together_and_each_host_name_alone():
    hosts = ["10.0.0.1", "gw.example", "fe80::1%eth0", "fd00::1", "dns.example"]

    assert reach.fping_groups(hosts) == [["10.0.0.1", "fe80::1%eth0", "fd00::1"],
                                         ["gw.example"], ["dns.example"]]


def test_more_runs_than_may_run_at_once_share_the_budget_in_waves(monkeypatch):
    monkeypatch.setattr(reach, "parallel_cap", lambda: 10)

    at_once = reach.schedule(5, 3.0, 9.0)
    in_waves = reach.schedule(25, 3.0, 9.0)  # 3 waves of 3 s each

    assert at_once == reach.Schedule(3.0, 9.0, 10)
    assert in_waves == reach.Schedule(2.5, 3.0, 10)


def test_a_short_budget_keeps_a_quarter_of_itself_as_slack():
    assert reach.slack(8.0) == reach.SLACK
    assert reach.slack(0.8) == pytest.approx(0.2)
    assert reach.fit_timeout(5.0, 0.8) == pytest.approx(0.6)


@pytest.mark.parametrize("rc, stderr", [
    (2, "ping: connect: Network is unreachable"),
    (2, "ping: nosuch.invalid: Temporary failure in name resolution"),
    (2, "ping: gone.example: Name or service not known"),
    (2, "ping: ::1: Address family for hostname not supported"),
    (1, ""),  # no reply
    (None, ""),  # killed at the budget
])
def test_ping_errors_about_the_host_leave_it_dead(rc, stderr):
    result = CommandResult(["ping"], rc, "", stderr, timed_out=rc is None)

    assert reach.ping_failure(result) is None
    assert not reach.from_ping("h", result).alive


@pytest.mark.parametrize("rc, stderr, reason", [
    (2, "ping: SO_BINDTODEVICE nosuchif0: No such device",
     "ping exited with 2: ping: SO_BINDTODEVICE nosuchif0: No such device"),
    (2, "ping: bind: Cannot assign requested address",
     "ping exited with 2: ping: bind: Cannot assign requested address"),
    (1, "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807",
     "ping refused its arguments: ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807"),
])
def test_ping_failing_as_a_program_is_said_in_one_line(rc, stderr, reason):
    assert reach.ping_failure(CommandResult(["ping"], rc, "", stderr + "\n")) == reason


def test_probe_hosts_raises_when_a_ping_fails_as_a_program(fp):
    fp.register(["/bin/ping", fp.any()], returncode=2, stderr="ping: SO_BINDTODEVICE x: No such device\n",
                occurrences=2)

    with pytest.raises(reach.ProbeFailed, match="SO_BINDTODEVICE x: No such device"):
        reach.probe_hosts(["10.0.0.1", "10.0.0.2"], attempts=1, timeout=1, budget=None, ping="/bin/ping")

"""Which hosts answer ICMP echo: every host pinged at once (fping, or one ping each), within one budget.

A host is alive when any of ``attempts`` echo requests, spread evenly over ``timeout`` seconds,
gets a reply within those ``timeout`` seconds (fping's reading of ocf:pacemaker:ping's timeout:
each try waits timeout / attempts). Every host takes at most ``timeout`` seconds, and all run at
the same time. When the budget is shorter, the timeout shrinks to fit it, and a program still
running at the budget is killed (its hosts count as not answering). A ping that fails as a
program (a bad interface or option, no socket) raises ProbeFailed rather than count its host dead.
IPv4 and IPv6 addresses and host names may be mixed: fping (5.x) and iputils ping take both.
fping runs once for all the addresses and once per host name, so that a name lookup that
hangs costs only that name. When the open-files limit does not allow that many programs at
once, they run in waves, each wave with its share of the budget.
"""

from __future__ import annotations

import ipaddress
import math
import resource
import threading
from typing import NamedTuple

from ocfpy import commands

#: Characters of a host name or address (IPv6 with a zone: fe80::1%eth0); never an option.
HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:%")
#: Seconds a program gets beyond its own timing before it is killed (start-up, the last reply);
#: of a budget under 2 s, a quarter of it.
SLACK, SLACK_SHARE = 0.5, 0.25
#: The shortest budget a round can do anything useful in (a reply on a LAN takes well under 1 ms).
MIN_BUDGET = 0.1
#: File descriptors kept for the agent itself; each running ping needs about 8 while it starts.
FDS_KEPT, FDS_PER_PING = 64, 8
#: What fping and iputils ping (getopt, LC_ALL=C) say when they refuse their arguments.
REFUSAL_WORDS = ("invalid option", "invalid argument", "option requires an argument",
                 "unrecognized option", "usage:")
#: What iputils ping says when it exits 2 because of the host, not of itself: no route to it, no
#: such name (gai_strerror), no such address family here. Any other exit 2 is the program failing.
HOST_PROBLEMS = ("network is unreachable", "no route to host", "host is unreachable",
                 "name or service not known", "temporary failure in name resolution",
                 "no address associated with hostname", "non-recoverable failure in name resolution",
                 "address family for hostname not supported", "address family not supported by protocol")


class ProbeFailed(Exception):
    """The ping program itself failed (bad option, no socket): no host was really tried."""


class HostResult(NamedTuple):
    """One host's answer: alive or not, and one line saying what was seen."""

    host: str
    alive: bool
    detail: str


def check_host(host: str) -> None:
    """ValueError unless ``host`` is a plain host name or address (an option like ``-f`` is refused)."""
    if host.startswith("[") and host.endswith("]") and is_address(host[1:-1]):
        raise ValueError(f"{host!r}: write the IPv6 address without brackets: {host[1:-1]}")
    if not host or host.startswith("-") or not set(host) <= HOST_CHARS:
        raise ValueError(f"{host!r} is not a host name or IP address")


def split_hosts(text: str) -> list:
    """The hosts of a space-separated list, each checked."""
    hosts = text.split()
    for host in hosts:
        check_host(host)
    return hosts


def check_host_list(text: str) -> None:
    """A ``Parameter(check=...)``: at least one host, each a host name or address."""
    if not split_hosts(text):
        raise ValueError("lists no host")


def slack(budget: float) -> float:
    """What a program may take beyond its own timing within ``budget``: 0.5 s, less of a short one."""
    return min(SLACK, budget * SLACK_SHARE)


def fit_timeout(timeout: float, budget: float | None) -> float:
    """The time a host gets to answer, shortened so that the round ends within ``budget``."""
    if budget is None:
        return timeout
    return max(0.001, min(timeout, budget - slack(budget)))


def ping_argv(binary: str, host: str, attempts: int, timeout: float, options=()) -> list:
    """iputils ping: a request every timeout / attempts s until the first reply, for timeout s."""
    deadline = max(1, math.ceil(timeout))  # -w takes whole seconds
    return [binary, "-n", "-q", "-c", "1", "-i", f"{max(0.002, timeout / attempts):.3f}",
            "-w", str(deadline), *options, host]


def fping_argv(binary: str, hosts: list, attempts: int, timeout: float, options=()) -> list:
    """fping: ``attempts`` tries per host (-r counts retries), each waiting timeout / attempts."""
    per_try_ms = max(1, round(timeout * 1000 / attempts))
    return [binary, "-r", str(attempts - 1), "-t", str(per_try_ms), "-B", "1.0", *options, *hosts]


def parse_fping(hosts: list, result: commands.CommandResult) -> list:
    """One HostResult per listed host from fping's "HOST is alive" / "is unreachable" / "HOST: error" lines.

    ProbeFailed when fping, not killed, said nothing about any host (it refused its options,
    exits 1 for that too, could not make a socket or run; or an option such as -c changed
    what it prints): counting every host dead then would be a lie.
    """
    seen, wanted = {}, set(hosts)
    for line in (result.stdout + "\n" + result.stderr).splitlines():
        line = line.strip()
        token = line.split(" ", 1)[0]
        name = token[:-1] if token.endswith(":") else token  # "HOST: error ..." (IPv6 too)
        if name in wanted and (line in (f"{name} is alive", f"{name} is unreachable") or token.endswith(":")):
            seen.setdefault(name, line)
    if not seen and not result.timed_out:
        raise ProbeFailed(refusal(result) or (result.describe() if not result.ok else
                          "fping reported on none of its hosts (an option changed its output?)"))
    found = []
    for host in hosts:
        line = seen.get(host)
        if line is None:
            line = result.describe() if not result.ok else "fping said nothing about it"
        found.append(HostResult(host, line == f"{host} is alive", line))
    return found


def refusal(result: commands.CommandResult) -> str | None:
    """The line in which the program refused its arguments (a bad ``options``), if it did."""
    for line in result.stderr.splitlines():
        if any(word in line.lower() for word in REFUSAL_WORDS):
            return f"{result.program} refused its arguments: {line.strip()}"
    return None


def ping_failure(result: commands.CommandResult) -> str | None:
    """Why ping failed as a program (refused its options, a bad interface...); None when it pinged.

    iputils ping exits 0 on a reply, 1 without one, 2 on an error: an error about the host
    (:data:`HOST_PROBLEMS`) leaves it dead, any other is the program's (or the options') fault.
    """
    if result.ok or result.timed_out:
        return None
    refused = refusal(result)  # ping exits 1 for some refusals too ("-c 0": out of range)
    if refused or result.rc == 1:
        return refused
    if any(problem in result.stderr.lower() for problem in HOST_PROBLEMS):
        return None
    return result.describe()


def from_ping(host: str, result: commands.CommandResult) -> HostResult:
    if result.ok:
        return HostResult(host, True, _last_line(result.stdout, "answered"))
    if result.timed_out:
        return HostResult(host, False, "no answer before the time budget ran out")
    if result.rc == 1:
        return HostResult(host, False, _last_line(result.stdout, "no answer"))
    return HostResult(host, False, result.describe())


def _last_line(text: str, fallback: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else fallback


def is_address(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address (a zone id too), which needs no name lookup."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def fping_groups(hosts: list) -> list:
    """The hosts split for fping: all addresses in one run, each host name in a run of its own.

    fping looks every name up before it sends anything: one name whose lookup hangs would
    hold back every host of the run until the budget kills it, and count them all dead.
    """
    addresses = [host for host in hosts if is_address(host)]
    names = [[host] for host in hosts if not is_address(host)]
    return ([addresses] if addresses else []) + names


def parallel_cap() -> int:
    """How many pings may run at once within the open-files limit (1024 under systemd)."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return 256
    return max(4, min(256, (soft - FDS_KEPT) // FDS_PER_PING))


def run_parallel(argvs: list, *, timeout: float | None, env=None, cap: int | None = None) -> list:
    """Run the commands at once, at most ``cap`` at a time (never through a shell); their CommandResults."""
    results = [None] * len(argvs)
    pending = list(range(len(argvs)))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not pending:
                    return
                index = pending.pop(0)
            try:
                results[index] = commands.run(argvs[index], timeout=timeout, env=env, margin=0)
            except OSError as error:  # e.g. out of file descriptors: this command did not run
                results[index] = commands.CommandResult(argvs[index], None, "", f"cannot run: {error}")

    workers = [threading.Thread(target=work, daemon=True) for _ in range(min(len(argvs), cap or len(argvs)))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results


class Schedule(NamedTuple):
    """How a round runs: the time each host gets, the kill limit of each command, how many at once."""

    per_host: float
    limit: float
    cap: int


def schedule(runs: int, timeout: float, budget: float | None) -> Schedule:
    """All ``runs`` at once when the open-files limit allows, else in waves sharing the budget."""
    cap = parallel_cap()
    waves = math.ceil(runs / cap)
    share = budget if budget is None or waves == 1 else budget / waves
    per_host = fit_timeout(timeout, share)
    return Schedule(per_host, per_host + SLACK if share is None else share, cap)


def probe_hosts(hosts: list, *, attempts: int, timeout: float, budget: float | None,
                fping: str | None = None, ping: str | None = None, options=(), env=None) -> list:
    """Ping every host at once with fping (when given) or ping; one HostResult per host, in order.

    ``budget`` (seconds, None for no limit) bounds the whole round; ``timeout`` is per host.
    """
    if not hosts:
        return []
    if fping:
        return _probe_with_fping(fping, hosts, attempts, timeout, budget, options, env)
    if not ping:
        raise ValueError("probe_hosts needs the path of fping or ping")
    plan = schedule(len(hosts), timeout, budget)
    argvs = [ping_argv(ping, host, attempts, plan.per_host, options) for host in hosts]
    results = run_parallel(argvs, timeout=plan.limit, env=env, cap=plan.cap)
    for result in results:  # the same options for every host: failed once, failed for all
        failure = ping_failure(result)
        if failure:
            raise ProbeFailed(failure)
    return [from_ping(host, result) for host, result in zip(hosts, results)]


def _probe_with_fping(fping, hosts, attempts, timeout, budget, options, env) -> list:
    """fping runs over :func:`fping_groups` at once; ProbeFailed when any failed as a program.

    They share the options: one refused (or reporting nothing) means the options are wrong.
    """
    groups = fping_groups(hosts)
    plan = schedule(len(groups), timeout, budget)
    argvs = [fping_argv(fping, group, attempts, plan.per_host, options) for group in groups]
    found = {}
    for group, result in zip(groups, run_parallel(argvs, timeout=plan.limit, env=env, cap=plan.cap)):
        found.update((r.host, r) for r in parse_fping(group, result))
    return [found[host] for host in hosts]

"""For ping's tests: a recording attrd_updater, a two-namespace network, the agent run inside it."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[2]
ORIGINAL = "/usr/lib/ocf/resource.d/pacemaker/ping"
TOOL_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"
# addresses configured only inside the namespaces made here
CLIENT_V4, CLIENT_V6 = "10.231.0.1", "fd00:231::1"
PEER_V4, PEER_V6 = ("10.231.0.2", "10.231.0.3"), ("fd00:231::2",)
DEAD_V4, DEAD_V6 = "10.231.0.9", "fd00:231::9"


class Stub(NamedTuple):
    """A directory to put first on PATH whose attrd_updater records each call as one line."""

    bin: Path
    calls_file: Path
    fail_file: Path

    def calls(self) -> list:
        return self.calls_file.read_text().splitlines() if self.calls_file.exists() else []

    def go_down(self) -> None:
        """From now on answer like attrd_updater with no attrd running (exit 102)."""
        self.fail_file.write_text("102\n")

    def path(self) -> str:
        return f"{self.bin}:{TOOL_PATH}"


def recording_attrd(directory: Path) -> Stub:
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o755)
    stub = Stub(directory / "bin", directory / "attrd-calls", directory / "attrd-down")
    stub.bin.mkdir(exist_ok=True)
    script = stub.bin / "attrd_updater"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{stub.calls_file}"\n'
        f'if [ -f "{stub.fail_file}" ]; then\n'
        '    echo "attrd_updater: Could not update $2=$4: Connection refused (111)" >&2\n'
        f'    exit $(cat "{stub.fail_file}")\n'
        "fi\n")
    script.chmod(0o755)
    return stub


@pytest.fixture
def stub(tmp_path):
    return recording_attrd(tmp_path / "stub")


@pytest.fixture
def env(stub, tmp_path, ocfpy_pythonpath):
    return {"PYTHONPATH": ocfpy_pythonpath, "PATH": stub.path(), "HA_VARRUN": str(tmp_path),
            "PCMK_logfacility": "none", "PCMK_logfile": str(tmp_path / "agent.log")}


@pytest.fixture
def network():
    if os.geteuid() != 0:
        pytest.skip("ip netns add needs root")
    with two_namespaces("agents") as net:
        yield net


@pytest.fixture
def original():
    """ocf:pacemaker:ping, to run beside agents/ping."""
    if not os.path.exists(ORIGINAL):
        pytest.skip(f"{ORIGINAL} is not installed (Debian: pacemaker)")
    return ORIGINAL


def updates(stub) -> list:
    """The values set with -B, in order."""
    return [call.split()[3] for call in stub.calls() if call.split()[2:3] == ["-B"]]


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, env={"PATH": TOOL_PATH}, capture_output=True)


class Network(NamedTuple):
    """client netns (where the agent runs) --veth-- peer netns (the hosts it pings)."""

    client: str
    peer: str

    def set_link(self, up: bool) -> None:
        """Take the peer's end of the cable down (or up): the peer's addresses stop answering.

        Up, it returns once every peer answers again: the neighbours of a link that was down
        are resolved anew, which once took longer than a 1 s ping timeout on a busy machine.
        """
        ip("-n", self.peer, "link", "set", "p0", "up" if up else "down")
        if up:
            resolve_peers(self.client)


def resolve_peers(client: str) -> None:
    """Ping every peer address from the client until it answers (5 s at most each)."""
    for address in PEER_V4 + PEER_V6:
        subprocess.run(["ip", "netns", "exec", client, "ping", "-n", "-q", "-c", "1", "-w", "5", address],
                       env={"PATH": TOOL_PATH}, capture_output=True, check=True)


@contextlib.contextmanager
def two_namespaces(tag: str):
    """Create the pair, addressed in 10.231.0.0/24 and fd00:231::/64; always deleted afterwards."""
    net = Network(f"ocfpyping-{tag}-{os.getpid()}-c", f"ocfpyping-{tag}-{os.getpid()}-p")
    made = []
    try:
        for name in net:
            ip("netns", "add", name)
            made.append(name)
            ip("-n", name, "link", "set", "lo", "up")
        ip("-n", net.client, "link", "add", "c0", "type", "veth", "peer", "name", "p0", "netns", net.peer)
        for name, iface in ((net.client, "c0"), (net.peer, "p0")):  # a link down keeps IPv6 addresses
            ip("netns", "exec", name, "sysctl", "-qw", f"net.ipv6.conf.{iface}.keep_addr_on_down=1")
        ip("-n", net.client, "addr", "add", f"{CLIENT_V4}/24", "dev", "c0")
        ip("-n", net.client, "addr", "add", f"{CLIENT_V6}/64", "dev", "c0", "nodad")
        for address in PEER_V4:
            ip("-n", net.peer, "addr", "add", f"{address}/24", "dev", "p0")
        for address in PEER_V6:
            ip("-n", net.peer, "addr", "add", f"{address}/64", "dev", "p0", "nodad")
        ip("-n", net.client, "link", "set", "c0", "up")
        ip("-n", net.peer, "link", "set", "p0", "up")
        resolve_peers(net.client)  # a fresh link: neighbours resolved before any test counts
        yield net
    finally:
        for name in reversed(made):
            subprocess.run(["ip", "netns", "del", name], env={"PATH": TOOL_PATH}, capture_output=True)


def run_ping(action: str, *, params: dict, env: dict, netns: str | None = None,
             interval_ms: int = 0, timeout_ms: int = 20000, agent: str | None = None,
             resolv_conf: Path | None = None, open_files: int | None = None) -> dict:
    """One action of agents/ping through the harness's execd, inside netns when given; its result.

    With resolv_conf, the agent sees that file as /etc/resolv.conf (bound in a mount namespace
    of its own, private: the machine's file is never touched). With open_files, the agent runs
    under that limit of open files (systemd's default is 1024).
    """
    argv = [sys.executable, "-m", "harness", "run", agent or str(REPO / "agents" / "ping"), action,
            "--json", "--timeout", str(timeout_ms), "--interval", str(interval_ms)]
    argv += [f"--param={name}={value}" for name, value in params.items()]
    argv += [f"--env={name}={value}" for name, value in env.items()]
    if netns:
        argv = ["ip", "netns", "exec", netns] + argv
    if open_files:
        argv = ["prlimit", f"--nofile={open_files}:{open_files}", "--"] + argv
    if resolv_conf:
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                'mount --bind "$0" /etc/resolv.conf && exec "$@"', str(resolv_conf)] + argv
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=120,
                          env=dict(os.environ, PATH=f"{os.environ.get('PATH', '')}:{TOOL_PATH}"))
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise AssertionError(f"harness gave no result: {proc.stderr.strip()[-500:]}") from None


def check_setup(tmp_path: Path) -> dict:
    """What ocfpy-check needs to run ping outside a cluster: a host on loopback, the recording attrd."""
    stub = recording_attrd(tmp_path / "ping-stub")
    return {"params": {"host_list": "127.0.0.1", "timeout": "1", "attempts": "1"},
            "second_params": {"name": "pingd-second"},
            "env": {"PATH": stub.path(), "HA_VARRUN": str(stub.bin.parent)}}

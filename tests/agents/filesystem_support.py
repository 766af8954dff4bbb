"""Helpers of the Filesystem agent tests: loop devices made outside, agents and holders run inside.

Loop devices are made by fixtures in the test process (``losetup`` is not namespaced) and
detached afterwards whatever happened; everything that mounts, holds or kills runs inside
the test's own namespaces (tests/isolation.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from harness.execd import Operation, run
from isolation import unshare_available
from ocfpy.mounts import read_mount_table

#: The marks of every module of these tests: root, and namespaces to run in.
MARKS = [pytest.mark.needs_root,
         pytest.mark.skipif(unshare_available() is not None,
                            reason=f"isolated tests: {unshare_available()}")]

MKFS = {"ext4": ["mkfs.ext4", "-q", "-F"], "ext2": ["mkfs.ext2", "-q", "-F"],
        "xfs": ["mkfs.xfs", "-q", "-f"], "btrfs": ["mkfs.btrfs", "-q", "-f"]}
SIZES_MB = {"xfs": 300, "btrfs": 200}


def make_loop(directory, fstype: str, label: "str | None" = None) -> str:
    """A loop device over a fresh image in ``directory`` holding an empty ``fstype``."""
    image = os.path.join(str(directory), f"{fstype}.img")
    with open(image, "wb") as handle:
        handle.truncate(SIZES_MB.get(fstype, 32) * 1024 * 1024)
    device = subprocess.run(["losetup", "-f", "--show", image], check=True, capture_output=True,
                            text=True).stdout.strip()
    try:
        argv = MKFS[fstype] + (["-L", label] if label else []) + [device]
        subprocess.run(argv, check=True, capture_output=True)
    except BaseException:
        detach(device)
        raise
    return device


def detach(device: str) -> None:
    subprocess.run(["losetup", "-d", device], capture_output=True)


class AgentRunner:
    """Runs agents/Filesystem as execd does; picklable, so it can cross into the namespace."""

    def __init__(self, pythonpath: str, agents: str, rsctmp: str, log: str):
        self.pythonpath = pythonpath
        self.agents = agents
        self.rsctmp = rsctmp
        self.log = log
        self.pacemaker_version = "2.1.5"

    def __call__(self, action: str, params: dict, **options):
        env = {"PYTHONPATH": self.pythonpath, "HA_RSCTMP": self.rsctmp,
               "PCMK_logfacility": "none", "PCMK_logfile": self.log, **options.pop("extra_env", {})}
        options.setdefault("timeout_ms", 20000)
        options.setdefault("pacemaker_version", self.pacemaker_version)
        operation = Operation(agent=os.path.join(self.agents, "Filesystem"), action=action,
                              params=params, extra_env=env, cwd="/", **options)
        return run(operation)

    def probe(self, params: dict, **options):
        return self("monitor", params, **options)

    def monitor(self, params: dict, depth: int = 0, **options):
        return self("monitor", params, interval_ms=20000, check_level=depth, **options)

    def log_text(self) -> str:
        try:
            with open(self.log, encoding="utf-8", errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""


def mounted_sources(directory: str) -> list:
    """The sources mounted on ``directory``, bottom first, from mountinfo."""
    return [mount.source for mount in read_mount_table().stack(directory)]


def mount(*argv) -> None:
    subprocess.run(["mount", *argv], check=True, capture_output=True)


def bind_of_mounted(device: str, root: str, options: str, *others: str) -> tuple:
    """``device`` mounted at ROOT/srcfs with the directories exported and ``others`` in it;
    (that mount, the Filesystem params that bind exported at ROOT/bind with ``options``)."""
    source_fs = f"{root}/srcfs"
    os.mkdir(source_fs)
    mount(device, source_fs)
    for sub in ("exported",) + others:
        os.mkdir(f"{source_fs}/{sub}")
    return source_fs, {"device": f"{source_fs}/exported", "directory": f"{root}/bind", "fstype": "none",
                       "options": options}


def start_process(code: str, cwd: str = "/", root: "str | None" = None) -> subprocess.Popen:
    """A Python process running ``code`` (in ``root`` if given, via chroot), in its own session."""
    def enter():
        if root:
            os.chroot(root)
            os.chdir("/")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=cwd, preexec_fn=enter,
                            start_new_session=True, stdin=subprocess.DEVNULL)
    return proc


def sleeper(cwd: str = "/") -> subprocess.Popen:
    return start_process("import time; time.sleep(600)", cwd=cwd)


def wait_ready(path: str, timeout: float = 10) -> None:
    """Wait until a holder created ``path`` to say it holds what it should."""
    until = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > until:
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.01)


def gone(proc: subprocess.Popen, timeout: float = 2) -> bool:
    try:
        proc.wait(timeout)
        return True
    except subprocess.TimeoutExpired:
        return False


def alive(proc: subprocess.Popen) -> bool:
    return proc.poll() is None


def kill_all(*procs) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()


# --- fixtures (imported by the test modules) -------------------------------------------------
@pytest.fixture
def fs(ocfpy_pythonpath, readable_agents, tmp_path):
    """An AgentRunner for agents/Filesystem with its own HA_RSCTMP and log file."""
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()
    return AgentRunner(ocfpy_pythonpath, readable_agents, str(rsctmp), str(tmp_path / "agent.log"))


@pytest.fixture
def loops(tmp_path):
    """loops("ext4") -> a new loop device; all are detached at the end, whatever happened."""
    made = []

    def make(fstype, label=None):
        made.append(make_loop(tmp_path, fstype, label))
        return made[-1]

    yield make
    for device in made:
        detach(device)

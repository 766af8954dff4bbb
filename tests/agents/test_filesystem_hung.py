"""ocf:ocfpy:Filesystem on a filesystem that stops answering: every action ends before its timeout.

A FUSE mount (bindfs) whose daemon is stopped with SIGSTOP behaves as a hard NFS mount
whose server died: every stat of it blocks, uninterruptibly. The daemon gets SIGCONT
afterwards and everything is unmounted, also when the test fails; the namespace
(tests/isolation.py) kills what is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from filesystem_support import MARKS, fs, kill_all, mounted_sources, start_process  # noqa: F401
from isolation import isolated

pytestmark = MARKS + [pytest.mark.skipif(not os.path.exists("/dev/fuse"), reason="no /dev/fuse")]

BLOCKED_READER = "import os; os.listdir({path!r})"  # blocks in the kernel while the daemon is stopped


def daemon_of(source: str) -> int:
    """The pid of the bindfs serving ``source`` (inside the namespace: only ours)."""
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as handle:
                    argv = handle.read().split(b"\0")
            except OSError:
                continue
            if argv and os.path.basename(argv[0]) == b"bindfs" and source.encode() in argv:
                return int(name)
    raise AssertionError(f"no bindfs for {source}")


def hung_bindfs(tmp_path) -> tuple:
    """(source, mount point, daemon pid, a reader blocked on it): a bindfs whose daemon is stopped."""
    source, hung = str(tmp_path / "src"), str(tmp_path / "hung")
    os.mkdir(source)
    os.mkdir(hung)
    subprocess.run(["bindfs", source, hung], check=True)
    daemon = daemon_of(source)
    os.kill(daemon, signal.SIGSTOP)
    return source, hung, daemon, start_process(BLOCKED_READER.format(path=hung))


def release(pid: int, directory: str) -> None:
    """Let the daemon answer again, then make sure nothing stays mounted."""
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        pass
    if mounted_sources(directory):
        subprocess.run(["umount", "-l", directory], capture_output=True)


@pytest.mark.skipif(not os.path.exists("/usr/bin/bindfs"), reason="bindfs is not installed")
@isolated
def test_every_action_on_a_hung_mount_ends_before_its_timeout(fs, tmp_path):
    source, directory = str(tmp_path / "src"), str(tmp_path / "hung")
    os.mkdir(source)
    params = {"device": source, "directory": directory, "fstype": "fuse.bindfs"}
    assert fs("start", params).rc == 0 and mounted_sources(directory) == [source]
    assert fs.monitor(params, 20).rc == 0  # answering: all depths pass
    daemon = daemon_of(source)
    os.kill(daemon, signal.SIGSTOP)
    reader = start_process(BLOCKED_READER.format(path=directory))
    try:
        results = {
            "probe": fs.probe(params),
            "depth 0": fs.monitor(params, 0, timeout_ms=3000),
            "depth 10": fs.monitor(params, 10, timeout_ms=3000),
            "depth 20": fs.monitor(params, 20, timeout_ms=3000),
            "start": fs("start", params, timeout_ms=3000),
            "stop": fs("stop", params, timeout_ms=4000),
        }
        limits = {"probe": 20, "depth 0": 3, "depth 10": 3, "depth 20": 3, "start": 3, "stop": 4}
        assert {name: (r.status.name, r.elapsed < limits[name]) for name, r in results.items()} == \
            dict.fromkeys(results, ("DONE", True))
        codes = {name: r.rc for name, r in results.items()}
        assert {k: codes[k] for k in ("probe", "depth 0", "depth 10", "depth 20", "start")} == \
            {"probe": 0, "depth 0": 0, "depth 10": 1, "depth 20": 1, "start": 0}
        assert "does not answer" in results["depth 10"].exit_reason
        # the first umount gets no answer; in the second half MNT_FORCE aborts the connection
        assert (results["stop"].rc, mounted_sources(directory)) == (0, [])
    finally:
        release(daemon, directory)
        kill_all(reader)


@pytest.mark.skipif(not os.path.exists("/usr/bin/bindfs"), reason="bindfs is not installed")
@isolated
def test_a_hung_mount_elsewhere_does_not_slow_another_resource(fs, tmp_path):
    source, hung, daemon, reader = hung_bindfs(tmp_path)
    data = str(tmp_path / "data")
    params = {"device": "tmpfs", "directory": data, "fstype": "tmpfs"}
    try:
        assert fs("start", params).rc == 0
        holder = start_process("import time; time.sleep(600)", cwd=data)
        time.sleep(0.1)
        began = time.monotonic()
        assert [fs.monitor(params, 20).rc, fs("stop", params).rc] == [0, 0]
        assert time.monotonic() - began < 5 and holder.wait(5) is not None
    finally:
        release(daemon, hung)
        kill_all(reader)


@pytest.mark.skipif(not os.path.exists("/usr/bin/bindfs"), reason="bindfs is not installed")
@isolated
def test_a_stop_that_cannot_unmount_a_silent_filesystem_fails_in_time_with_one_reason(fs, tmp_path):
    source, hung, daemon, reader = hung_bindfs(tmp_path)
    # configured as a plain device path: no MNT_FORCE, which only network and FUSE types get
    params = {"device": source, "directory": hung, "fstype": ""}
    try:
        assert fs.probe(params).rc == 0
        stop = fs("stop", params, timeout_ms=3000)
        assert (stop.rc, stop.status.name, stop.elapsed < 3) == (1, "DONE", True)
        # busy (the blocked reader holds it, and SIGKILL cannot end it) or silent: either way in time
        assert stop.exit_reason.startswith(("still busy after", "the filesystem does not answer"))
        assert stop.stderr.count(b"ocf-exit-reason:") == 1
    finally:
        release(daemon, hung)
        kill_all(reader)

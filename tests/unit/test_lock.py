"""ocfpy.lock: flock under HA_RSCTMP, bounded by the deadline, released by death, links refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ocfpy
from ocfpy.environment import Environment
from ocfpy.errors import OCFError
from ocfpy.lock import Lock

PACKAGE_PARENT = str(Path(ocfpy.__file__).resolve().parent.parent)

HOLDER = """
import sys, time
from ocfpy.lock import Lock
with Lock(sys.argv[1], shared=sys.argv[2] == "shared"):
    print("locked", flush=True)
    time.sleep(float(sys.argv[3]))
"""

COUNTER = """
import sys
from ocfpy.lock import Lock
for _ in range(int(sys.argv[3])):
    with Lock(sys.argv[1], timeout=30):
        with open(sys.argv[2]) as f:
            value = int(f.read())
        with open(sys.argv[2], "w") as f:
            f.write(str(value + 1))
"""


def python(code: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT)
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE,
                            text=True)


@pytest.fixture
def holder(tmp_path):
    """Start a process that holds the lock for a while; yields (path, process)."""
    started = []

    def start(mode="exclusive", seconds=30.0):
        path = str(tmp_path / "rsc" / "Dummy.lock")
        proc = python(HOLDER, path, mode, str(seconds))
        assert proc.stdout.readline() == "locked\n"
        started.append(proc)
        return path, proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()


def test_lock_is_taken_released_and_its_file_kept(tmp_path):
    path = tmp_path / "x.lock"
    with Lock(str(path)) as lock:
        assert lock.held
        assert path.read_text() == f"{os.getpid()}\n"
    assert not lock.held and path.exists()


def test_env_lock_lives_in_ha_rsctmp_with_a_safe_name(tmp_path):
    env = Environment({"HA_RSCTMP": str(tmp_path), "OCF_RESOURCE_INSTANCE": "db"})
    assert Lock(env, "Filesystem").path == str(tmp_path / "Filesystem.lock")
    assert Lock(env, "../../etc/x").path == str(tmp_path / "%2E%2E%2F%2E%2E%2Fetc%2Fx.lock")


@pytest.mark.parametrize("args, error", [
    (("/tmp/x.lock", "name"), TypeError),
    ((Environment({}),), TypeError),
])
def test_bad_arguments(args, error):
    with pytest.raises(error):
        Lock(*args)


def test_busy_lock_times_out_with_a_reason_naming_the_holder(holder):
    path, proc = holder()
    started = time.monotonic()
    with pytest.raises(OCFError) as caught:
        Lock(path, timeout=0.3).acquire()
    assert 0.3 <= time.monotonic() - started < 2
    assert caught.value.reason == f"could not take the lock {path} in time: held by pid {proc.pid}"
    assert caught.value.rc == 1


def test_env_lock_waits_until_the_action_deadline_less_the_margin(holder, tmp_path):
    path, _ = holder()
    env = Environment({"HA_RSCTMP": os.path.dirname(path), "OCF_RESKEY_CRM_meta_timeout": "1500"},
                      started=time.monotonic())
    started = time.monotonic()
    with pytest.raises(OCFError, match="in time"):
        Lock(env, "Dummy").acquire()  # 1.5 s timeout - 1 s margin: gives up after ~0.5 s
    assert 0.4 <= time.monotonic() - started < 1.4


def test_waiter_gets_the_lock_when_the_holder_releases(holder):
    path, proc = holder(seconds=0.3)
    with Lock(path, timeout=10) as lock:
        assert lock.held
    assert proc.wait() == 0


def test_lock_of_a_holder_killed_by_sigkill_is_free_at_once(holder):
    path, proc = holder()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Lock(path, timeout=0.5) as lock:
        assert lock.held


def test_shared_locks_coexist_and_keep_out_an_exclusive_one(holder):
    path, _ = holder(mode="shared")
    with Lock(path, shared=True, timeout=0.5) as lock:
        assert lock.held
    with pytest.raises(OCFError, match="in time"):
        Lock(path, timeout=0.2).acquire()


def test_the_lock_excludes_concurrent_read_modify_write(tmp_path):
    counter = tmp_path / "counter"
    counter.write_text("0")
    lock_path = str(tmp_path / "counter.lock")
    workers = [python(COUNTER, lock_path, str(counter), "50") for _ in range(4)]
    for worker in workers:
        assert worker.wait(timeout=60) == 0
        worker.stdout.close()
    assert counter.read_text() == "200"


def test_symlink_at_the_lock_path_is_refused_and_its_target_untouched(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    link = tmp_path / "x.lock"
    os.symlink(victim, link)
    with pytest.raises(OCFError, match="symbolic link"):
        Lock(str(link), timeout=0.1).acquire()
    assert victim.read_text() == "precious\n"


def test_dangling_symlink_does_not_create_its_target(tmp_path):
    link = tmp_path / "x.lock"
    os.symlink(tmp_path / "created-through-link", link)
    with pytest.raises(OCFError, match="symbolic link"):
        Lock(str(link), timeout=0.1).acquire()
    assert not (tmp_path / "created-through-link").exists()


def test_one_lock_object_cannot_be_taken_twice(tmp_path):
    lock = Lock(str(tmp_path / "x.lock"))
    with lock:
        with pytest.raises(OCFError, match="already held"):
            lock.acquire()

"""tests/isolation.py: bodies run in their own PID and mount namespaces; results and failures come back."""

from __future__ import annotations

import os
import subprocess

import pytest
from isolation import IsolatedError, isolated, run_isolated, unshare_available

pytestmark = [pytest.mark.needs_root,
              pytest.mark.skipif(unshare_available() is not None, reason=f"{unshare_available()}")]


def inside_view(directory):
    os.makedirs(directory)
    subprocess.run(["mount", "-t", "tmpfs", "isolated-test", directory], check=True)
    with open("/proc/self/mountinfo") as table:
        mounted = "isolated-test" in table.read()
    return os.getpid(), os.getppid(), sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[:2], mounted


def fails():
    value = 41
    assert value + 1 == 43


def test_a_body_sees_only_its_namespace_and_its_mounts_stay_there(tmp_path):
    pid, parent, first_pids, mounted = run_isolated(inside_view, str(tmp_path / "m"))
    assert (parent, first_pids, mounted) == (1, [1, pid], True)
    with open("/proc/self/mountinfo") as table:
        assert "isolated-test" not in table.read()


def test_a_failure_inside_is_raised_outside_with_its_traceback():
    with pytest.raises(AssertionError) as failure:
        run_isolated(fails)
    assert "inside the namespace" in str(failure.value) and "assert (41 + 1) == 43" in str(failure.value)


@isolated
def test_the_decorator_runs_the_body_inside(tmp_path):
    assert os.getppid() == 1 and tmp_path.is_dir()


def test_a_body_that_overruns_is_stopped():
    with pytest.raises(IsolatedError, match="did not finish"):
        run_isolated(__import__("time").sleep, 30, timeout=1)


def nested():
    return run_isolated(os.getpid)


def test_bodies_cannot_nest_namespaces():
    with pytest.raises(RuntimeError, match="not nested"):
        run_isolated(nested)

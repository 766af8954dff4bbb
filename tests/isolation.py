"""Run a command or a Python function inside new PID and mount namespaces (unshare -pmf --mount-proc).

Tests that kill processes or unmount run their work through here, so that a bug can only
reach processes and mounts the test made. The namespace's PID 1 is a small reaping init
(this file run with ``--init``): orphans are reaped, as on a real node, and when the
command ends the kernel kills whatever it left behind.

    result = run_isolated(["sh", "-c", "..."], timeout=30)      # a CompletedProcess
    value = call_isolated("/path/test_x.py", "scenario", 1, 2)   # what scenario(1, 2) returned

A function called with call_isolated takes and returns JSON values; its module is imported
by path inside the namespace, with the repository and the test directories on sys.path.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS)
RESULT_MARK = "@@isolation-result@@ "


def available() -> str | None:
    """None when namespaces can be made here, else why not (for a skip reason)."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(["unshare", "-pmf", "--mount-proc", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return "cannot create PID and mount namespaces: " + probe.stderr.decode(errors="replace").strip()
    return None


def run_isolated(argv, *, timeout: float = 60, env=None, cwd=None, input=None):
    """``argv`` run as the child of a reaping init in new PID and mount namespaces."""
    command = ["unshare", "-pmf", "--mount-proc", sys.executable, os.path.abspath(__file__),
               "--init", "--", *argv]
    return subprocess.run(command, capture_output=True, timeout=timeout, env=env, cwd=cwd,
                          input=input, check=False)


def call_isolated(path: str, function: str, *args, timeout: float = 60, env=None):
    """``function(*args)`` from the module at ``path``, run isolated; its JSON result.

    An exception inside is raised here as an AssertionError with the namespace's output.
    """
    call = json.dumps({"path": os.path.abspath(path), "function": function, "args": args})
    result = run_isolated([sys.executable, os.path.abspath(__file__), "--call", call],
                          timeout=timeout, env=env)
    out = result.stdout.decode(errors="replace")
    for line in reversed(out.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    raise AssertionError(f"{function} failed in the namespace (rc {result.returncode}):\n"
                         f"{out}\n{result.stderr.decode(errors='replace')}")


def alive(pid: int) -> bool:
    """``pid`` runs or sleeps; a zombie or a reaped process counts as gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(predicate, seconds: float = 5.0) -> bool:
    """Poll ``predicate`` every 20 ms until it is true or ``seconds`` pass; its last value."""
    import time

    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def _init(argv) -> int:
    """PID 1: start ``argv``, reap every process that ends, exit with ``argv``'s status."""
    child = os.fork()
    if child == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 1
        if pid == child:
            return os.waitstatus_to_exitcode(status) & 0xFF


def _call(spec: str) -> int:
    import importlib.util

    request = json.loads(spec)
    for directory in (REPO, TESTS, os.path.dirname(request["path"])):
        if directory not in sys.path:
            sys.path.insert(0, directory)
    module_spec = importlib.util.spec_from_file_location("isolated_module", request["path"])
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    value = getattr(module, request["function"])(*request["args"])
    sys.stdout.write("\n" + RESULT_MARK + json.dumps(value) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--init":
        raise SystemExit(_init(sys.argv[3:]))
    if sys.argv[1] == "--call":
        raise SystemExit(_call(sys.argv[2]))
    raise SystemExit(f"usage: {sys.argv[0]} --init -- ARGV... | --call JSON")

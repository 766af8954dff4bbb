"""Run a test body in its own PID and mount namespaces (``unshare -pmf --mount-proc``).

A test that kills processes or unmounts filesystems runs this way, so a bug can never
reach the machine's own processes or mounts: inside, /proc shows only the namespace's
processes, mounts are private, and when the body ends every process left in the namespace
is killed and every mount it made disappears with it.

    @pytest.mark.needs_root
    @isolated
    def test_stop_kills_the_holder(tmp_path): ...       # the body runs inside

    result = run_isolated(function, *args)              # or call a function inside

Arguments and results travel by pickle (fixtures such as ``tmp_path`` do); the function is
found again inside by its module and name. Inside, PID 1 is a small init that reaps
orphans, the body runs as its child. An exception inside is raised again outside, of the
same type where it can be, with the inner traceback in its message.
"""

from __future__ import annotations

import functools
import os
import pathlib
import pickle
import shutil
import subprocess
import sys
import tempfile

DEFAULT_TIMEOUT = 300
#: Set in the environment of everything inside a namespace made here.
INSIDE = "OCFPY_ISOLATED"

def _load(module: str):
    """The test module, its asserts rewritten as pytest does (so failures show the values)."""
    import importlib
    import importlib.util
    import types

    spec = importlib.util.find_spec(module)
    if spec is None or not spec.has_location or not spec.origin.endswith(".py"):
        return importlib.import_module(module)
    try:
        import ast

        from _pytest.assertion.rewrite import rewrite_asserts
    except ImportError:
        return importlib.import_module(module)
    with open(spec.origin, "rb") as handle:
        source = handle.read()
    tree = ast.parse(source, spec.origin)
    rewrite_asserts(tree, source, spec.origin)
    loaded = types.ModuleType(module)
    loaded.__file__ = spec.origin
    sys.modules[module] = loaded
    exec(compile(tree, spec.origin, "exec"), loaded.__dict__)
    return loaded


def _body(module: str, name: str, args, kwargs) -> tuple:
    """Inside: run the function; ("ok", result) or ("error", exception or None, traceback)."""
    import traceback

    try:
        function = _load(module)
        for part in name.split("."):
            function = getattr(function, part)
        function = getattr(function, "__isolated_body__", function)
        return ("ok", function(*args, **kwargs))
    except BaseException as error:  # everything goes back to the test outside
        text = traceback.format_exc()
        try:
            pickle.dumps(error)
        except Exception:
            error = None
        return ("error", error, text)


def _init(request: str, answer: str) -> int:
    """PID 1 of the namespace: run the body as a child, reap every orphan until it is done."""
    with open(request, "rb") as handle:
        sys.path[:] = pickle.load(handle)  # first, so that the arguments' classes can be imported
        module, name, args, kwargs = pickle.load(handle)
    pid = os.fork()
    if pid == 0:
        os.setsid()
        outcome = _body(module, name, args, kwargs)
        with open(answer, "wb") as handle:
            pickle.dump(outcome, handle)
        os._exit(0 if outcome[0] == "ok" else 1)
    while True:
        try:
            reaped, status = os.wait()
        except ChildProcessError:
            return 1
        if reaped == pid:
            return os.waitstatus_to_exitcode(status)


class IsolatedError(AssertionError):
    """The body failed inside the namespace in a way that cannot be raised again as it was."""


def unshare_available() -> "str | None":
    """Why bodies cannot run isolated here, or None when they can."""
    if os.geteuid() != 0:
        return "needs root: PID and mount namespaces"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    return None


def run_isolated(function, *args, timeout: float = DEFAULT_TIMEOUT, **kwargs):
    """``function(*args, **kwargs)`` run in fresh PID and mount namespaces; its result."""
    why = unshare_available()
    if why:
        raise RuntimeError(f"cannot isolate: {why}")
    if os.environ.get(INSIDE) == "1":  # e.g. a module that isolates at import: it would recurse
        raise RuntimeError("run_isolated inside an isolated body: namespaces are not nested")
    module, name = function.__module__, function.__qualname__
    work = tempfile.mkdtemp(prefix="ocfpy-isolated-")
    try:
        request, answer = os.path.join(work, "request"), os.path.join(work, "answer")
        with open(request, "wb") as handle:
            pickle.dump(list(sys.path), handle)
            pickle.dump((module, name, args, kwargs), handle)
        argv = ["unshare", "--pid", "--mount", "--fork", "--mount-proc", "--kill-child",
                "--propagation", "private", sys.executable, os.path.abspath(__file__), request, answer]
        try:
            proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                                  env=dict(os.environ, **{INSIDE: "1"}))
        except subprocess.TimeoutExpired:
            raise IsolatedError(f"{name} did not finish within {timeout} s in its namespace") from None
        if not os.path.exists(answer):
            raise IsolatedError(f"{name} ended without an answer (exit {proc.returncode}): "
                                f"{proc.stderr.decode(errors='replace')[-2000:]}")
        with open(answer, "rb") as handle:
            outcome = pickle.load(handle)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if outcome[0] == "ok":
        return outcome[1]
    _raise_again(outcome[1], outcome[2])


def _raise_again(error, text: str):
    inner = f"\n--- inside the namespace ---\n{text}"
    if error is not None:
        try:
            error.args = ((str(error.args[0]) if error.args else "") + inner,) + tuple(error.args[1:])
        except Exception:
            raise IsolatedError(text) from None
        if hasattr(error, "msg") and isinstance(getattr(error, "msg"), str):  # pytest outcomes
            error.msg += inner
        raise error
    raise IsolatedError(text)


def isolated(test):
    """Decorator: the test body runs in its own namespaces; fixtures are made outside."""
    @functools.wraps(test)
    def outside(*args, **kwargs):
        return run_isolated(outside, *args, **kwargs)

    outside.__isolated_body__ = test
    return outside


# -- commands and Python scenarios (the validator's tests) ------------------------------------
REPO = pathlib.Path(__file__).resolve().parent.parent


def require_namespaces() -> None:
    """Skip (with the reason) where bodies cannot run isolated."""
    why = unshare_available()
    if why:
        import pytest

        pytest.skip(why)


def _run_command(argv: list, cwd, env: dict) -> tuple:
    """Inside: argv to its end; (exit status, stdout, stderr) as text."""
    done = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


def run_command_isolated(argv: list, *, cwd=None, network: bool = False,
                         timeout: float = DEFAULT_TIMEOUT) -> subprocess.CompletedProcess:
    """argv run isolated (with network, also in a network namespace of its own: a loopback only,
    down), the checkout on PYTHONPATH; a CompletedProcess with text output."""
    require_namespaces()
    env = {key: value for key, value in os.environ.items() if key != INSIDE}
    env["PYTHONPATH"] = str(REPO)
    command = (["unshare", "--net"] if network else []) + list(argv)
    code, out, err = run_isolated(_run_command, command, None if cwd is None else str(cwd), env, timeout=timeout)
    return subprocess.CompletedProcess(command, code, out, err)


def run_scenario(code: str, *args: str, timeout: float = DEFAULT_TIMEOUT, network: bool = False) -> dict:
    """Python code run isolated with args in sys.argv[1:]; its last stdout line is JSON, returned decoded."""
    import json

    done = run_command_isolated([sys.executable, "-c", code, *args], timeout=timeout, network=network)
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and lines, f"scenario failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return json.loads(lines[-1])


PROCESSES = '''
def processes(name):
    """pids of the namespace's processes whose command is name."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                if handle.read().split(b"\\0")[0].endswith(name.encode()):
                    found.append(int(pid))
        except (OSError, ValueError):
            pass
    return found
'''
"""Source of processes(name), for scenarios: what is left running inside the namespace."""


if __name__ == "__main__":
    sys.exit(_init(sys.argv[1], sys.argv[2]))

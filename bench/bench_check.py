#!/usr/bin/env python3
"""Validator cost: the full `ocfpy-check` beside `ocf-tester` on the same agent, in the same run.

    python3 bench/bench_check.py [--runs N]

Both as command lines (interpreter start-up included), alternating, N runs each (default 5);
ocfpy-check (and ocfpy's Dummy) start from bytecode as installed ones do (a cache in the bench's
temporary directory, written by one untimed run first), ocfpy-check with the interpreter and
flag its installed command has (`/usr/bin/python3 -s`, --python to change it), not with whatever
interpreter runs the bench (a pyenv or venv one may load site-packages `.pth` files first):
every wall time, the medians and their ratio ocfpy-check / ocf-tester, and the median CPU time
each command and the agent processes it started used (less noisy on a shared machine), and the
executor's own CPU per action beside a bare subprocess.run. The targets: the full
check of ocf:pacemaker:Dummy (every check run: the action and check counts are printed) at
most 2x ocf-tester's time on it; the full check of ocfpy's Dummy under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_S = 2.0
TARGET_RATIO = 2.0


def pythonpath_with_only_ocfpy(workdir: str) -> str:
    root = os.path.join(workdir, "path")
    os.mkdir(root)
    os.symlink(os.path.join(REPO, "ocfpy"), os.path.join(root, "ocfpy"))
    os.chmod(workdir, 0o755)
    os.chmod(root, 0o755)
    return root


def timed(argv: list, env: dict) -> tuple:
    """(wall seconds, the finished process); CPU_SPENT gets the CPU seconds it and its children used."""
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    CPU_SPENT.append(_children_cpu() - cpu)
    return seconds, done


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def python_env(workdir: str) -> dict:
    """Our processes start from bytecode, as an installed ocfpy-check does (the cache lives in workdir)."""
    env = dict(os.environ, PYTHONPATH=REPO, PYTHONPYCACHEPREFIX=os.path.join(workdir, "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def ocfpy_check(agent: str, agent_env: dict) -> tuple:
    argv = CHECK_PYTHON + ["-m", "harness", "check", "--format", "json", "-n", "bench-check"]
    argv += [f"-E{k}={v}" for k, v in agent_env.items()] + [agent]
    seconds, done = timed(argv, PYTHON_ENV)
    summary = json.loads(done.stdout)["summary"] if done.stdout.startswith("{") else {}
    return seconds, (f"exit {done.returncode}, {summary.get('checks', '?')} checks, {summary.get('actions', '?')} agent actions, "
                     f"{summary.get('errors', '?')} errors")


def ocf_tester(agent: str, agent_env: dict) -> tuple:
    if shutil.which("ocf-tester") is None:
        return None, "not installed"
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", **agent_env}
    seconds, done = timed(["ocf-tester", "-n", "bench-tester", agent], env)
    return seconds, f"exit {done.returncode}: {done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ''}"


def row(label: str, agent: str, agent_env: dict, runs: int) -> tuple:
    """Alternating runs of both; prints each time and the medians; (our median, ratio or None)."""
    ours, theirs, our_note, their_note, our_cpu, their_cpu = [], [], "", "", [], []
    for _ in range(runs):
        seconds, our_note = ocfpy_check(agent, agent_env)
        ours.append(seconds)
        our_cpu.append(CPU_SPENT[-1])
        seconds, their_note = ocf_tester(agent, agent_env)
        if seconds is not None:
            theirs.append(seconds)
            their_cpu.append(CPU_SPENT[-1])
    print(f"{label}")
    print(f"  ocfpy-check  median {statistics.median(ours):5.2f} s  ({' '.join(f'{t:.2f}' for t in ours)})  {our_note}")
    print(f"               CPU (itself and the agent's processes) median {statistics.median(our_cpu):5.2f} s")
    if not theirs:
        print(f"  ocf-tester       -     ({their_note})")
        return statistics.median(ours), None
    print(f"  ocf-tester   median {statistics.median(theirs):5.2f} s  ({' '.join(f'{t:.2f}' for t in theirs)})  {their_note}")
    print(f"               CPU (itself and the agent's processes) median {statistics.median(their_cpu):5.2f} s")
    ratio = statistics.median(ours) / statistics.median(theirs)
    print(f"  ratio ocfpy-check / ocf-tester (medians): {ratio:.2f}x")
    return statistics.median(ours), ratio


def schema_cost(agent: str, agent_env: dict, runs: int = 200) -> None:
    """The OCF 1.1 schema check of the agent's meta-data in-process, beside one xmllint --relaxng."""
    sys.path.insert(0, REPO)
    from harness.check import schemas
    from harness.execd import Operation, run

    document = run(Operation(agent=agent, action="meta-data", extra_env=agent_env)).stdout
    schema = schemas.ocf11()
    start = time.perf_counter()
    for _ in range(runs):
        assert schema.validate(document) is None
    ours = (time.perf_counter() - start) / runs
    print("OCF 1.1 schema check of its meta-data")
    print(f"  ocfpy RELAX NG  {ours * 1e3:7.3f} ms per document (mean of {runs})")
    if shutil.which("xmllint"):
        seconds, _ = _xmllint(schemas.ocf11_path(), document)
        print(f"  xmllint         {seconds * 1e3:7.3f} ms (one process)")


def executor_cost(agent: str, agent_env: dict, runs: int = 100) -> None:
    """The parent's CPU per action: harness.execd.run (blocking) and spawn().wait() beside a bare subprocess.run."""
    sys.path.insert(0, REPO)
    from harness.execd import Operation, run, spawn

    op = Operation(agent=agent, action="monitor", extra_env=agent_env)
    bare_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "OCF_ROOT": "/usr/lib/ocf", **agent_env}
    ways = {
        "harness.execd.run": lambda: run(op),
        "harness.execd.spawn().wait()": lambda: spawn(op).wait(),
        "bare subprocess.run": lambda: subprocess.run([agent, "monitor"], env=bare_env, stdin=subprocess.DEVNULL,
                                                      capture_output=True, check=False),
    }
    print(f"the parent's own CPU per action ({agent} monitor, mean of {runs})")
    for label, action in ways.items():
        action()
        before = _own_cpu()
        for _ in range(runs):
            action()
        print(f"  {label:<30} {(_own_cpu() - before) / runs * 1e3:6.3f} ms")


def _own_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _xmllint(schema: str, document: bytes) -> tuple:
    start = time.perf_counter()
    done = subprocess.run(["xmllint", "--noout", "--relaxng", schema, "-"], input=document, capture_output=True, check=False)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    parser.add_argument("--python", default=SYSTEM_PYTHON if os.path.exists(SYSTEM_PYTHON) else sys.executable,
                        help=f"the interpreter ocfpy-check runs on, with -s as installed (default {SYSTEM_PYTHON})")
    args = parser.parse_args()
    runs = args.runs
    CHECK_PYTHON[:] = [args.python, "-s"]
    print(f"ocfpy-check runs as: {' '.join(CHECK_PYTHON)} -m harness check")
    workdir = tempfile.mkdtemp(prefix="ocfpy-bench-check-")
    try:
        rsctmp = os.path.join(workdir, "rsctmp")
        os.mkdir(rsctmp)
        env = {"PYTHONPATH": pythonpath_with_only_ocfpy(workdir), "HA_RSCTMP": rsctmp,
               "PYTHONPYCACHEPREFIX": os.path.join(workdir, "pycache")}
        PYTHON_ENV.update(python_env(workdir))
        ocfpy_check(PACEMAKER_DUMMY, {"HA_RSCTMP": rsctmp})  # not timed: writes the bytecode cache
        if os.path.exists(PACEMAKER_DUMMY):
            _, ratio = row("ocf:pacemaker:Dummy (shell)", PACEMAKER_DUMMY, {"HA_RSCTMP": rsctmp}, runs)
            if ratio is not None:
                print(f"  target: at most {TARGET_RATIO:.0f}x ocf-tester -> {'met' if ratio <= TARGET_RATIO else 'MISSED'}")
        ours, _ = row("ocfpy's Dummy (agents/Dummy)", os.path.join(REPO, "agents", "Dummy"), env, runs)
        print(f"  target: whole check under {TARGET_S:.0f} s -> {'met' if ours < TARGET_S else 'MISSED'}")
        schema_cost(os.path.join(REPO, "agents", "Dummy"), env)
        if os.path.exists(PACEMAKER_DUMMY):
            executor_cost(PACEMAKER_DUMMY, {"HA_RSCTMP": rsctmp})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


PACEMAKER_DUMMY = "/usr/lib/ocf/resource.d/pacemaker/Dummy"
PYTHON_ENV: dict = {}
CPU_SPENT: list = []  # CPU seconds of each timed command, in order
SYSTEM_PYTHON = "/usr/bin/python3"  # what the RPM's and Debian's ocfpy-check start with
CHECK_PYTHON: list = [sys.executable, "-s"]


if __name__ == "__main__":
    raise SystemExit(main())

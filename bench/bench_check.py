#!/usr/bin/env python3
"""Validator cost: the full `ocfpy-check` of ocfpy's Dummy beside `ocf-tester` on the same agent.

    python3 bench/bench_check.py

One run of each, in the same invocation, both as command lines (interpreter start-up
included): the wall time, the ratio ocfpy-check / ocf-tester, and the target (the whole check
of ocfpy's Dummy in under 2 s). The same pair on ocf:pacemaker:Dummy follows as a shell anchor.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET_S = 2.0


def pythonpath_with_only_ocfpy(workdir: str) -> str:
    root = os.path.join(workdir, "path")
    os.mkdir(root)
    os.symlink(os.path.join(REPO, "ocfpy"), os.path.join(root, "ocfpy"))
    os.chmod(workdir, 0o755)
    os.chmod(root, 0o755)
    return root


def timed(argv: list, env: dict) -> tuple:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def ocfpy_check(agent: str, agent_env: dict) -> tuple:
    argv = [sys.executable, "-m", "harness", "check", "--format", "json", "-n", "bench-check"]
    argv += [f"-E{k}={v}" for k, v in agent_env.items()] + [agent]
    env = dict(os.environ, PYTHONPATH=REPO)
    seconds, done = timed(argv, env)
    summary = json.loads(done.stdout)["summary"] if done.stdout.startswith("{") else {}
    return seconds, (f"exit {done.returncode}, {summary.get('checks', '?')} checks, {summary.get('actions', '?')} agent actions, "
                     f"{summary.get('errors', '?')} errors")


def ocf_tester(agent: str, agent_env: dict) -> tuple:
    if shutil.which("ocf-tester") is None:
        return None, "not installed"
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", **agent_env}
    seconds, done = timed(["ocf-tester", "-n", "bench-tester", agent], env)
    return seconds, f"exit {done.returncode}: {done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ''}"


def row(label: str, agent: str, agent_env: dict) -> float:
    ours, our_note = ocfpy_check(agent, agent_env)
    theirs, their_note = ocf_tester(agent, agent_env)
    print(f"{label}")
    print(f"  ocfpy-check  {ours:6.2f} s   ({our_note})")
    if theirs is None:
        print(f"  ocf-tester       -     ({their_note})")
    else:
        print(f"  ocf-tester   {theirs:6.2f} s   ({their_note})")
        print(f"  ratio ocfpy-check / ocf-tester: {ours / theirs:.2f}x")
    return ours


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


def _xmllint(schema: str, document: bytes) -> tuple:
    start = time.perf_counter()
    done = subprocess.run(["xmllint", "--noout", "--relaxng", schema, "-"], input=document, capture_output=True, check=False)
    return time.perf_counter() - start, done


def main() -> int:
    workdir = tempfile.mkdtemp(prefix="ocfpy-bench-check-")
    try:
        rsctmp = os.path.join(workdir, "rsctmp")
        os.mkdir(rsctmp)
        env = {"PYTHONPATH": pythonpath_with_only_ocfpy(workdir), "HA_RSCTMP": rsctmp}
        ours = row("ocfpy's Dummy (agents/Dummy)", os.path.join(REPO, "agents", "Dummy"), env)
        print(f"  target: whole check under {TARGET_S:.0f} s -> {'met' if ours < TARGET_S else 'MISSED'}")
        schema_cost(os.path.join(REPO, "agents", "Dummy"), env)
        if os.path.exists("/usr/lib/ocf/resource.d/pacemaker/Dummy"):
            row("anchor: ocf:pacemaker:Dummy (shell)", "/usr/lib/ocf/resource.d/pacemaker/Dummy", {"HA_RSCTMP": rsctmp})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python3
"""Agent start-up cost: ocfpy's Dummy beside ocf:pacemaker:Dummy, dummypy and a bare interpreter.

    python3 bench/bench_agents.py [--runs N]

Prints the median wall time of `monitor` (a probe of a stopped resource) and `meta-data`
for each agent, measured in the same run and interleaved, and the ratios the project
targets: ocfpy's Dummy at most 0.5x dummypy, and at most 1.3x a bare `python3 -c pass`
run with the agent's shebang flags; both as in the checkout (`#!/usr/bin/python3`) and as
the RPM installs it (`#!/usr/bin/python3 -sP`). Then lists what each action imports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESOURCE_D = "/usr/lib/ocf/resource.d"


def shebang(path: str) -> list:
    with open(path, "rb") as script:
        line = script.readline().decode().strip()
    return line[2:].split()


def timed(argv: list, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def prepare(workdir: str) -> dict:
    """Each contender: name -> (argv prefix, env). ocfpy runs from a copy with both shebangs."""
    pythonpath = os.path.join(workdir, "pythonpath")
    os.makedirs(pythonpath)
    os.symlink(os.path.join(REPO, "ocfpy"), os.path.join(pythonpath, "ocfpy"))
    base = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C",
            "OCF_ROOT": "/usr/lib/ocf", "OCF_RESOURCE_INSTANCE": "bench", "HA_RSCTMP": workdir,
            "OCF_RESKEY_state": os.path.join(workdir, "absent.state")}
    source = os.path.join(REPO, "agents", "Dummy")
    contenders = {}
    for label, flags in (("ocfpy Dummy (checkout shebang)", []), ("ocfpy Dummy (RPM shebang -sP)", ["-sP"])):
        copy = os.path.join(workdir, "Dummy" + "".join(flags))
        with open(source) as original, open(copy, "w") as target:
            original.readline()
            target.write("#!" + " ".join(["/usr/bin/python3"] + flags) + "\n" + original.read())
        os.chmod(copy, 0o755)
        contenders[label] = ([copy], dict(base, PYTHONPATH=pythonpath))
        contenders[f"bare python3 {' '.join(flags)}".strip()] = (shebang(copy) + ["-c", "pass"], base)
    for label, path in (("ocf:pacemaker:Dummy (shell)", f"{RESOURCE_D}/pacemaker/Dummy"),
                        ("ocf:heartbeat:dummypy (python)", f"{RESOURCE_D}/heartbeat/dummypy")):
        if os.path.exists(path):
            contenders[label] = ([path], base)
        else:
            print(f"note: {path} is not installed; {label} left out", file=sys.stderr)
    return contenders


def measure(contenders: dict, action: str, runs: int) -> dict:
    samples = {name: [] for name in contenders}
    for _ in range(runs):
        for name, (argv, env) in contenders.items():
            extra = [] if name.startswith("bare") else [action]
            samples[name].append(timed(argv + extra, env))
    return {name: statistics.median(times) for name, times in samples.items()}


def report(action: str, medians: dict) -> None:
    print(f"\n== {action}: median wall time")
    for name, seconds in medians.items():
        print(f"  {name:<36} {seconds * 1000:8.2f} ms")
    dummypy = medians.get("ocf:heartbeat:dummypy (python)")
    for variant, bare in (("checkout shebang", "bare python3"), ("RPM shebang -sP", "bare python3 -sP")):
        ours = medians[f"ocfpy Dummy ({variant})"]
        line = f"  ocfpy ({variant}) / {bare}: {ours / medians[bare]:.2f}x (target <= 1.3x)"
        if dummypy:
            line += f";  / dummypy: {ours / dummypy:.2f}x (target <= 0.5x)"
        print(line)
    shell = medians.get("ocf:pacemaker:Dummy (shell)")
    if shell:
        print(f"  ocfpy (RPM shebang) / pacemaker's shell Dummy: "
              f"{medians['ocfpy Dummy (RPM shebang -sP)'] / shell:.2f}x")


def imports(argv: list, env: dict, action: str) -> list:
    """Modules an action imports beyond what a bare interpreter already has."""
    def loaded(command):
        result = subprocess.run(command, env=dict(env, PYTHONPROFILEIMPORTTIME="1"),
                                capture_output=True, text=True, check=False)
        return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if "import time:" in line}

    bare = loaded(shebang(argv[0]) + ["-c", "pass"])
    return sorted(loaded(argv + [action]) - bare - {"package"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="ocfpy-bench-")
    try:
        contenders = prepare(workdir)
        print(f"command: python3 bench/bench_agents.py --runs {args.runs}  ({args.runs} interleaved runs each)")
        for action in ("monitor", "meta-data"):
            report(action, measure(contenders, action, args.runs))
        argv, env = contenders["ocfpy Dummy (RPM shebang -sP)"]
        for action in ("monitor", "meta-data"):
            print(f"\n== modules `{action}` imports beyond a bare interpreter (python3 -X importtime):")
            print("  " + " ".join(imports(argv, env, action)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

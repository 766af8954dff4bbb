#!/usr/bin/env python3
"""Agent start-up cost: ocfpy's Dummy beside ocf:pacemaker:Dummy, dummypy and a bare interpreter.

    python3 bench/bench_agents.py [--runs N]

Prints the median wall time of `monitor` (a probe of a stopped resource) and `meta-data`
for each agent, measured in the same run and interleaved, and the ratios the project
targets for the installed Dummy's probe: at most 0.35x dummypy and at most 3x the shell
ocf:pacemaker:Dummy. ocfpy's Dummy runs twice: installed as packages and clusters have it
(`python3 -m ocfpy.install`: a launcher with `#!/usr/bin/python3 -sSP` that carries its
library, runs shipped bytecode and serves pre-rendered meta-data; the targets apply to it,
and it gets no PYTHONPATH), and as the checkout's script (`#!/usr/bin/python3`, compiled at
every start). Each is also set against a bare `python3 -c pass` with its own flags, the floor
of anything that interpreter runs, and the installed one also against a bare interpreter that
imports os, the floor of any agent using that module. Then lists what each action of the installed agent imports.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESOURCE_D = "/usr/lib/ocf/resource.d"
PYTHON = "/usr/bin/python3"
INSTALLED = "ocfpy Dummy installed (-sSP)"
BARE_INSTALLED = "bare python3 -sSP"
BARE_SITE = "bare python3 -sP"  # with site: what launchers ran with before -S
BARE_OS = "bare python3 -sSP, import os"  # what any agent using the os module starts from
SCRIPT = "ocfpy Dummy script (checkout)"
BARE_SCRIPT = "bare python3"
SHELL_DUMMY = "ocf:pacemaker:Dummy (shell)"
DUMMYPY = "ocf:heartbeat:dummypy (python)"


def shebang(path: str) -> list:
    with open(path, "rb") as script:
        line = script.readline().decode().strip()
    return line[2:].split()


def timed(argv: list, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def prepare(workdir: str) -> dict:
    """Each contender: name -> (argv prefix, env)."""
    pythonpath = os.path.join(workdir, "pythonpath")
    os.makedirs(pythonpath)
    os.symlink(os.path.join(REPO, "ocfpy"), os.path.join(pythonpath, "ocfpy"))
    base = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C",
            "OCF_ROOT": "/usr/lib/ocf", "OCF_RESOURCE_INSTANCE": "bench", "HA_RSCTMP": workdir,
            "OCF_RESKEY_state": os.path.join(workdir, "absent.state")}
    ocf_root = os.path.join(workdir, "ocf")
    subprocess.run([PYTHON, "-m", "ocfpy.install", "--ocf-root", ocf_root, os.path.join(REPO, "agents", "Dummy")],
                   env=dict(base, PYTHONPATH=pythonpath), check=True, stdout=subprocess.DEVNULL)
    installed = os.path.join(ocf_root, "resource.d", "ocfpy", "Dummy")
    script = os.path.join(REPO, "agents", "Dummy")
    contenders = {
        INSTALLED: ([installed], base),
        BARE_INSTALLED: (shebang(installed) + ["-c", "pass"], base),
        BARE_SITE: ([PYTHON, "-sP", "-c", "pass"], base),
        BARE_OS: (shebang(installed) + ["-c", "import os"], base),
        SCRIPT: ([script], dict(base, PYTHONPATH=pythonpath)),
        BARE_SCRIPT: (shebang(script) + ["-c", "pass"], base),
    }
    anchors = ((SHELL_DUMMY, f"{RESOURCE_D}/pacemaker/Dummy"), (DUMMYPY, f"{RESOURCE_D}/heartbeat/dummypy"))
    for label, path in anchors:
        if os.path.exists(path):
            contenders[label] = ([path], base)
        else:
            print(f"note: {path} is not installed; {label} left out", file=sys.stderr)
    return contenders


def rounds(contenders: dict, runs: int, step) -> dict:
    """Median per contender of ``step(name, argv, env) -> seconds``; each round runs every
    contender once, in a new random order, so that no contender always follows the same one
    (a run after dummypy starts with colder caches)."""
    samples = {name: [] for name in contenders}
    order = list(contenders)
    shuffle = random.Random(runs).shuffle
    for _ in range(runs):
        shuffle(order)
        for name in order:
            argv, env = contenders[name]
            samples[name].append(step(name, argv, env))
    return {name: statistics.median(times) for name, times in samples.items()}


def measure(contenders: dict, action: str, runs: int) -> dict:
    """Median wall time per contender of ``action`` (a bare interpreter runs without it)."""
    return rounds(contenders, runs,
                  lambda name, argv, env: timed(argv + ([] if name.startswith("bare") else [action]), env))


def report(action: str, medians: dict) -> None:
    print(f"\n== {action}: median wall time")
    for name, seconds in medians.items():
        print(f"  {name:<40} {seconds * 1000:8.2f} ms")
    dummypy, shell = medians.get(DUMMYPY), medians.get(SHELL_DUMMY)
    target = action == "monitor"
    for ours, bare in ((INSTALLED, BARE_INSTALLED), (SCRIPT, BARE_SCRIPT)):
        print(f"  {ours}: {medians[ours] / medians[bare]:.2f}x {bare}, "
              f"{(medians[ours] - medians[bare]) * 1000:.2f} ms added to it")
        if dummypy:
            print(f"    / dummypy: {medians[ours] / dummypy:.2f}x" + (" (target <= 0.35x)" if target and ours == INSTALLED else ""))
        if shell:
            print(f"    / pacemaker's shell Dummy: {medians[ours] / shell:.2f}x"
                  + (" (target <= 3x)" if target and ours == INSTALLED else ""))
    print(f"  {BARE_INSTALLED} / {BARE_SITE}: {medians[BARE_INSTALLED] / medians[BARE_SITE]:.2f}x (what -S saves)")
    for bare, floor_of in ((BARE_INSTALLED, "anything this interpreter runs"),
                           (BARE_OS, "any agent that imports os"), (BARE_SCRIPT, "anything this interpreter runs")):
        floors = [f"{medians[bare] / anchor:.2f}x {label}" for label, anchor in (("dummypy", dummypy),
                                                                                 ("the shell Dummy", shell)) if anchor]
        print(f"  {bare} (the floor of {floor_of}): {', '.join(floors)}")


STEPS = (("import os (site would have)", "import os"),
         ("import ocfpy, ocfpy.launch; gc.freeze()", "import gc; gc.freeze(); import ocfpy.launch as launch"),
         ("the agent's bytecode", "code = launch.load_code(sys.argv[2])"),
         ("ocfpy.agent, .params, .errors, .codes", "import ocfpy.agent, ocfpy.params, ocfpy.errors, ocfpy.codes"),
         ("ocfpy.dispatch, .context, .environment, .state",
          "import ocfpy.dispatch, ocfpy.context, ocfpy.environment, ocfpy.state"),
         ("the probe itself", "sys.argv[1:] = ['monitor']\ntry:\n    exec(code, {'__name__': '__main__'})\n"
                              "except SystemExit:\n    pass"))


def steps(installed: str, env: dict, runs: int) -> list:
    """(step, median ms) of an installed probe, timed in-process step by step, in the order the
    launcher takes them; with the launcher's interpreter, flags and library."""
    lib = os.path.join(os.path.dirname(os.path.realpath(installed)), "..", "..", "lib", "ocfpy")
    lines = ["import sys, time", "sys.path.append(sys.argv[1])", "t = [time.perf_counter()]"]
    for _, code in STEPS:
        lines += [code, "t.append(time.perf_counter())"]
    lines.append("print(*[(b - a) * 1000 for a, b in zip(t, t[1:])])")
    argv = shebang(installed) + ["-c", "\n".join(lines), os.path.join(lib, "python"), os.path.join(lib, "Dummy.py")]
    samples = []
    for _ in range(runs):
        out = subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout
        samples.append([float(value) for value in out.split()])
    return [(label, statistics.median(column)) for (label, _), column in zip(STEPS, zip(*samples))]


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
    os.chmod(workdir, 0o755)  # run as root, the installer checks its result as hacluster
    try:
        contenders = prepare(workdir)
        print(f"command: python3 bench/bench_agents.py --runs {args.runs}  ({args.runs} interleaved runs each)")
        for action in ("monitor", "meta-data"):
            report(action, measure(contenders, action, args.runs))
        argv, env = contenders[INSTALLED]
        print(f"\n== where an installed probe's time goes (in-process, median of {args.runs} runs):")
        for label, milliseconds in steps(argv[0], env, args.runs):
            print(f"  {label:<50} {milliseconds:6.2f} ms")
        for action in ("monitor", "meta-data"):
            print(f"\n== modules `{action}` imports beyond a bare interpreter (python3 -X importtime):")
            print("  " + " ".join(imports(argv, env, action)))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

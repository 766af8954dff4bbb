#!/usr/bin/env python3
"""Start-up of the agents as the RPMs install them: shebang `-sSP`, shipped bytecode, run as hacluster.

    python3 bench/bench_rpm.py [--runs N] [--topdir DIR]

Builds the RPMs with rpm/build (or takes those in --topdir), installs them into a throwaway
root and times, interleaved, the installed Dummy's `monitor` (probe) and `meta-data` against
the anchors measured in the same run, a bare `/usr/bin/python3 -c pass` with the launcher's flags
and with `-sP` (Fedora's default, what the launchers had before -S). The controller runs
meta-data as hacluster, who cannot write bytecode, so the installed agent also runs as hacluster
with the shipped __pycache__ and, for comparison, from a copy of the library without it (what a
package that does not byte-compile would give). Needs root (rpm --root, setuid to hacluster).
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"
AGENT = "/usr/lib/ocf/resource.d/ocfpy/Dummy"
ANCHOR = "bare python3 -c pass, launcher's flags"


def built_rpms(topdir: str) -> list:
    if not glob.glob(f"{topdir}/RPMS/noarch/*.rpm"):
        build = subprocess.run([os.path.join(REPO, "rpm", "build"), topdir], capture_output=True, text=True)
        if build.returncode != 0:
            raise SystemExit(f"rpm/build failed:\n{build.stdout[-3000:]}{build.stderr[-3000:]}")
    return [path for path in glob.glob(f"{topdir}/RPMS/noarch/*.noarch.rpm")
            if not os.path.basename(path).startswith("ocfpy-harness")]


def install(rpms: list, workdir: str) -> tuple:
    """(root, its site-packages, a copy of that site-packages without any __pycache__)."""
    root = os.path.join(workdir, "root")
    os.makedirs(root)
    subprocess.run(["rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--nodeps", "-i", *rpms],
                   check=True, stderr=subprocess.DEVNULL)
    site = glob.glob(f"{root}/usr/lib/python3*/site-packages")[0]
    bare = os.path.join(workdir, "no-bytecode")
    shutil.copytree(site, bare, ignore=shutil.ignore_patterns("__pycache__"))
    return root, site, bare


def contenders(root: str, site: str, bare: str, rsctmp: str) -> dict:
    """name -> (argv, environment, user (None: root), whether the action is appended)."""
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "OCF_ROOT": "/usr/lib/ocf",
           "OCF_RESOURCE_INSTANCE": "bench", "HA_RSCTMP": rsctmp}
    agent = root + AGENT
    with open(agent) as launcher:
        flags = launcher.readline().split()[1:]
    return {
        ANCHOR: ([PYTHON, *flags, "-c", "pass"], env, None, False),
        "bare python3 -sP -c pass": ([PYTHON, "-sP", "-c", "pass"], env, None, False),
        "installed Dummy, root": ([agent], dict(env, PYTHONPATH=site), None, True),
        "installed Dummy, hacluster": ([agent], dict(env, PYTHONPATH=site), "hacluster", True),
        "no bytecode, hacluster": ([agent], dict(env, PYTHONPATH=bare), "hacluster", True),
    }


def timed(argv: list, env: dict, user) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, user=user, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def check(runners: dict) -> None:
    """Each agent run must answer as it should (probe: 7, meta-data: 0), or its time means nothing."""
    for name, (argv, env, user, takes_action) in runners.items():
        for action, wanted in (("monitor", 7), ("meta-data", 0)):
            if takes_action:
                result = subprocess.run(argv + [action], env=env, user=user, capture_output=True, check=False)
                if result.returncode != wanted:
                    raise SystemExit(f"{name} {action}: exit {result.returncode}, not {wanted}: {result.stderr[-500:]}")


def measure(runners: dict, action: str, runs: int) -> dict:
    samples = {name: [] for name in runners}
    for _ in range(runs):
        for name, (argv, env, user, takes_action) in runners.items():
            samples[name].append(timed(argv + ([action] if takes_action else []), env, user))
    return {name: statistics.median(times) for name, times in samples.items()}


def report(action: str, medians: dict) -> None:
    anchor = medians[ANCHOR]
    print(f"\n== {action}: median wall time, and ratio to a {ANCHOR}")
    for name, seconds in medians.items():
        print(f"  {name:<40} {seconds * 1000:8.2f} ms  {seconds / anchor:5.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--topdir", help="rpmbuild _topdir holding built RPMs (default: build them now)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("bench_rpm: needs root (rpm --root, running agents as hacluster)", file=sys.stderr)
        return 2
    workdir = tempfile.mkdtemp(prefix="ocfpy-bench-rpm-")
    os.chmod(workdir, 0o755)  # hacluster reads the root and the copy
    try:
        rpms = built_rpms(args.topdir or os.path.join(workdir, "rpmbuild"))
        root, site, bare = install(rpms, workdir)
        rsctmp = os.path.join(workdir, "rsctmp")
        os.makedirs(rsctmp, mode=0o777)
        os.chmod(rsctmp, 0o1777)
        runners = contenders(root, site, bare, rsctmp)
        check(runners)
        print(f"command: python3 bench/bench_rpm.py --runs {args.runs}  ({args.runs} interleaved runs each)")
        for action in ("monitor", "meta-data"):
            report(action, measure(runners, action, args.runs))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

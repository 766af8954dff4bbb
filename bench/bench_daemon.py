#!/usr/bin/env python3
"""Monitor cost of a supervised daemon: ocfpy's Daemon (depth 0 and 10) beside ocf:heartbeat:anything.

    python3 bench/bench_daemon.py [--runs N]

Starts two `python3 -m http.server` on 127.0.0.1, one through ocfpy's Daemon (with
health_url) and one through ocf:heartbeat:anything, and times their recurring monitors,
interleaved in random order, with a bare interpreter for reference. The Daemon is
installed with `python3 -m ocfpy.install` (shipped bytecode), once with the installer's
default interpreter line `-sP` and once with `-sSP` (no site module: what a launcher that
carries its library can use; here ocfpy comes from PYTHONPATH). Depth 0 is the process
check alone, depth 10 adds the HTTP GET. The target: Daemon's depth 0 at most 2x
anything's. As root, everything runs inside new PID and mount namespaces
(tests/isolation.py's init), so the stops can only reach this benchmark's processes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from bench_agents import measure  # interleaved, in a new random order each round

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"
ANYTHING = "/usr/lib/ocf/resource.d/heartbeat/anything"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ANCHOR = "ocf:heartbeat:anything depth 0 (sh)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install(workdir: str, pythonpath: str, flags: str) -> str:
    """The Daemon installed under a private OCF root with interpreter line ``python3 flags``."""
    ocf_root = os.path.join(workdir, "ocf" + flags.replace("-", "_"))
    subprocess.run([PYTHON, "-m", "ocfpy.install", "--ocf-root", ocf_root, "--python", f"{PYTHON} {flags}",
                    os.path.join(REPO, "agents", "Daemon")], env={"PATH": PATH, "PYTHONPATH": pythonpath},
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(ocf_root, "resource.d", "ocfpy", "Daemon")


def environment(state: str, instance: str, **params) -> dict:
    env = {"PATH": PATH, "LC_ALL": "C", "OCF_ROOT": "/usr/lib/ocf", "OCF_RESOURCE_INSTANCE": instance,
           "HA_RSCTMP": state, "HA_VARRUN": state + "/", "PCMK_logfacility": "none",
           "OCF_RESKEY_CRM_meta_timeout": "20000"}
    env.update({f"OCF_RESKEY_{name}": value for name, value in params.items()})
    return env


def action(argv: list, name: str, env: dict) -> int:
    return subprocess.run(argv + [name], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          check=False).returncode


def prepare(workdir: str) -> tuple:
    """(contenders: name -> (argv, env), the resources to stop: (argv, env) pairs)."""
    pythonpath = os.path.join(workdir, "pythonpath")
    os.makedirs(pythonpath)
    os.symlink(os.path.join(REPO, "ocfpy"), os.path.join(pythonpath, "ocfpy"))
    port, theirs_port = free_port(), free_port()
    ours = environment(workdir, "web", binfile=PYTHON, workdir=workdir,
                       cmdline_options=f"-m http.server --bind 127.0.0.1 {port}",
                       health_url=f"http://127.0.0.1:{port}/")
    ours["PYTHONPATH"] = pythonpath
    theirs = environment(workdir, "web2", binfile=PYTHON, workdir=workdir,
                         cmdline_options=f"-m http.server --bind 127.0.0.1 {theirs_port}")
    monitor = {"OCF_RESKEY_CRM_meta_interval": "10000"}
    fast = install(workdir, pythonpath, "-sSP")
    default = install(workdir, pythonpath, "-sP")
    for argv, env in (([fast], ours), ([ANYTHING], theirs)):
        if action(argv, "start", env) != 0:
            raise SystemExit(f"{argv[0]} start failed")
    wait_serving(theirs_port)
    depth10 = dict(ours, **monitor, OCF_CHECK_LEVEL="10")
    contenders = {
        ANCHOR: ([ANYTHING], dict(theirs, **monitor)),
        "ocfpy Daemon depth 0, installed -sSP": ([fast], dict(ours, **monitor)),
        "ocfpy Daemon depth 10, installed -sSP": ([fast], depth10),
        "ocfpy Daemon depth 0, installed -sP": ([default], dict(ours, **monitor)),
        "ocfpy Daemon depth 10, installed -sP": ([default], depth10),
        "ocfpy Daemon depth 0, script (checkout)": ([os.path.join(REPO, "agents", "Daemon")], dict(ours, **monitor)),
        "bare python3 -sSP -c pass": ([PYTHON, "-sSP", "-c", "pass"], {"PATH": PATH}),
        "bare python3 -sP -c pass": ([PYTHON, "-sP", "-c", "pass"], {"PATH": PATH}),
    }
    for name, (argv, env) in contenders.items():
        if not name.startswith("bare") and action(argv, "monitor", env) != 0:
            raise SystemExit(f"{name}: monitor of the running server did not return 0")
    return contenders, [([fast], ours), ([ANYTHING], theirs)]


def wait_serving(port: int, seconds: float = 10.0) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def report(medians: dict, runs: int) -> None:
    anchor = medians[ANCHOR]
    print(f"\n== recurring monitor of a running http.server: median wall time of {runs} interleaved runs")
    for name, seconds in medians.items():
        print(f"  {name:<44} {seconds * 1000:8.2f} ms   {seconds / anchor:5.2f}x anything")
    fast = medians["ocfpy Daemon depth 0, installed -sSP"]
    print(f"  Daemon depth 0 (-sSP) / anything depth 0: {fast / anchor:.2f}x (target <= 2x)")
    print(f"  Daemon depth 0 (-sSP) / bare python3 -sSP: {fast / medians['bare python3 -sSP -c pass']:.2f}x; "
          f"added {(fast - medians['bare python3 -sSP -c pass']) * 1000:.2f} ms")
    print(f"  Daemon depth 10 (-sSP) - depth 0: "
          f"{(medians['ocfpy Daemon depth 10, installed -sSP'] - fast) * 1000:.2f} ms for the HTTP GET")


def inside(runs: int) -> int:
    workdir = tempfile.mkdtemp(prefix="ocfpy-bench-daemon-")
    stops = []
    try:
        contenders, stops = prepare(workdir)
        print(f"command: python3 bench/bench_daemon.py --runs {runs}")
        report(measure(contenders, "monitor", runs), runs)
    finally:
        for argv, env in stops:
            action(argv, "stop", env)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.path.exists(ANYTHING):
        raise SystemExit(f"{ANYTHING} is not installed (Debian package resource-agents)")
    if args.inside or os.geteuid() != 0 or shutil.which("unshare") is None:
        return inside(args.runs)
    init = os.path.join(REPO, "tests", "isolation.py")
    command = ["unshare", "-pmf", "--mount-proc", sys.executable, init, "--init", "--",
               sys.executable, os.path.abspath(__file__), "--inside", "--runs", str(args.runs)]
    return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())

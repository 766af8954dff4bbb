#!/usr/bin/env python3
"""Monitor cost of a supervised daemon: ocfpy's Daemon (depth 0 and 10) beside ocf:heartbeat:anything.

    python3 bench/bench_daemon.py [--runs N]

Starts two `python3 -m http.server` on 127.0.0.1, one through ocfpy's Daemon (with
health_url) and one through ocf:heartbeat:anything, and times their recurring monitors,
interleaved in random order, with a bare interpreter run with the launcher's flags for
reference. The Daemon is installed with `python3 -m ocfpy.install` as the RPM installs it
(shipped bytecode, the library carried beside it, the flags the installer chose), and also
run as the checkout's script. Depth 0 is the process check alone, depth 10 adds the GET. The target: Daemon's depth 0 at most 2x
anything's. As root, everything runs inside new PID and mount namespaces
(tests/isolation.py), so the stops can only reach this benchmark's processes.
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

from bench_agents import measure, shebang  # measure: interleaved, a new random order each round

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"
ANYTHING = "/usr/lib/ocf/resource.d/heartbeat/anything"
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ANCHOR = "ocf:heartbeat:anything depth 0 (sh)"
DEPTH0 = "ocfpy Daemon depth 0, installed"
DEPTH10 = "ocfpy Daemon depth 10, installed"
BARE = "bare python3 with the launcher's flags"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def install(workdir: str, pythonpath: str) -> str:
    """The Daemon installed under a private OCF root, as the RPM installs it (the installer
    chooses the launcher's flags and copies the library next to it)."""
    ocf_root = os.path.join(workdir, "ocf")
    subprocess.run([PYTHON, "-m", "ocfpy.install", "--ocf-root", ocf_root, os.path.join(REPO, "agents", "Daemon")],
                   env={"PATH": PATH, "PYTHONPATH": pythonpath}, check=True, stdout=subprocess.DEVNULL)
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
    theirs = environment(workdir, "web2", binfile=PYTHON, workdir=workdir,
                         cmdline_options=f"-m http.server --bind 127.0.0.1 {theirs_port}")
    monitor = {"OCF_RESKEY_CRM_meta_interval": "10000"}
    installed = install(workdir, pythonpath)
    for argv, env in (([installed], ours), ([ANYTHING], theirs)):
        if action(argv, "start", env) != 0:
            raise SystemExit(f"{argv[0]} start failed")
    wait_serving(theirs_port)
    flags = shebang(installed)
    contenders = {
        ANCHOR: ([ANYTHING], dict(theirs, **monitor)),
        DEPTH0: ([installed], dict(ours, **monitor)),
        DEPTH10: ([installed], dict(ours, **monitor, OCF_CHECK_LEVEL="10")),
        "ocfpy Daemon depth 0, script (checkout)": ([os.path.join(REPO, "agents", "Daemon")],
                                                    dict(ours, **monitor, PYTHONPATH=pythonpath)),
        BARE: (flags + ["-c", "pass"], {"PATH": PATH}),
    }
    for name, (argv, env) in contenders.items():
        if not name.startswith("bare") and action(argv, "monitor", env) != 0:
            raise SystemExit(f"{name}: monitor of the running server did not return 0")
    return contenders, [([installed], ours), ([ANYTHING], theirs)]


def wait_serving(port: int, seconds: float = 10.0) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port}")


def report(medians: dict, runs: int, flags: list) -> None:
    anchor = medians[ANCHOR]
    print(f"\n== recurring monitor of a running http.server: median wall time of {runs} interleaved runs")
    print(f"   (the installed launcher runs {' '.join(flags)})")
    for name, seconds in medians.items():
        print(f"  {name:<44} {seconds * 1000:8.2f} ms   {seconds / anchor:5.2f}x anything")
    ours, bare = medians[DEPTH0], medians[BARE]
    print(f"  Daemon depth 0 / anything depth 0: {ours / anchor:.2f}x (target <= 2x)")
    print(f"  bare interpreter / anything depth 0: {bare / anchor:.2f}x (the floor of any Python agent)")
    print(f"  Daemon depth 0 / bare interpreter: {ours / bare:.2f}x; added {(ours - bare) * 1000:.2f} ms")
    print(f"  Daemon depth 10 - depth 0: {(medians[DEPTH10] - ours) * 1000:.2f} ms for the HTTP GET")


def inside(runs: int) -> str:
    """The whole benchmark; what it prints, as text (it may run where nobody sees stdout)."""
    import contextlib
    import io

    workdir = tempfile.mkdtemp(prefix="ocfpy-bench-daemon-")
    os.chmod(workdir, 0o755)  # the installer runs the launcher as hacluster too
    stops = []
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            contenders, stops = prepare(workdir)
            print(f"command: python3 bench/bench_daemon.py --runs {runs}")
            report(measure(contenders, "monitor", runs), runs, contenders[BARE][0][:-2])
    finally:
        for argv, env in stops:
            action(argv, "stop", env)
        shutil.rmtree(workdir, ignore_errors=True)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if not os.path.exists(ANYTHING):
        raise SystemExit(f"{ANYTHING} is not installed (Debian package resource-agents)")
    sys.path.append(os.path.join(REPO, "tests"))
    from isolation import run_isolated, unshare_available

    if unshare_available() is not None:
        print(f"note: not isolated ({unshare_available()}); the stops run on this machine", file=sys.stderr)
        print(inside(args.runs), end="")
        return 0
    import bench_daemon  # by its module name: the namespace finds the function again by it

    print(run_isolated(bench_daemon.inside, args.runs, timeout=1800), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

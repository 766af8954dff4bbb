#!/usr/bin/env python3
"""ocfpy's Filesystem beside ocf:heartbeat:Filesystem on the same loop device, in one run.

    python3 bench/bench_filesystem.py [--runs N] [--stop-runs M]     (as root)

Measures, interleaved and in a new random order each round, the median wall time of:
a probe (not mounted), a depth-0 monitor (mounted), start, and stop with one busy holder
(a process whose working directory is on the mount). Targets: probe and depth-0 monitor
at most 0.6x theirs, stop with a holder at most 0.3x theirs. ocfpy's agent is installed as
the RPM installs it (`python3 -m ocfpy.install`: a launcher that carries its library and runs
with `-sS[P]`, no PYTHONPATH); bare interpreters with its flags and with `-sP` are timed
beside them. resource-agents' agent needs modprobe, which this machine
lacks: it runs with a PATH holding a `modprobe` that does nothing. Everything runs in its
own PID and mount namespaces (the benchmark re-runs itself under `unshare -pmf
--mount-proc`): the stops kill processes and unmount.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from bench_agents import rounds, shebang, timed  # the same clock and output handling as bench_agents

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = "/usr/bin/python3"
ANCHOR = "/usr/lib/ocf/resource.d/heartbeat/Filesystem"
OURS, THEIRS = "ocfpy Filesystem installed", "ocf:heartbeat:Filesystem"
BARE, BARE_SITE = "bare python3, the launcher's flags", "bare python3 -sP"
BARES = (BARE, BARE_SITE)
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
INSIDE = "OCFPY_BENCH_ISOLATED"


def make_device(workdir: str) -> str:
    image = os.path.join(workdir, "ext4.img")
    with open(image, "wb") as handle:
        handle.truncate(64 * 1024 * 1024)
    device = subprocess.run(["losetup", "-f", "--show", image], check=True, capture_output=True,
                            text=True).stdout.strip()
    subprocess.run(["mkfs.ext4", "-q", "-F", device], check=True)
    return device


def install(workdir: str) -> str:
    """The agent installed as the RPM installs it: a launcher that carries its library."""
    root = os.path.join(workdir, "ocf")
    subprocess.run([PYTHON, "-m", "ocfpy.install", "--ocf-root", root,
                    os.path.join(REPO, "agents", "Filesystem")], env=dict(os.environ, PYTHONPATH=REPO),
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(root, "resource.d", "ocfpy", "Filesystem")


def prepare(workdir: str, device: str, directory: str) -> dict:
    """Each contender: name -> (argv, env); every one manages the same device and directory."""
    shim = os.path.join(workdir, "shim")
    os.makedirs(shim)
    os.symlink("/bin/true", os.path.join(shim, "modprobe"))
    base = {"PATH": PATH, "LC_ALL": "C", "OCF_ROOT": "/usr/lib/ocf", "OCF_RESOURCE_INSTANCE": "bench",
            "HA_RSCTMP": workdir, "OCF_RESKEY_device": device, "OCF_RESKEY_directory": directory,
            "OCF_RESKEY_fstype": "ext4", "OCF_RESKEY_CRM_meta_timeout": "20000",
            "PCMK_logfacility": "none", "PCMK_logfile": os.path.join(workdir, "agents.log")}
    ours = install(workdir)
    return {OURS: ([ours], base), THEIRS: ([ANCHOR], dict(base, PATH=shim + ":" + PATH)),
            BARE: (shebang(ours) + ["-c", "pass"], base), BARE_SITE: ([PYTHON, "-sP", "-c", "pass"], base)}


def mounted(directory: str) -> bool:
    sys.path.insert(0, REPO)
    from ocfpy.mounts import read_mount_table

    return read_mount_table().top(directory) is not None


def ensure(state: bool, device: str, directory: str) -> None:
    if state and not mounted(directory):
        subprocess.run(["mount", "-t", "ext4", device, directory], check=True)
    while not state and mounted(directory):
        subprocess.run(["umount", directory], check=True)


def bench_probe(contenders, runs, device, directory):
    ensure(False, device, directory)
    return rounds(contenders, runs, lambda name, argv, env: timed(argv + ["monitor"], env)
                  if name not in BARES else timed(argv, env))


def bench_monitor(contenders, runs, device, directory):
    ensure(True, device, directory)
    recurring = {name: (argv, dict(env, OCF_RESKEY_CRM_meta_interval="20000"))
                 for name, (argv, env) in contenders.items()}
    return rounds(recurring, runs, lambda name, argv, env: timed(argv + ["monitor"], env)
                  if name not in BARES else timed(argv, env))


def bench_start(contenders, runs, device, directory):
    def step(name, argv, env):
        ensure(False, device, directory)
        seconds = timed(argv + ["start"], env)
        if not mounted(directory):
            raise SystemExit(f"{name}: start did not mount {device}")
        return seconds
    agents = {name: value for name, value in contenders.items() if name not in BARES}
    result = rounds(agents, runs, step)
    ensure(False, device, directory)
    return result


def bench_stop_busy(contenders, runs, device, directory):
    def step(name, argv, env):
        ensure(True, device, directory)
        holder = subprocess.Popen(["sleep", "600"], cwd=directory)
        time.sleep(0.05)
        seconds = timed(argv + ["stop"], env)
        try:
            holder.wait(5)
        except subprocess.TimeoutExpired:
            holder.kill()
            raise SystemExit(f"{name}: stop left the holder running")
        if mounted(directory):
            raise SystemExit(f"{name}: stop left {directory} mounted")
        return seconds
    agents = {name: value for name, value in contenders.items() if name not in BARES}
    return rounds(agents, runs, step)


def report(title: str, medians: dict, target: "float | None", flags: str) -> None:
    print(f"\n== {title}: median wall time")
    for name, seconds in medians.items():
        label = f"{name} ({flags})" if name == BARE else name
        print(f"  {label:<44} {seconds * 1000:9.2f} ms")
    theirs = medians[THEIRS]
    goal = f" (target <= {target}x)" if target else ""
    print(f"  {OURS} / theirs: {medians[OURS] / theirs:.2f}x{goal}")
    if BARE in medians:
        print(f"    {(medians[OURS] - medians[BARE]) * 1000:.2f} ms added to a bare interpreter with "
              f"its flags, which is {medians[BARE] / theirs:.2f}x theirs; a bare -sP is "
              f"{medians[BARE_SITE] / theirs:.2f}x theirs")


def inside(args) -> int:
    workdir = tempfile.mkdtemp(prefix="ocfpy-bench-fs-")
    os.chmod(workdir, 0o755)  # the installer checks the agent as hacluster
    device = None
    try:
        device = make_device(workdir)
        directory = os.path.join(workdir, "data")
        os.mkdir(directory)
        contenders = prepare(workdir, device, directory)
        flags = " ".join(contenders[BARE][0][1:-2])
        print(f"command: python3 bench/bench_filesystem.py --runs {args.runs} --stop-runs "
              f"{args.stop_runs}  (device {device}, ext4, one run, interleaved)")
        report("probe (not mounted)", bench_probe(contenders, args.runs, device, directory), 0.6,
               flags)
        report("monitor depth 0 (mounted)", bench_monitor(contenders, args.runs, device, directory),
               0.6, flags)
        report("start", bench_start(contenders, args.stop_runs, device, directory), None, flags)
        report("stop with one busy holder", bench_stop_busy(contenders, args.stop_runs, device,
                                                            directory), 0.3, flags)
    finally:
        if device:
            subprocess.run(["umount", "-l", os.path.join(workdir, "data")], capture_output=True)
            subprocess.run(["losetup", "-d", device], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--stop-runs", type=int, default=5)
    args = parser.parse_args()
    if os.environ.get(INSIDE) == "1":
        return inside(args)
    if os.geteuid() != 0 or not os.path.exists(ANCHOR):
        print("needs root and resource-agents' Filesystem", file=sys.stderr)
        return 1
    argv = ["unshare", "--pid", "--mount", "--fork", "--mount-proc", "--kill-child",
            "--propagation", "private", sys.executable, os.path.abspath(__file__)] + sys.argv[1:]
    return subprocess.run(argv, env=dict(os.environ, **{INSIDE: "1"}), check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())

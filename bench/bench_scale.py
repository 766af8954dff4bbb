#!/usr/bin/env python3
"""Scale of the recurring-op scheduler: many resources with recurring monitors of a small agent.

Reports each run's lateness against its schedule (actual spawn minus due time: submit + start_delay
for the first run, completion + interval for the next) as p50/p99/max, and the harness's own CPU
(getrusage of this process, children excluded) as a share of one core. Targets: p99 lateness
<= 100 ms, harness < 10% of one core. The first runs are spread evenly over one interval with
start_delay, as resources started at different times would be.

    python3 bench/bench_scale.py            # 500 resources, 10 s monitors, 60 s
    python3 bench/bench_scale.py --quick    # 100 resources, 20 s
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness.execd import ExecStatus, Operation  # noqa: E402
from harness.sim import Scheduler  # noqa: E402

TARGET_P99_MS = 100.0
TARGET_CPU_PCT = 10.0
AGENT = '#!/bin/sh\n[ "$1" = monitor ] && exit 0\nexit 3\n'


def parse_args(argv: list) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench_scale.py", description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=500)
    parser.add_argument("--interval", type=float, default=10.0, help="monitor interval in seconds")
    parser.add_argument("--duration", type=float, default=60.0, help="measured window in seconds")
    parser.add_argument("--quick", action="store_true", help="100 resources for 20 s")
    parser.add_argument("--together", action="store_true",
                        help="no start_delay spread: every first run is due at once (a burst)")
    args = parser.parse_args(argv)
    if args.quick:
        args.resources, args.duration = 100, 20.0
    return args


class Runs:
    """Every completion, kept by the scheduler thread's callback (cheap: one append)."""

    def __init__(self):
        self.items = []
        self.lock = threading.Lock()

    def __call__(self, completion) -> None:
        with self.lock:
            self.items.append(completion)


def percentile(values: list, fraction: float) -> float:
    return values[min(len(values) - 1, int(len(values) * fraction))]


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure(args: argparse.Namespace, ra_path: str) -> dict:
    runs, interval_ms = Runs(), int(args.interval * 1000)
    threads = 0
    with Scheduler() as scheduler:
        start = time.monotonic()
        self_cpu, child_cpu = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
        for i in range(args.resources):
            op = Operation("ocf:bench:Small", "monitor", instance=f"rsc{i}", interval_ms=interval_ms,
                           timeout_ms=20000, ra_path=ra_path)
            spread = 0 if args.together else int(i * interval_ms / args.resources)
            scheduler.submit(op, runs, start_delay_ms=spread)
        while time.monotonic() - start < args.duration:
            time.sleep(0.25)
            threads = max(threads, threading.active_count())
        wall = time.monotonic() - start
        self_cpu = cpu_seconds(resource.RUSAGE_SELF) - self_cpu
        child_cpu = cpu_seconds(resource.RUSAGE_CHILDREN) - child_cpu
    with runs.lock:
        done = [c for c in runs.items if c.result.status == ExecStatus.DONE and c.due <= start + args.duration]
    return {"wall": wall, "self_cpu": self_cpu, "child_cpu": child_cpu, "threads": threads, "done": done,
            "failed": sum(c.result.rc != 0 for c in done)}


def report(args: argparse.Namespace, stats: dict) -> int:
    done = stats["done"]
    lateness = sorted(c.lateness * 1000 for c in done)
    repeats = sorted(c.lateness * 1000 for c in done if c.run > 1)
    cpu_pct = 100 * stats["self_cpu"] / stats["wall"]
    print(f"command: python3 bench/bench_scale.py --resources {args.resources} --interval {args.interval:g} "
          f"--duration {args.duration:g}" + (" --together" if args.together else ""))
    phases = "all due at once" if args.together else "spread over one interval by start_delay"
    print(f"machine: {os.cpu_count()} CPUs; agent: /bin/sh monitor exiting 0; first runs {phases}")
    print(f"runs: {len(done)} completed in {stats['wall']:.1f} s ({len(done) / stats['wall']:.1f}/s), "
          f"{stats['failed']} not rc 0; peak threads {stats['threads']}")
    if not lateness:
        print("no runs completed")
        return 1
    p50, p99, worst = percentile(lateness, 0.5), percentile(lateness, 0.99), lateness[-1]
    print(f"lateness all runs  ms: p50 {p50:.2f}  p99 {p99:.2f}  max {worst:.2f}   "
          f"(target p99 <= {TARGET_P99_MS:.0f} ms: {p99 / TARGET_P99_MS:.3f} of it)")
    if repeats:
        print(f"lateness re-armed  ms: p50 {percentile(repeats, 0.5):.2f}  p99 {percentile(repeats, 0.99):.2f}  "
              f"max {repeats[-1]:.2f}   ({len(repeats)} runs after their first)")
    print(f"harness CPU (this process, children excluded): {stats['self_cpu']:.2f} s = {cpu_pct:.1f}% of one core "
          f"(target < {TARGET_CPU_PCT:.0f}%: {cpu_pct / TARGET_CPU_PCT:.2f} of it)")
    print(f"agents' CPU (children, for comparison): {stats['child_cpu']:.2f} s = "
          f"{100 * stats['child_cpu'] / stats['wall']:.1f}% of one core")
    met = p99 <= TARGET_P99_MS and cpu_pct < TARGET_CPU_PCT and stats["failed"] == 0
    print("targets met" if met else "TARGETS MISSED")
    return 0 if met else 1


def main(argv: list) -> int:
    args = parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="ocfpy-bench-scale-")
    try:
        os.mkdir(os.path.join(tmp, "bench"))
        path = os.path.join(tmp, "bench", "Small")
        with open(path, "w") as handle:
            handle.write(AGENT)
        os.chmod(path, 0o755)
        return report(args, measure(args, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

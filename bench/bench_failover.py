"""Failover on the real two-node lab: failure -> recovery, node loss -> started elsewhere, against bounds.

Run as root on a machine where `ocfpy-lab up` works:
    python3 bench/bench_failover.py [--agent A] [--interval 5] [--repeat 3] [--token MS] [--pcsd] [--prefix P]
                                    [--lose home|non-dc]
Each measurement is printed with the bound it should meet and their ratio (measured / bound):
  failure -> Started again:       monitor interval + start time
  node loss -> Started elsewhere: corosync token timeout + start time
    (corosync then also waits its consensus timeout, 1.2 x token, before the new membership;
     that bound is printed too)
Times are polled with crm_mon every ~0.1 s, so each is late by up to about 0.2 s. For
ocf:ocfpy:Dummy the node-loss time is also read without polling: from the kill to the moment
the survivor's start created the resource's state file (its mtime, same clock: one machine).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.lab import cluster, install, lab, node, scenario  # noqa: E402
from harness.lab.config import LabConfig, LabError  # noqa: E402

PREFIX = "ocfpylabb"


def start_seconds(view: cluster.ClusterView, resource: str, where: str) -> float:
    """The last start's exec-time on a node, from crm_mon's operation history."""
    return view.op_seconds(resource, where, "start")


def fresh_view(config: LabConfig, where: str) -> cluster.ClusterView:
    return cluster.view(config, where)


def measure_recovery(story: scenario.SeedStory, rng: random.Random) -> tuple[float, float]:
    """Force-stop at a random phase of the monitor; seconds until Started again, and the start time."""
    time.sleep(rng.uniform(0, story.interval_s))
    home = story.home
    failures_before = count_failures(story)
    story.force_stop()
    story.wait(home, lambda v: count_failures(story, v) > failures_before and v.started_on(story.resource),
               story.interval_s + scenario.SLACK, "recovery")
    seconds = time.monotonic() - story.stopped_at
    return seconds, start_seconds(fresh_view(story.config, home), story.resource, home)


def count_failures(story: scenario.SeedStory, view: cluster.ClusterView | None = None) -> int:
    view = view or fresh_view(story.config, story.home)
    hist = [res for n in view.root.iterfind("node_history/node") if n.get("name") == story.home
            for res in n.iterfind("resource_history") if res.get("id") == story.resource]
    return int(hist[0].get("fail-count", "0")) if hist else 0


def measure_node_loss(story: scenario.SeedStory, lose: str) -> tuple[float, float, bool, float | None]:
    """Kill the node running the resource; seconds until Started elsewhere (polled), start time,
    was it the DC, and seconds until the survivor's start made the state file (None: not Dummy).
    With ``lose`` "non-dc" the resource is first moved off the DC, so no election follows."""
    if lose == "non-dc" and fresh_view(story.config, story.home).dc == story.home:
        move_off(story)
    was_dc = fresh_view(story.config, story.home).dc == story.home
    killed_at = time.time()
    step = story.kill_home()
    start = start_seconds(story.view, story.resource, story.home)
    made_at = state_file_time(story)
    story.rejoin()
    return step.seconds, start, was_dc, None if made_at is None else made_at - killed_at


def move_off(story: scenario.SeedStory) -> None:
    """`pcs resource move` to the other node, wait until Started there, then clear the constraint."""
    target = story.other(story.home)
    scenario.pcs(story.config, story.home, "resource", "move", story.resource, target)
    story.wait(target, lambda v: v.started_on(story.resource) == target, scenario.SLACK, f"moved to {target}")
    scenario.pcs(story.config, target, "resource", "clear", story.resource)
    story.home = target


def state_file_time(story: scenario.SeedStory) -> float | None:
    """When ocf:ocfpy:Dummy's start on the resource's node created its state file (epoch seconds)."""
    if story.agent != "ocf:ocfpy:Dummy":
        return None
    path = f"/run/resource-agents/Dummy-{story.resource}.state"
    done = node.run(story.config, story.home, ["stat", "-c", "%.9Y", path])
    try:
        return float(done.stdout)
    except ValueError:
        return None


def row(what: str, run: int, seconds: float, bound: float, why: str) -> str:
    return f"{what:<32} {run:>3} {seconds:8.2f} s {bound:8.2f} s {seconds / bound:6.2f}   {why}"


def main(argv: list[str] | None = None) -> int:
    opts = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    opts.add_argument("--agent", default="ocf:ocfpy:Dummy")
    opts.add_argument("--interval", type=int, default=5, help="monitor interval, seconds")
    opts.add_argument("--repeat", type=int, default=3)
    opts.add_argument("--token", type=int, metavar="MS", help="corosync totem.token (default 3000)")
    opts.add_argument("--seed", type=int, default=1, help="random phase of the force-stops")
    opts.add_argument("--pcsd", action="store_true",
                      help="pcsd in the nodes: the lost node comes back with `pcs cluster start NODE`")
    opts.add_argument("--prefix", default=PREFIX, help="the bench lab's name (default: %(default)s)")
    opts.add_argument("--lose", choices=("home", "non-dc"), default="home",
                      help="which node a node loss kills: the one running the resource (default), or that one "
                           "after the resource was moved off the DC, so that no DC election follows")
    args = opts.parse_args(argv)
    config = LabConfig(prefix=args.prefix, state_dir=f"/var/tmp/{args.prefix}", token_ms=args.token,
                       pcsd=args.pcsd)
    began = time.monotonic()
    try:
        lab.up(config, install.checkout_source(None), progress=lambda text: None)
    except LabError as exc:
        print(f"bench_failover: {exc}", file=sys.stderr)
        return 1
    try:
        up_seconds = time.monotonic() - began
        run_bench(config, args, up_seconds)
    finally:
        lab.down(config.state_dir, grace=30.0)
    return 0


def run_bench(config: LabConfig, args, up_seconds: float) -> None:
    token = config.token_effective_ms() / 1000.0
    consensus = config.consensus_effective_ms() / 1000.0
    story = scenario.SeedStory(config, agent=args.agent, interval_s=args.interval)
    story.create()
    print(f"lab up {up_seconds:.2f} s; agent {args.agent}; monitor interval {args.interval} s; "
          f"token {token:.1f} s")
    print(f"{'what':<32} {'run':>3} {'measured':>10} {'bound':>10} {'ratio':>6}   bound is")
    rng = random.Random(args.seed)
    for run in range(1, args.repeat + 1):
        seconds, start = measure_recovery(story, rng)
        print(row("failure -> Started again", run, seconds, args.interval + start,
                  f"interval {args.interval} s + start {start:.3f} s"), flush=True)
    for run in range(1, args.repeat + 1):
        seconds, start, was_dc, made = measure_node_loss(story, args.lose)
        lost = " (the lost node was the DC: a new one is elected)" if was_dc else ""
        print(row("node loss -> Started elsewhere", run, seconds, token + start,
                  f"token {token:.1f} s + start {start:.3f} s{lost}"), flush=True)
        print(row("  same, membership bound", run, seconds, token + consensus + start,
                  f"token {token:.1f} s + consensus {consensus:.1f} s + start {start:.3f} s"), flush=True)
        if made is not None:
            print(row("  same, to the state file", run, made, token + consensus + start,
                      "kill -> the survivor's start made the state file (not polled)"), flush=True)


if __name__ == "__main__":
    sys.exit(main())

"""`ocfpy-lab walkthrough`: the admin guide's story on the real cluster, each step printed with its time."""

from __future__ import annotations

import argparse
import time

from harness.lab import install, lab, scenario
from harness.lab.config import LabConfig

WALK_PREFIX = "ocfpylabw"  # its own lab, so a lab someone is using is never touched


def add_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--agent", default="ocf:ocfpy:Dummy", help="agent of the service (default: %(default)s)")
    cmd.add_argument("--interval", type=int, default=5, metavar="S",
                     help="monitor interval in seconds; the guide uses 120 (default: %(default)s)")
    cmd.add_argument("--promotable", metavar="AGENT", nargs="?", const="ocf:ocfpy:Stateful",
                     help="then the promotable clone story with AGENT (default ocf:ocfpy:Stateful)")
    cmd.add_argument("--compare", action="store_true",
                     help="then a start failure and a start timeout, cluster versus harness prediction")
    cmd.add_argument("--connectivity", action="store_true",
                     help="then a ping clone, a rule on pingd, public and then all cables pulled")
    cmd.add_argument("--split-brain", action="store_true",
                     help="then a partition without fencing: both halves run the service, one after the heal")
    cmd.add_argument("--pcsd", action="store_true",
                     help="a fresh lab with pcsd: the killed node is started with `pcs cluster start NODE`")
    cmd.add_argument("--reuse", action="store_true", help="use the lab that is up instead of a fresh one")
    cmd.add_argument("--keep", action="store_true", help="leave the lab up afterwards")
    cmd.add_argument("--token", type=int, metavar="MS", help="corosync totem.token of a fresh lab")
    install.add_source_options(cmd)


def print_step(number: int, step: scenario.Step) -> None:
    print(f"[{number}] {step.title}\n    {step.node}# {step.command}\n"
          f"    {step.seconds:6.2f} s  {step.observed}", flush=True)


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    if args.reuse:
        config = lab.load(args.state_dir)
    else:
        state_dir = args.state_dir.rstrip("/") + "-walkthrough"
        config = LabConfig(prefix=WALK_PREFIX, state_dir=state_dir, token_ms=args.token, pcsd=args.pcsd)
        lab.up(config, install.source_from(args), progress=lambda text: None)
        print(f"[0] lab up: {', '.join(config.nodes)}\n    host# ocfpy-lab up\n"
              f"    {time.monotonic() - started:6.2f} s  cluster formed", flush=True)
    differences = 0
    try:
        count = [0]

        def report(step: scenario.Step) -> None:
            count[0] += 1
            print_step(count[0], step)

        seed = scenario.SeedStory(config, agent=args.agent, interval_s=args.interval)
        seed.run_all(report)
        scenario.delete_resource(config, seed.resource)
        if args.promotable:
            scenario.PromotableStory(config, agent=args.promotable).run_all(report)
        if args.connectivity or args.split_brain:
            from harness.lab import connectivity

            if args.connectivity:
                story = connectivity.ConnectivityStory(config, agent=args.agent)
                story.run_all(report)
                scenario.delete_resource(config, story.resource)
            if args.split_brain:
                connectivity.SplitBrainStory(config, agent=args.agent).run_all(report)
        if args.compare:
            from harness.lab import compare

            for case in compare.CASES:
                outcome = compare.run_case(config, args.agent, case)
                print(compare.describe(outcome), flush=True)
                differences += len(outcome.mismatches())
    finally:
        if not args.reuse and not args.keep:
            lab.down(config.state_dir, grace=30.0)
    print(f"walkthrough done in {time.monotonic() - started:.1f} s"
          + (f"; the harness predicted {differences} field(s) wrongly" if differences else ""))
    return 1 if differences else 0

"""The `ocfpy-lab` command: up, down, status, exec, kill, boot, shutdown, netcut, netheal, walkthrough."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time

from harness.lab import cluster, install, lab, network, node, walkthrough
from harness.lab.config import DEFAULT_PREFIX, LabConfig, LabError


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ocfpy-lab", description=(
        "A real two-node Pacemaker + Corosync cluster on this host, each node in its own namespaces."))
    top.add_argument("--state-dir", default=f"/var/tmp/{DEFAULT_PREFIX}",
                     help="where the lab keeps its state (default: %(default)s)")
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    cmd = sub.add_parser("up", help="build the network and both nodes, form the cluster")
    cmd.add_argument("--prefix", default=DEFAULT_PREFIX, help="netns name prefix (default: %(default)s)")
    cmd.add_argument("--token", type=int, metavar="MS", help="corosync totem.token (default 3000)")
    cmd.add_argument("--dc-deadtime", default="5s", help="seeded dc-deadtime (default: %(default)s)")
    cmd.add_argument("--pcsd", action="store_true",
                     help="run pcsd in every node (enabled), all nodes authenticated: pcs cluster start NODE")
    install.add_source_options(cmd)
    cmd = sub.add_parser("down", help="power everything off and remove every trace")
    cmd.add_argument("--fast", action="store_true", help="SIGKILL the nodes instead of a clean stop")
    sub.add_parser("status", help="nodes, processes and what the cluster reports")
    cmd = sub.add_parser("exec", help="run a command inside a node (clean environment)")
    cmd.add_argument("node")
    cmd.add_argument("argv", nargs=argparse.REMAINDER, metavar="CMD")
    for name, text in (("kill", "power cut: SIGKILL the whole node"),
                       ("shutdown", "clean power-off of a node")):
        sub.add_parser(name, help=text).add_argument("node")
    for name, text in (("netcut", "pull a node's network cables"),
                       ("netheal", "plug a node's cables back in")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("node")
        cmd.add_argument("--link", choices=("all",) + network.LINKS, default="all",
                         help="both cables (default), or only the cluster's (corosync) or the public one")
    cmd = sub.add_parser("boot", help="power a node on (cluster units only if enabled, or --start)")
    cmd.add_argument("node")
    cmd.add_argument("--start", action="store_true", help="start corosync and pacemaker as well")
    cmd.add_argument("--bare", action="store_true", help="start no cluster units at all")
    cmd = sub.add_parser("walkthrough", help="the admin guide's failover story on a fresh real cluster")
    walkthrough.add_options(cmd)
    return top


def cmd_up(args) -> int:
    source = install.source_from(args)
    config = LabConfig(prefix=args.prefix, state_dir=args.state_dir, token_ms=args.token,
                       dc_deadtime=args.dc_deadtime, pcsd=args.pcsd)
    started = time.monotonic()
    lab.up(config, source, progress=lambda text: print(text, flush=True))
    print(f"lab up in {time.monotonic() - started:.1f} s: "
          + ", ".join(f"{n} {config.address(n)}" for n in config.nodes)
          + f"; ocfpy from {config.install['kind']} ({config.install['agents']})")
    return 0


def cmd_down(args) -> int:
    started = time.monotonic()
    problems = lab.down(args.state_dir, grace=0 if args.fast else 60.0)
    for problem in problems:
        print(f"ocfpy-lab down: {problem}", file=sys.stderr)
    print(f"lab down in {time.monotonic() - started:.1f} s" + (" (incomplete)" if problems else ""))
    return 1 if problems else 0


def cmd_status(args) -> int:
    config = lab.load(args.state_dir)
    live = [n for n in config.nodes if node.is_up(config, n)]
    for name in config.nodes:
        init = node.init_process(config, name)
        units = ""
        if init:
            names = ["corosync", "pacemaker"] + (["pcsd"] if config.pcsd else [])
            proc = node.run(config, name, ["systemctl", "is-active", *names])
            states = proc.stdout.split() + ["?"] * len(names)
            units = "".join(f" {unit}={state}" for unit, state in zip(names, states))
        cables = ", ".join(f"{link} cable {'plugged' if network.cable_plugged(config, name, link) else 'cut'}"
                           for link in network.LINKS)
        print(f"{name} {config.address(name)}: {'up (init pid %d)' % init.pid if init else 'down'}"
              f", {cables}{units}")
    for name in live:
        try:
            print(f"cluster (seen from {name}): {cluster.view(config, name).summary()}")
            break
        except LabError as exc:
            print(f"cluster (seen from {name}): {exc}")
    return 0


def cmd_exec(args) -> int:
    config = lab.load(args.state_dir)
    config.check_node(args.node)
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise LabError("exec needs a command, e.g. `ocfpy-lab exec node1 pcs status`")
    return subprocess.run(node.exec_argv(config, args.node, argv), env=node.exec_env()).returncode


def cmd_kill(args) -> int:
    config = lab.load(args.state_dir)
    if not node.kill(config, args.node):
        raise LabError(f"{args.node}: recorded processes did not go away")
    print(f"{args.node} killed")
    return 0


def cmd_shutdown(args) -> int:
    config = lab.load(args.state_dir)
    node.shutdown(config, args.node, grace=120.0)
    print(f"{args.node} powered off")
    return 0


def cmd_boot(args) -> int:
    config = lab.load(args.state_dir)
    mode = "start" if args.start else "bare" if args.bare else "enabled"
    report = lab.boot(config, args.node, mode)
    print(f"{args.node} booted; units started: {', '.join(report['units']) or 'none'}")
    return 0


def cmd_walkthrough(args) -> int:
    return walkthrough.run(args)


def cmd_cable(args) -> int:
    config = lab.load(args.state_dir)
    network.set_cable(config, args.node, plugged=args.command == "netheal", link=args.link)
    which = "cables" if args.link == "all" else f"{args.link} cable"
    print(f"{args.node} {which} {'plugged in' if args.command == 'netheal' else 'pulled'}")
    return 0


COMMANDS = {"up": cmd_up, "down": cmd_down, "status": cmd_status, "exec": cmd_exec,
            "kill": cmd_kill, "shutdown": cmd_shutdown, "boot": cmd_boot, "netcut": cmd_cable,
            "netheal": cmd_cable, "walkthrough": cmd_walkthrough}


def _terminate_as_interrupt(signum, frame):
    raise KeyboardInterrupt()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)  # teardown paths run on SIGTERM too
    try:
        return COMMANDS[args.command](args)
    except LabError as exc:
        print(f"ocfpy-lab {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"ocfpy-lab {args.command}: interrupted", file=sys.stderr)
        return 130

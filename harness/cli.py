"""The ``ocfpy-harness`` command: one word picks the tool, the rest is that tool's."""

from __future__ import annotations

import importlib
import sys

# subcommand -> module with main(argv) -> int; imported only when chosen
SUBCOMMANDS = {
    "run": ("harness.execd.cli", "run one action of an agent as pacemaker-execd would"),
    "walkthrough": ("harness.sim.walkthrough", "the admin guide's failover story on the harness"),
    "check": ("harness.check.cli", "validate an agent (ocf-tester successor)"),
    "lab": ("harness.lab.cli", "a real two-node Pacemaker cluster in namespaces"),
}


def usage() -> str:
    lines = ["usage: ocfpy-harness COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<12} {summary}" for name, (_, summary) in SUBCOMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if args else sys.stderr)  # no command: a usage error
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in SUBCOMMANDS:
        print(f"ocfpy-harness: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(SUBCOMMANDS[name][0])
    return module.main(rest)

"""`ocfpy-check` (also `python3 -m harness check`): ocf-tester's flags, stricter checks, JSON/JUnit output."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Optional

from harness.execd import AgentSpecError, OperationError

from harness.check import report
from harness.check.ending import EXIT_INTERNAL
from harness.check.findings import INFO, WARNING
from harness.check.runner import check_agent
from harness.check.session import Config
from harness.cliargs import drop_stdout, name_value_pairs

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A bad command line; the message is one line."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ocfpy-check",
        description="Check an OCF resource agent against what Pacemaker really does (ocf-tester's successor). "
                    "Every action runs as pacemaker-execd 2.1.5 runs it (environment, process group, timeouts, "
                    "NUL bytes cutting their 499-byte read); options marked NOT execd change that.",
        epilog="Exit status: 0 when no check failed, 1 when one did (or --max-time was reached), 2 for a bad "
               "command line, 3 when ocfpy-check itself failed, 128+N when signal N ended the run (143 SIGTERM, "
               "130 SIGINT, 129 SIGHUP). However the run ends, the agent's stop runs for every instance the run "
               "started, leftovers are killed and the report so far is written.")
    p.add_argument("agent", help="the agent: a path, or ocf:PROVIDER:TYPE looked up in OCF_RA_PATH")
    p.add_argument("-n", dest="instance", default="ocfpy-check", metavar="NAME", help="resource name (OCF_RESOURCE_INSTANCE)")
    p.add_argument("-o", dest="params", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter, taken literally (no shell evaluation); repeat for more")
    p.add_argument("-O", dest="second", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value for the second instance of the parallel check (unique parameters)")
    p.add_argument("-v", dest="verbose", action="store_true", help="show every action and informational findings")
    p.add_argument("-q", dest="quiet", action="store_true", help="print only the summary line")
    p.add_argument("-d", dest="debug", action="store_true", help="NOT execd: turn on agent debugging (HA_debug=1)")
    p.add_argument("-X", dest="trace", action="store_true", help="NOT execd: turn on agent tracing (OCF_TRACE_RA=1); implies -v")
    p.add_argument("-E", "--env", dest="env", action="append", default=[], metavar="NAME=VALUE",
                   help="NOT execd: extra environment for the agent (e.g. PYTHONPATH)")
    p.add_argument("--format", choices=report.FORMATS, default="text", help="report format (default text)")
    p.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="NOT execd: cap every action's timeout (default: as advertised, as Pacemaker's tools take it)")
    p.add_argument("--max-time", type=float, metavar="SECONDS",
                   help="limit for the whole run: then clean up and report the error run.max-time")
    p.add_argument("--jobs", type=int, default=4, metavar="N",
                   help="independent suites run at once, each on its own resource instance (default 4); "
                        "--jobs 1 runs everything in order, for agents whose instances share a port or mount point")
    p.add_argument("--ra-path", metavar="DIRS", help="OCF_RA_PATH for ocf:PROVIDER:TYPE lookups")
    p.add_argument("--schema", metavar="FILE", help="the OCF 1.1 ra-api.rng to validate against (default: ocfpy's copy)")
    p.add_argument("--legacy", action="store_true", help="report ocf-tester's DTD and resource-agents' RNG as warnings")
    p.add_argument("--no-robustness", dest="robustness", action="store_false", help="skip the killed-start checks")
    p.add_argument("--pacemaker-version", default="2.1.5", metavar="X.Y.Z", help="Pacemaker behaviour to emulate")
    return p


def config_from(args: argparse.Namespace) -> Config:
    env = name_value_pairs(args.env, "-E", UsageError)
    if args.debug:
        env["HA_debug"] = "1"
    if args.trace:
        env["OCF_TRACE_RA"] = "1"
    for option, value in (("--timeout", args.timeout), ("--max-time", args.max_time)):
        if value is not None and not value > 0:
            raise UsageError(f"{option} must be more than 0 seconds")
    if args.jobs < 1:
        raise UsageError("--jobs must be 1 or more")
    return Config(
        agent=args.agent, params=name_value_pairs(args.params, "-o", UsageError),
        instance=args.instance, second_params=name_value_pairs(args.second, "-O", UsageError),
        ra_path=args.ra_path, extra_env=env, timeout_cap_ms=int(args.timeout * 1000) if args.timeout else None,
        ocf11_schema=args.schema, legacy_severity=WARNING if args.legacy else INFO,
        pacemaker_version=args.pacemaker_version, robustness=args.robustness,
        verbose=sys.stdout if (args.verbose or args.trace) and args.format == "text" and not args.output else None,
        progress=sys.stderr if args.format == "text" and not args.quiet else None,
        max_time_s=args.max_time, jobs=args.jobs)


def main(argv: Optional[list] = None) -> int:
    _freeze_imports()
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = config_from(args)
        if args.output:
            _check_writable(args.output)
        if config.verbose is not None:
            print(report.header_line(config.agent), flush=True)
        log = check_agent(config)
    except (UsageError, AgentSpecError, OperationError) as bad:
        print(f"ocfpy-check: {bad}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # before check_agent took over the signals
        print("ocfpy-check: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. piped into head: stop quietly
        drop_stdout()
        return EXIT_FAILED
    text = report.render(log, args.format, verbose=args.verbose or args.trace, quiet=args.quiet,
                         header=config.verbose is None)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as bad:
            print(f"ocfpy-check: cannot write {args.output}: {bad.strerror}", file=sys.stderr)
            return EXIT_USAGE
        text = report.as_text(log, quiet=True)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (head, grep -q) has gone: the exit status still tells
        drop_stdout()
    return exit_status(log)


def _check_writable(path: str) -> None:
    """A report that cannot be written is a bad command line, found before the agent runs, not after."""
    existed = os.path.lexists(path)
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as bad:
        raise UsageError(f"cannot write {path}: {bad.strerror}") from None
    if not existed:
        os.unlink(path)


_frozen = False


def _freeze_imports() -> None:
    """Once per process: what the imports built stays for good, so no collection (the one at exit included) walks it again.

    Measured on the full check of ocf:pacemaker:Dummy: the interpreter's exit took 14-19 ms, 5-7 ms with this."""
    global _frozen
    if not _frozen:
        _frozen = True
        import gc

        gc.freeze()


def exit_status(log) -> int:
    """How the run ended: a signal as 128+N, a crash of the check as 3, otherwise failed or passed."""
    if log.signum:
        print(f"ocfpy-check: interrupted by {log.ended}; the agent was cleaned up after", file=sys.stderr)
        return 128 + log.signum
    if log.ended == "error":
        print(f"ocfpy-check: internal error: {type(log.crash).__name__}: {log.crash}", file=sys.stderr)
        return EXIT_INTERNAL
    return EXIT_FAILED if log.failed else EXIT_PASSED

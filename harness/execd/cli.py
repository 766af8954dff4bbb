"""`ocfpy-harness run`: one action of one agent as pacemaker-execd would run it; exits with the OCF code."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Optional

from .codes import readable_interval
from .lookup import AgentSpecError
from .operation import DEFAULT_TIMEOUT_MS, METADATA_TIMEOUT_MS, PROFILES, Operation, OperationError
from .result import Result
from .runner import run
from .child import SpawnError
from harness.cliargs import drop_stdout, name_value_pairs

USAGE_ERROR = 2
PROG = "ocfpy-harness run"


class CliError(ValueError):
    """Bad command-line input; printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump, no SystemExit traceback
        raise CliError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Run one action of an OCF agent exactly as pacemaker-execd would.")
    parser.add_argument("agent", help="ocf:PROVIDER:TYPE (looked up over --ra-path) or a path to the agent")
    parser.add_argument("action", help="start, stop, monitor, meta-data, validate-all, ...")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                        help="instance parameter, passed as OCF_RESKEY_NAME (repeatable)")
    parser.add_argument("-m", "--meta", action="append", default=[], metavar="NAME=VALUE",
                        help="extra CRM_meta_NAME (clone, notify_*, on_fail, ...; repeatable)")
    parser.add_argument("--interval", type=_milliseconds, default=0, metavar="MS",
                        help="recurring interval in ms (adds CRM_meta_interval and CRM_meta_name)")
    parser.add_argument("--timeout", type=_milliseconds, default=None, metavar="MS",
                        help=f"timeout in ms, also CRM_meta_timeout (default {DEFAULT_TIMEOUT_MS}, "
                             f"meta-data profile {METADATA_TIMEOUT_MS})")
    parser.add_argument("--instance", default="test", metavar="ID", help="OCF_RESOURCE_INSTANCE")
    parser.add_argument("--profile", choices=PROFILES, default="execd",
                        help="which runner to imitate (default execd; crm_resource and metadata differ from it as those tools do)")
    parser.add_argument("--check-level", type=int, default=None, metavar="N", help="OCF_CHECK_LEVEL")
    parser.add_argument("--node", default="node1", help="CRM_meta_on_node")
    parser.add_argument("--ra-path", default=None, metavar="DIRS", help="':'-separated agent directories")
    parser.add_argument("--pacemaker-version", default="2.1.5", metavar="X.Y.Z",
                        help="switches version-dependent quirks (reason cap, IPC escaping)")
    parser.add_argument("--keep-nul", dest="nul_truncation", action="store_false",
                        help="NOT execd: keep the output after NUL bytes (execd cuts each 499-byte read at its "
                             "first NUL, which can lose the exit reason; that is the default here)")
    parser.add_argument("--nul-truncation", dest="nul_truncation", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("-E", "--env", action="append", default=[], metavar="NAME=VALUE",
                        help="NOT execd: extra environment for the agent (e.g. PYTHONPATH)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object")
    return parser


def _milliseconds(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of milliseconds") from None


def operation_from_args(args: argparse.Namespace) -> Operation:
    timeout = args.timeout
    if timeout is None:
        timeout = METADATA_TIMEOUT_MS if args.profile == "metadata" else DEFAULT_TIMEOUT_MS
    return Operation(
        agent=args.agent, action=args.action,
        params=name_value_pairs(args.param, "parameter", CliError),
        meta=name_value_pairs(args.meta, "meta attribute", CliError),
        instance=args.instance, interval_ms=args.interval,
        timeout_ms=timeout, check_level=args.check_level, node=args.node, profile=args.profile,
        ra_path=args.ra_path, pacemaker_version=args.pacemaker_version, nul_truncation=args.nul_truncation,
        extra_env=name_value_pairs(args.env, "environment variable", CliError))


def result_as_dict(result: Result) -> dict:
    """Everything in the Result; byte streams decoded losslessly (undecodable bytes as \\udcXX)."""
    return {
        "agent": result.op.agent if isinstance(result.op.agent, str) else result.op.agent.spec,
        "action": result.action, "rc": result.rc, "rc_name": result.rc_name,
        "status": int(result.status), "status_name": result.status.name, "exit_reason": result.exit_reason,
        "agent_exit": result.agent_exit, "signal": result.signal, "pid": result.pid,
        "elapsed_ms": round(result.elapsed * 1000, 3),
        "stdout": result.stdout.decode("utf-8", "surrogateescape"),
        "stderr": result.stderr.decode("utf-8", "surrogateescape"),
    }


def print_result(result: Result) -> None:
    op = result.op
    agent = op.agent if isinstance(op.agent, str) else op.agent.spec
    out = sys.stdout
    out.write(f"{agent} {result.action} (profile {op.profile}, Pacemaker {op.pacemaker_version})\n")
    out.write(f"  rc:          {result.rc} ({result.rc_name})\n")
    out.write(f"  status:      {int(result.status)} ({result.status.text})\n")
    out.write(f"  exit reason: {'(none)' if result.exit_reason is None else repr(result.exit_reason)}\n")
    raw = "not run" if result.pid is None and result.agent_exit is None else (
        f"killed by signal {result.signal}" if result.signal else f"exit status {result.agent_exit}")
    out.write(f"  agent:       {raw}, pid {result.pid}, timeout {readable_interval(op.timeout_ms)}\n")
    out.write(f"  elapsed:     {result.elapsed * 1000:.1f} ms\n")
    if op.profile == "metadata" and not result.metadata_ok:
        out.write("  meta-data:   the controller would reject this (needs exit 0 and output on stdout)\n")
    if b"No module named 'ocfpy'" in result.stderr:
        out.write("  hint:        the agent cannot import ocfpy: pass -E PYTHONPATH=<the clone> (see "
                  "docs/writing-agents.md) or install it (python3 -m ocfpy.install)\n")
    for name, data in (("stdout", result.stdout), ("stderr", result.stderr)):
        out.write(f"--- {name} ({len(data)} bytes)\n")
        out.flush()
        sys.stdout.buffer.write(data if data.endswith(b"\n") or not data else data + b"\n")
        sys.stdout.buffer.flush()


def main(argv: Optional[list] = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = build_parser().parse_args(argv)
        result = run(operation_from_args(args))
    except (CliError, AgentSpecError, OperationError, SpawnError) as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return USAGE_ERROR
    try:
        if args.json:
            print(json.dumps(result_as_dict(result)), flush=True)
        else:
            print_result(result)
    except BrokenPipeError:  # piped into head or grep -q: the exit status is still the agent's
        drop_stdout()
    return result.rc

"""`ocfpy-harness walkthrough`: the admin guide's failover test (create, status, force-stop, failed monitor, recovery) on one node."""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from typing import Callable, List, Optional

from harness.execd import AgentSpecError, resolve_agent
from harness.execd.lookup import DEFAULT_RA_PATH

from .history import NodeView
from .node import Event, LocalNode
from .resource import OpSpec, ResourceSpec, SpecError, parse_interval
from .status import failed_action_technical, render_status, resource_line
from harness.cliargs import name_value_pairs

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARGIN_S = 5.0  # beyond the agent's own timeouts, for a slow machine


class StoryFailed(Exception):
    """A step did not end the way the admin guide says it should."""


def parse_args(argv: List[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ocfpy-harness walkthrough",
        description="Create a resource, show it Started, force-stop it behind the executor's back, "
                    "watch the recurring monitor fail and the resource recover, printed as crm_mon would.")
    parser.add_argument("--agent", default="ocf:ocfpy:Dummy", help="ocf:PROVIDER:TYPE or a path (default %(default)s)")
    parser.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                        help="an instance attribute of the resource (repeatable)")
    parser.add_argument("--id", default="dummy_service", help="resource id (default %(default)s)")
    parser.add_argument("--node", default="node1", help="node name (default %(default)s)")
    parser.add_argument("--interval", default="2s", help="monitor interval, e.g. 2s or 120s (default %(default)s)")
    parser.add_argument("--timeout", default="20s", help="timeout of every operation (default %(default)s)")
    return parser.parse_args(argv)


def ocfpy_package() -> Optional[str]:
    """The checkout's ocfpy/ next to this harness, else wherever Python finds one; None if none."""
    checkout = os.path.join(REPO, "ocfpy")
    if os.path.isfile(os.path.join(checkout, "__init__.py")):
        return checkout
    spec = importlib.util.find_spec("ocfpy")
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


class Sandbox:
    """Temporary OCF_RA_PATH, PYTHONPATH and HA_RSCTMP so the checkout runs with nothing installed."""

    def __init__(self) -> None:
        self.root = tempfile.mkdtemp(prefix="ocfpy-walkthrough-")
        ra_dir = os.path.join(self.root, "ra")
        os.mkdir(ra_dir)
        agents = os.path.join(REPO, "agents")
        if os.path.isdir(agents):  # the checkout's agents are provider "ocfpy"
            os.symlink(agents, os.path.join(ra_dir, "ocfpy"))
        self.ra_path = ":".join([ra_dir, os.environ.get("OCF_RA_PATH") or DEFAULT_RA_PATH])
        self.env = {"HA_RSCTMP": os.path.join(self.root, "rsctmp"),
                    "PCMK_logfacility": "none", "PCMK_logfile": os.path.join(self.root, "agents.log")}
        os.mkdir(self.env["HA_RSCTMP"])
        library = ocfpy_package()
        if library is not None:  # agents import ocfpy; give them that package and nothing else
            pythonpath = os.path.join(self.root, "pythonpath")
            os.mkdir(pythonpath)
            os.symlink(library, os.path.join(pythonpath, "ocfpy"))
            self.env["PYTHONPATH"] = pythonpath

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Story:
    """The five steps, each printed with what happened and how long it took."""

    def __init__(self, node: LocalNode, spec: ResourceSpec, interval_text: str, out=sys.stdout):
        self.node, self.spec, self.interval_text, self.out = node, spec, interval_text, out
        self.monitor = spec.recurring()[0]
        self.monitor_key = f"{spec.id}_monitor_{self.monitor.interval_ms}"
        self.seen = 0  # events already printed
        self.step_began = time.monotonic()

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def step(self, number: int, command: str) -> None:
        self.say(f"\n{number}. $ {command}")
        self.step_began = time.monotonic()

    def done(self, text: str) -> None:
        self.say(f"   -> {text}   [step: {time.monotonic() - self.step_began:.2f} s]")

    def show_events(self, upto: Optional[Event] = None) -> None:
        """Print the events not shown yet, up to and including `upto` (default: all)."""
        events = self.node.events()
        end = len(events) if upto is None else next(i for i, e in enumerate(events) if e is upto) + 1
        for event in events[self.seen:end]:
            if event.kind != "force":
                self.say(f"   [{event.kind}] {event.text}")
        self.seen = max(self.seen, end)

    def show_status(self, view: NodeView, detail: bool = False) -> None:
        for line in render_status(view, detail=detail).splitlines():
            self.say("   " + line if line else "")

    def wait(self, what: str, match: Callable[[Event], bool], timeout: float) -> Event:
        event = self.node.wait_event(lambda e: match(e) or e.kind in ("ban", "error") or
                                     (e.kind == "failure" and not match(e)), timeout, since=self.seen)
        if event is None or not match(event):
            self.show_events()
            raise StoryFailed(f"{what}: " + (event.text if event else f"nothing after {timeout:.0f} s"))
        return event

    def play(self) -> None:
        spec, node = self.spec, self.node.name
        agent_timeouts = sum(spec.timeout_ms(a) for a in ("start", "stop")) / 1000.0 + 2 * self.monitor.timeout_ms / 1000.0
        self.step(1, f"pcs resource create {spec.id} {spec.agent} op monitor interval={self.interval_text}")
        self.node.create(spec)
        self.wait(f"{spec.id} did not start", self._monitor_ok, agent_timeouts + MARGIN_S)
        self.show_events()
        self.done(f"Started on {node}: probed, started, first recurring monitor ok")

        self.step(2, "pcs status        # crm_mon -1 -r -f")
        view = self.node.snapshot()
        self.show_status(view)
        self._expect(resource_line(view.resource(spec.id)).endswith(f"Started {node}"),
                     f"{spec.id} is not shown as Started {node}")
        self.done(f"{spec.id} Started {node}")

        self.step(3, f"crm_resource --resource {spec.id} --force-stop")
        stopped = time.monotonic()
        result = self.node.force(spec.id, "stop")
        self.say(f"   {result.summary()}")
        self._expect(result.rc == 0, f"--force-stop failed: {result.summary()}")
        self.done("stopped by running the agent directly, outside the executor's queue")

        self.step(4, "crm_mon -1 -r -f -R   # wait for the recurring monitor to notice")
        failure = self.wait("the monitor did not report 'not running'", self._monitor_failed,
                            (self.monitor.interval_ms + 2 * self.monitor.timeout_ms) / 1000.0 + MARGIN_S)
        self.show_events(upto=failure)
        self.show_status(failure.status, detail=True)
        seed_line = f"{self.monitor_key} on {node} 'not running' (7)"
        self._expect(any(failed_action_technical(r).startswith(seed_line)
                         for r in failure.status.resource(spec.id).failed_ops), f"no failed action {seed_line}")
        self.done(f"the monitor saw 'not running' {time.monotonic() - stopped:.2f} s after the force-stop")

        self.step(5, "crm_mon -1 -r -f     # local recovery: on-fail=restart stops and starts it again")
        self.wait(f"{spec.id} did not recover", self._monitor_ok, agent_timeouts + MARGIN_S)
        self.show_events()
        view = self.node.snapshot()
        self.show_status(view)
        rsc = view.resource(spec.id)
        self._expect(rsc.role == "Started" and not rsc.failed and rsc.fail_count == 1,
                     f"expected Started with fail-count 1, got {resource_line(rsc)!r} fail-count={rsc.fail_count}")
        self.done(f"Started again on {node} with fail-count 1, {time.monotonic() - stopped:.2f} s after the force-stop")

    def _monitor_ok(self, event: Event) -> bool:
        return (event.kind == "monitor" and event.record is not None and event.record.key == self.monitor_key
                and not event.record.verdict.failed)

    def _monitor_failed(self, event: Event) -> bool:
        return (event.kind == "failure" and event.record is not None and event.record.key == self.monitor_key
                and event.record.rc == 7)

    @staticmethod
    def _expect(condition: bool, message: str) -> None:
        if not condition:
            raise StoryFailed(message)


def build_spec(args: argparse.Namespace) -> ResourceSpec:
    interval_ms = parse_interval(args.interval, "--interval")
    if interval_ms <= 0:
        raise SpecError("--interval must be more than 0: the story needs a recurring monitor")
    timeout_ms = parse_interval(args.timeout, "--timeout")
    if timeout_ms <= 0:
        raise SpecError("--timeout must be more than 0")
    ops = tuple(OpSpec(action, interval, timeout_ms) for action, interval in
                (("start", 0), ("stop", 0), ("monitor", 0), ("monitor", interval_ms)))
    return ResourceSpec(args.id, args.agent, name_value_pairs(args.param, "parameter", SpecError), ops)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else list(argv))
    try:
        spec = build_spec(args)
    except SpecError as err:
        print(f"ocfpy-harness walkthrough: {err}", file=sys.stderr)
        return 2
    sandbox = Sandbox()
    try:
        return _play(args, spec, sandbox)
    finally:
        sandbox.remove()


def _play(args: argparse.Namespace, spec: ResourceSpec, sandbox: Sandbox) -> int:
    try:
        ref = resolve_agent(spec.agent, sandbox.ra_path)
    except AgentSpecError as err:
        print(f"ocfpy-harness walkthrough: {err}", file=sys.stderr)
        return 2
    if not ref.found:
        print(f"ocfpy-harness walkthrough: {spec.agent} not found in OCF_RA_PATH={sandbox.ra_path}", file=sys.stderr)
        return 2
    began = time.monotonic()
    print(f"ocfpy harness walkthrough: {spec.agent} ({ref.path}) on {args.node}, one node and no cluster")
    print(f"   OCF_RA_PATH={sandbox.ra_path}  HA_RSCTMP={sandbox.env['HA_RSCTMP']}")
    node = LocalNode(args.node, ra_path=sandbox.ra_path, extra_env=sandbox.env, cwd=sandbox.root)
    try:
        Story(node, spec, args.interval).play()
    except StoryFailed as err:
        print(f"\nwalkthrough: FAILED: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nwalkthrough: interrupted", file=sys.stderr)
        return 130
    finally:
        node.close()
    print(f"\nwalkthrough: OK, the story played as the admin guide tells it ({time.monotonic() - began:.2f} s)")
    return 0

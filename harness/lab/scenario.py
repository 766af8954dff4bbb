"""The admin guide's failover story, and the promotable variant, as timed steps on a running lab."""

from __future__ import annotations

import re
import time
from typing import NamedTuple

from harness.lab import cluster, lab, node
from harness.lab.config import LabConfig, LabError

SLACK = 60.0  # seconds allowed on top of what a step should take before it counts as stuck


class Step(NamedTuple):
    """One step as run: what was typed, where, how long until the expected state, what was seen."""

    title: str
    command: str
    node: str
    seconds: float
    observed: str


def pcs(config: LabConfig, node_name: str, *args: str) -> str:
    return node.run(config, node_name, ["pcs", *args], check=True).stdout


def squeeze(text: str) -> str:
    """crm_mon separates columns with TABs and runs of spaces; compare with single spaces."""
    return re.sub(r"[ \t]+", " ", text)


class Story:
    """Common to both stories: the lab, the resource under test, the node it runs on."""

    def __init__(self, config: LabConfig, agent: str, resource: str, interval_s: int):
        self.config, self.agent, self.resource, self.interval_s = config, agent, resource, interval_s
        self.steps: list[Step] = []
        self.home: str | None = None  # the node running (or promoting) the resource
        self.killed: str | None = None  # the node kill_home() powered off
        self.view: cluster.ClusterView | None = None

    def create_started(self, title: str, *then: tuple) -> Step:
        """`pcs resource create` with a monitor, then the pcs commands `then`; wait until Started."""
        where = self.config.nodes[0]
        args = ("resource", "create", self.resource, self.agent, "op", "monitor",
                f"interval={self.interval_s}s")
        started = time.monotonic()
        for command in (args,) + then:
            pcs(self.config, where, *command)
        self.wait(where, lambda v: v.started_on(self.resource), SLACK, f"{self.resource} Started")
        self.home = self.view.started_on(self.resource)
        shown = then[-1] if then else args
        return self.record(title, "pcs " + " ".join(shown), where, time.monotonic() - started,
                           f"Started on {self.home}")

    def other(self, name: str) -> str:
        return next(n for n in self.config.nodes if n != name)

    def record(self, title: str, command: str, where: str, seconds: float, observed: str) -> Step:
        step = Step(title, command, where, seconds, observed)
        self.steps.append(step)
        return step

    def wait(self, where: str, predicate, timeout: float, what: str) -> float:
        self.view, seconds = cluster.wait_for(self.config, where, predicate, timeout, what)
        return seconds

    def kill_home(self) -> Step:
        """Pull the plug on the node running the resource; wait until the survivor runs it."""
        victim = self.home
        survivor = self.other(victim)
        started = time.monotonic()
        node.kill(self.config, victim)
        self.wait(survivor, lambda v: victim not in v.online, SLACK, f"{victim} OFFLINE")
        offline = time.monotonic() - started
        self.wait(survivor, self.moved_predicate(survivor), SLACK, f"{self.resource} on {survivor}")
        seconds = time.monotonic() - started
        self.home, self.killed = survivor, victim
        return self.record(f"kill {victim}, the node running {self.resource}", f"ocfpy-lab kill {victim}",
                           "host", seconds,
                           f"{victim} OFFLINE after {offline:.1f} s; {self.resource} "
                           f"{self.moved_role()} on {survivor}")

    def rejoin(self) -> Step:
        """Power the killed node back on and start its cluster: `pcs cluster start NODE` from the
        survivor when pcsd runs in the nodes (it comes up with the node), else `pcs cluster start`
        on the node itself (booted with no units)."""
        name, survivor = self.killed, self.other(self.killed)
        started = time.monotonic()
        if self.config.pcsd:
            lab.boot(self.config, name, "enabled")
            command, where = ("cluster", "start", name), survivor
        else:
            lab.boot(self.config, name, "bare")
            command, where = ("cluster", "start"), name
        pcs(self.config, where, *command)
        self.wait(name, lambda v: v.formed(self.config.nodes), SLACK, "both nodes online")
        seconds = time.monotonic() - started
        role = self.moved_role()
        placed = ",".join(self.view.where(self.resource, role))
        return self.record(f"{name} back: boot, then pcs cluster start", "pcs " + " ".join(command), where,
                           seconds, f"online [{' '.join(sorted(self.view.online))}]; "
                           f"{self.resource} {role} on {placed}")

    def moved_predicate(self, survivor: str):
        raise NotImplementedError

    def moved_role(self) -> str:
        raise NotImplementedError


class SeedStory(Story):
    """pcs resource create, pcs status, force-stop, recovery seen in crm_mon, node kill, rejoin."""

    def __init__(self, config: LabConfig, agent: str = "ocf:ocfpy:Dummy",
                 resource: str = "dummy_service", interval_s: int = 5):
        super().__init__(config, agent, resource, interval_s)
        self.failure: dict | None = None
        self.status_text = ""

    @property
    def monitor_key(self) -> str:
        return f"{self.resource}_monitor_{self.interval_s * 1000}"

    def create(self) -> Step:
        return self.create_started("create the service")

    def pcs_status(self) -> Step:
        started = time.monotonic()
        self.status_text = squeeze(pcs(self.config, self.config.nodes[0], "status"))
        line = next((l.strip() for l in self.status_text.splitlines() if self.resource in l), "")
        return self.record("show its status", "pcs status", self.config.nodes[0],
                           time.monotonic() - started, line or "resource missing from pcs status")

    def force_stop(self) -> Step:
        started = time.monotonic()
        node.run(self.config, self.home, ["crm_resource", "--resource", self.resource, "--force-stop"],
                 check=True)
        self.stopped_at = time.monotonic()
        return self.record("simulate a failure", f"crm_resource --resource {self.resource} --force-stop",
                           self.home, self.stopped_at - started, "stopped behind the cluster's back")

    def recovery(self) -> Step:
        """Wait for the failed monitor in crm_mon's XML, then for the resource Started again."""
        key, home = self.monitor_key, self.home
        self.wait(home, lambda v: v.failure(key, home), self.interval_s + SLACK, f"failure {key}")
        failed = time.monotonic() - self.stopped_at
        self.failure = self.view.failure(key, home)
        self.wait(home, lambda v: v.failure(key, home) and v.started_on(self.resource),
                  SLACK, f"{self.resource} Started again")
        self.home = self.view.started_on(self.resource)
        return self.record("watch crm_mon", "crm_mon --one-shot --output-as=xml", home,
                           time.monotonic() - self.stopped_at,
                           f"failure after {failed:.1f} s: {cluster.old_style_failure(self.failure)}; "
                           f"Started on {self.home} again")

    def moved_predicate(self, survivor: str):
        return lambda v: v.started_on(self.resource) == survivor

    def moved_role(self) -> str:
        return "Started"

    def run_all(self, report=None) -> list[Step]:
        for step in (self.create, self.pcs_status, self.force_stop, self.recovery, self.kill_home,
                     self.rejoin):
            done = step()
            if report:
                report(done)
        return self.steps


class PromotableStory(Story):
    """A promotable clone: one Promoted, one Unpromoted; the promotion moves when its node dies."""

    def __init__(self, config: LabConfig, agent: str = "ocf:ocfpy:Stateful",
                 resource: str = "stateful_service", interval_s: int = 5):
        super().__init__(config, agent, resource, interval_s)

    def create(self) -> Step:
        where = self.config.nodes[0]
        args = ("resource", "create", self.resource, self.agent,
                "op", "monitor", f"interval={self.interval_s}s", "role=Promoted",
                "op", "monitor", f"interval={self.interval_s + 1}s", "role=Unpromoted", "promotable")
        started = time.monotonic()
        pcs(self.config, where, *args)
        self.wait(where, self.settled, SLACK, "one Promoted and one Unpromoted instance")
        self.home = self.view.where(self.resource, "Promoted")[0]
        return self.record("create the promotable clone", "pcs " + " ".join(args), where,
                           time.monotonic() - started, self.roles())

    def settled(self, view: cluster.ClusterView) -> bool:
        return (len(view.where(self.resource, "Promoted")) == 1
                and len(view.where(self.resource, "Unpromoted")) == len(view.online) - 1)

    def roles(self) -> str:
        return (f"Promoted on {','.join(self.view.where(self.resource, 'Promoted')) or '-'}, "
                f"Unpromoted on {','.join(self.view.where(self.resource, 'Unpromoted')) or '-'}")

    def moved_predicate(self, survivor: str):
        return lambda v: v.where(self.resource, "Promoted") == [survivor]

    def moved_role(self) -> str:
        return "Promoted"

    def rejoin(self) -> Step:
        step = super().rejoin()
        self.wait(self.killed, self.settled, SLACK, "the rejoined node's instance Unpromoted")
        return step

    def run_all(self, report=None) -> list[Step]:
        for step in (self.create, self.kill_home, self.rejoin):
            done = step()
            if report:
                report(done)
        return self.steps


def delete_resource(config: LabConfig, resource: str) -> None:
    """Remove a resource and its history so the next story starts clean."""
    where = next(n for n in config.nodes if node.is_up(config, n))
    try:
        pcs(config, where, "resource", "delete", resource)
    except LabError:
        pass
    node.run(config, where, ["crm_resource", "--cleanup"])

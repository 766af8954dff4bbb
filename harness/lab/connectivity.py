"""Connectivity and partitions on a running lab: a ping clone moves a service off a cut-off node; split brain.

ConnectivityStory: a ping clone on every node pings the public network's gateway; a location rule
keeps the service off any node whose `pingd` is below 1 or missing. Pulling the public cable of
the node running it moves it (the cluster stays whole), plugging it back restores the attribute,
and pulling every cable stops it on the isolated node while the other node takes it over.
SplitBrainStory: without fencing and without that rule, a cut gives both halves a running copy;
after the heal one copy remains.
"""

from __future__ import annotations

import time

from harness.lab import network, node, scenario
from harness.lab.config import LabConfig
from harness.lab.scenario import SLACK, Step, pcs

ATTRIBUTE = "pingd"
MULTIPLIER = 1000
#: attrd's write to the CIB, the scheduler's run and the controller's transition, plus polling
TRANSITION_SLACK = 2.0
SETTLE = 3.0  # seconds a healed cluster must keep its single instance


class ConnectivityStory(scenario.Story):
    """ping clone + location rule on pingd; public cable cut and healed; then every cable."""

    def __init__(self, config: LabConfig, agent: str = "ocf:ocfpy:Dummy",
                 resource: str = "dummy_service", interval_s: int = 5,
                 ping_agent: str = "ocf:ocfpy:ping", ping_interval_s: int = 3, dampen_s: int = 3,
                 attempts: int = 2, timeout_s: int = 1):
        super().__init__(config, agent, resource, interval_s)
        self.ping_agent, self.ping_interval_s, self.dampen_s = ping_agent, ping_interval_s, dampen_s
        self.attempts, self.timeout_s = attempts, timeout_s
        self.bounds: dict[str, float] = {}  # step title -> the bound it was held to

    @property
    def ping_round_s(self) -> int:
        """The longest a monitor's pings take when the gateway is silent: ping's timeout."""
        return self.timeout_s

    def detection_bound(self) -> float:
        """Cable pulled -> the cluster acts on pingd 0: a monitor interval (its phase), the silent
        ping round, then the dampening before attrd writes the value."""
        return self.ping_interval_s + self.ping_round_s + self.dampen_s + TRANSITION_SLACK

    def isolation_bound(self) -> float:
        """Every cable pulled -> the isolated node acts on pingd 0: its half forms after corosync's
        token and consensus timeouts, and attrd there writes the value a dampening later (measured
        9.7-9.8 s with token 3 s and dampen 3 s: 6.6 + 3 + transition), or the ping bound if longer."""
        config = self.config
        membership = (config.token_effective_ms() + config.consensus_effective_ms()) / 1000.0
        return max(self.detection_bound(), membership + self.dampen_s + TRANSITION_SLACK)

    def pinged(self, value: str, nodes):
        return lambda v: all(v.attribute(n, ATTRIBUTE) == value for n in nodes)

    def create_ping_clone(self) -> Step:
        where = self.config.nodes[0]
        args = ("resource", "create", "ping", self.ping_agent, f"host_list={self.config.gateway}",
                f"multiplier={MULTIPLIER}", f"dampen={self.dampen_s}s", f"attempts={self.attempts}",
                f"timeout={self.timeout_s}", "op", "monitor", f"interval={self.ping_interval_s}s", "clone")
        started = time.monotonic()
        pcs(self.config, where, *args)
        self.wait(where, self.pinged(str(MULTIPLIER), self.config.nodes), SLACK,
                  f"{ATTRIBUTE}={MULTIPLIER} on every node")
        return self.record("a ping clone on every node", "pcs " + " ".join(args), where,
                           time.monotonic() - started, self.attributes_seen())

    def create_service(self) -> Step:
        rule = ("constraint", "location", self.resource, "rule", "score=-INFINITY",
                ATTRIBUTE, "lt", "1", "or", "not_defined", ATTRIBUTE)
        return self.create_started("the service, kept where the network is", rule)

    def cut_public(self) -> Step:
        """The home node loses its clients' network; corosync still runs over the cluster network."""
        victim, survivor = self.home, self.other(self.home)
        started = time.monotonic()
        network.set_cable(self.config, victim, plugged=False, link="public")
        self.wait(survivor, lambda v: v.attribute(victim, ATTRIBUTE) == "0", self.detection_bound() + SLACK,
                  f"{ATTRIBUTE}=0 on {victim}")
        detected = time.monotonic() - started
        self.wait(survivor, lambda v: v.started_on(self.resource) == survivor, SLACK,
                  f"{self.resource} on {survivor}")
        seconds = time.monotonic() - started
        stop = self.view.op_seconds(self.resource, victim, "stop")
        start = self.view.op_seconds(self.resource, survivor, "start")
        title = f"pull {victim}'s public cable"
        self.bounds[title] = self.detection_bound() + stop + start
        self.home = survivor
        return self.record(title, f"ocfpy-lab netcut {victim} --link public", "host", seconds,
                           f"{ATTRIBUTE}=0 on {victim} after {detected:.1f} s; {self.resource} Started "
                           f"on {survivor} (bound {self.bounds[title]:.1f} s: monitor "
                           f"{self.ping_interval_s} s + pings {self.ping_round_s} s + dampen "
                           f"{self.dampen_s} s + stop {stop:.2f} s + start {start:.2f} s + "
                           f"{TRANSITION_SLACK:.0f} s)")

    def heal_public(self, victim: str) -> Step:
        started = time.monotonic()
        network.set_cable(self.config, victim, plugged=True, link="public")
        self.wait(self.home, self.pinged(str(MULTIPLIER), [victim]), self.detection_bound() + SLACK,
                  f"{ATTRIBUTE}={MULTIPLIER} on {victim} again")
        title = f"plug {victim}'s public cable back"
        self.bounds[title] = self.detection_bound()
        seen = f"{self.attributes_seen()}; {self.resource} stays on {self.view.started_on(self.resource)}"
        return self.record(title, f"ocfpy-lab netheal {victim} --link public", "host",
                           time.monotonic() - started, seen)

    def dampening(self, name: str) -> tuple[float, float]:
        """Pull a node's public cable: seconds until attrd holds pingd=0, and until the CIB does.

        The gap is the dampening at work (Pacemaker 2.1.5 writes at once what `-U` sets on a new
        attribute, PCMK#3166: the agent sets value and delay together with `-B -d`). Plugged back
        afterwards, and waited for until the CIB shows the full score again.
        """
        started = time.monotonic()
        network.set_cable(self.config, name, plugged=False, link="public")
        in_attrd = in_cib = None
        try:
            while in_cib is None and time.monotonic() - started < self.detection_bound() + SLACK:
                held, written = attrd_value(self.config, name), cib_value(self.config, name)
                now = time.monotonic() - started
                in_attrd = now if in_attrd is None and held == "0" else in_attrd
                in_cib = now if written == "0" else None
        finally:
            network.set_cable(self.config, name, plugged=True, link="public")
        self.wait(name, self.pinged(str(MULTIPLIER), [name]), self.detection_bound() + SLACK,
                  f"{ATTRIBUTE}={MULTIPLIER} on {name} again")
        return in_attrd, in_cib

    def cut_all(self) -> Step:
        """Every cable of the home node: two partitions; the isolated one stops the service itself."""
        victim, survivor = self.home, self.other(self.home)
        started = time.monotonic()
        network.set_cable(self.config, victim, plugged=False)
        self.wait(survivor, lambda v: victim not in v.online and v.started_on(self.resource) == survivor,
                  SLACK, f"{self.resource} on {survivor}, {victim} OFFLINE")
        taken_over = time.monotonic() - started
        self.wait(victim, lambda v: v.attribute(victim, ATTRIBUTE) == "0" and not v.where(self.resource),
                  self.isolation_bound() + SLACK, f"{self.resource} stopped on the isolated {victim}")
        seconds = time.monotonic() - started
        stop = self.view.op_seconds(self.resource, victim, "stop")
        title = f"pull every cable of {victim}"
        self.bounds[title] = self.isolation_bound() + stop
        self.home = survivor
        return self.record(title, f"ocfpy-lab netcut {victim}", "host", seconds,
                           f"{survivor} runs {self.resource} after {taken_over:.1f} s (membership); "
                           f"the isolated {victim} stopped its copy at {seconds:.1f} s ({ATTRIBUTE}=0)")

    def heal_all(self, victim: str) -> Step:
        started = time.monotonic()
        network.set_cable(self.config, victim, plugged=True)
        self.wait(victim, lambda v: v.formed(self.config.nodes) and len(v.where(self.resource)) == 1
                  and self.pinged(str(MULTIPLIER), self.config.nodes)(v), SLACK + self.detection_bound(),
                  "one cluster, one instance, every node pinging")
        return self.record(f"plug {victim}'s cables back", f"ocfpy-lab netheal {victim}", "host",
                           time.monotonic() - started,
                           f"online [{' '.join(sorted(self.view.online))}]; {self.resource} on "
                           f"{','.join(self.view.where(self.resource))}; {self.attributes_seen()}")

    def attributes_seen(self) -> str:
        return ", ".join(f"{ATTRIBUTE}={self.view.attribute(n, ATTRIBUTE)} on {n}" for n in self.config.nodes)

    def run_all(self, report=None) -> list:
        steps = [self.create_ping_clone, self.create_service, self.cut_public]
        for step in steps:
            done = step()
            if report:
                report(done)
        victim = self.other(self.home)
        for step in (lambda: self.heal_public(victim), self.cut_all,
                     lambda: self.heal_all(self.other(self.home))):
            done = step()
            if report:
                report(done)
        return self.steps


def attrd_value(config: LabConfig, name: str) -> str | None:
    """The node's pingd as its attrd holds it now (before any dampening)."""
    out = node.run(config, name, ["attrd_updater", "--query", "--name", ATTRIBUTE, "--node", name]).stdout
    return out.split('value="', 1)[1].split('"', 1)[0] if 'value="' in out else None


def cib_value(config: LabConfig, name: str) -> str | None:
    """The node's pingd as written to the CIB's status section."""
    out = node.run(config, name, ["crm_attribute", "--type", "status", "--node", name,
                                  "--name", ATTRIBUTE, "--query"]).stdout
    return out.rsplit("value=", 1)[1].strip() if "value=" in out else None


class SplitBrainStory(scenario.Story):
    """No fencing, no connectivity rule: a cut gives two running copies; the heal leaves one."""

    def __init__(self, config: LabConfig, agent: str = "ocf:ocfpy:Dummy",
                 resource: str = "split_service", interval_s: int = 5):
        super().__init__(config, agent, resource, interval_s)
        self.both: dict[str, list] = {}  # node -> where that node's partition runs the resource

    def create(self) -> Step:
        return self.create_started("a service without fencing")

    def partition(self) -> Step:
        cut = self.other(self.home)
        started = time.monotonic()
        network.set_cable(self.config, cut, plugged=False)
        for name in self.config.nodes:
            self.wait(name, lambda v, n=name: v.online == {n} and v.where(self.resource) == [n], SLACK,
                      f"{name} alone, running {self.resource}")
            self.both[name] = self.view.where(self.resource)
        seen = "; ".join(f"{n} sees {self.resource} on {','.join(w)}" for n, w in self.both.items())
        return self.record(f"pull {cut}'s cables: a partition", f"ocfpy-lab netcut {cut}", "host",
                           time.monotonic() - started, seen)

    def heal(self) -> Step:
        cut = self.other(self.home)
        started = time.monotonic()
        network.set_cable(self.config, cut, plugged=True)
        single = lambda v: v.formed(self.config.nodes) and len(v.where(self.resource)) == 1  # noqa: E731
        for name in self.config.nodes:
            self.wait(name, single, SLACK, "one cluster, one instance")
        seconds = time.monotonic() - started
        time.sleep(SETTLE)  # and it stays so: the recovery of the double start is over
        for name in self.config.nodes:
            self.wait(name, single, SLACK, "still one instance")
        return self.record(f"plug {cut}'s cables back", f"ocfpy-lab netheal {cut}", "host", seconds,
                           f"{self.resource} on {','.join(self.view.where(self.resource))} only")

    def run_all(self, report=None) -> list:
        for step in (self.create, self.partition, self.heal):
            done = step()
            if report:
                report(done)
        return self.steps

"""Which later checks meet what an earlier check could not stop: identifying values, instances, the first to leave it."""

from __future__ import annotations

from harness.execd import Operation
from harness.check import metadata, xmltree
from harness.check.leftovers import Leftovers, identifying_values
from harness.check.tracking import StartedInstances

META = b"""<?xml version="1.0"?>
<resource-agent name="x" version="1">
<version>1.1</version><longdesc lang="en">x</longdesc><shortdesc lang="en">x</shortdesc>
<parameters>
<parameter name="name" unique="1"><longdesc lang="en">n</longdesc><shortdesc lang="en">n</shortdesc><content type="string"/></parameter>
<parameter name="port" unique-group="where"><longdesc lang="en">p</longdesc><shortdesc lang="en">p</shortdesc><content type="integer" default="80"/></parameter>
<parameter name="mode"><longdesc lang="en">m</longdesc><shortdesc lang="en">m</shortdesc><content type="string" default="fast"/></parameter>
</parameters>
<actions><action name="start" timeout="20s"/><action name="stop" timeout="20s"/><action name="monitor" timeout="20s"/>
<action name="meta-data" timeout="5s"/></actions>
</resource-agent>
"""
MD = metadata.parse(xmltree.parse_document(META))


def started_with(*ops) -> StartedInstances:
    started = StartedInstances()
    for instance, params in ops:
        started.before(Operation(agent="/bin/true", action="start", instance=instance, params=params))
    return started


def left_by(check: str, *ops) -> Leftovers:
    left = Leftovers()
    left.record(check, started_with(*ops))
    return left


def test_identifying_values_are_the_unique_parameters_with_their_defaults():
    assert identifying_values(MD, {"name": "mv0", "mode": "slow"}) == {"name": "mv0", "port": "80"}
    assert identifying_values(None, {"name": "mv0"}) == {}


def test_nothing_left_behind_is_no_conflict():
    assert Leftovers().conflict(MD, [("rsc", {"name": "mv0"})]) is None


def test_a_shared_identifying_value_is_a_conflict_that_names_the_check_and_the_value():
    left = left_by("robustness.killed-start", ("rsc", {"name": "mv0", "port": "81"}))

    conflict = left.conflict(MD, [("rsc-a", {"name": "mv0"}), ("rsc-b", {"name": "mv1"})])

    assert conflict.check == "robustness.killed-start" and conflict.shared == {"name": "mv0"}
    assert "robustness.killed-start left rsc behind" in conflict.describe() and "name=mv0" in conflict.describe()


def test_the_same_instance_with_other_values_is_a_conflict_of_the_instance_only():
    left = left_by("lifecycle.stop", ("rsc", {"name": "mv0", "port": "81"}))

    conflict = left.conflict(MD, [("rsc", {"name": "mv1"})])

    assert conflict.shared == {} and "instance rsc" in conflict.describe()


def test_other_instances_with_other_values_do_not_conflict():
    left = left_by("lifecycle.stop", ("rsc", {"name": "mv0", "port": "81"}))

    assert left.conflict(MD, [("rsc-a", {"name": "mv1", "port": "82", "mode": "fast"})]) is None


def test_a_leftover_stays_with_the_first_check_that_left_it_and_goes_once_stopped():
    started = started_with(("rsc", {"name": "mv0"}))
    left = Leftovers()
    left.record("robustness.killed-start", started)
    left.record("concurrency.awkward-values", started)

    assert left.conflict(MD, [("rsc", {})]).check == "robustness.killed-start"

    stop = Operation(agent="/bin/true", action="stop", instance="rsc", params={"name": "mv0"})
    started.after(type("Stopped", (), {"op": stop, "ok": True})())
    left.record("concurrency.awkward-values", started)

    assert left.conflict(MD, [("rsc", {"name": "mv0"})]) is None

"""A ping clone and a location rule on pingd move the service off a node that lost its network, in bound."""

from __future__ import annotations

import pytest

from harness.lab import connectivity
from lab_agents import DUMMY

LAB_TAG = "pc"
pytestmark = pytest.mark.needs_root


@pytest.fixture(scope="module")
def story(lab_up):
    return connectivity.ConnectivityStory(lab_up, agent=DUMMY)


def test_the_ping_clone_sets_pingd_on_every_node(story):
    story.create_ping_clone()

    assert all(story.view.attribute(n, "pingd") == "1000" for n in story.config.nodes)
    assert story.view.where("ping") == sorted(story.config.nodes)


def test_the_service_starts_where_pingd_allows(story):
    story.create_service()

    assert story.home in story.config.nodes


def test_pulling_the_public_cable_moves_the_service_within_interval_dampen_and_start(story):
    victim = story.home

    step = story.cut_public()

    assert story.view.attribute(victim, "pingd") == "0"
    assert story.view.started_on(story.resource) == story.other(victim)
    assert story.view.online == set(story.config.nodes)  # no partition: ping alone moved it
    assert step.seconds <= story.bounds[step.title], step.observed


def test_plugging_it_back_brings_the_attribute_back(story):
    victim = story.other(story.home)

    step = story.heal_public(victim)

    assert story.view.attribute(victim, "pingd") == "1000"
    assert step.seconds <= story.bounds[step.title], step.observed


def test_the_dampening_holds_the_new_value_back_from_the_cib(story):
    bystander = story.other(story.home)  # not running the service: nothing moves

    in_attrd, in_cib = story.dampening(bystander)

    assert in_attrd is not None and in_cib is not None
    assert in_cib - in_attrd >= story.dampen_s - 0.5, (in_attrd, in_cib)


def test_pulling_every_cable_the_isolated_node_stops_its_copy_and_the_other_runs_it(story):
    victim, survivor = story.home, story.other(story.home)

    step = story.cut_all()

    assert story.view.where(story.resource) == []  # seen from the isolated node
    assert story.view.attribute(victim, "pingd") == "0"
    assert story.home == survivor
    assert step.seconds <= story.bounds[step.title], step.observed


def test_after_the_heal_one_cluster_runs_one_instance(story):
    victim = story.other(story.home)

    story.heal_all(victim)

    assert story.view.online == set(story.config.nodes)
    assert len(story.view.where(story.resource)) == 1

"""The admin guide's story on the real cluster: create, status, force-stop, recovery, node loss, rejoin.

The steps build on each other and run in file order on one lab.
"""

from __future__ import annotations

import pytest

from harness.lab import scenario
from lab_agents import DUMMY, INTERVAL

LAB_TAG = "walk"
pytestmark = pytest.mark.needs_root


@pytest.fixture(scope="module")
def story(lab_up):
    return scenario.SeedStory(lab_up, agent=DUMMY, interval_s=INTERVAL)


def test_create_starts_the_service_on_one_node(story):
    story.create()

    assert story.view.where("dummy_service") == [story.home]
    assert story.view.where("dummy_service", "Started") == [story.home]


def test_pcs_status_shows_it_started(story):
    story.pcs_status()

    assert f"dummy_service ({DUMMY}): Started {story.home}" in story.status_text


def test_force_stop_is_seen_as_failed_monitor_then_recovered(story):
    home = story.home
    story.force_stop()

    story.recovery()

    fail = story.failure
    assert (fail["op_key"], fail["node"], fail["task"], fail["interval"]) == (
        f"dummy_service_monitor_{INTERVAL * 1000}", home, "monitor", str(INTERVAL * 1000))
    assert (fail["exitcode"], fail["exitstatus"], fail["status"]) == ("7", "not running", "complete")
    assert story.view.started_on("dummy_service") == home


def test_killing_its_node_starts_it_on_the_other(story):
    victim = story.home

    story.kill_home()

    assert victim not in story.view.online
    assert story.view.started_on("dummy_service") == story.other(victim)


def test_pcs_cluster_start_brings_the_killed_node_back(story):
    survivor = story.home

    story.rejoin()

    assert story.view.online == set(story.config.nodes)
    assert story.view.started_on("dummy_service") == survivor  # no failback

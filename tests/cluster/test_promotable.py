"""A promotable clone on the real cluster: the promoted instance moves when its node dies."""

from __future__ import annotations

import pytest

from harness.lab import scenario
from lab_agents import STATEFUL

LAB_TAG = "prom"
pytestmark = pytest.mark.needs_root


@pytest.fixture(scope="module")
def story(lab_up):
    return scenario.PromotableStory(lab_up, agent=STATEFUL, interval_s=5)


def test_one_instance_is_promoted_the_other_unpromoted(story):
    story.create()

    promoted = story.view.where("stateful_service", "Promoted")
    unpromoted = story.view.where("stateful_service", "Unpromoted")
    assert len(promoted) == 1 and len(unpromoted) == 1
    assert set(promoted + unpromoted) == set(story.config.nodes)


def test_promotion_moves_when_the_promoted_node_dies(story):
    victim = story.home

    story.kill_home()

    assert victim not in story.view.online
    assert story.view.where("stateful_service", "Promoted") == [story.other(victim)]


def test_rejoined_node_runs_the_unpromoted_instance(story):
    promoted = story.home

    story.rejoin()

    assert story.view.where("stateful_service", "Promoted") == [promoted]
    assert story.view.where("stateful_service", "Unpromoted") == [story.killed]

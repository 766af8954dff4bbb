"""Split brain, shown: without fencing a partition runs the service on both halves; the heal leaves one."""

from __future__ import annotations

import pytest

from harness.lab import cluster, connectivity, node
from lab_agents import DUMMY

LAB_TAG = "pb"
pytestmark = pytest.mark.needs_root


@pytest.fixture(scope="module")
def story(lab_up):
    story = connectivity.SplitBrainStory(lab_up, agent=DUMMY)
    story.create()
    return story


def test_a_partition_without_fencing_runs_the_service_on_both_nodes(story):
    story.partition()

    assert story.both == {name: [name] for name in story.config.nodes}


def test_after_the_heal_one_instance_remains_and_the_double_start_was_noticed(story):
    story.heal()

    views = {name: cluster.view(story.config, name) for name in story.config.nodes}
    assert all(len(v.where(story.resource)) == 1 for v in views.values())
    assert len({tuple(v.where(story.resource)) for v in views.values()}) == 1
    noticed = f"ocf resource {story.resource} might be active on 2 nodes"
    logs = [node.run(story.config, name, ["grep", "-c", noticed, "/var/log/pacemaker/pacemaker.log"]).stdout
            for name in story.config.nodes]
    assert any(int(count or 0) > 0 for count in logs)

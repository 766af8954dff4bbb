"""The lab installs ocfpy from the RPMs built from this checkout, and the cluster runs the agent from them."""

from __future__ import annotations

import pytest

from harness.lab import node, scenario
from lab_agents import DUMMY

LAB_TAG = "rpm"
LAB_FROM_RPMS = True
pytestmark = pytest.mark.needs_root


def test_nodes_see_the_files_of_the_rpms(lab_up):
    rpmroot = lab_up.state / "rpmroot"
    shipped = (rpmroot / "usr/lib/ocf/resource.d/ocfpy/Dummy").read_bytes()
    shipped_source = (rpmroot / "usr/lib/ocf/lib/ocfpy/Dummy.py").read_bytes()

    in_node = node.run(lab_up, "node1", ["cat", "/usr/lib/ocf/resource.d/ocfpy/Dummy"])
    source_in_node = node.run(lab_up, "node1", ["cat", "/usr/lib/ocf/lib/ocfpy/Dummy.py"])
    library = node.run(lab_up, "node1", ["/usr/bin/python3", "-c", "import ocfpy; print(ocfpy.__file__)"])

    assert lab_up.install["kind"] == "rpm"
    assert in_node.stdout.encode() == shipped
    assert source_in_node.stdout.encode() == shipped_source
    assert lab_up.install["package"].startswith(str(rpmroot))
    assert library.stdout.strip() == f"{lab_up.install['site_dir']}/ocfpy/__init__.py"


def test_the_cluster_starts_the_agent_from_the_rpms(lab_up):
    story = scenario.SeedStory(lab_up, agent=DUMMY, interval_s=5)

    story.create()

    assert story.view.where("dummy_service", "Started") == [story.home]

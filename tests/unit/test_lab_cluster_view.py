"""Reading crm_mon's XML (a snapshot taken on the lab): placement, roles, and the guide's failure form."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.lab.cluster import ClusterView, old_style_failure

SNAPSHOT = Path(__file__).resolve().parents[1] / "data" / "lab" / "crm_mon_failed_monitor.xml"


@pytest.fixture(scope="module")
def view() -> ClusterView:
    return ClusterView(ET.parse(SNAPSHOT).getroot())


def test_nodes_and_dc(view):
    assert view.online == {"node1", "node2"}
    assert view.dc == "node1"
    assert view.formed(["node1", "node2"])


@pytest.mark.parametrize("resource, role, nodes", [
    ("dummy_service", None, ["node1"]),
    ("dummy_service", "Started", ["node1"]),
    ("stateful_service", "Promoted", ["node2"]),
    ("stateful_service", "Unpromoted", ["node1"]),
    ("stateful_service", None, ["node1", "node2"]),
    ("absent", None, []),
])
def test_where_a_resource_runs(view, resource, role, nodes):
    assert view.where(resource, role) == nodes


def test_started_on_needs_exactly_one_started_instance(view):
    assert view.started_on("dummy_service") == "node1"
    assert view.started_on("stateful_service") is None


def test_failed_monitor_renders_in_the_guides_form(view):
    fail = view.failure("dummy_service_monitor_5000", "node1")

    assert view.failure("dummy_service_monitor_5000", "node2") is None
    assert old_style_failure(fail).startswith("dummy_service_monitor_5000 on node1 'not running' (7)")

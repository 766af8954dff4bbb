"""The test suite's own layout: pytest (rootdir imports, no __init__.py) needs every test module's
file name to be unique across tiers, or `pytest` over tests/ stops at collection."""

from __future__ import annotations

import collections
import os

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_every_test_module_has_a_name_of_its_own():
    places = collections.defaultdict(list)
    for directory, _, files in os.walk(TESTS):
        for name in files:
            if name.startswith("test_") and name.endswith(".py"):
                places[name].append(os.path.relpath(directory, TESTS))

    assert {name: tiers for name, tiers in places.items() if len(tiers) > 1} == {}

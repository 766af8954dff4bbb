"""docs/validator.md names every check the validator can report, and no check it cannot."""

from __future__ import annotations

import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
NAME = r"(?:metadata|lifecycle|hygiene|suite|robustness|concurrency|exec|run|validate)\.[a-z0-9-]+"


def test_check_catalogue_matches_the_code():
    code = set()
    for path in (REPO / "harness" / "check").glob("*.py"):
        code |= set(re.findall(rf'"({NAME})"', path.read_text()))
    code = {name for name in code if not name.endswith(".rng")}  # a schema's file name, not a check
    catalogue = REPO / "docs" / "validator.md"
    section = catalogue.read_text().split("## What is checked", 1)[1].split("\n## ", 1)[0]

    documented = {name for name in re.findall(rf"`({NAME})`", section) if not name.endswith(".rng")}

    assert documented == code

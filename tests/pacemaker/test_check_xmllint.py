"""The stdlib RELAX NG validator and DTD reader give xmllint's verdicts: on the corpus and on every installed agent."""

from __future__ import annotations

import glob
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from harness.check import schemas, xmltree
from harness.execd import Operation, run

CORPUS = pathlib.Path(__file__).resolve().parent.parent / "data" / "metadata"
LEGACY = schemas.legacy_paths()

pytestmark = [
    pytest.mark.skipif(shutil.which("xmllint") is None, reason="xmllint (libxml2-utils) is not installed"),
    pytest.mark.skipif(not all(os.path.exists(p) for p in LEGACY.values()),
                       reason="resource-agents' metadata.rng and ra-api-1.dtd are not installed"),
]


def validators() -> dict:
    """schema name -> (our compiled schema, the xmllint command for it)"""
    ocf11 = schemas.ocf11_path()
    return {
        schemas.OCF_11: (schemas.ocf11(), ["xmllint", "--noout", "--relaxng", ocf11]),
        schemas.METADATA_RNG: (schemas.compiled(schemas.METADATA_RNG, LEGACY[schemas.METADATA_RNG]),
                               ["xmllint", "--noout", "--relaxng", LEGACY[schemas.METADATA_RNG]]),
        schemas.RA_API_DTD: (schemas.compiled(schemas.RA_API_DTD, LEGACY[schemas.RA_API_DTD]),
                             ["xmllint", "--noout", "--dtdvalid", LEGACY[schemas.RA_API_DTD]]),
    }


def ours(schema, document: bytes) -> bool:
    try:
        return schema.validate(document) is None
    except xmltree.XMLSyntaxError:
        return False


def xmllint(command: list, path: pathlib.Path) -> bool:
    return subprocess.run(command + [str(path)], capture_output=True).returncode == 0


def installed_agents() -> list:
    return sorted(p for p in glob.glob("/usr/lib/ocf/resource.d/*/*") if os.access(p, os.X_OK))


def test_recorded_corpus_verdicts_are_xmllints():
    recorded = json.loads((CORPUS / "verdicts.json").read_text())
    checks = validators()

    seen = {name: {kind: xmllint(command, CORPUS / name) for kind, (_, command) in checks.items()}
            for name in recorded}

    assert seen == recorded


def test_every_installed_agent_gets_xmllints_verdict(tmp_path):
    agents = installed_agents()
    if len(agents) < 20:
        pytest.skip("fewer than 20 OCF agents installed (Debian resource-agents and pacemaker)")
    checks = validators()
    disagreements, compared = [], 0
    for agent in agents:
        result = run(Operation(agent=agent, action="meta-data", profile="metadata", timeout_ms=10000, cwd=str(tmp_path)))
        if not (result.ok and result.stdout.strip()):
            continue
        path = tmp_path / "metadata.xml"
        path.write_bytes(result.stdout)
        for kind, (schema, command) in checks.items():
            compared += 1
            if ours(schema, result.stdout) != xmllint(command, path):
                disagreements.append((agent, kind))

    assert compared >= 60 and disagreements == []

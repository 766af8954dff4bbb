"""The pre-rendered meta-data cache is served only for the very text it was made from."""

from __future__ import annotations

import marshal

import pytest

from ocfpy import __version__
from ocfpy.launch import CACHE_FORMAT, DEFAULT, LEGACY, cached_metadata, metadata_cache_path, source_stamp

SOURCE = b"#!/usr/bin/python3 -sP\nprint('agent')\n"


@pytest.fixture
def agent(tmp_path):
    path = tmp_path / "lib" / "Dummy.py"
    (tmp_path / "lib" / "__pycache__").mkdir(parents=True)
    path.write_bytes(SOURCE)
    return path


def write_cache(agent, **changes) -> None:
    entry = {"format": CACHE_FORMAT, "ocfpy": __version__, "source": source_stamp(SOURCE),
             DEFAULT: "<one-one/>", LEGACY: "<one-zero/>"}
    entry.update(changes)
    with open(metadata_cache_path(str(agent)), "wb") as cache:
        cache.write(marshal.dumps(entry))


def test_cache_path_sits_beside_the_bytecode(agent):
    assert metadata_cache_path(str(agent)) == str(agent.parent / "__pycache__" / "Dummy.meta-data")


def test_a_fresh_cache_serves_each_variant(agent):
    write_cache(agent)

    assert cached_metadata(str(agent), DEFAULT) == "<one-one/>"
    assert cached_metadata(str(agent), LEGACY) == "<one-zero/>"


@pytest.mark.parametrize("changes", [
    {"format": CACHE_FORMAT + 1},
    {"ocfpy": "0.0.0-other"},
    {"source": source_stamp(SOURCE + b"# edited\n")},
    {DEFAULT: b"<bytes-not-text/>"},
])
def test_a_cache_of_another_layout_library_or_text_is_not_served(agent, changes):
    write_cache(agent, **changes)

    assert cached_metadata(str(agent), DEFAULT) is None


def test_an_edited_source_makes_its_cache_stale(agent):
    write_cache(agent)
    agent.write_bytes(SOURCE.replace(b"agent", b"agenT"))  # same size, other text

    assert cached_metadata(str(agent), DEFAULT) is None


@pytest.mark.parametrize("content", [b"", b"\x00not marshal", marshal.dumps(["a", "list"])])
def test_a_missing_or_damaged_cache_is_not_served(agent, content):
    assert cached_metadata(str(agent), DEFAULT) is None
    with open(metadata_cache_path(str(agent)), "wb") as cache:
        cache.write(content)

    assert cached_metadata(str(agent), DEFAULT) is None

"""Agent lookup over OCF_RA_PATH: first <dir>/<provider>/<type> that stat()s wins, executable or not."""

from __future__ import annotations

import pytest

from harness.execd.lookup import AgentSpecError, resolve_agent


def _make(root, provider, name, mode=0o755):
    (root / provider).mkdir(parents=True, exist_ok=True)
    path = root / provider / name
    path.write_text("#!/bin/sh\n")
    path.chmod(mode)
    return path


def test_first_directory_that_has_the_file_wins_even_if_not_executable(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    _make(first, "p", "X", mode=0o644)
    _make(second, "p", "X")

    ref = resolve_agent("ocf:p:X", ra_path=f"{tmp_path}/none::{first}:{second}")

    assert ref.path == str(first / "p" / "X") and (ref.provider, ref.type) == ("p", "X")


def test_missing_agent_resolves_without_a_path(tmp_path):
    ref = resolve_agent("ocf:p:Nope", ra_path=str(tmp_path))

    assert not ref.found and ref.spec == "ocf:p:Nope"


def test_a_path_names_provider_and_type_after_its_directories(tmp_path):
    path = _make(tmp_path, "prov", "Agent")

    ref = resolve_agent(str(path))

    assert (ref.provider, ref.type, ref.path) == ("prov", "Agent", str(path))


@pytest.mark.parametrize("spec", ["ocf:x", "ocf:a:b:c", "lsb:a:b", "ocf::X", "ocf:p:", "ocf:..:X", "", "ocf:p:X\0"])
def test_malformed_specs_are_errors(spec):
    with pytest.raises(AgentSpecError):
        resolve_agent(spec)

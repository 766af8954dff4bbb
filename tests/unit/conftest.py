"""Fixtures of the unit tier."""

import pytest


@pytest.fixture
def fake_tool(tmp_path, monkeypatch):
    """fake_tool(name, script): a program ``name`` first on PATH that records its arguments in
    the returned file, then runs the shell ``script``."""
    def make(name, script):
        directory = tmp_path / "fake-bin"
        directory.mkdir(exist_ok=True)
        tool = directory / name
        tool.write_text(f'#!/bin/sh\necho "$@" > {directory}/{name}.args\n{script}\n')
        tool.chmod(0o755)
        monkeypatch.setenv("PATH", f"{directory}:/usr/bin:/bin")
        return directory / f"{name}.args"
    return make

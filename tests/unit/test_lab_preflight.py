"""The lab refuses clearly, in one line, when it cannot work: not root, tools missing, no namespaces."""

from __future__ import annotations

import os
import shutil

import pytest

from harness.lab import cli, lab
from harness.lab.config import LabError


@pytest.fixture
def all_tools(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda tool, path=None: f"/usr/bin/{tool}")


def test_refuses_when_not_root(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)

    with pytest.raises(LabError, match="must run as root"):
        lab.preflight()


def test_refuses_when_namespaces_are_unavailable(monkeypatch, all_tools, fp):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    fp.register(["unshare", fp.any()], returncode=1,
                stderr="unshare: unshare failed: Operation not permitted")

    with pytest.raises(LabError, match="namespaces unavailable: unshare: .* Operation not permitted"):
        lab.preflight()


def test_names_missing_tools(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda tool, path=None: None if tool == "corosync" else tool)

    with pytest.raises(LabError, match="missing tools: corosync "):
        lab.preflight()


@pytest.mark.parametrize("argv", [["up"], ["status"], ["exec", "node1", "true"], ["kill", "node1"]])
def test_cli_prints_one_line_and_exits_1_when_not_root(monkeypatch, capsys, argv):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)

    code = cli.main(["--state-dir", "/nonexistent/ocfpy-lab-test", *argv])

    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "must run as root" in err

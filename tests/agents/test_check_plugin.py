"""The pytest plugin's example in docs/validator.md runs, in a separate pytest, against ocfpy's Dummy."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys
from importlib import metadata

import harness

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
DOC = REPO / "docs" / "validator.md"


def doc_example() -> str:
    section = DOC.read_text().split("## From pytest", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def plugin_installed() -> bool:
    return any(ep.name == "ocfpy" for ep in metadata.entry_points().select(group="pytest11"))


def run_example(agent: pathlib.Path, tmp_path: pathlib.Path) -> subprocess.CompletedProcess:
    """The documented example, pointed at agent, in a pytest of its own."""
    example = re.sub(r'^AGENT = ".*"$', f'AGENT = "{agent}"', doc_example(), flags=re.M)
    (tmp_path / "test_example.py").write_text(example)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"]
    if not plugin_installed():  # a plain checkout: load the module the entry point names
        args[3:3] = ["-p", "harness.pytest_plugin"]
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(harness.__file__).parent.parent))
    return subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_documented_plugin_example_passes(tmp_path):
    done = run_example(REPO / "agents" / "Dummy", tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_plugin_example_fails_for_a_broken_agent(tmp_path):
    done = run_example(REPO / "tests" / "data" / "broken-agents" / "StopStoppedSeven", tmp_path)

    assert done.returncode == 1 and "1 failed, 2 passed" in done.stdout, done.stdout
    assert "lifecycle.stop-twice" in done.stdout

"""ocfpy as `pip install` ships it: the wheel carries what the validator reads at run time, and the
console scripts work in a fresh virtual environment, run from outside any clone (a CI job's way)."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import zipfile

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
BROKEN = REPO / "tests" / "data" / "broken-agents"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's, with python3-pip, -setuptools, -wheel and -venv (tests/run)
SOURCES = ("ocfpy", "harness", "setup.cfg", "pyproject.toml", "README.md", "docs/LICENSE")


def run(*args, **options) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=300, **options)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel, venv): the wheel built offline from a copy of the sources (a build leaves build/ behind), installed."""
    root = tmp_path_factory.mktemp("packaging")
    source = root / "source"
    for name in SOURCES:
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / name, target)
    built = run(SYSTEM_PYTHON, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                "-w", str(root / "dist"), str(source))
    assert built.returncode == 0, built.stderr
    wheel = next((root / "dist").glob("ocfpy-*.whl"))
    venv = root / "venv"
    made = run(SYSTEM_PYTHON, "-m", "venv", str(venv))
    assert made.returncode == 0, made.stderr
    done = run(str(venv / "bin" / "pip"), "install", "-q", "--no-index", str(wheel))
    assert done.returncode == 0, done.stderr
    return wheel, venv


def test_the_wheel_carries_the_ocf_schema_and_every_check_module(installed):
    wheel, _ = installed

    names = set(zipfile.ZipFile(wheel).namelist())

    assert "ocfpy/schema/ra-api-1.1.rng" in names
    assert {f"harness/check/{p.name}" for p in (REPO / "harness" / "check").glob("*.py")} <= names


def test_the_entry_points_are_declared(installed):
    wheel, _ = installed

    entry_points = next(zipfile.ZipFile(wheel).read(n).decode() for n in zipfile.ZipFile(wheel).namelist()
                        if n.endswith(".dist-info/entry_points.txt"))

    for line in ("ocfpy-check = harness.check.cli:main", "ocfpy-harness = harness.cli:main", "ocfpy = harness.pytest_plugin"):
        assert line in entry_points


@pytest.mark.parametrize("agent, status", [("Good", 0), ("MonitorStoppedZero", 1)])
def test_installed_ocfpy_check_runs_outside_the_clone(installed, tmp_path, agent, status):
    _, venv = installed

    done = run(str(venv / "bin" / "ocfpy-check"), "-q", "-n", f"pkg-{agent}", f"-EHA_RSCTMP={tmp_path}",
               str(BROKEN / agent), cwd=tmp_path, env={"PATH": os.environ["PATH"]})

    assert done.returncode == status, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and ("passed all tests" if status == 0 else "Tests failed") in done.stdout


def test_installed_ocfpy_harness_dispatches_to_check(installed, tmp_path):
    _, venv = installed

    done = run(str(venv / "bin" / "ocfpy-harness"), "check", "-h", cwd=tmp_path)

    assert done.returncode == 0 and done.stdout.startswith("usage: ocfpy-check")

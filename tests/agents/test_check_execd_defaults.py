"""The executor's defaults are execd's, NUL bytes on stderr included; options that differ say so in --help."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import pytest

from nobody_support import python_as_nobody, readable_checkout

REPO = pathlib.Path(__file__).resolve().parent.parent.parent

NUL_AGENT = """#!/bin/sh
printf 'before\\000after\\nocf-exit-reason:lost?\\n' >&2
exit 1
"""


def harness(*args):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "harness", *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture
def nul_agent(tmp_path):
    agent = tmp_path / "Nul"
    agent.write_text(NUL_AGENT)
    agent.chmod(0o755)
    return str(agent)


def test_run_without_options_reports_what_execd_reports_for_a_nul_on_stderr(nul_agent):
    done = harness("run", "--json", nul_agent, "monitor")

    result = json.loads(done.stdout)
    assert (done.returncode, result["exit_reason"], result["stderr"]) == (1, None, "before")


def test_run_as_a_user_who_cannot_enter_execds_working_directory_still_runs_the_agent():
    where = readable_checkout(pathlib.Path(tempfile.mkdtemp(prefix="ocfpy-run-as-nobody-")))
    try:
        shutil.copy(pathlib.Path(__file__).parent.parent / "data" / "broken-agents" / "Good", where)
        shutil.copy(pathlib.Path(__file__).parent.parent / "data" / "broken-agents" / "base.sh", where)
        os.mkdir(f"{where}/tmp", 0o777)
        os.chmod(f"{where}/tmp", 0o777)
        done = subprocess.run([*python_as_nobody(), "-m", "harness", "run", "--json", f"{where}/Good", "monitor"],
                              env=dict(os.environ, PYTHONPATH=str(where), PYTHONDONTWRITEBYTECODE="1",
                                       TMPDIR=f"{where}/tmp"), cwd="/",
                              capture_output=True, text=True, timeout=60)
        left = os.listdir(f"{where}/tmp")
    finally:
        shutil.rmtree(where, ignore_errors=True)

    assert done.returncode == 7 and json.loads(done.stdout)["rc"] == 7, done.stderr  # a probe of a stopped resource
    assert left == []  # the private working directory went with the process


def test_keep_nul_is_the_option_that_differs_from_execd(nul_agent):
    done = harness("run", "--json", "--keep-nul", nul_agent, "monitor")

    result = json.loads(done.stdout)
    assert (result["exit_reason"], result["stderr"]) == ("lost?", "before\0after\nocf-exit-reason:lost?\n")


@pytest.mark.parametrize("command, options", [
    ("run", ["--keep-nul", "-E NAME=VALUE, --env NAME=VALUE"]),
    ("check", ["-d ", "-X ", "-E NAME=VALUE, --env NAME=VALUE", "--timeout SECONDS"]),
])
def test_help_names_each_option_that_is_not_execd_behaviour(command, options):
    text = " ".join(harness(command, "--help").stdout.split())

    for option in options:
        assert f"{option} NOT execd:" in text or f"{option}NOT execd:" in text, (option, text)

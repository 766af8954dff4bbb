"""ocfpy-check and ocfpy-harness run piped into a reader that has gone (head, grep -q) end with
their status, no traceback."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import harness
import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
GOOD = REPO / "tests" / "data" / "broken-agents" / "Good"


def into_closed_pipe(argv: list) -> subprocess.CompletedProcess:
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to stdout now fails with EPIPE
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(harness.__file__).parent.parent))
    try:
        return subprocess.run([sys.executable, "-m", "harness", *argv], stdout=write_end,
                              stderr=subprocess.PIPE, env=env, text=True, timeout=300)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("report", [[], ["--format", "json"], ["-v"]])
def test_a_closed_stdout_is_no_traceback(report, tmp_path):
    done = into_closed_pipe(["check", "-q", *report, "-n", "pipe", f"-EHA_RSCTMP={tmp_path}", str(GOOD)])

    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    # the check passed; -v writes its header before the check, so that one stops there, failed
    assert done.returncode == (1 if "-v" in report else 0)


@pytest.mark.parametrize("output", [[], ["--json"]])
def test_harness_run_into_a_closed_stdout_ends_with_the_agents_code(output, tmp_path):
    done = into_closed_pipe(["run", *output, "-E", f"HA_RSCTMP={tmp_path}", str(GOOD), "monitor"])

    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 7  # the probe's answer, as without the pipe

"""ocfpy-check piped into a reader that has gone (head, grep -q) ends with its status, no traceback."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import harness
import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
GOOD = REPO / "tests" / "data" / "broken-agents" / "Good"


@pytest.mark.parametrize("report", [[], ["--format", "json"], ["-v"]])
def test_a_closed_stdout_is_no_traceback(report, tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write to stdout now fails with EPIPE
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(harness.__file__).parent.parent))
    try:
        done = subprocess.run([sys.executable, "-m", "harness", "check", "-q", *report, "-n", "pipe",
                               f"-EHA_RSCTMP={tmp_path}", str(GOOD)],
                              stdout=write_end, stderr=subprocess.PIPE, env=env, text=True, timeout=300)
    finally:
        os.close(write_end)

    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    # the check passed; -v writes its header before the check, so that one stops there, failed
    assert done.returncode == (1 if "-v" in report else 0)

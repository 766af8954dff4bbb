"""A closed, full or broken stdout, stderr or log file gives a code and one line, never a traceback."""

from __future__ import annotations

import os
import subprocess

import pytest

FULL = "/dev/full"


def _close(fd):
    return lambda: os.close(fd)


# (action, stdout, stderr, closed fd, extra env, rc, the one line on stderr or None)
CASES = [
    ("meta-data", None, None, 1, {}, 1, "stdout is closed"),
    ("meta-data", FULL, None, None, {}, 1, "cannot write to stdout: No space left on device"),
    ("usage", FULL, None, None, {}, 1, "cannot write to stdout: No space left on device"),
    ("bogus", None, None, 2, {}, 3, None),
    ("", None, None, 2, {}, 2, None),
    ("monitor", None, FULL, None, {"HA_debug": "1"}, 7, None),
    ("monitor", None, None, None, {"HA_debug": "1", "HA_DEBUGLOG": FULL, "HA_LOGFILE": FULL}, 7, ""),
]


@pytest.mark.parametrize("action, stdout, stderr, closed, extra, rc, line", CASES)
def test_unusable_streams_give_a_code_and_at_most_one_line(action, stdout, stderr, closed, extra, rc,
                                                          line, readable_agents, agent_env):
    outputs = [open(path, "wb") if path else subprocess.PIPE for path in (stdout, stderr)]
    try:
        done = subprocess.run([os.path.join(readable_agents, "Dummy")] + ([action] if action else []),
                              env={**agent_env, **extra}, stdout=outputs[0], stderr=outputs[1],
                              preexec_fn=_close(closed) if closed else None, timeout=30)
    finally:
        for output in outputs:
            if output is not subprocess.PIPE:
                output.close()
    assert done.returncode == rc
    if line is not None:
        assert done.stderr.decode() == (line + "\n" if line else "")


def test_an_envfile_that_cannot_be_written_is_logged_and_ignored(run_agent, agent_log):
    result = run_agent("Dummy", "start", params={"envfile": "/proc/version"})  # issue 13: a side path
    assert result.rc == 0 and result.exit_reason is None
    assert "cannot write the environment to /proc/version" in agent_log.read_text()
    assert b"Traceback" not in result.stderr

"""agents/Daemon with binfile or user pasted with white space around it (`pcs resource update
web "binfile=python3 "`): start refuses it saying where the space is, instead of "python3 : no
such command in PATH" or "user nobody does not exist" (the reason's runs of spaces are one);
a probe and a stop of the daemon already running still find it."""

from __future__ import annotations

import os

import pytest

GOOD = {"binfile": "sleep", "cmdline_options": "120"}


@pytest.mark.parametrize("binfile, where", [("sleep ", "after"), (" /bin/sleep", "before"),
                                            (" sleep ", "around")])
def test_start_refuses_a_padded_binfile_and_says_where_the_space_is(binfile, where, run_agent,
                                                                  rsctmp):
    result = run_agent("Daemon", "start", params=dict(GOOD, binfile=binfile))

    assert result.rc == 6
    assert result.exit_reason == f"binfile: '{binfile}' has white space {where} it"
    assert not [name for name in os.listdir(rsctmp) if name.endswith(".identity")]


def test_a_running_daemon_is_found_and_stopped_with_its_binfile_padded(run_agent):
    padded = dict(GOOD, binfile="sleep ")
    assert run_agent("Daemon", "start", params=GOOD).rc == 0
    try:
        probe = run_agent("Daemon", "monitor", params=padded)
        stop = run_agent("Daemon", "stop", params=padded)
    finally:
        run_agent("Daemon", "stop", params=GOOD)

    assert (probe.rc, stop.rc) == (0, 0), (probe.exit_reason, stop.exit_reason)
    assert run_agent("Daemon", "monitor", params=GOOD).rc == 7


def test_start_refuses_a_padded_user_and_says_where_the_space_is(run_agent, rsctmp):
    result = run_agent("Daemon", "start", params=dict(GOOD, user="nobody "))

    assert (result.rc, result.exit_reason) == (6, "user: 'nobody ' has white space after it")
    assert not [name for name in os.listdir(rsctmp) if name.endswith(".identity")]


def test_a_running_daemon_is_stopped_with_its_user_padded(run_agent):
    assert run_agent("Daemon", "start", params=dict(GOOD, user="nobody")).rc == 0
    try:
        stop = run_agent("Daemon", "stop", params=dict(GOOD, user=" nobody"))
    finally:
        run_agent("Daemon", "stop", params=dict(GOOD, user="nobody"))

    assert stop.rc == 0, stop.exit_reason
    assert run_agent("Daemon", "monitor", params=dict(GOOD, user="nobody")).rc == 7

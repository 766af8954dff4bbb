"""ocfpy's Dummy and Stateful beside ocf:pacemaker:Dummy and Stateful: same environments, same steps.

Each case runs its steps through the harness executor (as pacemaker-execd runs agents) on both
implementations, each in a fresh directory prepared the same way, and compares the exit codes.
Where the answers differ, the case records why ocfpy's answer is the one it keeps; the test
asserts both columns, so a case that stops differing (or starts) is noticed.
"""

from __future__ import annotations

import os
import socket
from collections import namedtuple

import pytest

from harness.execd import Operation, run

PACEMAKER = "/usr/lib/ocf/resource.d/pacemaker"
PROBE, RECURRING = 0, 10000
NOTIFY = {"notify_type": "pre", "notify_operation": "start"}

Case = namedtuple("Case", "name agent prepare steps pacemaker ocfpy why")
# a step: (action, parameters, interval_ms); parameters may say "{state}" for the prepared path

START = ("start", {}, PROBE)
STOP = ("stop", {}, PROBE)
PROBE_ = ("monitor", {}, PROBE)


def at_state(action, interval=PROBE, **params):
    return (action, dict(params, state="{state}"), interval)


CASES = [
    Case("Dummy lifecycle", "Dummy", None,
         [PROBE_, START, PROBE_, ("monitor", {}, RECURRING), STOP, PROBE_],
         [7, 0, 0, 0, 0, 7], [7, 0, 0, 0, 0, 7], None),
    Case("Dummy running, op_sleep=abc given to probe and stop", "Dummy", None,
         [START, ("monitor", {"op_sleep": "abc"}, PROBE), ("stop", {"op_sleep": "abc"}, PROBE), PROBE_],
         [0, 0, 0, 7], [0, 0, 0, 7], None),
    Case("Dummy op_sleep='' (empty means the default)", "Dummy", None,
         [("start", {"op_sleep": ""}, PROBE), ("monitor", {"op_sleep": ""}, PROBE), STOP],
         [0, 0, 0], [0, 0, 0], None),
    Case("Dummy start with op_sleep=0.5", "Dummy", None,
         [("start", {"op_sleep": "0.5"}, PROBE), PROBE_, STOP],
         [0, 0, 0], [6, 7, 0],
         "op_sleep is whole seconds: Pacemaker's agent takes 0.5 but its own '-ne 0' test fails "
         "on it and never sleeps; ocfpy says 6 with the reason instead of ignoring the knob"),
    Case("Dummy validate-all with op_sleep=abc", "Dummy", None,
         [("validate-all", {"op_sleep": "abc"}, PROBE)], [6], [6], None),
    Case("Dummy envfile in a missing directory", "Dummy", None,
         [("start", {"envfile": "/nonexistent/dir/env"}, PROBE),
          ("monitor", {"envfile": "/nonexistent/dir/env"}, PROBE),
          ("stop", {"envfile": "/nonexistent/dir/env"}, PROBE)],
         [0, 0, 0], [0, 0, 0], None),
    Case("Dummy running, state changed to a relative path", "Dummy", None,
         [START, ("monitor", {"state": "relative.state"}, PROBE),
          ("stop", {"state": "relative.state"}, PROBE), PROBE_],
         [0, 7, 0, 0], [0, 6, 1, 0],
         "the state cannot be found with that value: Pacemaker's probe says 7 for a running "
         "resource and its stop says 0 leaving it running; ocfpy says so (6, and 1 so that "
         "fencing makes it safe)"),
    Case("Dummy state path is a directory", "Dummy", "directory",
         [at_state("monitor"), at_state("start"), at_state("monitor"), at_state("stop"),
          at_state("validate-all")],
         [7, 0, 7, 0, 0], [7, 2, 7, 0, 2],
         "no state file can be made there: Pacemaker's start says 0 and its next monitor 7; "
         "ocfpy's start and validate-all say 2 (not valid on this node) with the reason"),
    Case("Dummy state path is a fifo", "Dummy", "fifo",
         [at_state("monitor"), at_state("start"), at_state("monitor"), at_state("stop")],
         [7, 0, 7, 0], [7, 2, 7, 0],
         "touch on a fifo succeeds without making a state file: Pacemaker's start says 0 and its "
         "next monitor 7; ocfpy's start says 2 with the reason"),
    Case("Dummy state path is a symbolic link to a file", "Dummy", "symlink",
         [at_state("monitor"), at_state("stop"), at_state("monitor")],
         [0, 0, 7], [7, 0, 7],
         "ocfpy's start never makes a link, so a link is no running instance of it; following "
         "one would let a link planted in a shared directory fake or redirect the state"),
    Case("Stateful promotable lifecycle", "Stateful", None,
         [PROBE_, START, PROBE_, ("promote", {}, PROBE), ("monitor", {}, RECURRING),
          ("demote", {}, PROBE), PROBE_, STOP, PROBE_],
         [7, 0, 0, 0, 8, 0, 0, 0, 7], [7, 0, 0, 0, 8, 0, 0, 0, 7], None),
    Case("Stateful stop of a promoted instance", "Stateful", None,
         [START, ("promote", {}, PROBE), STOP, PROBE_],
         [0, 0, 8, 8], [0, 0, 0, 7],
         "a stop that fails means fencing: Pacemaker's agent refuses to stop a promoted instance "
         "(rc 8, it stays promoted); ocfpy's stop stops it"),
    Case("Stateful running, notify_delay=abc given to probe and stop", "Stateful", None,
         [START, ("monitor", {"notify_delay": "abc"}, PROBE),
          ("stop", {"notify_delay": "abc"}, PROBE), PROBE_],
         [0, 0, 0, 7], [0, 0, 0, 7], None),
    Case("Stateful notify with notify_delay=0.2 and ''", "Stateful", None,
         [START, ("notify", {"notify_delay": "0.2"}, PROBE), ("notify", {"notify_delay": ""}, PROBE),
          STOP],
         [0, 0, 0, 0], [0, 0, 0, 0], None),
    Case("Stateful notify with notify_delay=abc", "Stateful", None,
         [START, ("notify", {"notify_delay": "abc"}, PROBE), STOP],
         [0, 0, 0], [0, 6, 0],
         "notify changes nothing to find out, so the rule's tolerance is for stop and monitor "
         "only: ocfpy reports the bad value (6 with the reason) where sleep's failure goes unseen"),
    Case("Stateful running, state changed to a relative path", "Stateful", None,
         [START, ("monitor", {"state": "relative.state"}, PROBE),
          ("stop", {"state": "relative.state"}, PROBE), PROBE_],
         [0, 7, 0, 0], [0, 6, 1, 0],
         "as for Dummy: the state cannot be found, so ocfpy says so instead of 7 and a stop "
         "that leaves the instance running"),
    Case("Stateful state path is a directory", "Stateful", "directory",
         [at_state("monitor"), at_state("start"), at_state("monitor"), at_state("stop")],
         [7, 0, 7, 0], [7, 2, 7, 0],
         "writing the role fails: Pacemaker's start says 0 anyway (the score is set, nothing "
         "runs); ocfpy's start says 2 with the reason"),
    Case("Stateful state path is a symbolic link to a role file", "Stateful", "symlink",
         [at_state("monitor"), at_state("stop"), at_state("monitor")],
         [0, 0, 7], [7, 0, 7],
         "as for Dummy: ocfpy never writes its state through a link, so a link is no instance"),
]


def prepare(path, kind):
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        target = path.parent / "target"
        target.write_text("Unpromoted\n")
        path.symlink_to(target)
    elif kind is not None:
        raise ValueError(kind)


def fake_sbin(root):
    """crm_attribute that succeeds and records nothing: there is no cluster here."""
    sbin = root / "sbin"
    sbin.mkdir()
    tool = sbin / "crm_attribute"
    tool.write_text("#!/bin/sh\nexit 0\n")
    tool.chmod(0o755)
    return sbin


@pytest.fixture
def run_steps(ocfpy_pythonpath, readable_agents, tmp_path):
    if not os.path.exists(os.path.join(PACEMAKER, "Stateful")):
        pytest.skip(f"Pacemaker's agents are not in {PACEMAKER} "
                    "(Debian: pacemaker-resource-agents, a dependency of pacemaker)")

    def runner(implementation, case):
        root = tmp_path / implementation
        rundir = root / "run"
        rundir.mkdir(parents=True)
        state = root / "state"
        prepare(state, case.prepare)
        agents = PACEMAKER if implementation == "pacemaker" else readable_agents
        env = {"PYTHONPATH": ocfpy_pythonpath, "HA_RSCTMP": str(rundir), "HA_VARRUN": str(rundir),
               "HA_SBIN_DIR": str(fake_sbin(root)), "PCMK_logfacility": "none",
               "PCMK_logfile": str(root / "agent.log")}
        codes = []
        for action, params, interval in case.steps:
            params = {key: value.replace("{state}", str(state)) for key, value in params.items()}
            operation = Operation(agent=os.path.join(agents, case.agent), action=action,
                                  params=params, interval_ms=interval, extra_env=env,
                                  cwd=str(root), check_level=10 if action == "validate-all" else None,
                                  meta=NOTIFY if action == "notify" else {}, timeout_ms=10000)
            codes.append(run(operation).rc)
        return codes

    return runner


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_ocfpy_beside_pacemakers_agent(case, run_steps):
    assert (case.pacemaker == case.ocfpy) == (case.why is None), "a difference needs its reason"
    assert run_steps("pacemaker", case) == case.pacemaker
    assert run_steps("ocfpy", case) == case.ocfpy

"""ocfpy-check on the shell agents Debian ships: each passes, or each error is a real defect named here."""

from __future__ import annotations

import os
import secrets

import pytest

from harness.check.runner import check_agent
from harness.check.session import Config

OCF_ROOT = "/usr/lib/ocf/resource.d"

# agent, parameters, extra Config fields, {check: the real defect behind its errors}
CASES = [
    ("ocf:pacemaker:Dummy", {}, {}, {}),
    ("ocf:pacemaker:Stateful", {}, {}, {}),
    ("ocf:heartbeat:Dummy", {}, {}, {}),
    # anything runs its command through `su - USER`, a login shell: on a machine whose root profile
    # runs tools with lock files (here pyenv's rehash), a start SIGKILLed half-way can leave the lock
    # behind and make every later `su -` wait 60 s, so the killed-start checks are left out here.
    ("ocf:heartbeat:anything", {"binfile": "/bin/sleep", "cmdline_options": "1000"}, {"robustness": False}, {
        # validate-all runs `su - $user -c "test -x $binfile"` unquoted (heartbeat/anything:209): without
        # binfile that is `test -x`, which is true, so validate-all accepts a missing required parameter
        "validate.honesty": "validate-all says 0 without the required binfile",
    }),
    # ocf.py reads the action only when len(argv) == 2 (`dummypy start extra` exits 3, resource-agents
    # heartbeat/ocf.py:91-93): a warning only, Pacemaker never passes extra arguments
    ("ocf:heartbeat:dummypy", {"state": "STATE"}, {}, {}),
]


def installed(spec: str) -> bool:
    _, provider, name = spec.split(":")
    return os.path.exists(os.path.join(OCF_ROOT, provider, name))


def check(spec, tmp_path, params=None, **fields):
    if not installed(spec):
        pytest.skip(f"{spec} is not installed (Debian packages pacemaker and resource-agents)")
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()
    params = {k: (str(tmp_path / "dummypy.state") if v == "STATE" else v) for k, v in (params or {}).items()}
    instance = f"ocfpy-check-{secrets.token_hex(3)}"  # state files of shell agents are per instance
    return check_agent(Config(agent=spec, params=params, instance=instance,
                              extra_env={"HA_RSCTMP": str(rsctmp)}, **fields))


@pytest.mark.parametrize("spec, params, fields, defects", CASES, ids=[c[0] for c in CASES])
def test_debian_agent_passes_or_shows_only_its_known_defects(spec, params, fields, defects, tmp_path):
    log = check(spec, tmp_path, params, **fields)

    assert {f.check for f in log.errors} == set(defects), log.text()
    assert "lifecycle.stop-twice" in log.checks and "metadata.schema" in log.checks


def test_pacemaker_dummy_runs_reload_agent_and_migrate(tmp_path):
    log = check("ocf:pacemaker:Dummy", tmp_path)

    assert "suite.reload-agent" in log.checks and "suite.migrate" in log.checks


def test_pacemaker_stateful_runs_the_promotable_suite(tmp_path):
    log = check("ocf:pacemaker:Stateful", tmp_path)

    assert "suite.promotable" in log.checks and not log.by_check("suite.promotable")


def test_heartbeat_agents_declare_ocf_1_0(tmp_path):
    log = check("ocf:heartbeat:Dummy", tmp_path)

    assert [f.severity for f in log.by_check("metadata.ocf-version")] == ["warning"]


def test_dummypy_without_state_is_caught_by_its_probe(tmp_path):
    log = check("ocf:heartbeat:dummypy", tmp_path)

    probes = log.by_check("lifecycle.probe-stopped")
    assert [(f.severity, f.rc, f.expected) for f in probes] == [("error", 1, "7")], log.text()
    assert log.failed

"""Promotion scores: crm_attribute --promotion from Pacemaker 2.0 on, crm_master before."""

from __future__ import annotations

import pytest

from ocfpy.commands import CommandResult
from ocfpy.environment import Environment
from ocfpy.promotion import score_command, set_promotion_score


@pytest.mark.parametrize("env, score, argv", [
    ({}, 5, ["/usr/sbin/crm_attribute", "--promotion", "-q", "-v", "5"]),
    ({"OCF_RESKEY_crm_feature_set": "3.16.1"}, None, ["/usr/sbin/crm_attribute", "--promotion", "-q", "-D"]),
    ({"OCF_RESKEY_crm_feature_set": "3.0.14"}, 10, ["/usr/sbin/crm_master", "-l", "reboot", "-Q", "-v", "10"]),
    ({"HA_SBIN_DIR": "/opt/fake"}, 1, ["/opt/fake/crm_attribute", "--promotion", "-q", "-v", "1"]),
])
def test_score_command(env, score, argv):
    assert score_command(Environment(env), score) == argv


class FakeContext:
    """What set_promotion_score uses of a Context: its environment, run() and log."""

    def __init__(self, stderr, rc=1):
        self.env = Environment({})
        self.warnings = []
        self.log = type("Log", (), {"warning": lambda log, text: self.warnings.append(text)})()
        self.stderr = stderr
        self.rc = rc

    def run(self, argv, timeout):
        return CommandResult(argv, self.rc, "", self.stderr, timed_out=self.rc is None)


@pytest.mark.parametrize("stderr, rc, warning", [
    ("crm_attribute: Could not map name=vm to a UUID\n", 1,  # crm_attribute names itself already
     "cannot set the promotion score: crm_attribute: Could not map name=vm to a UUID"),
    ("Could not connect to the CIB\n", 1,
     "cannot set the promotion score: crm_attribute: Could not connect to the CIB"),
    ("", 1, "cannot set the promotion score: crm_attribute exited with 1"),  # silent: not "timed out"
    ("", None, "cannot set the promotion score: crm_attribute did not finish within the time left and was killed"),
])
def test_a_failing_score_warns_naming_the_tool_once(stderr, rc, warning):
    ctx = FakeContext(stderr, rc)

    assert set_promotion_score(ctx, 5) is False
    assert ctx.warnings == [warning]

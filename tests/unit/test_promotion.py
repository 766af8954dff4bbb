"""Promotion scores: crm_attribute --promotion from Pacemaker 2.0 on, crm_master before."""

from __future__ import annotations

import pytest

from ocfpy.environment import Environment
from ocfpy.promotion import score_command


@pytest.mark.parametrize("env, score, argv", [
    ({}, 5, ["/usr/sbin/crm_attribute", "--promotion", "-q", "-v", "5"]),
    ({"OCF_RESKEY_crm_feature_set": "3.16.1"}, None, ["/usr/sbin/crm_attribute", "--promotion", "-q", "-D"]),
    ({"OCF_RESKEY_crm_feature_set": "3.0.14"}, 10, ["/usr/sbin/crm_master", "-l", "reboot", "-Q", "-v", "10"]),
    ({"HA_SBIN_DIR": "/opt/fake"}, 1, ["/opt/fake/crm_attribute", "--promotion", "-q", "-v", "1"]),
])
def test_score_command(env, score, argv):
    assert score_command(Environment(env), score) == argv

"""ocf:ocfpy:ping under Pacemaker's own tools, with the real attrd_updater (no cluster here: attrd is down).

attrd itself runs only inside a cluster; the cluster tier (tests/cluster/test_connectivity.py)
covers the attribute reaching the CIB, its dampening and the location rule on it.
"""

from __future__ import annotations

import os
import subprocess
from xml.etree import ElementTree as ET

import pytest

pytestmark = pytest.mark.needs_root


def crm_resource(*args, options=()):
    argv = ["crm_resource", "--class", "ocf", "--provider", "ocfpy", "--agent", "ping", *args]
    for option in options:
        argv += ["--option", option]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/tmp",
                          env=dict(os.environ, LC_ALL="C"))


def test_crm_resource_reads_the_metadata(installed_agents):
    result = subprocess.run(["crm_resource", "--show-metadata", "ocf:ocfpy:ping"],
                            capture_output=True, text=True)

    root = ET.fromstring(result.stdout)
    dampen = root.find("parameters/parameter[@name='dampen']/content")
    assert (dampen.get("type"), dampen.get("default")) == ("string", "5s")


def test_crm_resource_validates_the_host_list(installed_agents):
    good = crm_resource("--validate", options=["host_list=127.0.0.1 ::1"])
    option = crm_resource("--validate", options=["host_list=10.0.0.1 --flood"])
    commas = crm_resource("--validate", options=["host_list=10.0.0.1,10.0.0.2"])

    assert good.returncode == 0, good.stdout + good.stderr
    assert option.returncode == 6
    assert "host_list: '--flood' is not a host name or IP address" in option.stdout + option.stderr
    assert commas.returncode == 6
    assert "ocf-exit-reason:host_list: '10.0.0.1,10.0.0.2' is not a host name or IP address: hosts are " \
           "separated by spaces\n" in commas.stdout


def test_the_real_attrd_updater_without_attrd_fails_start_with_1_and_its_reason(installed_agents, tmp_path):
    options = ["host_list=127.0.0.1", "timeout=1", f"pidfile={tmp_path}/ping-marker"]

    probe = crm_resource("--force-check", options=options)
    start = crm_resource("--force-start", options=options)
    stop = crm_resource("--force-stop", options=options)
    output = start.stdout + start.stderr

    assert probe.returncode == 7
    assert start.returncode == 1, output  # the original returns attrd_updater's raw 102 here
    assert "cannot set pingd=1: attrd_updater exited with 102" in output
    assert "Connection refused" in output  # so the real tool accepted -n pingd -B 1 -d 5000ms
    assert stop.returncode == 0
    assert not os.path.exists(f"{tmp_path}/ping-marker")


def test_a_1_s_start_still_runs_the_real_attrd_updater_within_its_timeout(installed_agents, tmp_path):
    # 2 s were kept for attrd_updater whatever the timeout: a 1 s action could not even ping
    options = ["host_list=127.0.0.1", f"pidfile={tmp_path}/ping-marker"]

    start = crm_resource("--force-start", "--timeout", "1s", options=options)  # CRM_meta_timeout=1000
    output = start.stdout + start.stderr

    assert start.returncode == 1, output  # attrd is down here: its reason, in time, not a timeout
    assert "cannot set pingd=1: attrd_updater exited with 102" in output
    assert crm_resource("--force-stop", options=options).returncode == 0

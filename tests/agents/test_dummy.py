"""ocf:ocfpy:Dummy's whole lifecycle as real processes, run as pacemaker-execd runs them."""

from __future__ import annotations

import os

import pytest

from harness.execd import ExecStatus


def test_lifecycle(run_agent, rsctmp):
    state = rsctmp / "Dummy-test.state"
    probe = run_agent("Dummy", "monitor")
    assert (probe.rc, probe.exit_reason) == (7, None)
    assert [run_agent("Dummy", "start").rc for _ in range(2)] == [0, 0]
    assert state.is_file()
    assert run_agent("Dummy", "monitor", interval_ms=10000).rc == 0
    assert run_agent("Dummy", "monitor").rc == 0
    assert [run_agent("Dummy", "stop").rc for _ in range(2)] == [0, 0]
    assert not state.exists()
    recurring = run_agent("Dummy", "monitor", interval_ms=10000)
    assert recurring.rc == 7 and "is gone" in recurring.exit_reason


def test_state_parameter_and_anonymous_clone_share_one_file(run_agent, tmp_path, rsctmp):
    custom = tmp_path / "custom.state"
    assert run_agent("Dummy", "start", params={"state": str(custom)}).rc == 0
    assert custom.is_file()
    clone_meta = {"clone": "1", "clone_max": "2", "globally_unique": "false"}
    assert run_agent("Dummy", "start", instance="web:1", meta=clone_meta).rc == 0
    assert (rsctmp / "Dummy-web.state").is_file()


def test_migration_moves_the_state(run_agent, rsctmp):
    assert run_agent("Dummy", "start").rc == 0
    assert run_agent("Dummy", "migrate_to", meta={"migrate_target": "node2"}).rc == 0
    assert run_agent("Dummy", "monitor").rc == 7
    assert run_agent("Dummy", "migrate_from", meta={"migrate_source": "node1"}).rc == 0
    assert run_agent("Dummy", "monitor").rc == 0


def test_reload_agent_and_legacy_reload(run_agent):
    assert run_agent("Dummy", "reload-agent", params={"fake": "changed"}).rc == 0
    assert run_agent("Dummy", "monitor").rc == 0
    assert run_agent("Dummy", "reload").rc == 0


def test_fail_start_on_this_host_fails_start_but_the_resource_runs(run_agent):
    here = {"fail_start_on": os.uname().nodename}
    start = run_agent("Dummy", "start", params=here)
    assert start.rc == 1 and "fail_start_on" in start.exit_reason
    assert run_agent("Dummy", "monitor", params=here).rc == 0


def test_op_sleep_beyond_the_timeout_is_killed_and_stop_still_cleans_up(run_agent, rsctmp):
    slow = run_agent("Dummy", "start", params={"op_sleep": "5"}, timeout_ms=500)
    assert slow.status == ExecStatus.TIMEOUT and slow.rc == 1
    assert run_agent("Dummy", "stop").rc == 0
    assert list(rsctmp.iterdir()) == []


def test_check_levels_are_pacemakers_test_knobs(run_agent, rsctmp):
    assert run_agent("Dummy", "start").rc == 0
    failing = run_agent("Dummy", "monitor", interval_ms=10000, check_level=30)
    assert failing.rc == 1 and failing.exit_reason == "hyperdrive quota reached"
    (rsctmp / "Dummy-test.state").write_text("9\n")
    scripted = run_agent("Dummy", "monitor", interval_ms=10000, check_level=40)
    assert scripted.rc == 9


def test_envfile_records_the_environment_without_the_password(run_agent, tmp_path):
    envfile = tmp_path / "env.dump"
    params = {"envfile": str(envfile), "passwd": "s3cret-pw"}
    assert run_agent("Dummy", "start", params=params).rc == 0
    text = envfile.read_text()
    assert "### start @" in text and "OCF_RESOURCE_INSTANCE=test" in text
    assert "s3cret-pw" not in text and "OCF_RESKEY_passwd" not in text


def test_validate_all_checks_the_state_directory_at_level_10(run_agent, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("")
    params = {"state": str(blocked / "sub" / "x.state")}
    assert run_agent("Dummy", "validate-all", params=params).rc == 0
    deep = run_agent("Dummy", "validate-all", params=params, check_level=10)
    assert deep.rc == 2 and deep.exit_reason.startswith("state: cannot create ")


def test_meta_data_is_what_the_controller_gets(run_agent):
    result = run_agent("Dummy", "meta-data", profile="metadata")
    assert result.rc == 0 and result.stdout.startswith(b"<?xml")


def test_a_state_path_that_cannot_exist_is_stopped_not_an_error(run_agent):
    """Seen on the real cluster: state under a non-directory must give probe 7 and stop 0."""
    params = {"state": "/dev/null/bad.state"}
    assert run_agent("Dummy", "monitor", params=params).rc == 7
    assert run_agent("Dummy", "stop", params=params).rc == 0
    start = run_agent("Dummy", "start", params=params)
    assert start.rc == 2 and "directory missing or not writable" in start.exit_reason


@pytest.mark.parametrize("agent", ["Dummy", "Stateful"])
def test_a_resource_id_too_long_for_a_file_name_is_stopped_not_an_error(agent, run_agent):
    instance = "r" * 300  # Pacemaker puts no limit on ids; a file name has 255 bytes
    assert run_agent(agent, "monitor", instance=instance).rc == 7
    assert run_agent(agent, "stop", instance=instance).rc == 0


def test_a_missing_state_directory_is_not_created(run_agent, tmp_path):
    params = {"state": str(tmp_path / "absent" / "dir" / "x.state")}
    start = run_agent("Dummy", "start", params=params)
    assert start.rc == 2 and not (tmp_path / "absent").exists()


def test_the_default_state_directory_is_created(run_agent, tmp_path):
    rsctmp = tmp_path / "fresh" / "rsctmp"
    assert run_agent("Dummy", "start", extra_env={"HA_RSCTMP": str(rsctmp)}).rc == 0
    assert (rsctmp / "Dummy-test.state").is_file()


def test_a_probe_imports_nothing_it_does_not_need(ocfpy_pythonpath, readable_agents, tmp_path):
    import subprocess

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ocfpy_pythonpath, "HA_RSCTMP": str(tmp_path),
           "PYTHONPROFILEIMPORTTIME": "1"}
    probe = subprocess.run([f"{readable_agents}/Dummy", "monitor"], env=env, capture_output=True, text=True)
    imported = {line.split("|")[-1].strip() for line in probe.stderr.splitlines() if "import time:" in line}
    assert probe.returncode == 7
    # each module costs a start-up about 0.25 ms here: a quiet probe loads no logging, no
    # exit-reason or stream helpers, and not even __future__
    assert {name for name in imported if name.startswith("ocfpy")} == {
        "ocfpy", "ocfpy.agent", "ocfpy.codes", "ocfpy.errors", "ocfpy.params", "ocfpy.state",
        "ocfpy.context", "ocfpy.environment", "ocfpy.dispatch"}
    assert not imported & {"enum", "subprocess", "logging", "xml.etree.ElementTree", "dataclasses",
                           "typing", "__future__", "re"}


def test_a_link_planted_at_the_state_path_is_never_followed(run_agent, rsctmp, tmp_path):
    target = tmp_path / "precious"
    target.write_text("keep\n")
    (rsctmp / "Dummy-test.state").symlink_to(target)
    probe = run_agent("Dummy", "monitor")
    assert probe.rc == 7 and "symbolic link" in probe.exit_reason  # start never makes a link
    start = run_agent("Dummy", "start")
    assert start.rc == 2 and "state: refusing to use" in start.exit_reason
    assert run_agent("Dummy", "stop").rc == 0          # a failed stop would mean fencing
    assert target.read_text() == "keep\n" and not (rsctmp / "Dummy-test.state").is_symlink()

"""ocf:ocfpy:Stateful as a promotable clone: roles, monitor codes and promotion scores."""

from __future__ import annotations

CLONE = {"clone": "0", "clone_max": "2", "clone_node_max": "1", "globally_unique": "false",
         "promoted_max": "1", "promoted_node_max": "1"}


def test_promotable_lifecycle_with_scores(run_agent, fake_sbin):
    sbin, calls = fake_sbin

    def act(action, **options):
        return run_agent("Stateful", action, instance="db", meta=dict(CLONE, **options.pop("meta", {})),
                         extra_env={"HA_SBIN_DIR": str(sbin)}, **options)

    assert act("monitor").rc == 7
    assert act("start").rc == 0
    assert act("monitor", interval_ms=11000, meta={"role": "Unpromoted"}).rc == 0
    assert act("promote").rc == 0
    assert act("monitor", interval_ms=10000, meta={"role": "Promoted"}).rc == 8
    assert act("demote").rc == 0
    assert act("monitor", interval_ms=11000).rc == 0
    assert act("stop").rc == 0
    assert act("monitor").rc == 7
    assert calls.read_text().splitlines() == [
        "crm_attribute db --promotion -q -v 5",
        "crm_attribute db --promotion -q -v 10",
        "crm_attribute db --promotion -q -v 5",
        "crm_attribute db --promotion -q -D",
    ]


def test_a_probe_of_a_promoted_instance_restores_its_score(run_agent, fake_sbin):
    sbin, calls = fake_sbin
    env = {"HA_SBIN_DIR": str(sbin)}
    for action in ("start", "promote"):
        assert run_agent("Stateful", action, extra_env=env).rc == 0
    assert run_agent("Stateful", "monitor", extra_env=env).rc == 8
    assert calls.read_text().splitlines()[-1].endswith("-v 10")


def test_outside_a_cluster_a_failing_score_only_warns(run_agent, tmp_path, agent_log):
    missing = tmp_path / "no-sbin"
    result = run_agent("Stateful", "start", extra_env={"HA_SBIN_DIR": str(missing)})
    assert result.rc == 0 and "cannot set the promotion score" in agent_log.read_text()


def test_promote_and_demote_of_a_stopped_instance_are_not_running(run_agent, fake_sbin):
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}
    for action in ("promote", "demote"):
        result = run_agent("Stateful", action, extra_env=env)
        assert result.rc == 7 and "not running" in result.exit_reason


def test_the_rc_knob_scripts_the_monitor(run_agent, fake_sbin, rsctmp):
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}
    assert run_agent("Stateful", "start", extra_env=env).rc == 0
    (rsctmp / "Stateful-test.state.rc").write_text("9\n")
    result = run_agent("Stateful", "monitor", interval_ms=10000, extra_env=env)
    assert result.rc == 9 and result.exit_reason == "9 GB redirected to /dev/null"


def test_notify_reads_the_notify_environment(run_agent, fake_sbin, agent_log):
    meta = dict(CLONE, notify="true", notify_type="pre", notify_operation="promote",
                notify_promote_resource="db:1", notify_promote_uname="node2")
    result = run_agent("Stateful", "notify", meta=meta,
                       extra_env={"HA_SBIN_DIR": str(fake_sbin[0]), "HA_debug": "1"})
    assert result.rc == 0 and "notify pre-promote" in agent_log.read_text()


def test_stop_succeeds_whatever_the_state_file_holds(run_agent, fake_sbin, rsctmp):
    (rsctmp / "Stateful-test.state").write_text("garbage\n")
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}
    assert run_agent("Stateful", "monitor", extra_env=env).rc == 1
    assert run_agent("Stateful", "stop", extra_env=env).rc == 0
    assert run_agent("Stateful", "monitor", extra_env=env).rc == 7


def test_a_promoted_instance_demotes_and_stops_whatever_its_notify_delay_became(run_agent, fake_sbin):
    env = {"HA_SBIN_DIR": str(fake_sbin[0])}
    for action in ("start", "promote"):
        assert run_agent("Stateful", action, extra_env=env).rc == 0
    broken = {"notify_delay": "abc"}  # pcs resource update st notify_delay=abc: reload-agent says 6

    demote = run_agent("Stateful", "demote", params=broken, extra_env=env)
    monitor = run_agent("Stateful", "monitor", params=broken, interval_ms=11000, extra_env=env)
    stop = run_agent("Stateful", "stop", params=broken, extra_env=env)

    assert (demote.rc, demote.exit_reason) == (0, None)
    assert monitor.rc == 0 and stop.rc == 0


def test_a_demote_that_cannot_find_its_state_says_6(run_agent, fake_sbin):
    result = run_agent("Stateful", "demote", params={"state": "relative.state"},
                       extra_env={"HA_SBIN_DIR": str(fake_sbin[0])})
    assert result.rc == 6 and result.exit_reason == "state: 'relative.state' is not an absolute path"

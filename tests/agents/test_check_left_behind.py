"""A check whose stop failed leaves its resource behind: later checks move to an instance of their own, or say they inherit."""

from __future__ import annotations

import os
import textwrap

from harness.check.findings import ERROR, INFO
from harness.check.runner import check_agent
from harness.check.session import Config

# A resource is the file res.KEY (KEY: the name parameter, else the instance); a start killed before its
# lock.KEY exists leaves it half made, which monitor calls an error and stop refuses to remove.
LEFT_BEHIND = textwrap.dedent('''\
    #!/bin/sh
    KEY=${OCF_RESKEY_name:-$OCF_RESOURCE_INSTANCE}
    RES=$HA_RSCTMP/res.$KEY LOCK=$HA_RSCTMP/lock.$KEY
    reason() { echo "ocf-exit-reason:$*" >&2; }
    case $1 in
    meta-data) cat <<END
    <?xml version="1.0"?>
    <resource-agent name="LeftBehind" version="1.0">
    <version>1.1</version>
    <longdesc lang="en">Keeps one file per name; a killed start leaves it without its lock.</longdesc>
    <shortdesc lang="en">left behind</shortdesc>
    <parameters>
    <parameter name="name" unique="1"><longdesc lang="en">the name</longdesc><shortdesc lang="en">name</shortdesc>
    <content type="string"/></parameter>
    </parameters>
    <actions>
    <action name="start" timeout="20s"/><action name="stop" timeout="20s"/>
    <action name="monitor" timeout="20s" interval="10s" depth="0"/>
    <action name="validate-all" timeout="10s"/><action name="meta-data" timeout="5s"/>
    </actions>
    </resource-agent>
    END
        exit 0;;
    start) [ -e "$LOCK" ] && exit 0
        [ -e "$RES" ] && { reason "$KEY exists already"; exit 1; }
        : > "$RES"; sleep 0.3; : > "$LOCK"; exit 0;;
    stop) [ -e "$RES" ] || { rm -f "$LOCK"; exit 0; }
        [ -e "$LOCK" ] || { reason "$KEY has no lock"; exit 1; }
        rm -f "$RES" "$LOCK"; exit 0;;
    monitor) [ -e "$RES" ] || exit 7
        [ -e "$LOCK" ] && exit 0
        reason "$KEY has no lock"; exit 1;;
    validate-all) exit 0;;
    *) exit 3;;
    esac
    ''')


def left_behind(tmp_path):
    agent = tmp_path / "LeftBehind"
    agent.write_text(LEFT_BEHIND)
    agent.chmod(0o755)
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()
    return str(agent), {"HA_RSCTMP": str(rsctmp)}


def test_checks_that_would_reuse_a_left_behind_name_say_they_inherit_instead_of_failing(tmp_path):
    agent, env = left_behind(tmp_path)

    log = check_agent(Config(agent=agent, params={"name": "one"}, second_params={"name": "two"}, extra_env=env))

    assert log.by_check("robustness.killed-start"), log.text(verbose=True)
    for later in ("concurrency.parallel", "concurrency.awkward-values"):
        assert log.by_check(later) == [], log.text(verbose=True)
        assert log.skipped[later] == "inherits the failure of robustness.killed-start"
    inherited = log.by_check("run.inherited")
    assert [f.severity for f in inherited] == [INFO, INFO]
    assert all("robustness.killed-start left" in f.message and "name=one" in f.message for f in inherited)


def test_a_check_that_would_reuse_a_left_behind_instance_runs_on_one_of_its_own(tmp_path):
    agent, env = left_behind(tmp_path)

    log = check_agent(Config(agent=agent, instance="lb", extra_env=env, jobs=1))

    assert {f.check for f in log.findings if f.severity == ERROR} == {"robustness.killed-start", "lifecycle.monitor-after-stop"}, \
        log.text(verbose=True)
    assert "concurrency.awkward-values" in log.checks and log.by_check("concurrency.awkward-values") == []
    assert "run.inherited" not in log.checks
    assert os.path.exists(env["HA_RSCTMP"] + "/res.lb")  # the killed start's leftover, which stop refuses to remove
    assert not os.path.exists(env["HA_RSCTMP"] + "/res.lb-r1")  # the moved check's own instance, stopped

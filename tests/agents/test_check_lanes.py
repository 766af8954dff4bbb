"""--jobs: independent suites run at once on instances of their own; --jobs 1 keeps the serial order."""

from __future__ import annotations

import os
import pathlib

from harness.check.runner import check_agent
from harness.check.session import Config

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
BROKEN = REPO / "tests" / "data" / "broken-agents"


class Steps(list):
    """A progress stream that keeps each action's step name, in the order they started."""

    def write(self, text: str) -> None:
        if text.strip():
            self.append(text.split("s ", 1)[1].rsplit(": ", 1)[0])

    def flush(self) -> None:
        pass


def run(agent: str, tmp_path, **fields):
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir(exist_ok=True)
    steps = Steps()
    log = check_agent(Config(agent=agent, instance="lanes", extra_env={"HA_RSCTMP": str(rsctmp)}, progress=steps, **fields))
    return log, steps


def test_jobs_1_runs_the_lifecycle_first_and_the_parallel_check_after_it(tmp_path):
    log, steps = run(str(BROKEN / "Good"), tmp_path, jobs=1)

    unprivileged = "meta-data as hacluster" if os.geteuid() == 0 else "meta-data as the current user"
    assert steps[:4] == ["meta-data", unprivileged, "validate-all", "initial state"], steps
    assert steps.index("start lanes-a (in parallel)") > steps.index("stop after restart")
    assert log.errors == []


def test_jobs_4_checks_two_instances_first_then_runs_every_suite_with_no_more_findings(tmp_path):
    serial, _ = run(str(BROKEN / "Good"), tmp_path, jobs=1)
    log, steps = run(str(BROKEN / "Good"), tmp_path, jobs=4)

    assert steps[2:4] == ["start lanes-a (in parallel)", "start lanes-b (in parallel)"], steps
    assert set(log.checks) == set(serial.checks) and set(log.skipped) == set(serial.skipped)
    assert [f for f in log.findings if f.severity != "info" and f.check != "run.not-root"] == []


def test_instances_that_share_state_fall_back_to_the_serial_order(tmp_path):
    log, steps = run(str(BROKEN / "SharedState"), tmp_path, jobs=4)

    # one pid file for both instances: stopping one may leave the other's daemon behind, by timing
    assert "concurrency.parallel" in {f.check for f in log.errors}, log.text()
    assert {f.check for f in log.errors} <= {"concurrency.parallel", "hygiene.leftover-process"}, log.text()
    assert steps.index("stop after restart") < steps.index("start extra arguments"), steps


def test_instances_that_cannot_run_side_by_side_are_told_to_declare_what_they_share(tmp_path):
    log, _ = run(str(BROKEN / "SharedLock"), tmp_path, jobs=4)

    [refused] = [f for f in log.by_check("concurrency.parallel") if f.message.startswith("parallel start of")]
    assert refused.message.endswith(f"exit reason: another instance holds {tmp_path}/rsctmp/broken-SharedLock.lock")
    assert "declares unique (unique-group)" in refused.fix and "-O" in refused.fix

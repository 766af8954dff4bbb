"""ocfpy-check on ocf:ocfpy:Filesystem: zero errors, run inside its own namespaces (it mounts)."""

from __future__ import annotations

import os

from filesystem_support import MARKS
from isolation import isolated

from harness.check.runner import check_agent
from harness.check.session import Config

pytestmark = MARKS


@isolated
def test_filesystem_passes_the_validator_with_zero_errors(tmp_path, ocfpy_pythonpath, readable_agents):
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()
    os.chmod(tmp_path, 0o755)
    params = {"device": "tmpfs", "directory": str(tmp_path / "a"), "fstype": "tmpfs"}
    config = Config(agent=os.path.join(readable_agents, "Filesystem"), params=params,
                    second_params={"directory": str(tmp_path / "b")},
                    extra_env={"HA_RSCTMP": str(rsctmp), "PYTHONPATH": ocfpy_pythonpath})
    log = check_agent(config)
    assert log.errors == [], log.text()
    assert {"lifecycle.stop-twice", "concurrency.parallel"} <= set(log.checks), log.skipped

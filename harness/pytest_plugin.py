"""pytest plugin `ocfpy`: fixtures that run OCF agents through the harness and validate them.

    def test_my_agent_passes(ocf_check):
        log = ocf_check("agents/MyAgent", params={"config": "/etc/my.conf"})
        assert not log.failed, log.text()

    def test_probe_of_stopped_is_7(ocf_run):
        assert ocf_run("agents/MyAgent", "monitor").rc == 7
"""

from __future__ import annotations

import os
import secrets
import signal
import shutil
import tempfile

import pytest


@pytest.fixture(scope="session")
def ocf_pythonpath():
    """A directory holding only the ocfpy package, for agents that `import ocfpy` from a checkout."""
    import ocfpy

    root = tempfile.mkdtemp(prefix="ocfpy-plugin-path-")
    os.chmod(root, 0o755)  # meta-data runs as hacluster, as the controller runs it
    # a copy, not a link: a virtualenv may sit in a private directory hacluster cannot enter
    shutil.copytree(os.path.dirname(os.path.abspath(ocfpy.__file__)), os.path.join(root, "ocfpy"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def ocf_agent_env(ocf_pythonpath, tmp_path):
    """Extra environment for every agent run by ocf_run/ocf_check; override it to add your own."""
    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir(exist_ok=True)
    return {"PYTHONPATH": ocf_pythonpath, "HA_RSCTMP": str(rsctmp)}


STOP_TIMEOUT_MS = 20000  # execd's default timeout, for the teardown's stops


@pytest.fixture
def ocf_run(ocf_agent_env, tmp_path):
    """ocf_run(agent, action, **Operation fields) -> harness.execd.Result, run as pacemaker-execd would.

    At teardown, whatever the test's outcome, every instance the test started and did not stop
    (stop returned 0) is stopped with the parameters of its start, then every process the agent
    left (they carry this test's OCFPY_CHECK_TOKEN) is killed."""
    from harness.check.hygiene import kill_marked
    from harness.check.session import TOKEN_VARIABLE
    from harness.check.tracking import StartedInstances
    from harness.execd import Operation, run

    token, started = secrets.token_hex(8), StartedInstances()

    def runner(agent, action, *, extra_env=None, **fields):
        fields.setdefault("cwd", str(tmp_path))
        env = {**ocf_agent_env, TOKEN_VARIABLE: token, **(extra_env or {})}
        operation = Operation(agent=str(agent), action=action, extra_env=env, **fields)
        started.before(operation)
        result = run(operation)
        started.after(result)
        return result

    yield runner
    started.stop_all(STOP_TIMEOUT_MS)
    kill_marked(token)


@pytest.fixture
def ocf_check(ocf_agent_env):
    """ocf_check(agent, params={...}, **Config fields) -> CheckLog of the full validation (ocfpy-check)."""
    from harness.check.runner import check_agent
    from harness.check.session import Config

    def checker(agent, params=None, *, extra_env=None, **fields):
        config = Config(agent=str(agent), params=dict(params or {}),
                        extra_env={**ocf_agent_env, **(extra_env or {})}, **fields)
        log = check_agent(config)  # cleans up after the agent however the run ends
        if log.signum == signal.SIGINT:
            raise KeyboardInterrupt
        if log.crash is not None:
            raise log.crash
        return log

    return checker

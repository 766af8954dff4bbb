"""Suite-wide rules: in CI (OCFPY_NO_SKIP=1) a skipped test is a failure, because CI installs every tool."""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("OCFPY_NO_SKIP") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where every tool is installed: {reason}"


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AGENTS = os.path.join(REPO, "agents")


@pytest.fixture(scope="session")
def ocfpy_pythonpath():
    """A directory holding only the ocfpy package under test, for agents' PYTHONPATH.

    Agents run by their shebang (/usr/bin/python3), which does not see the tox venv; this
    gives them the very ocfpy the tests import, and nothing else from the venv. It is
    world-readable because meta-data runs as hacluster, as the controller runs it.
    """
    import shutil
    import tempfile

    import ocfpy

    root = tempfile.mkdtemp(prefix="ocfpy-pythonpath-")
    os.chmod(root, 0o755)
    # a copy, not a link: tox's .tox is private (0700) and hacluster could not follow a link
    shutil.copytree(os.path.dirname(os.path.abspath(ocfpy.__file__)), os.path.join(root, "ocfpy"),
                    ignore=shutil.ignore_patterns("__pycache__"))
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def readable_agents():
    """A world-readable copy of agents/: meta-data runs as hacluster, and a clone may be private."""
    import shutil
    import tempfile

    root = tempfile.mkdtemp(prefix="ocfpy-agents-")
    os.chmod(root, 0o755)
    copy = os.path.join(root, "agents")
    shutil.copytree(AGENTS, copy)
    yield copy
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def agent_env(ocfpy_pythonpath, tmp_path) -> dict:
    """A minimal environment for running an agent directly, state kept in tmp_path."""
    return {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LC_ALL": "C",
        "PYTHONPATH": ocfpy_pythonpath,
        "HA_RSCTMP": str(tmp_path / "rsctmp"),
        "OCF_ROOT": "/usr/lib/ocf",
        "OCF_RESOURCE_INSTANCE": "test",
    }

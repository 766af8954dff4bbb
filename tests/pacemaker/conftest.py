"""Install this checkout's agents and library where Pacemaker's tools look, for the test session only."""

from __future__ import annotations

import os
import shutil

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RESOURCE_D = "/usr/lib/ocf/resource.d"
PROVIDER = "ocfpy"
# Debian's /usr/bin/python3 reads .pth files here; pcs runs crm_resource with an emptied
# environment, so the library must be importable without PYTHONPATH.
SYSTEM_SITE = "/usr/lib/python3/dist-packages"


def require_pacemaker_tools(*tools: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("the pacemaker tier installs agents under /usr/lib/ocf and needs root")
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (Debian: pacemaker-cli-utils, pcs, crmsh, resource-agents)")


@pytest.fixture(scope="session")
def installed_agents(ocfpy_pythonpath):
    """``ocf:ocfpy:*`` installed under /usr/lib/ocf/resource.d/ocfpy; everything removed after."""
    require_pacemaker_tools("crm_resource")
    provider_dir = os.path.join(RESOURCE_D, PROVIDER)
    if os.path.exists(provider_dir):
        pytest.fail(f"{provider_dir} exists already (an installed ocfpy-agents package?); "
                    "refusing to replace it")
    pth = os.path.join(SYSTEM_SITE, "zz-ocfpy-tests.pth")
    try:
        os.makedirs(provider_dir)
        for name in sorted(os.listdir(os.path.join(REPO, "agents"))):
            shutil.copy2(os.path.join(REPO, "agents", name), provider_dir)
        os.makedirs(SYSTEM_SITE, exist_ok=True)
        with open(pth, "w") as handle:
            handle.write(ocfpy_pythonpath + "\n")
        yield provider_dir
    finally:
        shutil.rmtree(provider_dir, ignore_errors=True)
        if os.path.exists(pth):
            os.unlink(pth)


@pytest.fixture
def require_tools():
    """require_tools("ocf-tester", ...): skip, saying why, when a tool is missing or not root."""
    return require_pacemaker_tools

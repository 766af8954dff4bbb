"""Pacemaker's own tools accept the agents as the RPMs install them on a node (root only).

For this module only, python3-ocfpy and ocfpy-agents are installed into / with a private rpm
database. Nothing puts their site-packages (Fedora's layout, not on Debian's sys.path) on any
path: the launchers name it themselves, as they must, since pcs runs crm_resource with an
emptied environment. Everything is removed afterwards, also when a test fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from xml.etree import ElementTree as ET

import pytest

from conftest import rpm_tool
from rpm_layout import OCF_LIB_DIR, OCF_PROVIDER_DIR, agents, platform_python, version

HOST_PACKAGES = ("python3-ocfpy", "ocfpy-agents")


def _require_root_and_tools() -> None:
    if os.geteuid() != 0:
        pytest.skip("installs the RPMs into / for the duration of the test: needs root")
    missing = [tool for tool in ("crm_resource", "pcs", "crm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (Debian: pacemaker-cli-utils, pcs, crmsh)")


def _refuse_to_overwrite(paths: list) -> None:
    present = [path for path in paths if os.path.lexists(path)]
    if present:
        pytest.fail(f"already present, refusing to install over them: {present}", pytrace=False)


def _remove_leftovers(paths: list, created_dirs: list) -> None:
    for path in paths:
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.unlink(path)
    for directory in created_dirs:  # deepest first; only if rpm made it and it is empty now
        if os.path.isdir(directory) and not os.listdir(directory):
            os.rmdir(directory)


@pytest.fixture(scope="module")
def on_this_node(build):
    """The library and the agents installed from the built RPMs into /; all of it gone afterwards."""
    _require_root_and_tools()
    site, _ = platform_python()
    ours = [OCF_PROVIDER_DIR, OCF_LIB_DIR, f"{site}/ocfpy", f"{site}/ocfpy-{version()}.dist-info",
            "/usr/share/doc/python3-ocfpy", "/usr/share/licenses/python3-ocfpy",
            "/usr/share/doc/ocfpy-agents", "/usr/share/licenses/ocfpy-agents"]
    _refuse_to_overwrite(ours)
    created_dirs = [d for d in (site, os.path.dirname(site), "/usr/lib/ocf/resource.d", "/usr/lib/ocf/lib",
                                "/usr/lib/ocf") if not os.path.exists(d)]
    dbpath = tempfile.mkdtemp(prefix="ocfpy-rpmdb-")
    try:
        rpm_tool("--dbpath", dbpath, "--nodeps", "-i", *(build.rpms[name] for name in HOST_PACKAGES))
        yield site
        rpm_tool("--dbpath", dbpath, "--nodeps", "-e", *HOST_PACKAGES)
        assert not any(os.path.lexists(path) for path in ours[:4]), "rpm -e left files behind"
    finally:
        _remove_leftovers(ours, created_dirs)
        shutil.rmtree(dbpath, ignore_errors=True)


def tool(*argv: str) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/")
    assert result.returncode == 0, f"{' '.join(argv)} exited {result.returncode}: {result.stdout}{result.stderr}"
    return result.stdout


def declared_parameters(name: str) -> list:
    """The parameter names in the installed agent's own meta-data, run with an empty environment."""
    xml = subprocess.run([f"{OCF_PROVIDER_DIR}/{name}", "meta-data"], env={}, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    names = [p.get("name") for p in ET.fromstring(xml).iter("parameter")]
    assert names, f"{name} declares no parameter"
    return names


def section(text: str, title: str) -> list:
    """The lines of a titled block of a tool's output, up to the next unindented title."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(title)) + 1
    block = []
    for line in lines[start:]:
        if line and not line[0].isspace() and line.endswith(":") and block:
            break
        block.append(line)
    return block


def test_crm_resource_lists_every_agent(on_this_node):
    assert sorted(tool("crm_resource", "--list-agents", "ocf:ocfpy").split()) == sorted(agents())


@pytest.mark.parametrize("name", agents())
def test_crm_resource_shows_the_declared_parameters(on_this_node, name):
    xml = ET.fromstring(tool("crm_resource", "--show-metadata", f"ocf:ocfpy:{name}"))
    assert xml.get("name") == name
    assert [p.get("name") for p in xml.iter("parameter")] == declared_parameters(name)


@pytest.mark.parametrize("name", agents())
def test_pcs_describes_the_declared_parameters(on_this_node, name):
    out = tool("pcs", "resource", "describe", f"ocf:ocfpy:{name}")
    assert out.startswith(f"ocf:ocfpy:{name} - ")
    shown = [m.group(1) for line in section(out, "Resource options:")
             if (m := re.match(r"^  (\w+)(?: \([^)]*\))*: ", line))]
    assert shown == declared_parameters(name), out


@pytest.mark.parametrize("name", agents())
def test_crmsh_describes_the_declared_parameters(on_this_node, name):
    out = tool("crm", "ra", "info", f"ocf:ocfpy:{name}")
    assert f"(ocf:ocfpy:{name})" in out.splitlines()[0]
    shown = [m.group(1) for line in section(out, "Parameters (")
             if (m := re.match(r"^(\w+)\*? \(", line))]
    assert shown == declared_parameters(name), out


def test_crm_resource_runs_the_installed_launcher_through_a_lifecycle(on_this_node, tmp_path):
    base = ["crm_resource", "--class", "ocf", "--provider", "ocfpy", "--agent", "Dummy",
            "--option", f"state={tmp_path}/d.state"]
    flags = ("--force-check", "--force-start", "--force-check", "--force-stop", "--force-check")

    codes = [subprocess.run(base + [flag], capture_output=True, timeout=120, cwd="/").returncode
             for flag in flags]

    assert codes == [7, 0, 0, 0, 7]


@pytest.mark.parametrize("name", agents())
def test_the_controllers_way_empty_environment_as_hacluster_gives_the_same_meta_data(on_this_node, name):
    as_root = subprocess.run([f"{OCF_PROVIDER_DIR}/{name}", "meta-data"], env={}, capture_output=True,
                             text=True, timeout=60, cwd="/")
    as_hacluster = subprocess.run(["runuser", "-u", "hacluster", "--", "env", "-i",
                                   f"{OCF_PROVIDER_DIR}/{name}", "meta-data"],
                                  capture_output=True, text=True, timeout=60, cwd="/")

    assert as_root.returncode == as_hacluster.returncode == 0, as_hacluster.stderr
    assert as_hacluster.stdout == as_root.stdout
    assert ET.fromstring(as_root.stdout).get("name") == name

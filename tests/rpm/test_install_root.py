"""The RPMs installed into a throwaway root: exact files and modes, agents that run, clean removal."""

from __future__ import annotations

import gzip
import marshal
import os
import stat
import subprocess
from xml.etree import ElementTree as ET

import pytest

from rpm_layout import (OCF_LIB_DIR, OCF_PROVIDER_DIR, PACKAGES, REPO, agents, console_scripts, expected,
                        platform_python, platform_version, probe_env)

OCF_NOT_RUNNING = 7


@pytest.fixture
def installed(build, throwaway_root):
    throwaway_root.rpm("--nodeps", "-i", *build.rpms.values())
    return throwaway_root


def owned_modes(root, package: str) -> dict:
    """The package's files as rpm's database in the root records them: path -> st_mode."""
    out = root.rpm("-q", "--qf", "[%{FILENAMES}\\t%{FILEMODES}\\n]", package).stdout
    return {path: int(mode) for path, mode in (line.split("\t") for line in out.splitlines())}


def run_agent(root, name: str, action: str, tmp_path, path: str = "") -> subprocess.CompletedProcess:
    """The installed agent (or ``path``) by its own shebang, with the root's library and nothing else."""
    site, _ = platform_python()
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "PYTHONPATH": root.path + site,
           "PYTHONVERBOSE": "1", "OCF_ROOT": "/usr/lib/ocf", "OCF_RESOURCE_INSTANCE": "rpmtest",
           "HA_RSCTMP": str(tmp_path), **probe_env(name)}
    return subprocess.run([root.path + (path or f"{OCF_PROVIDER_DIR}/{name}"), action], env=env,
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_owns_exactly_the_expected_paths_and_modes(installed, package):
    assert owned_modes(installed, package) == expected()[package]


def test_the_root_holds_exactly_what_the_packages_own_with_those_modes(installed):
    owned = {path: mode for entries in expected().values() for path, mode in entries.items()}
    on_disk = installed.tree()
    assert {p: m for p, m in on_disk.items() if not stat.S_ISDIR(m)} == \
           {p: m for p, m in owned.items() if not stat.S_ISDIR(m)}
    assert {p: on_disk.get(p) for p, m in owned.items() if stat.S_ISDIR(m)} == \
           {p: m for p, m in owned.items() if stat.S_ISDIR(m)}


def test_rpm_verifies_every_installed_file(installed):
    result = installed.rpm("-V", "--nodeps", *PACKAGES, check=False)
    assert result.returncode == 0 and result.stdout == "", result.stdout


def test_installed_agents_and_their_sources_have_the_platform_python_shebang_without_site(installed):
    flags = "-sSP" if platform_version() >= (3, 11) else "-sS"  # -P came with 3.11
    for name in agents():
        for path in (f"{OCF_PROVIDER_DIR}/{name}", f"{OCF_LIB_DIR}/{name}.py"):
            with open(installed.path + path) as agent:
                assert agent.readline() == f"#!/usr/bin/python3 {flags}\n", path


@pytest.mark.parametrize("name", agents())
def test_installed_source_is_the_checkout_agent_but_for_the_shebang(installed, name):
    with open(os.path.join(REPO, "agents", name), "rb") as checkout:
        original = checkout.read()
    with open(installed.path + f"{OCF_LIB_DIR}/{name}.py", "rb") as source:
        shipped = source.read()
    assert shipped.split(b"\n", 1)[1] == original.split(b"\n", 1)[1]


@pytest.mark.parametrize("name", agents())
def test_installed_agent_runs_on_the_roots_library_from_its_bytecode(installed, name, tmp_path):
    site, tag = platform_python()
    before = installed.tree()

    metadata = run_agent(installed, name, "meta-data", tmp_path)
    probe = run_agent(installed, name, "monitor", tmp_path)

    assert metadata.returncode == 0, metadata.stderr[-2000:]
    assert ET.fromstring(metadata.stdout).get("name") == name
    library = installed.path + site + "/ocfpy"
    agent_lib = installed.path + OCF_LIB_DIR
    # PYTHONVERBOSE: "# <pyc> matches <py>" means the shipped bytecode was valid and used
    assert f"# {library}/__pycache__/__init__.{tag}.pyc matches {library}/__init__.py" in metadata.stderr
    assert probe.returncode == OCF_NOT_RUNNING, probe.stderr[-2000:]
    assert f"# {agent_lib}/__pycache__/{name}.{tag}.pyc matches {agent_lib}/{name}.py" in probe.stderr
    # meta-data came from the shipped rendering: no XML was built, unlike the source run directly
    rendered = run_agent(installed, name, "meta-data", tmp_path, path=f"{OCF_LIB_DIR}/{name}.py")
    assert "import 'xml.etree.ElementTree'" in rendered.stderr
    assert "import 'xml.etree.ElementTree'" not in metadata.stderr
    assert metadata.stdout == rendered.stdout
    assert installed.tree() == before, "running the agents wrote into the root"


def test_bytecode_names_the_installed_paths_not_the_build_root(installed):
    site, _ = platform_python()
    pycs = [path for path in installed.tree() if path.endswith(".pyc")
            and path.startswith((OCF_LIB_DIR + "/", site + "/ocfpy/"))]
    assert len(pycs) > len(agents())
    for pyc in pycs:
        with open(installed.path + pyc, "rb") as compiled:
            source = marshal.loads(compiled.read()[16:]).co_filename
        assert source == pyc.replace("/__pycache__", "").split(".cpython-")[0] + ".py", pyc


def test_every_command_has_a_manual_page_made_from_its_help(installed):
    for command in console_scripts():
        with gzip.open(installed.path + f"/usr/share/man/man1/{command}.1.gz", "rt") as man:
            page = man.read()
        assert f'.TH {command.upper()} "1"' in page and "usage" in page.lower(), command


def test_removal_leaves_nothing_behind(installed, tmp_path):
    for name in agents():
        run_agent(installed, name, "meta-data", tmp_path)
    owned = {path for entries in expected().values() for path in entries}

    installed.rpm("--nodeps", "-e", *PACKAGES)

    left = installed.tree()
    assert installed.rpm("-qa").stdout == ""
    assert [path for path, mode in left.items() if not stat.S_ISDIR(mode)] == []
    assert sorted(owned & set(left)) == []
    # what stays is the empty, unowned parents rpm made (/usr, /usr/lib, ...) and the database's
    parents = {os.path.dirname(path) for path in owned | {"/var/lib/rpm"}}
    while any(os.path.dirname(path) not in parents | {"/"} for path in parents):
        parents |= {os.path.dirname(path) for path in parents}
    assert set(left) == parents - owned - {"/"}

"""The rpm tier: one real rpm/build per session, and throwaway roots to install its packages into."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from typing import NamedTuple

import pytest

from rpm_layout import PACKAGES, REPO, version

TOOLS = ("git", "rpm", "rpmbuild", "rpmlint", "help2man")


class Build(NamedTuple):
    topdir: str
    output: str           # everything rpm/build printed
    srpm: str
    rpms: dict            # package name -> path of its .noarch.rpm


def rpm_tool(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """rpm with arguments; Debian's rpm warns on stderr that dpkg should be used, which is ignored."""
    result = subprocess.run(["rpm", *args], capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"rpm {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


PYTHON39 = "/root/.pyenv/versions/3.9.18/bin/python3.9"  # EL9's Python, on this machine and the CI image


def _build(topdir, *options: str) -> Build:
    """rpm/build run into a fresh _topdir; fails the tests that use it when the build fails."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (Debian: apt-get install rpm rpmlint help2man git)")
    result = subprocess.run([os.path.join(REPO, "rpm", "build"), *options, str(topdir)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)
    if result.returncode != 0:
        pytest.fail(f"rpm/build exited {result.returncode}:\n{result.stdout[-6000:]}", pytrace=False)
    release = f"{version()}-*"
    srpm, = glob.glob(f"{topdir}/SRPMS/ocfpy-{release}.src.rpm")
    rpms = {name: glob.glob(f"{topdir}/RPMS/noarch/{name}-{release}.noarch.rpm") for name in PACKAGES}
    assert all(len(paths) == 1 for paths in rpms.values()), rpms
    return Build(str(topdir), result.stdout, srpm, {name: paths[0] for name, paths in rpms.items()})


@pytest.fixture(scope="session")
def build(tmp_path_factory) -> Build:
    """The packages for this machine's /usr/bin/python3, built once per session."""
    return _build(tmp_path_factory.mktemp("rpmbuild"))


@pytest.fixture(scope="session")
def build39(tmp_path_factory) -> Build:
    """The packages built for Python 3.9 (``rpm/build --python``): what EL9 gets."""
    if not os.access(PYTHON39, os.X_OK):
        pytest.skip(f"{PYTHON39} is not installed (the CI image has it)")
    return _build(tmp_path_factory.mktemp("rpmbuild39"), "--python", PYTHON39)


class Root(NamedTuple):
    path: str

    def rpm(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return rpm_tool("--root", self.path, "--dbpath", "/var/lib/rpm", *args, check=check)

    def tree(self) -> dict:
        """Every path under the root but the rpm database, as /absolute -> st_mode."""
        entries = {}
        for directory, dirs, files in os.walk(self.path):
            for name in dirs + files:
                full = os.path.join(directory, name)
                inside = "/" + os.path.relpath(full, self.path)
                if inside != "/var/lib/rpm" and not inside.startswith("/var/lib/rpm/"):
                    entries[inside] = os.lstat(full).st_mode
        return entries


@pytest.fixture
def throwaway_root(tmp_path) -> Root:
    root = tmp_path / "root"
    root.mkdir()
    return Root(str(root))

"""The Debian route: from this clone, as root, one command installs agents that Pacemaker's own
tools run, with no pip install into the system and no PYTHONPATH (root only).

The agents go under a provider of their own, ocfpytest, in /usr/lib/ocf; both provider
directories are removed afterwards, also when a test fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from xml.etree import ElementTree as ET

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROVIDER = "ocfpytest"
OCF_ROOT = "/usr/lib/ocf"
LAUNCHERS = f"{OCF_ROOT}/resource.d/{PROVIDER}"
LIBRARY = f"{OCF_ROOT}/lib/{PROVIDER}"
AGENTS = ("Dummy", "Stateful")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """`python3 -m ocfpy.install --provider ocfpytest agents/Dummy agents/Stateful`, run in the clone."""
    if os.geteuid() != 0:
        pytest.skip("installs agents under /usr/lib/ocf: needs root")
    if shutil.which("crm_resource") is None:
        pytest.skip("not installed: crm_resource (Debian: pacemaker-cli-utils)")
    present = [path for path in (LAUNCHERS, LIBRARY) if os.path.lexists(path)]
    if present:
        pytest.fail(f"already present, refusing to install over them: {present}", pytrace=False)
    try:
        result = subprocess.run(["/usr/bin/python3", "-m", "ocfpy.install", "--provider", PROVIDER,
                                 *(f"agents/{name}" for name in AGENTS)],
                                cwd=REPO, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == [f"{LAUNCHERS}/{name}" for name in AGENTS]
        yield tmp_path_factory.mktemp("state")
    finally:
        for path in (LAUNCHERS, LIBRARY):
            shutil.rmtree(path, ignore_errors=True)


def run(*argv: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/", **options)


@pytest.mark.needs_root
@pytest.mark.parametrize("name", AGENTS)
def test_meta_data_with_an_empty_environment_as_root_and_as_hacluster(installed, name):
    as_root = run("env", "-i", f"{LAUNCHERS}/{name}", "meta-data")
    by_runuser = run("runuser", "-u", "hacluster", "--", "env", "-i", f"{LAUNCHERS}/{name}", "meta-data")
    by_setpriv = run("setpriv", "--reuid=hacluster", "--regid=haclient", "--clear-groups",
                     "env", "-i", f"{LAUNCHERS}/{name}", "meta-data")

    assert as_root.returncode == by_runuser.returncode == by_setpriv.returncode == 0, by_runuser.stderr
    assert ET.fromstring(as_root.stdout).get("name") == name
    assert by_runuser.stdout == by_setpriv.stdout == as_root.stdout


@pytest.mark.needs_root
@pytest.mark.parametrize("name", AGENTS)
def test_crm_resource_shows_the_meta_data(installed, name):
    shown = run("crm_resource", "--show-metadata", f"ocf:{PROVIDER}:{name}")

    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == run("env", "-i", f"{LAUNCHERS}/{name}", "meta-data").stdout


@pytest.mark.needs_root
def test_crm_resource_probes_starts_and_stops_it(installed):
    base = ["crm_resource", "--class", "ocf", "--provider", PROVIDER, "--agent", "Dummy",
            "--option", f"state={installed}/dummy.state"]
    flags = ("--force-check", "--force-start", "--force-check", "--force-stop", "--force-check")

    codes = [run(*base, flag).returncode for flag in flags]

    assert codes == [7, 0, 0, 0, 7]


@pytest.mark.needs_root
def test_a_probe_uses_the_library_copy_under_ocf_root_and_no_site_packages(installed):
    env = {"OCF_ROOT": OCF_ROOT, "OCF_RESOURCE_INSTANCE": "debian-route", "PYTHONVERBOSE": "1",
           "OCF_RESKEY_state": f"{installed}/absent.state"}

    probe = run(f"{LAUNCHERS}/Dummy", "monitor", env=env)

    assert probe.returncode == 7, probe.stderr[-2000:]
    copy = f"{LIBRARY}/python/ocfpy"
    assert f"matches {copy}/__init__.py" in probe.stderr and f"matches {copy}/dispatch.py" in probe.stderr
    assert "import 'site'" not in probe.stderr and "dist-packages" not in probe.stderr

"""rpm/build: SRPM and three noarch RPMs, lint-clean, versioned from ocfpy/__init__.py alone."""

from __future__ import annotations

import datetime
import os
import re
import subprocess

import pytest

from conftest import rpm_tool
from rpm_layout import REPO, version

SPEC = os.path.join(REPO, "rpm", "ocfpy.spec")
LINT_CONFIG = os.path.join(REPO, "rpm", "rpmlint.toml")


def query(package: str, fmt: str) -> str:
    return rpm_tool("-qp", "--qf", fmt, package).stdout


def everything(build) -> list:
    return [build.srpm, *build.rpms.values()]


def test_rpmlint_checks_spec_srpm_and_rpms_and_finds_nothing(build):
    summary = [line for line in build.output.splitlines() if "checked;" in line]
    assert summary and "4 packages and 1 specfiles checked; 0 errors, 0 warnings" in summary[-1], summary


def test_every_rpmlint_filter_silences_a_real_message(build):
    """No filter is kept after its message is gone: lint again without them, each must match."""
    import tomllib

    with open(LINT_CONFIG, "rb") as config:
        filters = tomllib.load(config)["Filters"]
    bare = os.path.join(build.topdir, "rpmlint-no-filters.toml")
    with open(bare, "w") as config:
        config.write('ValidLicenses = ["MIT"]\nCompressExtension = "gz"\n')
    result = subprocess.run(["rpmlint", "-c", bare, os.path.join(build.topdir, "ocfpy.spec"), *everything(build)],
                            capture_output=True, text=True, timeout=300)
    messages = [line for line in result.stdout.splitlines() if re.search(r": [EW]: ", line)]
    unused = [f for f in filters if not any(re.search(f, message) for message in messages)]
    assert not unused, f"filters that match nothing: {unused}"


def test_every_package_has_the_version_of_ocfpy_init(build):
    for package in everything(build):
        assert query(package, "%{VERSION}") == version(), package


def test_the_last_changelog_entry_names_this_version_and_release(build):
    for package in everything(build):
        evr = query(package, "%{VERSION}-%{RELEASE}")
        newest = rpm_tool("-qp", "--changelog", package).stdout.splitlines()[0]
        assert newest.endswith(f" - {evr}"), (package, newest)


def test_changelog_dates_have_their_real_weekday():
    with open(SPEC) as spec:
        changelog = spec.read().split("%changelog", 1)[1]
    headers = re.findall(r"^\* (\w{3}) (\w{3} \d{1,2} \d{4}) ", changelog, re.M)
    assert headers
    for weekday, date in headers:
        assert datetime.datetime.strptime(date, "%b %d %Y").strftime("%a") == weekday, date


def test_the_rpms_are_rebuilt_from_the_srpm_which_carries_the_spec_unchanged(build, tmp_path):
    rpm_tool("--define", f"_topdir {tmp_path}", "-i", build.srpm)  # unpacks into SPECS/ and SOURCES/
    with open(SPEC) as spec:
        assert (tmp_path / "SPECS" / "ocfpy.spec").read_text() == spec.read()
    output = build.output
    assert output.index(f"Installing {build.srpm}") < output.index(f"Wrote: {build.rpms['ocfpy-agents']}")


def test_the_spec_alone_parses_with_the_version_of_ocfpy_init():
    result = subprocess.run(["rpmspec", "-q", "--srpm", "--qf", "%{NAME} %{VERSION}\n", SPEC],
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout == f"ocfpy {version()}\n"


def test_rpmlint_reads_the_spec_alone_and_finds_only_what_the_project_filters(tmp_path):
    plain = subprocess.run(["rpmlint", SPEC], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    configured = subprocess.run(["rpmlint", "-c", LINT_CONFIG, SPEC], capture_output=True, text=True,
                                timeout=120, cwd=tmp_path)

    assert plain.returncode == 0, plain.stdout
    assert "specfile-error" not in plain.stdout
    assert re.findall(r": [EW]: (\S+)", plain.stdout) == ["no-buildroot-tag"]  # filtered in rpmlint.toml
    assert "0 errors, 0 warnings" in configured.stdout, configured.stdout


def test_rpm_build_refuses_a_spec_whose_version_is_not_ocfpy_inits(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", REPO, str(clone)], check=True, timeout=120)
    spec = clone / "rpm" / "ocfpy.spec"
    spec.write_text(re.sub(r"^Version:( +).*$", r"Version:\g<1>9.9.9", spec.read_text(), flags=re.M))

    result = subprocess.run([str(clone / "rpm" / "build"), str(tmp_path / "top")], capture_output=True,
                            text=True, timeout=120)

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"rpm/build: rpm/ocfpy.spec has Version 9.9.9, ocfpy/__init__.py {version()}: make them one"]
    assert not (tmp_path / "top").exists()


@pytest.mark.parametrize("package, required", [
    ("ocfpy-agents", ["python3-ocfpy = {evr}", "/usr/bin/python3"]),
    ("ocfpy-harness", ["python3-ocfpy = {evr}", "/usr/bin/python3"]),
    ("python3-ocfpy", ["(ocfpy-harness = {evr} if python3-pytest)"]),
])
def test_requirements(build, package, required):
    path = build.rpms[package]
    evr = query(path, "%{VERSION}-%{RELEASE}")
    requires = rpm_tool("-qp", "--requires", path).stdout.splitlines()
    for requirement in required:
        assert requirement.format(evr=evr) in requires, requires


def test_every_package_is_noarch_and_licensed_mit(build):
    for package in everything(build)[1:]:
        assert query(package, "%{ARCH} %{LICENSE}") == "noarch MIT"

"""Cluster tier: a real two-node lab per test module, brought up once and always torn down."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.lab import install, lab
from harness.lab.config import LabConfig, LabError

REPO = Path(__file__).resolve().parents[2]


def lab_config(tag: str, **options) -> LabConfig:
    """A lab of the test suite's own, named apart from any lab a person may have up."""
    prefix = f"ocfpyt{tag}"
    return LabConfig(prefix=prefix, state_dir=f"/var/tmp/{prefix}", **options)


@pytest.fixture(scope="module")
def lab_up(request):
    """Bring a lab up once for the module; down at the end whatever happened."""
    try:
        lab.preflight()
    except LabError as exc:
        pytest.skip(f"the cluster lab cannot run here: {exc}")
    # LAB_PCSD = True in a module: pcsd in every node (ocfpy-lab up --pcsd)
    module = request.module
    config = lab_config(getattr(module, "LAB_TAG", "x"), pcsd=getattr(module, "LAB_PCSD", False))
    source = install.checkout_source(str(REPO))
    if getattr(request.module, "LAB_FROM_RPMS", False):
        if not shutil.which("rpmbuild"):
            pytest.skip("rpmbuild is not installed (apt-get install rpm rpmlint)")
        source["kind"] = "build-rpm"
    if config.state.exists():
        lab.down(config.state_dir, grace=10.0)  # left by an interrupted earlier run
    lab.up(config, source, progress=lambda text: None)
    try:
        yield config
    finally:
        problems = lab.down(config.state_dir, grace=30.0)
        assert not problems, f"teardown incomplete: {problems}"

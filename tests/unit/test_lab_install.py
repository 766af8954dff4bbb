"""Where the nodes get ocfpy from: a private checkout is copied readable, since hacluster runs meta-data."""

from __future__ import annotations

import os
import stat

import pytest

from harness.lab import install


@pytest.fixture(autouse=True)
def no_python_probe(monkeypatch):
    """The node python's site directory is asked of /usr/bin/python3; no process in this tier."""
    monkeypatch.setattr(install, "node_site_dir", lambda: "/usr/local/lib/python3.11/dist-packages")


def make_checkout(root, dir_mode: int, file_mode: int):
    (root / "agents").mkdir(parents=True)
    (root / "ocfpy" / "__pycache__").mkdir(parents=True)
    (root / "agents" / "Dummy").write_text("#!/usr/bin/python3\n")
    (root / "ocfpy" / "__init__.py").write_text("")
    (root / "ocfpy" / "__pycache__" / "x.pyc").write_bytes(b"")
    os.chmod(root / "agents" / "Dummy", file_mode | 0o100)
    os.chmod(root / "ocfpy" / "__init__.py", file_mode)
    for path in (root / "agents", root / "ocfpy"):
        os.chmod(path, dir_mode)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_readable_checkout_is_used_in_place(tmp_path):
    make_checkout(tmp_path / "co", 0o755, 0o644)
    installed = install.materialize(install.checkout_source(str(tmp_path / "co")), tmp_path / "state")

    assert installed["agents"] == str(tmp_path / "co" / "agents")
    assert installed["package"] == str(tmp_path / "co" / "ocfpy")


def test_a_private_checkout_is_copied_with_readable_modes(tmp_path):
    make_checkout(tmp_path / "co", 0o700, 0o600)
    installed = install.materialize(install.checkout_source(str(tmp_path / "co")), tmp_path / "state")

    copy = tmp_path / "state" / "checkout-copy"
    assert (installed["agents"], installed["package"]) == (str(copy / "agents"), str(copy / "ocfpy"))
    assert (mode(copy / "agents"), mode(copy / "agents" / "Dummy")) == (0o755, 0o755)
    assert mode(copy / "ocfpy" / "__init__.py") == 0o644
    assert not (copy / "ocfpy" / "__pycache__").exists()


def test_rpm_nodes_also_see_the_packages_site_directory_where_their_launchers_name_it():
    # the RPMs' launchers run with -S and append %{python3_sitelib} (Fedora's layout) themselves
    installed = {"agents": "/state/rpmroot/usr/lib/ocf/resource.d/ocfpy",
                 "package": "/state/rpmroot/usr/lib/python3.11/site-packages/ocfpy",
                 "site_dir": "/usr/lib/python3/dist-packages", "rpm_site": "/usr/lib/python3.11/site-packages",
                 "rpm_site_source": "/state/rpmroot/usr/lib/python3.11/site-packages"}

    grafts = install.grafts(installed)

    assert ("/usr/lib/python3/dist-packages", "ocfpy", installed["package"]) in grafts
    assert ("/usr/lib/python3.11", "site-packages", installed["rpm_site_source"]) in grafts

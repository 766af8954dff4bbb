"""What the three RPMs must hold, path -> mode, computed from the checkout (git ls-files, setup.cfg)."""

from __future__ import annotations

import configparser
import os
import re
import subprocess

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OCF_PROVIDER_DIR = "/usr/lib/ocf/resource.d/ocfpy"
OCF_LIB_DIR = "/usr/lib/ocf/lib/ocfpy"  # the agents' sources, bytecode and meta-data (ocfpy.install)
PLATFORM_PYTHON = "/usr/bin/python3"
PACKAGES = ("python3-ocfpy", "ocfpy-agents", "ocfpy-harness")
DIR, FILE, SCRIPT = 0o40755, 0o100644, 0o100755


def version() -> str:
    """__version__ from ocfpy/__init__.py, read as text: the one place the version lives."""
    with open(os.path.join(REPO, "ocfpy", "__init__.py")) as init:
        return re.search(r'^__version__ = "([^"]+)"$', init.read(), re.M).group(1)


def tracked(prefix: str) -> list:
    """Files git tracks under prefix/ that exist in the work tree: what rpm/build puts in the tarball."""
    out = subprocess.run(["git", "ls-files", "-z", "--", prefix], cwd=REPO, capture_output=True,
                         check=True).stdout.decode()
    return sorted(p for p in out.split("\0") if p and os.path.exists(os.path.join(REPO, p)))


def agents() -> list:
    return [os.path.basename(path) for path in tracked("agents")]


#: What a probe of a stopped resource needs besides the environment, per agent with required
#: parameters (without them the state cannot be found: 6, not 7).
PROBE_PARAMS = {"Filesystem": {"device": "/dev/ocfpy-rpm-test-none", "fstype": "ext4",
                               "directory": "/nonexistent/ocfpy-rpm-test"}}


def probe_env(name: str) -> dict:
    """OCF_RESKEY_* for a probe of a stopped ``name``."""
    return {f"OCF_RESKEY_{key}": value for key, value in PROBE_PARAMS.get(name, {}).items()}


def console_scripts() -> list:
    config = configparser.ConfigParser()
    config.read(os.path.join(REPO, "setup.cfg"))
    lines = config["options.entry_points"]["console_scripts"].strip().splitlines()
    return sorted(line.split("=")[0].strip() for line in lines)


def platform_python() -> tuple:
    """(site-packages in Fedora's layout, bytecode cache tag) of the interpreter the packages target."""
    out = subprocess.run([PLATFORM_PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2], "
                          "sys.implementation.cache_tag)"], capture_output=True, text=True, check=True)
    short, tag = out.stdout.split()
    return f"/usr/lib/python{short}/site-packages", tag


def platform_version() -> tuple:
    """(major, minor) of the interpreter the packages target."""
    site, _ = platform_python()
    return tuple(int(part) for part in site.split("python")[1].split("/")[0].split("."))


def _with_parents(entries: dict, path: str, stop: str) -> None:
    """Adds the directories between stop (exclusive) and path, all 0755."""
    parent = os.path.dirname(path)
    while parent != stop and parent not in entries:
        entries[parent] = DIR
        parent = os.path.dirname(parent)


def _python_package(top: str, site: str, tag: str, data=()) -> dict:
    """Modules (each with its two bytecode levels), data files and directories of one package."""
    entries = {os.path.join(site, top): DIR}
    for path in tracked(top):
        if path.endswith(".py"):
            with open(os.path.join(REPO, path), "rb") as source:
                executable = source.read(2) == b"#!"
            target = os.path.join(site, path)
            entries[target] = SCRIPT if executable else FILE
            stem, cache = os.path.splitext(os.path.basename(path))[0], os.path.join(os.path.dirname(target), "__pycache__")
            for level in ("", ".opt-1"):
                entries[os.path.join(cache, f"{stem}.{tag}{level}.pyc")] = FILE
            entries[cache] = DIR
        elif any(re.fullmatch(pattern, path) for pattern in data):
            entries[os.path.join(site, path)] = FILE
        else:
            continue
        _with_parents(entries, os.path.join(site, path), site)
    return entries


def _docs(package: str) -> dict:
    return {f"/usr/share/doc/{package}": DIR, f"/usr/share/doc/{package}/README.md": FILE,
            f"/usr/share/licenses/{package}": DIR, f"/usr/share/licenses/{package}/LICENSE": FILE}


def expected() -> dict:
    """{package: {path: st_mode}} for every file and directory each package owns."""
    site, tag = platform_python()
    dist_info = f"{site}/ocfpy-{version()}.dist-info"
    library = _python_package("ocfpy", site, tag, data=(r"ocfpy/schema/[^/]+\.rng",))
    library[dist_info] = DIR
    for name in ("INSTALLER", "LICENSE", "METADATA", "WHEEL", "entry_points.txt", "top_level.txt"):
        library[f"{dist_info}/{name}"] = FILE
    agents_package = {"/usr/lib/ocf": DIR, "/usr/lib/ocf/resource.d": DIR, OCF_PROVIDER_DIR: DIR,
                      "/usr/lib/ocf/lib": DIR, OCF_LIB_DIR: DIR, f"{OCF_LIB_DIR}/__pycache__": DIR}
    for name in agents():
        agents_package[f"{OCF_PROVIDER_DIR}/{name}"] = SCRIPT
        agents_package[f"{OCF_LIB_DIR}/{name}.py"] = SCRIPT
        agents_package[f"{OCF_LIB_DIR}/__pycache__/{name}.{tag}.pyc"] = FILE
        agents_package[f"{OCF_LIB_DIR}/__pycache__/{name}.meta-data"] = FILE
    harness = _python_package("harness", site, tag)
    for command in console_scripts():
        harness[f"/usr/bin/{command}"] = SCRIPT
        harness[f"/usr/share/man/man1/{command}.1.gz"] = FILE
    result = {"python3-ocfpy": library, "ocfpy-agents": agents_package, "ocfpy-harness": harness}
    for package, entries in result.items():
        entries.update(_docs(package))
    return result

"""Where the nodes get ocfpy from: a checkout (default) or built RPMs, unpacked into the lab's state."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
from pathlib import Path

from harness.lab.config import LabError

PROVIDER = "ocfpy"
OCF_PROVIDERS = "/usr/lib/ocf/resource.d"
OCF_LIB = "/usr/lib/ocf/lib"
NODE_PYTHON = "/usr/bin/python3"  # what an agent's shebang runs inside the node


def find_checkout(start: Path | None = None) -> Path | None:
    """A directory holding agents/ and ocfpy/: $OCFPY_CHECKOUT, the cwd upwards, or the harness's parent."""
    import harness  # the package this module belongs to; cheap, already imported

    candidates = []
    if os.environ.get("OCFPY_CHECKOUT"):
        candidates.append(Path(os.environ["OCFPY_CHECKOUT"]))
    here = (start or Path.cwd()).resolve()
    candidates += [here, *here.parents, Path(harness.__file__).resolve().parents[1]]
    for path in candidates:
        if (path / "agents").is_dir() and (path / "ocfpy" / "__init__.py").is_file():
            return path
    return None


def checkout_source(path: str | None) -> dict:
    root = Path(path).resolve() if path else find_checkout()
    if root is None:
        raise LabError("no ocfpy checkout found (a directory with agents/ and ocfpy/); "
                       "pass --checkout DIR or --rpm FILE")
    if not (root / "agents").is_dir() or not (root / "ocfpy" / "__init__.py").is_file():
        raise LabError(f"{root} is not an ocfpy checkout (needs agents/ and ocfpy/__init__.py)")
    return {"kind": "checkout", "root": str(root)}


def rpm_source(paths: list[str]) -> dict:
    """Built RPMs: files, or directories whose binary *.rpm are all taken."""
    files = []
    for path in paths:
        if os.path.isdir(path):
            found = sorted(f for f in glob.glob(os.path.join(path, "**", "*.rpm"), recursive=True)
                           if not f.endswith(".src.rpm"))
            if not found:
                raise LabError(f"no binary RPM in {path}")
            files += found
        elif os.path.isfile(path):
            files.append(path)
        else:
            raise LabError(f"RPM not found: {path}")
    return {"kind": "rpm", "rpms": [str(Path(f).resolve()) for f in files]}


def build_rpms(checkout: dict, topdir: Path) -> dict:
    """Build the RPMs from the checkout with its rpm/build script, then use them."""
    script = Path(checkout["root"]) / "rpm" / "build"
    if not script.is_file():
        raise LabError(f"{script} is missing: this checkout cannot build RPMs")
    proc = subprocess.run(["bash", str(script), str(topdir)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    if proc.returncode != 0:
        raise LabError(f"rpm/build failed: {proc.stdout.strip()[-300:]}")
    return rpm_source([str(topdir / "RPMS")])


def add_source_options(cmd) -> None:
    """--checkout / --rpm / --build-rpms on an argparse (sub)parser."""
    group = cmd.add_mutually_exclusive_group()
    group.add_argument("--checkout", metavar="DIR", help="install ocfpy from this checkout (default: found)")
    group.add_argument("--rpm", metavar="PATH", action="append",
                       help="install ocfpy from built RPMs (files or directories; repeatable)")
    group.add_argument("--build-rpms", action="store_true",
                       help="build the RPMs from the checkout (rpm/build) and install from them")


def source_from(args) -> dict:
    if args.rpm:
        return rpm_source(args.rpm)
    source = checkout_source(args.checkout)
    return dict(source, kind="build-rpm") if args.build_rpms else source


def materialize(source: dict, state: Path) -> dict:
    """Resolve a source to the two directories the nodes mount: agents and the ocfpy package."""
    if source["kind"] == "checkout":
        root = Path(source["root"])
        found = {"agents": str(root / "agents"), "package": str(root / "ocfpy")}
        if not all(world_readable(Path(path)) for path in found.values()):
            # the controller runs meta-data as hacluster: give the nodes a readable copy
            found = {key: copy_readable(Path(path), state / "checkout-copy" / Path(path).name)
                     for key, path in found.items()}
    elif source["kind"] in ("rpm", "build-rpm"):
        if source["kind"] == "build-rpm":
            source = build_rpms(source, state / "rpmbuild")
        found = _unpack_rpms(source["rpms"], state / "rpmroot")
    else:
        raise LabError(f"unknown install source {source['kind']!r}")
    return dict(source, **found, site_dir=node_site_dir())


def world_readable(tree: Path) -> bool:
    """Every directory in tree searchable and every file readable by others (as hacluster needs)."""
    for base, dirs, files in os.walk(tree):
        if os.stat(base).st_mode & 0o005 != 0o005:
            return False
        if any(os.stat(os.path.join(base, name)).st_mode & 0o004 == 0 for name in files):
            return False
    return True


def copy_readable(source: Path, target: Path) -> str:
    """Copy a tree with modes 0755 for directories and executables, 0644 for other files."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for base, dirs, files in os.walk(target):
        os.chmod(base, 0o755)
        for name in files:
            path = os.path.join(base, name)
            os.chmod(path, 0o755 if os.stat(path).st_mode & 0o100 else 0o644)
    return str(target)


def _unpack_rpms(rpms: list[str], root: Path) -> dict:
    """Install the RPMs into a private root (its own rpm database, no scripts), never onto the host."""
    root.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["rpm", "--root", str(root), "--dbpath", "/var/lib/rpm", "--nodeps",
                           "--noscripts", "-i", *rpms],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    if proc.returncode != 0:
        raise LabError(f"cannot unpack the RPMs: {proc.stdout.strip()[-300:]}")
    agents = root / OCF_PROVIDERS.lstrip("/") / PROVIDER
    packages = sorted(glob.glob(str(root / "usr/lib*/python3*/*-packages/ocfpy")))
    packages += sorted(glob.glob(str(root / "usr/local/lib*/python3*/*-packages/ocfpy")))
    if not agents.is_dir():
        raise LabError(f"the RPMs do not contain {OCF_PROVIDERS}/{PROVIDER}")
    if not packages:
        raise LabError("the RPMs do not contain an ocfpy package in a python site directory")
    found = {"agents": str(agents), "package": packages[0]}
    # the RPMs' launchers name this directory themselves (they run without site: python -S)
    found["rpm_site"] = "/" + os.path.relpath(os.path.dirname(packages[0]), root)
    found["rpm_site_source"] = os.path.dirname(packages[0])
    agent_lib = root / OCF_LIB.lstrip("/") / PROVIDER  # what the launchers in agents/ run
    if agent_lib.is_dir():
        found["agent_lib"] = str(agent_lib)
    return found


def node_site_dir() -> str:
    """The first site directory on the node python's sys.path that exists (the package goes there)."""
    proc = subprocess.run([NODE_PYTHON, "-I", "-c", "import json, sys; print(json.dumps(sys.path))"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        raise LabError(f"{NODE_PYTHON} does not run: {proc.stderr.strip()}")
    for entry in json.loads(proc.stdout):
        if entry.endswith(("-packages",)) and os.path.isdir(entry):
            return entry
    raise LabError(f"{NODE_PYTHON} has no existing site directory on sys.path")


def grafts(installed: dict) -> list[tuple[str, str, str]]:
    """(directory in the node, entry name, host source) for each bind mount of ocfpy into a node."""
    found = [
        (OCF_PROVIDERS, PROVIDER, installed["agents"]),
        (installed["site_dir"], "ocfpy", installed["package"]),
    ]
    if installed.get("agent_lib"):
        found.append((OCF_LIB, PROVIDER, installed["agent_lib"]))
    rpm_site = installed.get("rpm_site")
    if rpm_site and rpm_site != installed["site_dir"] and os.path.isdir(os.path.dirname(rpm_site)):
        found.append((os.path.dirname(rpm_site), os.path.basename(rpm_site), installed["rpm_site_source"]))
    return found

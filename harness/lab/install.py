"""Where the nodes get ocfpy from: a checkout (default) or built RPMs, unpacked into the lab's state."""

from __future__ import annotations

import glob
import json
import os
import subprocess
from pathlib import Path

from harness.lab.config import LabError

PROVIDER = "ocfpy"
OCF_PROVIDERS = "/usr/lib/ocf/resource.d"
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


def rpm_source(files: list[str]) -> dict:
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        raise LabError(f"RPM not found: {missing[0]}")
    return {"kind": "rpm", "rpms": [str(Path(f).resolve()) for f in files]}


def materialize(source: dict, state: Path) -> dict:
    """Resolve a source to the two directories the nodes mount: agents and the ocfpy package."""
    if source["kind"] == "checkout":
        root = Path(source["root"])
        found = {"agents": str(root / "agents"), "package": str(root / "ocfpy")}
    elif source["kind"] == "rpm":
        found = _unpack_rpms(source["rpms"], state / "rpmroot")
    else:
        raise LabError(f"unknown install source {source['kind']!r}")
    return dict(source, **found, site_dir=node_site_dir())


def _unpack_rpms(rpms: list[str], root: Path) -> dict:
    root.mkdir(parents=True, exist_ok=True)
    for rpm in rpms:
        with subprocess.Popen(["rpm2cpio", rpm], stdout=subprocess.PIPE) as rpm2cpio:
            cpio = subprocess.run(["cpio", "-idm", "--quiet", "--no-absolute-filenames"],
                                  stdin=rpm2cpio.stdout, cwd=root, stderr=subprocess.PIPE,
                                  text=True, check=False)
        if rpm2cpio.returncode != 0 or cpio.returncode != 0:
            raise LabError(f"cannot unpack {rpm}: {cpio.stderr.strip() or 'rpm2cpio failed'}")
    agents = root / OCF_PROVIDERS.lstrip("/") / PROVIDER
    packages = sorted(glob.glob(str(root / "usr/lib*/python3*/*-packages/ocfpy")))
    packages += sorted(glob.glob(str(root / "usr/local/lib*/python3*/*-packages/ocfpy")))
    if not agents.is_dir():
        raise LabError(f"the RPMs do not contain {OCF_PROVIDERS}/{PROVIDER}")
    if not packages:
        raise LabError("the RPMs do not contain an ocfpy package in a python site directory")
    return {"agents": str(agents), "package": packages[0]}


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
    return [
        (OCF_PROVIDERS, PROVIDER, installed["agents"]),
        (installed["site_dir"], "ocfpy", installed["package"]),
    ]

"""Where the meta-data schemas live, compiled once per process."""

from __future__ import annotations

import functools
import os
from typing import Optional

from harness.check import dtd, relaxng

RESOURCE_AGENTS_DIR = "/usr/share/resource-agents"
OCF_11 = "ra-api-1.1"
METADATA_RNG = "metadata.rng"
RA_API_DTD = "ra-api-1.dtd"


def ocf11_path() -> str:
    """The OCF 1.1 ra-api.rng shipped with ocfpy."""
    import ocfpy

    return os.path.join(os.path.dirname(ocfpy.__file__), "schema", "ra-api-1.1.rng")


def legacy_paths(directory: str = RESOURCE_AGENTS_DIR) -> dict:
    """resource-agents' metadata.rng and ra-api-1.dtd (the files ocf-tester uses), if installed."""
    return {METADATA_RNG: os.path.join(directory, "metadata.rng"), RA_API_DTD: os.path.join(directory, "ra-api-1.dtd")}


@functools.lru_cache(maxsize=None)
def compiled(kind: str, path: str) -> relaxng.Schema:
    """Compile the schema of kind (OCF_11, METADATA_RNG or RA_API_DTD) stored at path."""
    if kind == RA_API_DTD:
        return dtd.load(path, "resource-agent")
    return relaxng.load(path)


def ocf11(path: Optional[str] = None) -> relaxng.Schema:
    return compiled(OCF_11, path or ocf11_path())

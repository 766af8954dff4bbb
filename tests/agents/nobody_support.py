"""Run the checkout's harness as the unprivileged user nobody, from copies any user can read.

Under tox the imported harness is the wheel's copy in the venv, and a clone may live under
/root, which nobody cannot enter: copies of the packages and the system interpreter serve
wherever the clone and the venv are.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
DROP_TO_NOBODY = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
SYSTEM_PYTHON = "/usr/bin/python3"


def readable_checkout(where: pathlib.Path) -> pathlib.Path:
    """Copies of harness/ and ocfpy/ in ``where`` (made enterable by anyone); the PYTHONPATH."""
    where.chmod(0o755)
    for package in ("harness", "ocfpy"):
        shutil.copytree(REPO / package, where / package, ignore=shutil.ignore_patterns("__pycache__"))
    return where


def python_as_nobody() -> list:
    """The argv prefix that runs Python as nobody when root (else as the current user)."""
    if os.geteuid() == 0:
        return DROP_TO_NOBODY + [SYSTEM_PYTHON]
    return [sys.executable]

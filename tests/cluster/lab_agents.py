"""The agents the cluster tier runs: ocf:ocfpy:* by default; ocf:pacemaker:* prove the lab itself."""

from __future__ import annotations

import os

DUMMY = os.environ.get("OCFPY_LAB_DUMMY", "ocf:ocfpy:Dummy")
STATEFUL = os.environ.get("OCFPY_LAB_STATEFUL", "ocf:ocfpy:Stateful")

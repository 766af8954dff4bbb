"""What the cluster tier runs: ocf:ocfpy:* agents by default (ocf:pacemaker:* prove the lab itself)."""

from __future__ import annotations

import os

DUMMY = os.environ.get("OCFPY_LAB_DUMMY", "ocf:ocfpy:Dummy")
STATEFUL = os.environ.get("OCFPY_LAB_STATEFUL", "ocf:ocfpy:Stateful")
# the guide's 120 s works too (OCFPY_LAB_INTERVAL=120); the tier then takes about 2 min longer
INTERVAL = int(os.environ.get("OCFPY_LAB_INTERVAL", "5"))

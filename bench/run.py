#!/usr/bin/env python3
"""Run the benchmarks: every bench/bench_*.py, or those named (``python3 bench/run.py agents execd``)."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv: list) -> int:
    scripts = sorted(glob.glob(os.path.join(HERE, "bench_*.py")))
    if argv:
        wanted = {f"bench_{name}.py" for name in argv}
        scripts = [script for script in scripts if os.path.basename(script) in wanted]
    failed = 0
    for script in scripts:
        print(f"\n######## {os.path.basename(script)}", flush=True)
        failed += subprocess.run([sys.executable, script], check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

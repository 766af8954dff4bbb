#!/usr/bin/env python3
"""Executor cost per action: harness.execd.run() against a bare spawn of the same agent and against
`crm_resource --force-check` on it, measured round-robin in one run. Target: at most 2 ms added.

    python3 bench/bench_execd.py [ROUNDS]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness.execd import Operation, run  # noqa: E402

TARGET_ADDED_MS = 2.0
AGENT = "#!/bin/sh\necho ok\nexit 0\n"
RESOURCE_D = "/usr/lib/ocf/resource.d"


def _write_agent(directory: str) -> str:
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "Bench")
    with open(path, "w") as handle:
        handle.write(AGENT)
    os.chmod(path, 0o755)
    return path


def _bare(path: str) -> None:
    subprocess.run([path, "monitor"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)


def _crm_resource_setup(tmp: str):
    """An installed throwaway provider and an offline CIB with one primitive; None if not possible."""
    if os.geteuid() != 0 or shutil.which("crm_resource") is None or shutil.which("cibadmin") is None:
        return None
    provider = f"ocfpybench{os.getpid()}"
    _write_agent(os.path.join(RESOURCE_D, provider))
    cib = os.path.join(tmp, "cib.xml")
    with open(cib, "wb") as handle:
        handle.write(subprocess.run(["cibadmin", "--empty"], capture_output=True, check=True).stdout)
    primitive = ET.Element("primitive", id="bench", provider=provider, type="Bench", **{"class": "ocf"})
    subprocess.run(["cibadmin", "--create", "-o", "resources", "--xml-text", ET.tostring(primitive, encoding="unicode")],
                   env=dict(os.environ, CIB_file=cib), check=True, capture_output=True)
    return provider, dict(os.environ, CIB_file=cib)


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000.0


def main(argv: list) -> int:
    rounds = int(argv[0]) if argv else 300
    tmp = tempfile.mkdtemp(prefix="ocfpy-bench-execd-")
    crm = None
    try:
        path = _write_agent(os.path.join(tmp, "bench"))
        op = Operation("ocf:bench:Bench", "monitor", ra_path=tmp)
        crm = _crm_resource_setup(tmp)
        samples = {"bare spawn": [], "harness run()": [], "crm_resource --force-check": []}
        for _ in range(20):  # warm-up: page cache, imports, first fork
            _bare(path), run(op)
        for i in range(rounds):
            samples["bare spawn"].append(_timed(lambda: _bare(path)))
            samples["harness run()"].append(_timed(lambda: run(op)))
            if crm is not None and i % 5 == 0:  # crm_resource is slow; every fifth round is plenty
                samples["crm_resource --force-check"].append(_timed(lambda: subprocess.run(
                    ["crm_resource", "-r", "bench", "--force-check"], env=crm[1], capture_output=True)))
        _report(rounds, samples)
    finally:
        if crm is not None:
            shutil.rmtree(os.path.join(RESOURCE_D, crm[0]), ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _report(rounds: int, samples: dict) -> None:
    print(f"command: python3 bench/bench_execd.py {rounds}   (agent: /bin/sh, echo + exit 0; round-robin)")
    print(f"{'runner':<28} {'n':>5} {'median ms':>10} {'mean ms':>9} {'p90 ms':>8}")
    medians = {}
    for name, values in samples.items():
        if not values:
            print(f"{name:<28} skipped (needs root, crm_resource and cibadmin)")
            continue
        values = sorted(values)
        medians[name] = statistics.median(values)
        p90 = values[int(len(values) * 0.9) - 1]
        print(f"{name:<28} {len(values):>5} {medians[name]:>10.3f} {statistics.mean(values):>9.3f} {p90:>8.3f}")
    harness, bare = medians["harness run()"], medians["bare spawn"]
    added = harness - bare
    verdict = "within" if added <= TARGET_ADDED_MS else "OVER"
    print(f"harness / bare spawn: {harness / bare:.2f}x; added per action {added:.3f} ms "
          f"({verdict} the {TARGET_ADDED_MS:.0f} ms target)")
    if "crm_resource --force-check" in medians:
        print(f"harness / crm_resource --force-check: {harness / medians['crm_resource --force-check']:.2f}x")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

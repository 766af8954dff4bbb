"""Real ocf-tester 4.12 on the broken-agent corpus; the docs/validator.md table is checked against it.

OCFPY_WRITE_DOCS=1 rewrites the table instead of comparing (then review and commit the diff).
"""

from __future__ import annotations

import os
import pathlib
import re
import secrets
import shutil
import signal
import subprocess
import tempfile

import pytest

from harness.check import hygiene
from harness.check.session import TOKEN_VARIABLE

REPO = pathlib.Path(__file__).resolve().parent.parent.parent
BROKEN = REPO / "tests" / "data" / "broken-agents"
DOC = REPO / "docs" / "validator.md"
BEGIN, END = "<!-- defect-table:begin -->", "<!-- defect-table:end -->"
HANG_S = 20

pytestmark = [
    pytest.mark.skipif(shutil.which("ocf-tester") is None, reason="ocf-tester (Debian resource-agents) is not installed"),
    pytest.mark.skipif(os.geteuid() != 0, reason="ocf-tester's meta-data-as-nobody step runs only as root"),
]


def header(path: pathlib.Path, key: str, default: str = "") -> str:
    match = re.search(rf"^# {key}: (.*)$", path.read_text(), re.M)
    return match.group(1) if match else default


@pytest.fixture(scope="module")
def corpus():
    """A copy of the corpus that `nobody` can run (ocf-tester's permission step), wherever the clone is."""
    root = pathlib.Path(tempfile.mkdtemp(prefix="ocfpy-ocf-tester-"))
    os.chmod(root, 0o755)
    shutil.copytree(BROKEN, root / "broken-agents")
    yield root / "broken-agents"
    shutil.rmtree(root, ignore_errors=True)


def agents(directory: pathlib.Path) -> list:
    return sorted(p for p in directory.iterdir() if p.is_file() and not p.name.endswith(".sh"))


def run_ocf_tester(agent: pathlib.Path, tmp_path: pathlib.Path) -> str:
    """What ocf-tester made of the agent, as one table cell."""
    token = secrets.token_hex(8)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HA_RSCTMP": str(tmp_path), TOKEN_VARIABLE: token}
    proc = subprocess.Popen(["ocf-tester", "-n", "ocftest", str(agent)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, cwd=str(tmp_path))
    try:
        output, _ = proc.communicate(timeout=HANG_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return f"**hangs** (killed after {HANG_S} s)"
    finally:
        for pid, *_rest in hygiene.agent_processes(token):
            os.kill(pid, signal.SIGKILL)
    if proc.returncode == 0:
        return "**missed** (passed all tests)"
    failures = [line[2:] for line in output.decode(errors="replace").splitlines()
                if line.startswith("* ") and "(optional)" not in line]
    return f"caught: `{failures[0]}`" if failures else f"caught (exit {proc.returncode})"


def table(rows: list) -> str:
    lines = ["| agent | defect | ocf-tester 4.12 | ocfpy-check (finding) |", "| --- | --- | --- | --- |"]
    for name, defect, tester, caught_by, severity in rows:
        if caught_by == "nothing":
            tester, ours = tester.replace("**missed** (passed all tests)", "passes"), "passes (control)"
        else:
            ours = ", ".join(f"`{c}`" for c in caught_by.split()) + (f" ({severity})" if severity != "error" else "")
        lines.append(f"| {name} | {defect} | {tester} | {ours} |")
    defects = [r for r in rows if r[3] != "nothing"]
    missed = sum(1 for r in defects if not r[2].startswith("caught"))
    lines.append("")
    lines.append(f"ocf-tester catches {len(defects) - missed} of {len(defects)} defects; "
                 f"ocfpy-check catches {len(defects)} of {len(defects)} (each by the finding named).")
    return "\n".join(lines)


def test_docs_table_matches_real_ocf_tester(tmp_path, corpus):
    rows = []
    for agent in agents(corpus):
        workdir = tmp_path / agent.name
        workdir.mkdir()
        os.chmod(workdir, 0o777)
        rows.append((agent.name, header(agent, "defect"), run_ocf_tester(agent, workdir),
                     header(agent, "caught-by"), header(agent, "severity", "error")))
    generated = table(rows)
    text = DOC.read_text()
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    if os.environ.get("OCFPY_WRITE_DOCS") == "1":
        text = text[:start] + "\n" + generated + "\n" + text[stop:]
        DOC.write_text(text)
        start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    assert text[start:stop].strip() == generated.strip(), "docs/validator.md is stale; rerun with OCFPY_WRITE_DOCS=1"


def test_good_control_agent_passes_ocf_tester(tmp_path, corpus):
    os.chmod(tmp_path, 0o777)
    assert run_ocf_tester(corpus / "Good", tmp_path) == "**missed** (passed all tests)"

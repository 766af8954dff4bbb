"""The agent in docs/writing-agents.md works as written: extracted, installed in a tmp dir, run."""

from __future__ import annotations

import os
import re

from ocfpy.process import process_alive

GUIDE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "docs", "writing-agents.md")


def guide_agent(tmp_path):
    with open(GUIDE, encoding="utf-8") as handle:
        blocks = re.findall(r"```python\n(.*?)```", handle.read(), re.S)
    path = tmp_path / "Sleeper"
    path.write_text(blocks[0])
    path.chmod(0o755)
    return str(path)


def test_the_guides_agent_runs_its_lifecycle(run_agent, tmp_path, rsctmp):
    agent = guide_agent(tmp_path)
    assert run_agent(agent, "meta-data").rc == 0
    assert run_agent(agent, "monitor").rc == 7
    assert run_agent(agent, "start", params={"seconds": "120"}).rc == 0
    assert run_agent(agent, "monitor", interval_ms=10000).rc == 0
    pidfile = next(rsctmp.iterdir())
    pid = int(pidfile.read_text().split()[0])
    assert process_alive(pid)
    assert run_agent(agent, "stop").rc == 0
    assert not process_alive(pid)
    gone = run_agent(agent, "monitor", interval_ms=10000)
    assert gone.rc == 7 and gone.exit_reason == "the sleep process is gone"


def test_the_guides_agent_refuses_bad_input(run_agent, tmp_path):
    result = run_agent(guide_agent(tmp_path), "start", params={"seconds": "0"})
    assert result.rc == 6 and result.exit_reason == "seconds: 0 is less than 1"

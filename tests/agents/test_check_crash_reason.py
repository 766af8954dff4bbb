"""A failure with no exit reason names the last line the agent wrote on stderr, and what to fix."""

from __future__ import annotations

import sys

from harness.check.runner import check_agent
from harness.check.session import Config


def write_agent(tmp_path, body: str):
    agent = tmp_path / "Crashes"
    agent.write_text(f"#!{sys.executable} -SI\n{body}")
    agent.chmod(0o755)
    return agent


def test_an_ocfpy_agent_without_its_library_is_told_to_set_pythonpath(tmp_path):
    agent = write_agent(tmp_path, "import ocfpy\n")  # isolated: no PYTHONPATH, no site-packages

    log = check_agent(Config(agent=str(agent), extra_env={"HA_RSCTMP": str(tmp_path)}, jobs=1,
                             robustness=False, max_time_s=60))

    [finding] = log.by_check("metadata.exit")
    assert finding.message.endswith("expected 0; its stderr ends: ModuleNotFoundError: No module named 'ocfpy'")
    assert finding.fix.startswith("an agent written with ocfpy needs the library: -E PYTHONPATH=DIR")


def test_any_other_crash_shows_its_last_line_and_keeps_the_check_fix(tmp_path):
    agent = write_agent(tmp_path, "import sys\nprint('starting', file=sys.stderr)\nraise SystemExit('config '"
                                  " + 'x' * 300)\n")

    log = check_agent(Config(agent=str(agent), extra_env={"HA_RSCTMP": str(tmp_path)}, jobs=1,
                             robustness=False, max_time_s=60))

    [finding] = log.by_check("metadata.exit")
    assert finding.message.endswith("; its stderr ends: config " + "x" * 150 + "...")
    assert finding.fix == "meta-data must exit 0 without root, parameters or a cluster"

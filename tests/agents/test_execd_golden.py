"""Fidelity against the real pacemaker-execd 2.1.5 (issue 3 item 5a, H19).

tests/data/execd-golden/ holds what EnvProbe recorded when the real pacemaker-execd ran it (driven
through liblrmd, see the README there), and execd's reported rc, status, exit reason and output.
Here the harness runs the same agent with the same inputs and every variable is compared; pids,
pipe inodes, the agent's directory and the dump directory are the only things normalised away.
"""

from __future__ import annotations

import os
import shutil

import pytest
from execd_golden import (CONTROLLER_PARAMS, DEBUG_LOG_VARIABLES, GOLDEN, PROBE_AGENT, golden_results,
                          operation_fields, read_dump)
from execd_support import write_agent

from harness.execd import Operation, run
from harness.execd.ipc import escape_ipc_value

RESULTS = golden_results()
DUMPED = sorted(name for name in RESULTS if (GOLDEN / name).is_dir())


@pytest.fixture
def ra_path(tmp_path):
    """The golden agents in a private OCF_RA_PATH: EnvProbe and the three broken ones."""
    root = tmp_path / "ra"
    (root / "ocfpyprobe").mkdir(parents=True)
    shutil.copy(PROBE_AGENT, root / "ocfpyprobe" / "EnvProbe")
    write_agent(root, "NotExec", "#!/bin/sh\nexit 0\n", mode=0o644, provider="ocfpyprobe")
    write_agent(root, "BadInterp", "#!/nonexistent/interp\nexit 0\n", provider="ocfpyprobe")
    write_agent(root, "NoShebang", 'echo "no shebang $1"\nexit 3\n', provider="ocfpyprobe")
    return root


def _run_scenario(name, ra_path, dump_dir):
    scenario = RESULTS[name]
    fields = operation_fields(scenario)
    fields["params"] = {k: (str(dump_dir) if k == "dump_dir" else v) for k, v in fields["params"].items()}
    if "dump_dir" not in fields["params"]:
        fields["params"]["dump_dir"] = str(dump_dir)
    return run(Operation(scenario["agent"], ra_path=str(ra_path), **fields))


@pytest.mark.parametrize("name", DUMPED)
def test_agent_sees_what_it_saw_under_the_real_execd(name, ra_path, tmp_path):
    dump_dir = tmp_path / "dump"
    action = RESULTS[name]["action"]
    golden = read_dump(GOLDEN / name, action, "/usr/lib/ocf/resource.d/ocfpyprobe/EnvProbe")
    if os.getuid() != 0 and golden["process uid"] == "0":
        pytest.skip("the golden dumps were taken as root, as execd runs agents")

    _run_scenario(name, ra_path, dump_dir)

    harness = read_dump(dump_dir, action, str(ra_path / "ocfpyprobe" / "EnvProbe"))
    for variable in DEBUG_LOG_VARIABLES:
        golden.pop(f"env {variable}", None)
    assert {k: harness.get(k) for k in golden} == golden
    assert sorted(set(harness) - set(golden)) == []


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_result_is_what_execd_reported(name, ra_path, tmp_path):
    expected = RESULTS[name]

    result = _run_scenario(name, ra_path, tmp_path / "dump")

    assert (result.rc, int(result.status), result.exit_reason) == (
        expected["rc"], expected["op_status"], expected["exit_reason"])
    # execd escapes the output it returns over IPC, as it does parameter values
    output = escape_ipc_value("output", result.output.decode()) if result.output else None
    assert output == expected["output_ipc_escaped"]


def test_the_golden_data_covers_the_controllers_parameters():
    """Guard against a capture that silently lost what lrmd_probe was given."""
    for name in DUMPED:
        given = {pair.split("=", 1)[0] for pair in RESULTS[name]["params"]}
        env = read_dump(GOLDEN / name, RESULTS[name]["action"], "")
        assert {f"env OCF_RESKEY_{p}" for p in given - {"OCF_CHECK_LEVEL"}} <= set(env)
    assert CONTROLLER_PARAMS <= {k[len("env OCF_RESKEY_"):] for k in
                                 read_dump(GOLDEN / "probe", "monitor", "")}

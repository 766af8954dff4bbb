"""The executor runs a real agent: argv, code, exit reason, output and the not-installed path."""

from __future__ import annotations

from execd_support import shell_agent

from harness.execd import ExecStatus, Operation, run


def test_runs_agent_with_exact_argv_and_reports_code_reason_and_output(tmp_path):
    agent = shell_agent(tmp_path, "Args", """
        printf '%s|' "$0" "$#" "$@"
        echo "ocf-exit-reason:it is down" >&2
        exit 7
    """)

    result = run(Operation(agent, "monitor", ra_path=str(tmp_path)))

    assert result.stdout == f"{tmp_path}/t/Args|1|monitor|".encode()
    assert (result.rc, result.agent_exit, result.status) == (7, 7, ExecStatus.DONE)
    assert result.exit_reason == "it is down"
    assert result.output == result.stderr == b"ocf-exit-reason:it is down\n"
    assert result.pid and result.signal is None and result.elapsed > 0


def test_missing_agent_is_not_installed_without_forking(tmp_path):
    result = run(Operation("ocf:t:Missing", "start", ra_path=str(tmp_path)))

    assert (result.rc, result.status, result.pid) == (5, ExecStatus.NOT_INSTALLED, None)
    assert result.exit_reason == "Missing: No such file or directory"


def test_extra_args_follow_the_action_only_when_asked(tmp_path):
    agent = shell_agent(tmp_path, "Args", 'printf "%s|" "$#" "$@"')

    plain = run(Operation(agent, "start", ra_path=str(tmp_path)))
    extra = run(Operation(agent, "start", extra_args=("extra", "more"), ra_path=str(tmp_path)))

    assert (plain.stdout, extra.stdout) == (b"1|start|", b"3|start|extra|more|")

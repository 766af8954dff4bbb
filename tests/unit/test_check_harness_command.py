"""`ocfpy-harness` without a command is a usage error: usage on stderr, exit 2; -h is help on stdout."""

from __future__ import annotations

from harness import cli


def test_no_command_prints_usage_on_stderr_and_exits_2(capsys):
    status = cli.main([])

    out, err = capsys.readouterr()
    assert status == 2 and out == "" and err.startswith("usage: ocfpy-harness COMMAND")


def test_help_prints_usage_on_stdout_and_exits_0(capsys):
    status = cli.main(["--help"])

    out, err = capsys.readouterr()
    assert status == 0 and err == "" and "check" in out

"""A reason longer than Pacemaker keeps: its long words (paths, UUIDs) lose their middle so
that its cause, at the end, is kept, and the whole of it goes to the log and to stderr."""

from __future__ import annotations

from ocfpy import Agent, OCFError, Parameter
from ocfpy.reason import REASON_LIMIT, reason_line, shorten_words

MOUNT_FAILED = ("cannot mount UUID=d62526bc-c765-497c-8c3c-3695cd1164f8 on "
                "/var/tmp/adm-fs/shared-application-data: /dev/loop1 already mounted or mount "
                "point busy (mount exited 32)")


def test_the_cause_at_the_end_of_a_long_reason_is_kept():
    line = reason_line(MOUNT_FAILED)

    assert len(line) - len(b"ocf-exit-reason:\n") <= REASON_LIMIT
    assert line.endswith(b": /dev/loop1 already mounted or mount point busy (mount exited 32)\n")
    assert b"UUID=d62...3695cd1164f8 on /var/tmp...cation-data:" in line


def test_a_reason_that_fits_keeps_its_long_words():
    message = "cannot find the device: no device has uuid d62526bc-c765-497c-8c3c-3695cd1164f8"

    assert shorten_words(message) == message


def test_short_words_alone_are_cut_at_the_end_as_before():
    message = " ".join(["word"] * 60)

    line = reason_line(message)

    assert line.endswith(b"...\n") and len(line) == len(b"ocf-exit-reason:\n") + REASON_LIMIT


def failing_agent(message):
    agent = Agent("T", version="1", shortdesc="test",
                  parameters=[Parameter("p", shortdesc="p")])

    @agent.action("start")
    def start(ctx):
        raise OCFError(message)
    return agent


def test_the_whole_of_a_long_reason_is_logged_before_the_shortened_one(capfd, tmp_path):
    log = tmp_path / "agent.log"

    code = failing_agent(MOUNT_FAILED).main(["T", "start"], {"PCMK_logfile": str(log)})

    lines = capfd.readouterr().err.splitlines()
    assert code == 1
    assert lines == [f"ERROR: {MOUNT_FAILED}", reason_line(MOUNT_FAILED).decode().rstrip("\n")]
    assert log.read_text().rstrip("\n").endswith(f"ERROR: {MOUNT_FAILED}")


def test_a_reason_that_fits_is_written_once(capfd):
    code = failing_agent("short").main(["T", "start"], {})

    assert (code, capfd.readouterr().err) == (1, "ocf-exit-reason:short\n")

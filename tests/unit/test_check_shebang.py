"""What the validator reads from an agent file's first line before running it."""

from __future__ import annotations

import pytest

from harness.check import shebang


@pytest.mark.parametrize("head, crlf, missing", [
    (b"#!/bin/sh\nexit 0\n", False, False),
    (b"#!/bin/sh\r\nexit 0\r\n", True, False),
    (b"#!/usr/bin/env python3\r\n", True, False),
    (b"\x7fELF\x02\x01\x01\x00", False, False),
    (b"# an agent\nexit 0\n", False, True),
    (b"", False, True),
])
def test_first_line_verdicts(tmp_path, head, crlf, missing):
    agent = tmp_path / "Agent"
    agent.write_bytes(head)

    line = shebang.first_line(str(agent))

    assert (shebang.carriage_return(line), shebang.missing(line)) == (crlf, missing)


def test_an_unreadable_file_has_no_verdict(tmp_path):
    line = shebang.first_line(str(tmp_path / "gone"))

    assert line is None and not shebang.carriage_return(line) and not shebang.missing(line)

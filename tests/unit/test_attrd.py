"""attrd_updater as agents use it: value and delay together (-B -d), failures as rc 1 or 5 with one line."""

from __future__ import annotations

import pytest

from ocfpy import attrd
from ocfpy.errors import NotInstalled, OCFError


def tool(directory, body):
    path = directory / "attrd_updater"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)
    return str(path)


def test_updates_set_value_and_dampening_together_never_with_U():
    argv = attrd.update_argv("attrd_updater", "pingd", "200", 5000)

    assert argv == ["attrd_updater", "-n", "pingd", "-B", "200", "-d", "5000ms"]
    assert "-U" not in argv and "-v" not in argv


def test_delete_delay_and_query_commands():
    assert attrd.delete_argv("a", "pingd", 0) == ["a", "-D", "-n", "pingd", "-d", "0ms"]
    assert attrd.delay_argv("a", "pingd", 1500) == ["a", "-Y", "-n", "pingd", "-d", "1500ms"]
    assert attrd.query_argv("a", "pingd") == ["a", "-Q", "-n", "pingd"]


def test_the_tool_is_found_on_path_first_then_in_ha_sbin_dir(tmp_path):
    first, sbin = tmp_path / "first", tmp_path / "sbin"
    first.mkdir()
    sbin.mkdir()
    in_sbin = tool(sbin, "exit 0")

    assert attrd.find_tool({"PATH": str(tmp_path / "none"), "HA_SBIN_DIR": str(sbin)}) == in_sbin
    assert attrd.find_tool({"PATH": str(first), "HA_SBIN_DIR": str(sbin)}) == in_sbin
    on_path = tool(first, "exit 0")
    assert attrd.find_tool({"PATH": str(first), "HA_SBIN_DIR": str(sbin)}) == on_path


def test_a_missing_tool_is_not_installed():
    with pytest.raises(NotInstalled, match="attrd_updater-missing not found"):
        attrd.find_tool({"PATH": "/nonexistent"}, name="attrd_updater-missing")


def test_attrd_down_is_rc_1_with_its_reason_never_102(tmp_path):
    down = tool(tmp_path, 'echo "attrd_updater: Could not update pingd=0: Connection refused (111)" >&2\n'
                          "exit 102")

    with pytest.raises(OCFError) as error:
        attrd.run([down, "-n", "pingd", "-B", "0", "-d", "5000ms"], "cannot set pingd=0")

    assert error.value.rc == 1
    assert error.value.reason == ("cannot set pingd=0: attrd_updater exited with 102: "
                                  "attrd_updater: Could not update pingd=0: Connection refused (111)")


def test_success_returns_quietly(tmp_path):
    attrd.run([tool(tmp_path, "exit 0"), "-Q", "-n", "pingd"], "query")


@pytest.mark.parametrize("left, kept", [(60.0, 2.0), (6.0, 1.8), (1.0, 0.3), (0.5, 0.15)])
def test_the_time_kept_for_attrd_updater_is_2_s_or_a_share_of_a_short_action(left, kept):
    assert attrd.reserve(left) == pytest.approx(kept)


def test_near_the_deadline_attrd_updater_still_runs_and_is_killed_half_way_to_it(tmp_path):
    import time

    quick, slow = tmp_path / "quick", tmp_path / "slow"
    quick.mkdir()
    slow.mkdir()
    attrd.run([tool(quick, "exit 0"), "-Q", "-n", "pingd"], "query",
              deadline=time.monotonic() + 0.4)  # a fixed 1 s margin would leave it no time
    started = time.monotonic()
    with pytest.raises(OCFError, match="query"):
        attrd.run([tool(slow, "sleep 5"), "-Q", "-n", "pingd"], "query", deadline=started + 0.4)

    assert time.monotonic() - started < 0.35

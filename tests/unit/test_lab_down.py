"""`down` deletes only what a lab wrote: a mistyped --state-dir is left alone, a lab's own leftovers go."""

from __future__ import annotations

from harness.lab import lab


def test_a_directory_that_is_no_lab_state_is_left_alone(tmp_path):
    state = tmp_path / "important"
    state.mkdir()
    (state / "data.txt").write_text("keep me")

    problems = lab.down(str(state))

    assert problems == [f"{state} is not a lab's state dir; not touching it"]
    assert (state / "data.txt").read_text() == "keep me"


def test_leftovers_of_an_up_that_died_early_are_removed(tmp_path):
    state = tmp_path / "ocfpytleft"
    (state / "node1" / "var-log").mkdir(parents=True)
    (state / "hosts").write_text("127.0.0.1 localhost\n")

    problems = lab.down(str(state))

    assert problems == []
    assert not state.exists()


def test_nothing_to_do_when_no_lab_was_ever_up(tmp_path):
    assert lab.down(str(tmp_path / "ocfpytnone")) == []

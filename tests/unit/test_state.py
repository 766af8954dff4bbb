"""ocfpy.state: per-instance file names, atomic writes, symlinks refused, no torn files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import ocfpy
from ocfpy.environment import Environment
from ocfpy.errors import InvalidArgument, OCFError, WrongKind
from ocfpy.state import (StateFile, check_can_create, read_regular, regular_file_exists,
                         remove_if_present, safe_name, temporary_path, write_atomic)

PACKAGE_PARENT = str(Path(ocfpy.__file__).resolve().parent.parent)


def environment(rsctmp, instance="db", **meta) -> Environment:
    mapping = {"OCF_RESOURCE_INSTANCE": instance}
    if rsctmp is not None:
        mapping["HA_RSCTMP"] = str(rsctmp)
    mapping.update({f"OCF_RESKEY_CRM_meta_{key}": value for key, value in meta.items()})
    return Environment(mapping)


@pytest.fixture
def umask_0026():
    old = os.umask(0o026)  # pacemaker-execd's umask
    yield
    os.umask(old)


# --- names ----------------------------------------------------------------------------------
@pytest.mark.parametrize("instance, meta, suffix, name", [
    ("db", {}, "state", "Dummy-db.state"),
    ("db", {}, "pid", "Dummy-db.pid"),
    ("", {}, "state", "Dummy-default.state"),
    # globally-unique clone: Pacemaker passes id:N; a tool that leaves :N out gets it added
    ("db:2", {"clone": "2", "clone_max": "3", "globally_unique": "true"}, "state", "Dummy-db:2.state"),
    ("db", {"clone": "2", "clone_max": "3", "globally_unique": "true"}, "state", "Dummy-db:2.state"),
    # anonymous clone: one instance per node, keyed by the bare id
    ("db", {"clone": "1", "clone_max": "3", "globally_unique": "false"}, "state", "Dummy-db.state"),
    # hostile ids stay one file name inside the directory
    ("../../etc/passwd", {}, "state", "Dummy-%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.state"),
    ("a/b", {}, "state", "Dummy-a%2Fb.state"),
    ("a%2Fb", {}, "state", "Dummy-a%252Fb.state"),
    ("..", {}, "state", "Dummy-%2E%2E.state"),
    ("x y\nz", {}, "state", "Dummy-x%20y%0Az.state"),
    ("db", {}, "../x", "Dummy-db.%2E%2E%2Fx"),
])
def test_instance_file_name(tmp_path, instance, meta, suffix, name):
    state = StateFile.for_instance(environment(tmp_path, instance, **meta), "Dummy", suffix)
    assert state.path == os.path.join(str(tmp_path), name)
    assert os.path.dirname(state.path) == str(tmp_path)


def test_default_directory_is_run_resource_agents():
    assert StateFile.for_instance(environment(None), "Dummy").path == "/run/resource-agents/Dummy-db.state"


@pytest.mark.parametrize("first, second", [("a/b", "a%2Fb"), ("a..b", "a%2E%2Eb"), ("a b", "a%20b")])
def test_encoding_never_maps_two_ids_to_one_name(first, second):
    assert safe_name(first) != safe_name(second)


# --- reading and writing --------------------------------------------------------------------
def test_write_read_exists_remove(tmp_path):
    state = StateFile.for_instance(environment(tmp_path), "Dummy")
    assert (state.exists(), state.read()) == (False, None)
    state.write("running\nline 2 ü\n")
    assert (state.exists(), state.read()) == (True, "running\nline 2 ü\n")
    state.write("second")
    assert state.read() == "second"
    state.remove()
    state.remove()  # a missing file is fine
    assert (state.exists(), state.read()) == (False, None)
    assert os.listdir(tmp_path) == []  # no temporary file left behind


def test_missing_directory_is_created_0755_and_file_is_0640_under_execd_umask(tmp_path, umask_0026):
    rsctmp = tmp_path / "run" / "resource-agents"
    state = StateFile.for_instance(environment(rsctmp), "Dummy")
    state.write("x")
    assert stat.S_IMODE(rsctmp.stat().st_mode) == 0o755
    assert stat.S_IMODE(os.stat(state.path).st_mode) == 0o640


@pytest.mark.parametrize("where", ["path", "temporary path"])
def test_symlink_at_the_state_path_is_refused_and_its_target_untouched(tmp_path, where):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    state = StateFile.for_instance(environment(tmp_path / "rsc"), "Dummy")
    os.makedirs(tmp_path / "rsc")
    link = state.path if where == "path" else temporary_path(state.path)
    os.symlink(victim, link)
    with pytest.raises(OCFError, match="symbolic link"):
        state.write("overwritten")
    assert victim.read_text() == "precious\n"
    assert os.path.islink(link)


def test_symlink_is_neither_read_nor_counted_as_existing(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    state = StateFile(str(tmp_path / "Dummy-db.state"))
    os.symlink(victim, state.path)
    assert state.exists() is False
    with pytest.raises(OCFError, match="symbolic link"):
        state.read()
    state.remove()  # removes the link, never the target
    assert victim.read_text() == "precious\n" and not os.path.lexists(state.path)


def test_fifo_at_the_path_is_refused_without_blocking(tmp_path):
    state = StateFile(str(tmp_path / "Dummy-db.state"))
    os.mkfifo(state.path)
    with pytest.raises(OCFError, match="a fifo as a file"):
        state.read()
    with pytest.raises(OCFError, match="a fifo as a file"):
        state.write("x")


def make_kind(path, kind):
    if kind == "directory":
        os.mkdir(path)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "symbolic link":
        os.symlink("/etc/hostname", path)
    else:
        import socket

        listener = socket.socket(socket.AF_UNIX)
        listener.bind(str(path))
        listener.close()


@pytest.mark.parametrize("kind", ["directory", "fifo", "symbolic link", "socket"])
def test_a_path_of_the_wrong_kind_is_a_one_line_wrong_kind_from_every_function(tmp_path, kind):
    path = tmp_path / "Dummy-db.state"
    make_kind(path, kind)
    for use in (regular_file_exists, read_regular, lambda p: write_atomic(p, b"x")):
        with pytest.raises(WrongKind) as caught:
            use(str(path))
        assert caught.value.rc == 2 and f"a {kind} as a file: {path}" in caught.value.reason
        assert "\n" not in caught.value.reason
    assert os.path.lexists(path)


def test_removing_a_directory_is_refused_and_other_kinds_are_unlinked(tmp_path):
    directory = tmp_path / "dir"
    directory.mkdir()
    with pytest.raises(WrongKind, match="refusing to remove a directory"):
        remove_if_present(str(directory))
    assert directory.is_dir()
    os.mkfifo(tmp_path / "fifo")
    remove_if_present(str(tmp_path / "fifo"))
    assert not os.path.lexists(tmp_path / "fifo")


@pytest.mark.parametrize("setup, error, words", [
    ("nothing", None, None),
    ("file", None, None),
    ("directory", WrongKind, "state: refusing to use"),
    ("fifo", WrongKind, "state: refusing to use a fifo as a file"),
    ("missing parent", InvalidArgument, "state: cannot create"),
])
def test_validators_learn_why_a_file_cannot_be_created(tmp_path, setup, error, words):
    path = tmp_path / ("missing/x" if setup == "missing parent" else "x")
    if setup == "file":
        path.write_text("")
    elif setup in ("directory", "fifo"):
        make_kind(path, setup)
    if error is None:
        check_can_create("state", str(path))
    else:
        with pytest.raises(error, match=words):
            check_can_create("state", str(path))


def test_stale_temporary_file_of_a_killed_writer_is_replaced(tmp_path):
    state = StateFile(str(tmp_path / "Dummy-db.state"))
    Path(temporary_path(state.path)).write_text("half writ")
    state.write("whole")
    assert state.read() == "whole" and os.listdir(tmp_path) == ["Dummy-db.state"]


def dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                           text=True, check=True)
    return int(child.stdout)  # reaped: no process has it (until the kernel reuses it)


@pytest.mark.parametrize("finish", ["write", "remove"])
def test_temporaries_of_writers_killed_before_their_rename_go_with_the_next_write_or_removal(tmp_path, finish):
    state = tmp_path / "Role-db.role"
    killed = tmp_path / f".Role-db.role.{dead_pid()}-140034694841024.tmp"
    alive = tmp_path / f".Role-db.role.1-140034694841024.tmp"  # pid 1: a live writer's, kept
    other = tmp_path / f".Role-db.other.{dead_pid()}-1.tmp"    # another file's: not ours to judge
    for path in (killed, alive, other):
        path.write_text("half writ")

    write_atomic(str(state), b"Promoted")
    if finish == "remove":
        killed.write_text("half writ")
        remove_if_present(str(state))

    assert sorted(os.listdir(tmp_path)) == sorted([alive.name, other.name] + ([state.name] if finish == "write" else []))


def test_unwritable_directory_is_a_one_line_ocf_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OCFError) as caught:
        StateFile(str(blocker / "sub" / "x.state")).write("x")
    assert "\n" not in caught.value.reason and str(blocker) in caught.value.reason


# --- concurrency ----------------------------------------------------------------------------
WRITER = """
import sys
from ocfpy.state import StateFile
state = StateFile(sys.argv[1])
letter = sys.argv[2]
for _ in range(60):
    state.write(letter * 200000)
"""


def test_concurrent_writers_never_produce_a_torn_file(tmp_path):
    path = str(tmp_path / "Dummy-db.state")
    StateFile(path).write("a" * 200000)
    env = dict(os.environ, PYTHONPATH=PACKAGE_PARENT)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, path, letter], env=env)
               for letter in "bcd"]
    threads = [threading.Thread(target=_write_many, args=(path, letter)) for letter in "ef"]
    for thread in threads:
        thread.start()
    seen = set()
    reader = StateFile(path)
    while any(writer.poll() is None for writer in writers) or any(t.is_alive() for t in threads):
        text = reader.read()
        assert len(text) == 200000 and len(set(text)) == 1, "a reader saw a torn state file"
        seen.add(text[0])
    for thread in threads:
        thread.join()
    assert [writer.wait() for writer in writers] == [0, 0, 0]
    assert len(seen) >= 2  # the reader really raced the writers
    assert os.listdir(tmp_path) == ["Dummy-db.state"]


def _write_many(path: str, letter: str) -> None:
    state = StateFile(path)
    for _ in range(60):
        state.write(letter * 200000)


def test_nothing_can_exist_under_a_non_directory(tmp_path):
    from ocfpy.state import read_regular, regular_file_exists

    plain = tmp_path / "plain"
    plain.write_text("")
    assert regular_file_exists(str(plain / "child")) is False
    assert read_regular(str(plain / "child")) is None


def test_nothing_can_exist_at_a_name_too_long(tmp_path):
    from ocfpy.state import read_regular, regular_file_exists

    too_long = str(tmp_path / ("x" * 300))
    assert regular_file_exists(too_long) is False
    assert read_regular(too_long) is None

"""The installer's check after writing (env -i LAUNCHER meta-data, as root and as hacluster)
covers every agent of the command, so a failure of the first never leaves the others installed
unchecked, and names an interpreter hacluster may not run as the cause."""

from __future__ import annotations

import os

import pytest

from test_install import AGENTS, install, launcher, public_dir  # noqa: F401 (a fixture)


@pytest.mark.needs_root
def test_every_launcher_failing_the_check_is_removed_not_only_the_first(tmp_path, ocfpy_pythonpath,
                                                                        readable_agents):
    if os.geteuid() != 0:
        pytest.skip("the installer checks as hacluster only when run as root")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)  # hacluster cannot enter: every launcher fails the same way

    result = install(private / "ocf", ocfpy_pythonpath, *(os.path.join(readable_agents, name) for name in AGENTS))

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"{AGENTS[0]}: `env -i" in result.stderr and "as hacluster does not print its meta-data" in result.stderr
    assert f"; {', '.join(AGENTS[1:])} failed it too, launcher(s) removed" in result.stderr
    assert [name for name in AGENTS if os.path.exists(launcher(private / "ocf", name))] == []


@pytest.mark.needs_root
def test_an_interpreter_hacluster_may_not_run_is_named_as_the_cause(public_dir, tmp_path, ocfpy_pythonpath,
                                                                    readable_agents):
    if os.geteuid() != 0:
        pytest.skip("the installer checks as hacluster only when run as root")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    python = private / "python3"  # as /root/.pyenv's interpreters are: root's alone
    python.symlink_to("/usr/bin/python3")
    root = os.path.join(public_dir, "ocf")

    result = install(root, ocfpy_pythonpath, os.path.join(readable_agents, "Dummy"), options=("--python", str(python)))

    assert result.returncode == 1 and result.stderr.count("\n") == 1, result.stderr
    assert f"(hacluster may not run the interpreter {python}); launcher removed" in result.stderr
    assert not os.path.exists(launcher(root, "Dummy"))


def test_an_agent_whose_file_and_meta_data_names_differ_is_installed_with_a_warning(public_dir, ocfpy_pythonpath,
                                                                                    readable_agents):
    renamed = os.path.join(public_dir, "MyDummy")  # a copy of Dummy, renamed but not edited
    with open(os.path.join(readable_agents, "Dummy")) as source, open(renamed, "w") as copy:
        copy.write(source.read())
    root = os.path.join(public_dir, "ocf")

    result = install(root, ocfpy_pythonpath, renamed)

    assert result.returncode == 0 and os.path.exists(launcher(root, "MyDummy"))
    assert result.stderr == ("ocfpy.install: MyDummy's meta-data calls it 'Dummy': Pacemaker runs it as "
                             "ocf:ocfpy:MyDummy, and its logs and state files say 'Dummy' (name the file "
                             "after its Agent)\n")


def test_agents_named_after_their_files_install_without_a_word(public_dir, ocfpy_pythonpath, readable_agents):
    result = install(os.path.join(public_dir, "ocf"), ocfpy_pythonpath,
                     *(os.path.join(readable_agents, name) for name in AGENTS))

    assert (result.returncode, result.stderr) == (0, "")

"""ocfpy.install's choices made without running anything: interpreter flags, the launcher's
sys.path lines, where it finds its library, and refusals of unsafe names."""

from __future__ import annotations

import types

import pytest

from ocfpy.install import InstallError, Interpreter, Layout, install

PY39 = Interpreter("/usr/bin/python3.9", (3, 9))
PY311 = Interpreter("/usr/bin/python3", (3, 11))
LAYOUT = Layout.of("/usr/lib/ocf", "acme", "Sleeper")
COPY = "/usr/lib/ocf/lib/acme/python"


@pytest.mark.parametrize("interpreter, site, flags", [
    (PY311, False, "-sSP"), (PY311, True, "-sP"), (PY39, False, "-sS"), (PY39, True, "-s"),
])
def test_flags_are_chosen_for_the_interpreter_and_the_agents_imports(interpreter, site, flags):
    assert interpreter.flags(site) == flags


def run_path_setup(interpreter: Interpreter, site: bool, path: list) -> list:
    """What the launcher's sys.path lines make of ``path`` (sys.path as the interpreter set it)."""
    fake_sys = types.SimpleNamespace(path=list(path))
    exec(interpreter.path_setup(repr("/lib/x"), site), {"sys": fake_sys})
    return fake_sys.path


@pytest.mark.parametrize("interpreter, given", [
    (PY311, ["/usr/lib/python3.11"]),                              # -P: no launcher directory
    (PY39, ["/usr/lib/ocf/resource.d/acme", "/usr/lib/python3.9"]),  # 3.9 puts it first
])
def test_without_site_the_library_comes_after_the_standard_library_and_the_launchers_dir_goes(
        interpreter, given):
    assert run_path_setup(interpreter, False, given) == [given[-1], "/lib/x"]


@pytest.mark.parametrize("interpreter, given", [
    (PY311, ["/usr/lib/python3.11", "/usr/lib/python3/dist-packages"]),
    (PY39, ["/usr/lib/ocf/resource.d/acme", "/usr/lib/python3.9", "/usr/lib/python3.9/site-packages"]),
])
def test_with_site_the_library_comes_first_so_no_other_ocfpy_stands_in(interpreter, given):
    assert run_path_setup(interpreter, True, given) == ["/lib/x", *given[-2:]]


def test_the_library_copy_is_found_relative_to_the_launcher_so_the_tree_can_move():
    reference = LAYOUT.library_reference(COPY)

    found = eval(reference, {"os": __import__("os"), "__file__": "/mnt/node1/usr/lib/ocf/resource.d/acme/Sleeper"})

    assert "realpath(__file__)" in reference
    assert found == "/mnt/node1/usr/lib/ocf/lib/acme/python"


def test_a_library_named_by_the_packager_is_used_where_it_is():
    assert LAYOUT.library_reference("/usr/lib/python3.9/site-packages") == "'/usr/lib/python3.9/site-packages'"


def test_launcher_text_names_interpreter_flags_and_agent():
    text = LAYOUT.launcher_text(PY39, COPY, False).decode()

    assert text.startswith("#!/usr/bin/python3.9 -sS\n")
    assert "del sys.path[0]" in text and "'../../lib/acme/Sleeper.py'" in text
    compile(text, "launcher", "exec")


@pytest.mark.parametrize("options, message", [
    ({"provider": "a/b"}, "a provider"),
    ({"provider": ".hidden"}, "a provider"),
    ({"ocf_root": "relative/ocf"}, "OCF_ROOT"),
    ({"ocf_root": "/usr/lib/o'cf"}, "OCF_ROOT"),
    ({"python": "python3"}, "absolute path"),
    ({"python": "/usr/bin/python3 -sP"}, "the installer chooses the flags"),
    ({"python": "/usr/bin/python3\nimport os"}, "without spaces"),
    ({"library": "site-packages"}, "--library"),
])
def test_install_refuses_unsafe_names_before_touching_anything(tmp_path, options, message):
    arguments = {"root": str(tmp_path), "ocf_root": "/usr/lib/ocf", "provider": "ocfpy",
                 "python": "/usr/bin/python3"}
    arguments.update(options)

    with pytest.raises(InstallError, match=message):
        install([str(tmp_path / "Dummy")], **arguments)
    assert list(tmp_path.iterdir()) == []


def test_install_refuses_two_agents_of_one_name(tmp_path):
    with pytest.raises(InstallError, match="^Dummy: two agents of one name"):
        install([str(tmp_path / "a" / "Dummy"), str(tmp_path / "b" / "Dummy")], root=str(tmp_path))
    assert list(tmp_path.iterdir()) == []

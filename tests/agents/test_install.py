"""Agents installed by ocfpy.install: launchers that carry their library, run the shipped
bytecode and serve the pre-rendered meta-data, yet behave exactly as the agent run from its
source; and the installer's refusals, each one line with nothing left behind."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

from harness.execd import Operation, run

AGENTS = ("Dummy", "Stateful")
XML_IMPORT = "import 'xml.etree.ElementTree'"
PYTHON = "/usr/bin/python3"
PYTHON39 = "/root/.pyenv/versions/3.9.18/bin/python3.9"  # on this machine and the CI image


def install(ocf_root, pythonpath, *agents, umask=0o022, options=(), python=PYTHON) -> subprocess.CompletedProcess:
    """ocfpy.install as an admin runs it; PYTHONPATH only tells the installer which ocfpy it is."""
    command = [python, "-m", "ocfpy.install", "--ocf-root", str(ocf_root), *options, *agents]
    return subprocess.run(command, env={"PATH": os.environ["PATH"], "PYTHONPATH": pythonpath},
                          capture_output=True, text=True, timeout=120, umask=umask, cwd="/")


@pytest.fixture
def public_dir():
    """A directory hacluster can enter (pytest's tmp_path lies under a private one): the
    installer, run as root, checks its result as hacluster."""
    path = tempfile.mkdtemp(prefix="ocfpy-install-test-")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def ocf_root(public_dir, ocfpy_pythonpath, readable_agents):
    """Dummy and Stateful installed under a private OCF root."""
    root = os.path.join(public_dir, "ocf")
    result = install(root, ocfpy_pythonpath, *(os.path.join(readable_agents, name) for name in AGENTS))
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def bare_env(agent_env) -> dict:
    """What an installed agent gets: no PYTHONPATH, the launcher alone finds the library."""
    return {key: value for key, value in agent_env.items() if key != "PYTHONPATH"}


def launcher(ocf_root, name, provider="ocfpy") -> str:
    return os.path.join(ocf_root, "resource.d", provider, name)


def direct(path, action, env, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([str(path), action], env=dict(env, **extra), capture_output=True,
                          text=True, timeout=60)


def test_install_writes_launcher_source_bytecode_meta_data_and_the_library(ocf_root):
    tag = sys.implementation.cache_tag
    lib = os.path.join(ocf_root, "lib", "ocfpy")
    for name in AGENTS:
        with open(launcher(ocf_root, name)) as text:
            first, body = text.readline(), text.read()
        assert first == "#!/usr/bin/python3 -sSP\n"  # Debian 12's 3.11: no site, no launcher dir
        assert f"the agent itself is {lib}/{name}.py" in body and "'../../lib/ocfpy/python'" in body
        assert os.access(f"{lib}/{name}.py", os.X_OK)
        assert os.path.isfile(f"{lib}/__pycache__/{name}.{tag}.pyc")
        assert os.path.isfile(f"{lib}/__pycache__/{name}.meta-data")
    for module in ("__init__", "launch", "agent", "dispatch"):
        assert os.path.isfile(f"{lib}/python/ocfpy/__pycache__/{module}.{tag}.pyc")


@pytest.mark.parametrize("name", AGENTS)
@pytest.mark.parametrize("version", ["", "1.0"])
def test_served_meta_data_is_what_the_source_prints_and_builds_no_xml(ocf_root, readable_agents, agent_env,
                                                                      bare_env, name, version):
    served = direct(launcher(ocf_root, name), "meta-data", bare_env, OCFPY_OCF_VERSION=version,
                    PYTHONVERBOSE="1")
    rendered = direct(os.path.join(readable_agents, name), "meta-data", agent_env,
                      OCFPY_OCF_VERSION=version, PYTHONVERBOSE="1")

    assert served.returncode == rendered.returncode == 0
    assert served.stdout == rendered.stdout
    assert XML_IMPORT in rendered.stderr and XML_IMPORT not in served.stderr


def test_a_probe_runs_the_shipped_bytecode_of_agent_and_library_without_site(ocf_root, bare_env):
    lib = os.path.join(ocf_root, "lib", "ocfpy")
    tag = sys.implementation.cache_tag

    probe = direct(launcher(ocf_root, "Dummy"), "monitor", bare_env, PYTHONVERBOSE="1")

    assert probe.returncode == 7, probe.stderr[-2000:]
    assert f"# {lib}/__pycache__/Dummy.{tag}.pyc matches {lib}/Dummy.py" in probe.stderr
    library = f"{lib}/python/ocfpy"
    assert f"# {library}/__pycache__/dispatch.{tag}.pyc matches {library}/dispatch.py" in probe.stderr
    assert "import 'site'" not in probe.stderr


def test_lifecycle_through_the_executor_matches_the_source_agent(ocf_root, readable_agents,
                                                                 ocfpy_pythonpath, tmp_path):
    def lifecycle(agent, rsctmp, env):
        os.makedirs(rsctmp)
        env = dict(env, HA_RSCTMP=rsctmp, PCMK_logfacility="none")
        steps = [("monitor", 0, {}), ("start", 0, {}), ("monitor", 10000, {}), ("stop", 0, {}),
                 ("monitor", 10000, {}), ("validate-all", 0, {"op_sleep": "soon"}), ("bogus", 0, {})]
        results = []
        for action, interval, params in steps:
            result = run(Operation(agent=agent, action=action, interval_ms=interval, params=params,
                                   extra_env=env, cwd=str(tmp_path)))
            results.append((action, result.rc, (result.exit_reason or "").replace(rsctmp, "RSCTMP")))
        return results

    installed = lifecycle(launcher(ocf_root, "Dummy"), str(tmp_path / "a"), {})
    source = lifecycle(os.path.join(readable_agents, "Dummy"), str(tmp_path / "b"),
                       {"PYTHONPATH": ocfpy_pythonpath})

    assert installed == source
    assert [rc for _, rc, _ in installed] == [7, 0, 0, 0, 7, 6, 3]


def test_an_edited_source_is_compiled_and_rendered_afresh_never_served_stale(ocf_root, bare_env):
    source = os.path.join(ocf_root, "lib", "ocfpy", "Dummy.py")
    with open(source) as agent:
        text = agent.read()
    with open(source, "w") as agent:
        agent.write(text.replace('shortdesc="Example stateless resource agent"', 'shortdesc="Edited on this node"'))

    metadata = direct(launcher(ocf_root, "Dummy"), "meta-data", bare_env, PYTHONVERBOSE="1")
    probe = direct(launcher(ocf_root, "Dummy"), "monitor", bare_env)

    assert metadata.returncode == 0
    assert '<shortdesc lang="en">Edited on this node</shortdesc>' in metadata.stdout
    assert XML_IMPORT in metadata.stderr
    assert probe.returncode == 7


def test_a_damaged_meta_data_cache_is_ignored(ocf_root, readable_agents, agent_env, bare_env):
    with open(os.path.join(ocf_root, "lib", "ocfpy", "__pycache__", "Dummy.meta-data"), "wb") as cache:
        cache.write(b"\x00garbage")

    served = direct(launcher(ocf_root, "Dummy"), "meta-data", bare_env)

    assert served.returncode == 0
    assert served.stdout == direct(os.path.join(readable_agents, "Dummy"), "meta-data", agent_env).stdout


def test_the_installed_tree_can_move_and_launchers_can_be_linked(ocf_root, tmp_path, bare_env):
    moved = tmp_path / "moved"
    shutil.copytree(ocf_root, moved)
    shutil.rmtree(ocf_root)
    alias = tmp_path / "alias"
    alias.mkdir()
    (alias / "Dummy").symlink_to(moved / "resource.d" / "ocfpy" / "Dummy")

    assert direct(moved / "resource.d" / "ocfpy" / "Dummy", "monitor", bare_env).returncode == 7
    assert direct(alias / "Dummy", "monitor", bare_env).returncode == 7


def test_a_missing_source_is_rc_5_with_one_line(ocf_root, bare_env):
    os.unlink(os.path.join(ocf_root, "lib", "ocfpy", "Dummy.py"))

    result = direct(launcher(ocf_root, "Dummy"), "monitor", bare_env)

    assert result.returncode == 5
    assert result.stderr.count("\n") == 1 and "cannot read the agent" in result.stderr
    assert "Traceback" not in result.stderr


def test_files_get_their_modes_whatever_the_installers_umask(public_dir, ocfpy_pythonpath, readable_agents):
    root = os.path.join(public_dir, "ocf")
    result = install(root, ocfpy_pythonpath, os.path.join(readable_agents, "Dummy"), umask=0o077)

    assert result.returncode == 0, result.stderr
    tag = sys.implementation.cache_tag
    expected = {"resource.d/ocfpy": 0o755, "resource.d/ocfpy/Dummy": 0o755, "lib/ocfpy": 0o755,
                "lib/ocfpy/Dummy.py": 0o755, "lib/ocfpy/__pycache__": 0o755,
                f"lib/ocfpy/__pycache__/Dummy.{tag}.pyc": 0o644, "lib/ocfpy/__pycache__/Dummy.meta-data": 0o644,
                "lib/ocfpy/python": 0o755, "lib/ocfpy/python/ocfpy": 0o755,
                "lib/ocfpy/python/ocfpy/params.py": 0o644, "lib/ocfpy/python/ocfpy/schema/ra-api-1.1.rng": 0o644,
                f"lib/ocfpy/python/ocfpy/__pycache__/params.{tag}.pyc": 0o644}
    modes = {path: os.stat(os.path.join(root, path)).st_mode & 0o777 for path in expected}
    assert modes == expected


BROKEN = {
    "NoShebang": "print('hi')\n",
    "Broken": "#!/usr/bin/python3\nraise SystemExit(1)\n",
    "NeedsMissing": "#!/usr/bin/python3\nimport ocfpy_no_such_module\n",
    "bad name;rm": "#!/usr/bin/python3\n",
}


@pytest.mark.parametrize("agent, options, message", [
    ("bad name;rm", (), "letters, digits"),
    ("Missing", (), "No such file"),
    ("NoShebang", (), "starts with a #! line"),
    ("Broken", (), "Broken: meta-data fails under /usr/bin/python3 -sSP (rc 1)"),
    ("NeedsMissing", (), "NeedsMissing: meta-data fails under /usr/bin/python3 -sP (rc 1): "
                         "ModuleNotFoundError: No module named 'ocfpy_no_such_module'"),
    ("Dummy", ("--python", "/nonexistent/python3"), "/nonexistent/python3: No such file or directory"),
    ("Dummy", ("--python", "/bin/true"), "/bin/true: not a Python interpreter"),
    ("Dummy", ("--python", "/usr/bin/python3 -sP"), "the installer chooses the flags"),
    ("Dummy", ("--library", "/nonexistent"), "/usr/bin/python3 cannot import the library from /nonexistent: "
                                             "ModuleNotFoundError: No module named 'ocfpy'"),
])
def test_install_refuses_with_one_line_and_writes_nothing(public_dir, ocfpy_pythonpath, readable_agents,
                                                         agent, options, message):
    sources = os.path.join(public_dir, "sources")
    os.mkdir(sources)
    for name, text in BROKEN.items():
        with open(os.path.join(sources, name), "w") as handle:
            handle.write(text)
    path = os.path.join(readable_agents if agent == "Dummy" else sources, agent)

    result = install(os.path.join(public_dir, "ocf"), ocfpy_pythonpath, path, options=options)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not os.path.exists(os.path.join(public_dir, "ocf"))


SITE_AGENT = '''#!/usr/bin/python3
"""Needs a module that only site-packages has (Debian's python3-pip)."""
import pip  # noqa: F401

from ocfpy import Agent, Parameter, codes

agent = Agent("NeedsSite", version="1", shortdesc="site", parameters=[Parameter("x", shortdesc="x")])


@agent.action("monitor")
def monitor(ctx):
    return codes.NOT_RUNNING


if __name__ == "__main__":
    raise SystemExit(agent.main())
'''


def test_an_agent_that_needs_site_packages_gets_s_not_S_and_is_told(public_dir, ocfpy_pythonpath, bare_env):
    source = os.path.join(public_dir, "NeedsSite")
    with open(source, "w") as handle:
        handle.write(SITE_AGENT)
    root = os.path.join(public_dir, "ocf")

    result = install(root, ocfpy_pythonpath, source)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ("ocfpy.install: NeedsSite imports from site-packages (ModuleNotFoundError: "
                             "No module named 'pip'): its launcher runs with -s, not the faster -S\n")
    with open(launcher(root, "NeedsSite")) as text:
        assert text.readline() == "#!/usr/bin/python3 -sP\n"
    assert direct(launcher(root, "NeedsSite"), "monitor", bare_env).returncode == 7


def compiled_as(pyc: str) -> str:
    """The source path a .pyc records (what tracebacks would show)."""
    with open(pyc, "rb") as handle:
        return marshal.loads(handle.read()[16:]).co_filename


def test_packaged_bytecode_records_the_installed_path_and_is_reproducible(public_dir, ocfpy_pythonpath,
                                                                          readable_agents):
    tag = sys.implementation.cache_tag
    trees = []
    for build in ("build-a", "build-b"):
        root = os.path.join(public_dir, build)
        result = install("/usr/lib/ocf", ocfpy_pythonpath, os.path.join(readable_agents, "Dummy"),
                         options=("--root", root))
        assert result.returncode == 0, result.stderr
        trees.append(root)

    lib = "/usr/lib/ocf/lib/ocfpy"
    for pyc, source in ((f"{lib}/__pycache__/Dummy.{tag}.pyc", f"{lib}/Dummy.py"),
                        (f"{lib}/python/ocfpy/__pycache__/agent.{tag}.pyc", f"{lib}/python/ocfpy/agent.py")):
        assert compiled_as(trees[0] + pyc) == source
        with open(trees[0] + pyc, "rb") as first, open(trees[1] + pyc, "rb") as second:
            assert first.read() == second.read()


@pytest.fixture
def python39():
    if not os.access(PYTHON39, os.X_OK):
        pytest.skip(f"{PYTHON39} is not installed (the CI image has it: EL9's Python)")
    return PYTHON39


def test_python_39_launchers_have_no_P_yet_never_import_from_their_own_directory(public_dir, ocfpy_pythonpath,
                                                                                 readable_agents, bare_env,
                                                                                 python39):
    # the installer itself runs on 3.9, as `python3 -m ocfpy.install` does on EL9; pyenv's
    # interpreter lies under /root, which hacluster cannot enter: installed as a package
    # (--root), checked in the scratch tree only, then run here as root
    root = os.path.join(public_dir, "root")
    result = install("/usr/lib/ocf", ocfpy_pythonpath, *(os.path.join(readable_agents, n) for n in AGENTS),
                     options=("--root", root, "--python", python39), python=python39)
    assert result.returncode == 0, result.stderr
    dummy = root + "/usr/lib/ocf/resource.d/ocfpy/Dummy"
    with open(root + "/usr/lib/ocf/resource.d/ocfpy/ocfpy.py", "w") as shadow:  # what -P would guard against
        shadow.write("raise SystemExit('the launcher imported from its own directory')\n")

    probe = direct(dummy, "monitor", bare_env, PYTHONVERBOSE="1")
    metadata = direct(dummy, "meta-data", bare_env)

    with open(dummy) as text:
        assert text.readline() == f"#!{python39} -sS\n"
    assert probe.returncode == 7, probe.stderr[-2000:]
    lib = root + "/usr/lib/ocf/lib/ocfpy"
    assert f"# {lib}/__pycache__/Dummy.cpython-39.pyc matches {lib}/Dummy.py" in probe.stderr
    assert f"# {lib}/python/ocfpy/__pycache__/agent.cpython-39.pyc matches" in probe.stderr
    assert metadata.returncode == 0 and '<resource-agent name="Dummy"' in metadata.stdout


@pytest.mark.needs_root
def test_as_root_the_installer_refuses_a_tree_hacluster_cannot_read(tmp_path, ocfpy_pythonpath, readable_agents):
    if os.geteuid() != 0:
        pytest.skip("the installer checks as hacluster only when run as root")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)

    result = install(private / "ocf", ocfpy_pythonpath, os.path.join(readable_agents, "Dummy"))

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert "meta-data` as hacluster does not print its meta-data" in result.stderr
    assert "Permission denied" in result.stderr and "launcher removed" in result.stderr
    assert not (private / "ocf" / "resource.d" / "ocfpy" / "Dummy").exists()


@pytest.mark.parametrize("name", AGENTS)
def test_installed_agent_passes_the_validator_with_zero_errors(ocf_root, tmp_path, name):
    from harness.check.runner import check_agent
    from harness.check.session import Config

    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()
    config = Config(agent=launcher(ocf_root, name), extra_env={"HA_RSCTMP": str(rsctmp)})

    log = check_agent(config)

    assert log.errors == [], log.text()
    assert "lifecycle.stop-twice" in log.checks


FREEZE_PROBE = '''#!/usr/bin/python3
"""Reports in its exit reason how many objects the garbage collector was told to leave alone."""
import gc

from ocfpy import Agent, Parameter, codes

agent = Agent("FreezeProbe", version="1", shortdesc="gc probe", parameters=[Parameter("x", shortdesc="x")])


@agent.action("monitor")
def monitor(ctx):
    ctx.exit_reason(f"frozen={gc.get_freeze_count()}")
    return codes.NOT_RUNNING


if __name__ == "__main__":
    raise SystemExit(agent.main())
'''


def test_the_launcher_freezes_what_the_interpreter_made_before_the_agent(public_dir, ocfpy_pythonpath,
                                                                         agent_env, bare_env):
    # a full collection of the interpreter's own objects cost a probe about 1 ms at start and
    # again at exit; frozen objects are skipped by both
    source = os.path.join(public_dir, "FreezeProbe")
    with open(source, "w") as handle:
        handle.write(FREEZE_PROBE)
    root = os.path.join(public_dir, "ocf")
    assert install(root, ocfpy_pythonpath, source).returncode == 0

    installed = direct(launcher(root, "FreezeProbe"), "monitor", bare_env)
    script = subprocess.run([PYTHON, source, "monitor"], env=agent_env, capture_output=True, text=True, timeout=60)

    assert installed.returncode == script.returncode == 7
    assert int(installed.stderr.split("frozen=")[1]) > 500
    assert script.stderr.strip().endswith("frozen=0")


def test_the_guides_agent_installs_as_the_guide_says(public_dir, ocfpy_pythonpath, bare_env):
    import re

    guide = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "docs", "writing-agents.md")
    with open(guide, encoding="utf-8") as handle:
        text = handle.read()
    assert "python3 -m ocfpy.install --provider acme /path/to/Sleeper" in text
    source = os.path.join(public_dir, "Sleeper")
    with open(source, "w") as handle:
        handle.write(re.findall(r"```python\n(.*?)```", text, re.S)[0])
    root = os.path.join(public_dir, "ocf")

    result = install(root, ocfpy_pythonpath, source, options=("--provider", "acme"))
    probe = direct(launcher(root, "Sleeper", "acme"), "monitor", bare_env)

    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert probe.returncode == 7, probe.stderr

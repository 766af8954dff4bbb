"""Agents installed by ocfpy.install: launchers that run the shipped bytecode and serve the
pre-rendered meta-data, yet behave exactly as the agent run from its source."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from harness.execd import Operation, run

AGENTS = ("Dummy", "Stateful")
XML_IMPORT = "import 'xml.etree.ElementTree'"


def install(ocf_root, pythonpath, *agents, python=None, umask=0o022) -> subprocess.CompletedProcess:
    """ocfpy.install run by the agents' own interpreter: bytecode is only used by its version."""
    command = ["/usr/bin/python3", "-m", "ocfpy.install", "--ocf-root", str(ocf_root), *agents]
    if python:
        command += ["--python", python]
    return subprocess.run(command, env={"PATH": os.environ["PATH"], "PYTHONPATH": pythonpath},
                          capture_output=True, text=True, timeout=120, umask=umask)


@pytest.fixture
def ocf_root(tmp_path, ocfpy_pythonpath, readable_agents):
    """Dummy and Stateful installed under a private OCF root (world-readable: hacluster runs meta-data)."""
    root = tmp_path / "ocf"
    os.chmod(tmp_path, 0o755)
    result = install(root, ocfpy_pythonpath, *(os.path.join(readable_agents, name) for name in AGENTS))
    assert result.returncode == 0, result.stderr
    return root


def direct(path, action, env, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([str(path), action], env=dict(env, **extra), capture_output=True,
                          text=True, timeout=60)


def test_install_writes_launcher_source_bytecode_and_meta_data(ocf_root):
    tag = sys.implementation.cache_tag
    for name in AGENTS:
        launcher = ocf_root / "resource.d" / "ocfpy" / name
        lib = ocf_root / "lib" / "ocfpy"
        assert os.access(launcher, os.X_OK) and os.access(lib / f"{name}.py", os.X_OK)
        assert (lib / "__pycache__" / f"{name}.{tag}.pyc").is_file()
        assert (lib / "__pycache__" / f"{name}.meta-data").is_file()
        assert launcher.read_text().startswith("#!/usr/bin/python3 -sP\n")
        assert f"the agent itself is {lib}/{name}.py" in launcher.read_text()


@pytest.mark.parametrize("name", AGENTS)
@pytest.mark.parametrize("version", ["", "1.0"])
def test_served_meta_data_is_what_the_source_prints_and_builds_no_xml(ocf_root, readable_agents,
                                                                      agent_env, name, version):
    env = dict(agent_env, OCFPY_OCF_VERSION=version, PYTHONVERBOSE="1")

    served = direct(ocf_root / "resource.d" / "ocfpy" / name, "meta-data", env)
    rendered = direct(os.path.join(readable_agents, name), "meta-data", env)

    assert served.returncode == rendered.returncode == 0
    assert served.stdout == rendered.stdout
    assert XML_IMPORT in rendered.stderr and XML_IMPORT not in served.stderr


def test_actions_run_the_shipped_bytecode(ocf_root, agent_env):
    lib = ocf_root / "lib" / "ocfpy"
    probe = direct(ocf_root / "resource.d" / "ocfpy" / "Dummy", "monitor", agent_env, PYTHONVERBOSE="1")

    assert probe.returncode == 7
    pyc = lib / "__pycache__" / f"Dummy.{sys.implementation.cache_tag}.pyc"
    assert f"# {pyc} matches {lib}/Dummy.py" in probe.stderr


def test_lifecycle_through_the_executor_matches_the_source_agent(ocf_root, readable_agents,
                                                                 ocfpy_pythonpath, tmp_path):
    def lifecycle(agent, rsctmp):
        os.makedirs(rsctmp)
        env = {"PYTHONPATH": ocfpy_pythonpath, "HA_RSCTMP": rsctmp, "PCMK_logfacility": "none"}
        steps = [("monitor", 0, {}), ("start", 0, {}), ("monitor", 10000, {}), ("stop", 0, {}),
                 ("monitor", 10000, {}), ("validate-all", 0, {"op_sleep": "soon"}), ("bogus", 0, {})]
        results = []
        for action, interval, params in steps:
            result = run(Operation(agent=agent, action=action, interval_ms=interval, params=params,
                                   extra_env=env, cwd=str(tmp_path)))
            results.append((action, result.rc, (result.exit_reason or "").replace(rsctmp, "RSCTMP")))
        return results

    installed = lifecycle(str(ocf_root / "resource.d" / "ocfpy" / "Dummy"), str(tmp_path / "a"))
    source = lifecycle(os.path.join(readable_agents, "Dummy"), str(tmp_path / "b"))

    assert installed == source
    assert [rc for _, rc, _ in installed] == [7, 0, 0, 0, 7, 6, 3]


def test_an_edited_source_is_compiled_and_rendered_afresh_never_served_stale(ocf_root, agent_env):
    source = ocf_root / "lib" / "ocfpy" / "Dummy.py"
    text = source.read_text()
    source.write_text(text.replace('shortdesc="Example stateless resource agent"',
                                   'shortdesc="Edited on this node"'))
    launcher = ocf_root / "resource.d" / "ocfpy" / "Dummy"

    metadata = direct(launcher, "meta-data", agent_env, PYTHONVERBOSE="1")
    probe = direct(launcher, "monitor", agent_env)

    assert metadata.returncode == 0
    assert '<shortdesc lang="en">Edited on this node</shortdesc>' in metadata.stdout
    assert XML_IMPORT in metadata.stderr
    assert probe.returncode == 7


def test_a_damaged_meta_data_cache_is_ignored(ocf_root, readable_agents, agent_env):
    (ocf_root / "lib" / "ocfpy" / "__pycache__" / "Dummy.meta-data").write_bytes(b"\x00garbage")

    served = direct(ocf_root / "resource.d" / "ocfpy" / "Dummy", "meta-data", agent_env)

    assert served.returncode == 0
    assert served.stdout == direct(os.path.join(readable_agents, "Dummy"), "meta-data", agent_env).stdout


def test_the_installed_tree_can_move_and_launchers_can_be_linked(ocf_root, tmp_path, agent_env):
    moved = tmp_path / "moved"
    shutil.copytree(ocf_root, moved)
    shutil.rmtree(ocf_root)
    alias = tmp_path / "alias"
    alias.mkdir()
    (alias / "Dummy").symlink_to(moved / "resource.d" / "ocfpy" / "Dummy")

    assert direct(moved / "resource.d" / "ocfpy" / "Dummy", "monitor", agent_env).returncode == 7
    assert direct(alias / "Dummy", "monitor", agent_env).returncode == 7


def test_a_missing_source_is_rc_5_with_one_line(ocf_root, agent_env):
    (ocf_root / "lib" / "ocfpy" / "Dummy.py").unlink()

    result = direct(ocf_root / "resource.d" / "ocfpy" / "Dummy", "monitor", agent_env)

    assert result.returncode == 5
    assert result.stderr.count("\n") == 1 and "cannot read the agent" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_option_sets_both_interpreter_lines(tmp_path, ocfpy_pythonpath, readable_agents):
    result = install(tmp_path / "ocf", ocfpy_pythonpath, os.path.join(readable_agents, "Dummy"),
                     python="/usr/bin/python3 -I")

    assert result.returncode == 0, result.stderr
    for path in ("resource.d/ocfpy/Dummy", "lib/ocfpy/Dummy.py"):
        assert (tmp_path / "ocf" / path).read_text().startswith("#!/usr/bin/python3 -I\n")


def test_files_get_their_modes_whatever_the_installers_umask(tmp_path, ocfpy_pythonpath, readable_agents):
    result = install(tmp_path / "ocf", ocfpy_pythonpath, os.path.join(readable_agents, "Dummy"), umask=0o077)

    assert result.returncode == 0, result.stderr
    pyc = f"lib/ocfpy/__pycache__/Dummy.{sys.implementation.cache_tag}.pyc"
    expected = {"resource.d/ocfpy": 0o755, "resource.d/ocfpy/Dummy": 0o755, "lib/ocfpy": 0o755,
                "lib/ocfpy/Dummy.py": 0o755, "lib/ocfpy/__pycache__": 0o755, pyc: 0o644,
                "lib/ocfpy/__pycache__/Dummy.meta-data": 0o644}
    modes = {path: os.stat(tmp_path / "ocf" / path).st_mode & 0o777 for path in expected}
    assert modes == expected


@pytest.mark.parametrize("agent, message", [
    ("bad name;rm", "letters, digits"),
    ("Missing", "No such file"),
    ("NoShebang", "starts with a #! line"),
    ("Broken", "meta-data failed (rc 1)"),
])
def test_install_refuses_with_one_line(tmp_path, ocfpy_pythonpath, agent, message):
    (tmp_path / "NoShebang").write_text("print('hi')\n")
    (tmp_path / "Broken").write_text("#!/usr/bin/python3\nraise SystemExit(1)\n")
    (tmp_path / "bad name;rm").write_text("#!/usr/bin/python3\n")

    result = install(tmp_path / "ocf", ocfpy_pythonpath, str(tmp_path / agent))

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "ocf" / "resource.d" / "ocfpy" / agent).exists()


@pytest.mark.parametrize("name", AGENTS)
def test_installed_agent_passes_the_validator_with_zero_errors(ocf_root, ocfpy_pythonpath, tmp_path, name):
    from harness.check.runner import check_agent
    from harness.check.session import Config

    rsctmp = tmp_path / "rsctmp"
    rsctmp.mkdir()
    config = Config(agent=str(ocf_root / "resource.d" / "ocfpy" / name),
                    extra_env={"HA_RSCTMP": str(rsctmp), "PYTHONPATH": ocfpy_pythonpath})

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


def test_the_launcher_freezes_what_the_interpreter_made_before_the_agent(tmp_path, ocfpy_pythonpath,
                                                                         agent_env):
    # a full collection of the interpreter's own objects cost a probe about 1 ms at start and
    # again at exit; frozen objects are skipped by both
    source = tmp_path / "FreezeProbe"
    source.write_text(FREEZE_PROBE)
    assert install(tmp_path / "ocf", ocfpy_pythonpath, str(source)).returncode == 0

    installed = direct(tmp_path / "ocf" / "resource.d" / "ocfpy" / "FreezeProbe", "monitor", agent_env)
    script = subprocess.run(["/usr/bin/python3", str(source), "monitor"], env=agent_env,
                            capture_output=True, text=True, timeout=60)

    assert installed.returncode == script.returncode == 7
    assert int(installed.stderr.split("frozen=")[1]) > 1000
    assert script.stderr.strip().endswith("frozen=0")

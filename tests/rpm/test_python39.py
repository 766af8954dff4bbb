"""The packages built for Python 3.9 (EL9's, which has no -P): launchers with -sS that still never
import from their own directory, bytecode for 3.9 naming the installed paths, agents that run."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import PYTHON39
from rpm_layout import OCF_LIB_DIR, OCF_PROVIDER_DIR, agents, console_scripts, probe_env

SITE39 = "/usr/lib/python3.9/site-packages"
COMPILED_AS = """import glob, json, marshal, sys
root = sys.argv[1]
print(json.dumps({path[len(root):]: marshal.loads(open(path, "rb").read()[16:]).co_filename
                  for path in glob.glob(root + sys.argv[2], recursive=True)}))
"""


@pytest.fixture(scope="module")
def installed39(build39, tmp_path_factory):
    from conftest import Root

    root = Root(str(tmp_path_factory.mktemp("root39")))
    root.rpm("--nodeps", "-i", *build39.rpms.values())
    return root


def first_line(root, path: str) -> str:
    with open(root.path + path) as script:
        return script.readline()


def test_launchers_and_sources_run_python39_without_site_and_drop_their_own_directory(installed39):
    for name in agents():
        launcher = f"{OCF_PROVIDER_DIR}/{name}"
        assert first_line(installed39, launcher) == f"#!{PYTHON39} -sS\n"
        assert first_line(installed39, f"{OCF_LIB_DIR}/{name}.py") == f"#!{PYTHON39} -sS\n"
        with open(installed39.path + launcher) as text:
            body = text.read()
        assert "del sys.path[0]" in body and f"sys.path.append({SITE39!r})" in body


def test_the_harness_commands_get_el9s_flags(installed39):
    for command in console_scripts():
        assert first_line(installed39, f"/usr/bin/{command}") == f"#!{PYTHON39} -s\n"


@pytest.mark.parametrize("name", agents())
def test_each_agent_runs_under_python39_from_its_39_bytecode(installed39, name, tmp_path):
    env = {"PYTHONPATH": installed39.path + SITE39, "PYTHONVERBOSE": "1", "OCF_ROOT": "/usr/lib/ocf",
           "OCF_RESOURCE_INSTANCE": "rpm39", "HA_RSCTMP": str(tmp_path), **probe_env(name)}
    launcher = installed39.path + f"{OCF_PROVIDER_DIR}/{name}"

    probe = subprocess.run([launcher, "monitor"], env=env, capture_output=True, text=True, timeout=60)
    metadata = subprocess.run([launcher, "meta-data"], env=env, capture_output=True, text=True, timeout=60)

    assert probe.returncode == 7, probe.stderr[-2000:]
    lib = installed39.path + OCF_LIB_DIR
    assert f"# {lib}/__pycache__/{name}.cpython-39.pyc matches {lib}/{name}.py" in probe.stderr
    library = installed39.path + SITE39 + "/ocfpy"
    assert f"# {library}/__pycache__/__init__.cpython-39.pyc matches {library}/__init__.py" in probe.stderr
    assert metadata.returncode == 0 and f'<resource-agent name="{name}"' in metadata.stdout


def test_bytecode_names_the_installed_paths_not_the_build_root(installed39):
    for pattern in (f"{OCF_LIB_DIR}/__pycache__/*.pyc", f"{SITE39}/ocfpy/**/*.pyc"):
        result = subprocess.run([PYTHON39, "-I", "-c", COMPILED_AS, installed39.path, pattern],
                                capture_output=True, text=True, timeout=60, check=True)
        recorded = json.loads(result.stdout)
        assert recorded
        for pyc, source in recorded.items():
            assert source == pyc.replace("/__pycache__", "").split(".cpython-39")[0] + ".py", pyc

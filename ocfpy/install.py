"""Install agents for Pacemaker: the source with its bytecode and meta-data, behind a small launcher.

    python3 -m ocfpy.install [--root DIR] [--provider NAME] [--python CMD] AGENT...

For each AGENT file, writes (under --root, for packaging):
  OCF_ROOT/lib/PROVIDER/NAME.py                    the agent's source (the shebang set to CMD)
  OCF_ROOT/lib/PROVIDER/__pycache__/NAME.*.pyc     its bytecode (hash-checked: immune to mtimes)
  OCF_ROOT/lib/PROVIDER/__pycache__/NAME.meta-data the meta-data it prints, both OCF versions
  OCF_ROOT/resource.d/PROVIDER/NAME                the launcher Pacemaker runs (ocfpy.launch)

A script run as a program is compiled at every start; the launcher runs the shipped bytecode
instead and answers meta-data without building any XML. Both caches are checked against the
source at every run, so an edited source is compiled and rendered afresh, never stale.
Cache only agents whose declaration is fixed: meta-data rendered once is served as it was.
"""

from __future__ import annotations

import argparse
import marshal
import os
import py_compile
import subprocess
import sys

from ocfpy import __version__
from ocfpy.errors import OCFError
from ocfpy.launch import CACHE_FORMAT, DEFAULT, LEGACY, metadata_cache_path, source_stamp
from ocfpy.params import NAME_CHARS
from ocfpy.state import write_atomic

DEFAULT_PYTHON = "/usr/bin/python3 -sP"
LAUNCHER = '''#!{python}
"""ocf:{provider}:{name}, run from its shipped bytecode; the agent itself is {source}."""
from ocfpy.launch import launch

raise SystemExit(launch(__file__, {relative!r}))
'''


class InstallError(Exception):
    """An agent that cannot be installed; the message is one line."""


def install_agent(agent: str, *, root: str, ocf_root: str, provider: str, python: str) -> list:
    """Install one agent; returns the paths written (as seen from ``root``)."""
    name = os.path.basename(agent)
    for what, value in (("an agent's file name (its OCF type)", name), ("a provider", provider)):
        if not _is_word(value):
            raise InstallError(f"{value!r}: {what} has letters, digits, '-', '_' and '.' only")
    if not ocf_root.startswith("/") or not all(_is_word(part) for part in ocf_root.split("/")[1:]):
        raise InstallError(f"{ocf_root!r}: OCF_ROOT is an absolute path of plain names")
    if not python.startswith("/") or not python.isprintable():
        raise InstallError(f"{python!r}: the interpreter line is an absolute path and options, on one line")
    source = f"{ocf_root}/lib/{provider}/{name}.py"
    launcher = f"{ocf_root}/resource.d/{provider}/{name}"
    text = _with_shebang(_read(agent), python)
    cache = render_cache(agent, text)  # before anything is written: a failing agent leaves nothing
    _write(root + source, text, 0o755)
    bytecode = py_compile.compile(root + source, doraise=True,
                                  invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    os.chmod(os.path.dirname(bytecode), 0o755)  # py_compile leaves both to the umask
    os.chmod(bytecode, 0o644)
    _write(root + metadata_cache_path(source), cache, 0o644)
    relative = os.path.relpath(source, os.path.dirname(launcher))  # the tree can move (chroots, labs)
    text = LAUNCHER.format(python=python, provider=provider, name=name, source=source, relative=relative)
    _write(root + launcher, text.encode(), 0o755)
    return [launcher, source, metadata_cache_path(source)]


def _is_word(text: str) -> bool:
    """A plain file name: safe in a path, a Python string and a shell line alike."""
    return bool(text) and not text.startswith(".") and set(text) <= NAME_CHARS


def render_cache(agent: str, text: bytes) -> bytes:
    """The meta-data cache: what ``agent meta-data`` prints, per OCF version, tied to ``text``,
    the source as installed."""
    entry = {"format": CACHE_FORMAT, "ocfpy": __version__, "source": source_stamp(text)}
    for variant in (DEFAULT, LEGACY):
        entry[variant] = _run_metadata(agent, variant)
    return marshal.dumps(entry)


def _run_metadata(agent: str, variant: str) -> str:
    library = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "PYTHONPATH": library}
    if variant:
        env["OCFPY_OCF_VERSION"] = variant
    result = subprocess.run([sys.executable, agent, "meta-data"], env=env, capture_output=True,
                            timeout=60, check=False)
    if result.returncode != 0 or not result.stdout.startswith(b"<?xml"):
        last = (result.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        raise InstallError(f"{agent}: meta-data failed (rc {result.returncode}): {last}")
    return result.stdout.decode("utf-8")


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as agent:
            return agent.read()
    except OSError as error:
        raise InstallError(f"{path}: {error.strerror}") from None


def _with_shebang(text: bytes, python: str) -> bytes:
    if not text.startswith(b"#!"):
        raise InstallError("an agent starts with a #! line")
    return f"#!{python}\n".encode() + text.split(b"\n", 1)[1]


def _write(path: str, data: bytes, mode: int) -> None:
    """Replace ``path`` atomically (a running cluster never reads half a file), with exactly
    ``mode``: hacluster must read it whatever the installer's umask."""
    write_atomic(path, data, mode)
    os.chmod(path, mode)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m ocfpy.install",
                                     description="Install OCF agents written with ocfpy.")
    parser.add_argument("agents", nargs="+", metavar="AGENT", help="agent files (the name is the type)")
    parser.add_argument("--root", default="", help="install under this directory (packaging)")
    parser.add_argument("--ocf-root", default="/usr/lib/ocf", help="OCF_ROOT (default %(default)s)")
    parser.add_argument("--provider", default="ocfpy", help="the OCF provider (default %(default)s)")
    parser.add_argument("--python", default=DEFAULT_PYTHON,
                        help="the interpreter line of the launcher (default %(default)r)")
    args = parser.parse_args(argv)
    root = args.root.rstrip("/")
    try:
        for agent in args.agents:
            for path in install_agent(agent, root=root, ocf_root=args.ocf_root,
                                      provider=args.provider, python=args.python):
                print(root + path)
    except (InstallError, OCFError, OSError, py_compile.PyCompileError) as error:
        print(f"ocfpy.install: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

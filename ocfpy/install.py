"""Install agents for Pacemaker: each behind a small launcher, with its bytecode, its meta-data
and the library it was checked with; refuse when the result could not run.

    python3 -m ocfpy.install [--provider NAME] [--python PATH] [--library DIR] [--root DIR] AGENT...

For each AGENT file, writes (under --root, for packaging):
  OCF_ROOT/resource.d/PROVIDER/NAME                the launcher Pacemaker runs (ocfpy.launch)
  OCF_ROOT/lib/PROVIDER/NAME.py                    the agent's source (its #! line: the launcher's)
  OCF_ROOT/lib/PROVIDER/__pycache__/NAME.*.pyc     its bytecode (hash-checked: immune to mtimes)
  OCF_ROOT/lib/PROVIDER/__pycache__/NAME.meta-data the meta-data it prints, both OCF versions
and, unless --library names an installed one, a copy of this library with its bytecode:
  OCF_ROOT/lib/PROVIDER/python/ocfpy/

The launcher names the library's directory itself, so neither PYTHONPATH nor a package in the
system's site-packages is needed (Debian refuses pip there), and the copy is readable by
hacluster, immune to edits of the clone it came from. It runs with -sS (no site: half the
start-up) when the agent's imports resolve without site-packages, else with -s, and -P where the
interpreter has it (3.11+). Everything is first installed and run in a scratch tree; only an
agent that answers meta-data there is installed, and without --root it is run again where
installed, as Pacemaker runs it (empty environment; as root and as hacluster).
"""

from __future__ import annotations

import argparse
import marshal
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from typing import NamedTuple

from ocfpy import __version__
from ocfpy.errors import OCFError
from ocfpy.launch import CACHE_FORMAT, DEFAULT, LEGACY, metadata_cache_path, source_stamp
from ocfpy.params import NAME_CHARS
from ocfpy.state import write_atomic

DEFAULT_PYTHON = "/usr/bin/python3"
LIBRARY_COPY = "python"  # OCF_ROOT/lib/PROVIDER/python/ocfpy, when the library is copied
CHECK_USER = "hacluster"  # the controller runs meta-data as this user
LAUNCHER = '''#!{python} {flags}
"""ocf:{provider}:{name}, run from its shipped bytecode; the agent itself is {source}."""
import os
import sys

{path_setup}
from ocfpy.launch import launch

raise SystemExit(launch(__file__, {relative!r}))
'''
COMPILE = """import py_compile, sys
mode = py_compile.PycInvalidationMode.CHECKED_HASH
for source, shown in zip(sys.argv[1::2], sys.argv[2::2]):
    py_compile.compile(source, dfile=shown, doraise=True, invalidation_mode=mode)
"""


class InstallError(Exception):
    """An agent that cannot be installed; the message is one line."""


class Interpreter(NamedTuple):
    """The Python the launchers name: its path and version, probed by running it."""

    path: str
    version: tuple

    @property
    def safe_path(self) -> bool:
        """Whether it has -P (3.11+): the script's directory is not put first on sys.path."""
        return self.version >= (3, 11)

    def flags(self, site: bool) -> str:
        return ("-s" if site else "-sS") + ("P" if self.safe_path else "")

    def path_setup(self, library: str, site: bool) -> str:
        """The launcher's lines that put ``library`` (a Python expression) on sys.path, and
        nothing of the launcher's own directory."""
        lines = [] if self.safe_path else ["del sys.path[0]  # the launcher's directory: no -P before 3.11"]
        if site:
            lines.append(f"sys.path.insert(0, {library})  # its library, ahead of site-packages")
        else:
            lines.append(f"sys.path.append({library})  # its library (-S: no site-packages)")
        return "\n".join(lines)


class Staged(NamedTuple):
    """One agent as it ran in the scratch tree: how its launcher starts and what it printed."""

    name: str
    site: bool            # its imports need site-packages: the launcher runs with -s, not -S
    why_site: str         # what failed without them
    metadata: dict        # variant -> the meta-data text


class Layout(NamedTuple):
    """Where one agent's files live, as seen on the target machine."""

    launcher: str
    source: str
    provider: str

    @classmethod
    def of(cls, ocf_root: str, provider: str, name: str) -> "Layout":
        return cls(f"{ocf_root}/resource.d/{provider}/{name}", f"{ocf_root}/lib/{provider}/{name}.py", provider)

    def library_reference(self, library: str) -> str:
        """The launcher's expression for the ``library`` directory: relative to the launcher's
        real location when it is the copy in this tree (which can then move), else as given."""
        if library.startswith(os.path.dirname(os.path.dirname(self.source)) + "/"):
            relative = os.path.relpath(library, os.path.dirname(self.launcher))
            return f"os.path.normpath(os.path.join(os.path.dirname(os.path.realpath(__file__)), {relative!r}))"
        return repr(library)

    def launcher_text(self, interpreter: Interpreter, library: str, site: bool) -> bytes:
        relative = os.path.relpath(self.source, os.path.dirname(self.launcher))  # the tree can move
        return LAUNCHER.format(python=interpreter.path, flags=interpreter.flags(site), provider=self.provider,
                               name=os.path.basename(self.launcher), source=self.source, relative=relative,
                               path_setup=interpreter.path_setup(self.library_reference(library), site)).encode()


def install(agents: list, *, root: str = "", ocf_root: str = "/usr/lib/ocf", provider: str = "ocfpy",
            python: str = DEFAULT_PYTHON, library: "str | None" = None) -> list:
    """Install ``agents`` (files) and return what each became (``Staged``); nothing is written
    under ``root`` unless every agent ran in the scratch tree."""
    _check_names(agents, ocf_root, provider, python, library)
    interpreter = probe(python)
    sources = {os.path.basename(agent): _source(agent) for agent in agents}
    layouts = {name: Layout.of(ocf_root, provider, name) for name in sources}
    runtime_library = library or f"{ocf_root}/lib/{provider}/{LIBRARY_COPY}"
    with tempfile.TemporaryDirectory(prefix="ocfpy-install-") as scratch:
        os.chmod(scratch, 0o755)
        if library:  # found under --root while staging
            staged = _stage_all(scratch, layouts, sources, interpreter, root + library, root + library)
        else:  # a copy, named relative to the launcher: staged exactly as it will be installed
            staged = _stage_all(scratch, layouts, sources, interpreter, _copy_library(scratch + runtime_library),
                                runtime_library)
        _publish(scratch, root, {layout.launcher for layout in layouts.values()}, None if library else runtime_library)
        for agent in staged:  # last: each then finds everything it runs in place
            layout = layouts[agent.name]
            text = layout.launcher_text(interpreter, runtime_library, agent.site)
            _write(root + layout.launcher, text, 0o755)
    if not root:
        _check_all_installed(layouts, staged, interpreter)
    return staged


def _check_all_installed(layouts: dict, staged: list, interpreter: Interpreter) -> None:
    """Every installed launcher checked (see _check_installed), each that fails removed; the
    first failure raised, naming the others: none is left unchecked behind a failed one."""
    failed = []
    for agent in staged:
        try:
            _check_installed(layouts[agent.name], agent, interpreter)
        except InstallError as error:
            failed.append((agent.name, error))
    if failed:
        others = ", ".join(name for name, _ in failed[1:])
        also = f"; {others} failed it too, launcher(s) removed" if others else ""
        raise InstallError(f"{failed[0][1]}{also}")


def _stage_all(scratch: str, layouts: dict, sources: dict, interpreter: Interpreter, staged_library: str,
               named_library: str) -> list:
    """Every agent installed and run in the scratch tree, its bytecode and meta-data cache made;
    ``named_library`` is what the scratch launchers name, ``staged_library`` where it is now."""
    _check_library(interpreter, staged_library)
    staged = [_stage(scratch, layouts[name], text, interpreter, named_library) for name, text in sources.items()]
    _compile(interpreter, scratch, [path for path in _files(scratch) if path.endswith(".py")])
    for agent in staged:
        _write_cache(scratch, layouts[agent.name], agent)
    return staged


def _check_names(agents, ocf_root, provider, python, library) -> None:
    names = [os.path.basename(agent) for agent in agents]
    for value, what in [(provider, "a provider")] + [(name, "an agent's file name (its OCF type)") for name in names]:
        if not _is_word(value):
            raise InstallError(f"{value!r}: {what} has letters, digits, '-', '_' and '.' only")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InstallError(f"{', '.join(twice)}: two agents of one name (the name is the OCF type)")
    if not ocf_root.startswith("/") or not all(_is_word(part) for part in ocf_root.split("/")[1:]):
        raise InstallError(f"{ocf_root!r}: OCF_ROOT is an absolute path of plain names")
    for value, what in ((python, "--python"), (library or "/", "--library")):
        if not value.startswith("/") or not value.isprintable() or any(char.isspace() for char in value):
            raise InstallError(f"{value!r}: {what} is an absolute path, without spaces"
                               + (" (the installer chooses the flags)" if what == "--python" else ""))


def _is_word(text: str) -> bool:
    """A plain file name: safe in a path, a Python string and a shell line alike."""
    return bool(text) and not text.startswith(".") and set(text) <= NAME_CHARS


def probe(python: str) -> Interpreter:
    """The interpreter at ``python``, run once; refused unless it is Python 3.9 or newer."""
    result = _run([python, "-I", "-S", "-c", "import sys; print(*sys.version_info[:2])"], refuse=python)
    version = tuple(int(part) for part in result.stdout.split())
    if result.returncode != 0 or len(version) != 2:
        raise InstallError(f"{python}: not a Python interpreter ({_last_line(result)})")
    if version < (3, 9):
        raise InstallError(f"{python} is Python {version[0]}.{version[1]}; ocfpy needs 3.9 or newer")
    return Interpreter(python, version)


def _source(agent: str) -> bytes:
    """The agent's text without its #! line (the launcher's goes there)."""
    try:
        with open(agent, "rb") as handle:
            text = handle.read()
    except OSError as error:
        raise InstallError(f"{agent}: {error.strerror}") from None
    if not text.startswith(b"#!"):
        raise InstallError(f"{agent}: an agent starts with a #! line")
    return text.split(b"\n", 1)[1] if b"\n" in text else b""


def _copy_library(target: str) -> str:
    """This ocfpy package, its sources and data (no bytecode), copied to ``target``/ocfpy."""
    package = os.path.dirname(os.path.abspath(__file__))
    shutil.copytree(package, os.path.join(target, "ocfpy"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
    return target


def _check_library(interpreter: Interpreter, library: str) -> None:
    """The launcher's first step, alone: ``interpreter`` imports ocfpy.launch from ``library``."""
    code = f"import sys\n{interpreter.path_setup(repr(library), False)}\nimport ocfpy.launch"
    result = _run([interpreter.path, interpreter.flags(False), "-c", code], env=_quiet())
    if result.returncode != 0:
        raise InstallError(f"{interpreter.path} cannot import the library from {library}: {_last_line(result)}")


def _stage(scratch: str, layout: Layout, text: bytes, interpreter: Interpreter, library: str) -> Staged:
    """Install one agent in the scratch tree and render its meta-data through its launcher:
    without site-packages if its imports allow, else with them."""
    why_site = ""
    for site in (False, True):
        shebang = f"#!{interpreter.path} {interpreter.flags(site)}\n".encode()
        _write(scratch + layout.source, shebang + text, 0o755)
        _write(scratch + layout.launcher, layout.launcher_text(interpreter, library, site), 0o755)
        result = _run([scratch + layout.launcher, "meta-data"], env=_quiet())
        if _is_metadata(result):
            legacy = _run([scratch + layout.launcher, "meta-data"], env=_quiet(OCFPY_OCF_VERSION=LEGACY))
            if not _is_metadata(legacy):
                result = legacy
                break
            metadata = {DEFAULT: result.stdout.decode(), LEGACY: legacy.stdout.decode()}
            return Staged(os.path.basename(layout.launcher), site, why_site, metadata)
        why_site = _last_line(result)
        if site or not why_site.startswith(("ModuleNotFoundError", "ImportError")):
            break
    flags = interpreter.flags(site)
    raise InstallError(f"{os.path.basename(layout.launcher)}: meta-data fails under {interpreter.path} {flags} "
                       f"(rc {result.returncode}): {_last_line(result)}")


def _is_metadata(result: subprocess.CompletedProcess) -> bool:
    return result.returncode == 0 and result.stdout.startswith(b"<?xml")


def _compile(interpreter: Interpreter, scratch: str, sources: list) -> None:
    """Bytecode by the launchers' interpreter, naming each source where it is installed (dfile)."""
    pairs = [item for source in sources for item in (source, source[len(scratch):])]
    result = _run([interpreter.path, "-I", "-c", COMPILE, *pairs])
    if result.returncode != 0:
        raise InstallError(f"{interpreter.path} cannot compile the agents: {_last_line(result)}")


def _write_cache(scratch: str, layout: Layout, agent: Staged) -> None:
    """The meta-data cache, tied to the source as installed (its #! line included)."""
    with open(scratch + layout.source, "rb") as source:
        installed = source.read()
    entry = {"format": CACHE_FORMAT, "ocfpy": __version__, "source": source_stamp(installed)}
    entry.update(agent.metadata)
    _write(scratch + metadata_cache_path(layout.source), marshal.dumps(entry), 0o644)


def _publish(scratch: str, root: str, launchers: set, library: "str | None") -> None:
    """Every file of the scratch tree but the launchers to the same place under ``root``, each
    replaced atomically; the library copy (``library``) loses files it no longer has."""
    for path in _files(scratch):
        if path[len(scratch):] in launchers:
            continue
        with open(path, "rb") as staged:
            data = staged.read()
        _write(root + path[len(scratch):], data, os.stat(path).st_mode & 0o777 | 0o644)
    if library is None or not os.path.isdir(root + library):
        return
    for path in _files(root + library):
        if not os.path.exists(scratch + path[len(root):]):
            os.unlink(path)


def _files(top: str) -> list:
    return sorted(os.path.join(directory, name) for directory, _, names in os.walk(top) for name in names)


def _check_installed(layout: Layout, agent: Staged, interpreter: Interpreter) -> None:
    """The installed launcher as Pacemaker runs it: empty environment, as this user and as
    hacluster (when run as root). A failure removes the launcher: Pacemaker finds no half agent."""
    users = [None]
    if os.geteuid() == 0:
        try:
            users.append(pwd.getpwnam(CHECK_USER))
        except KeyError:
            pass
    for user in users:
        who = f" as {CHECK_USER}" if user else ""
        try:
            result = _run([layout.launcher, "meta-data"], env={}, user=user)
            failure = "" if _is_metadata(result) and result.stdout.decode() == agent.metadata[DEFAULT] else \
                f"rc {result.returncode}, {_last_line(result)}"
        except InstallError as error:
            failure = str(error)
        if failure and user is not None and not _runs_as(interpreter.path, user):  # the kernel blamed the launcher
            failure = f"{CHECK_USER} may not run the interpreter {interpreter.path}"
        if failure:
            os.unlink(layout.launcher)
            raise InstallError(f"{agent.name}: `env -i {layout.launcher} meta-data`{who} does not print its "
                               f"meta-data ({failure}); launcher removed")


def _runs_as(python: str, user) -> bool:
    try:
        return _run([python, "-c", ""], user=user).returncode == 0
    except InstallError:
        return False


def _run(argv: list, *, env: "dict | None" = None, user=None, refuse: str = "") -> subprocess.CompletedProcess:
    ids = {} if user is None else {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    try:
        return subprocess.run(argv, env={} if env is None else env, cwd="/", capture_output=True,
                              timeout=120, check=False, **ids)
    except OSError as error:
        raise InstallError(f"{refuse or argv[0]}: {error.strerror}") from None
    except subprocess.TimeoutExpired:
        raise InstallError(f"{refuse or argv[0]}: no answer within 120 s") from None


def _quiet(**extra) -> dict:
    """The scratch runs' environment: a plain PATH and locale, no bytecode left behind."""
    return dict({"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "PYTHONDONTWRITEBYTECODE": "1"}, **extra)


def _last_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.decode(errors="replace").strip().splitlines()
    return lines[-1] if lines else "no message"


def _write(path: str, data: bytes, mode: int) -> None:
    """Replace ``path`` atomically (a running cluster never reads half a file) with exactly
    ``mode``, missing directories 0755: hacluster must read it whatever the installer's umask."""
    _make_directories(os.path.dirname(path))
    write_atomic(path, data, mode)
    os.chmod(path, mode)


def _make_directories(directory: str) -> None:
    if os.path.isdir(directory):
        return
    _make_directories(os.path.dirname(directory))
    os.mkdir(directory)
    os.chmod(directory, 0o755)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m ocfpy.install",
                                     description="Install OCF agents written with ocfpy.")
    parser.add_argument("agents", nargs="+", metavar="AGENT", help="agent files (the name is the type)")
    parser.add_argument("--provider", default="ocfpy", help="the OCF provider (default %(default)s)")
    parser.add_argument("--python", default=DEFAULT_PYTHON,
                        help="the interpreter the launchers run (default %(default)s); flags are chosen for it")
    parser.add_argument("--library", metavar="DIR",
                        help="the directory holding ocfpy on the target, e.g. python3-ocfpy's site-packages "
                             "(default: copy this ocfpy to OCF_ROOT/lib/PROVIDER/python)")
    parser.add_argument("--ocf-root", default="/usr/lib/ocf", help="OCF_ROOT (default %(default)s)")
    parser.add_argument("--root", default="", help="install under this directory (packaging)")
    args = parser.parse_args(argv)
    os.umask(0o022)  # what it makes is for hacluster to read, whatever the admin's umask
    try:
        staged = install(args.agents, root=args.root.rstrip("/"), ocf_root=args.ocf_root,
                         provider=args.provider, python=args.python, library=args.library)
    except (InstallError, OCFError, OSError) as error:
        print(f"ocfpy.install: {error}", file=sys.stderr)
        return 1
    for agent in staged:
        layout = Layout.of(args.ocf_root, args.provider, agent.name)
        print(args.root.rstrip("/") + layout.launcher)
        if agent.site:
            print(f"ocfpy.install: {agent.name} imports from site-packages ({agent.why_site}): "
                  "its launcher runs with -s, not the faster -S", file=sys.stderr)
        declared = _declared_name(agent.metadata[DEFAULT])
        if declared != agent.name:
            print(f"ocfpy.install: {agent.name}'s meta-data calls it {declared!r}: Pacemaker runs it as "
                  f"ocf:{args.provider}:{agent.name}, and its logs and state files say {declared!r} "
                  "(name the file after its Agent)", file=sys.stderr)
    return 0


def _declared_name(metadata: str) -> str:
    import xml.etree.ElementTree as ET

    return ET.fromstring(metadata.encode()).get("name", "")


if __name__ == "__main__":
    raise SystemExit(main())

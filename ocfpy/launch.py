"""Run an installed agent from its shipped bytecode, and serve its pre-rendered meta-data."""

import gc
import marshal
import os
import sys

#: Version of the meta-data cache layout; a cache of another layout is ignored.
CACHE_FORMAT = 1
LEGACY = "1.0"
DEFAULT = ""


def metadata_variant(environ) -> str:
    """Which meta-data the caller asks for: ``LEGACY`` (OCFPY_OCF_VERSION=1.0, for ocf-tester's
    DTD) or ``DEFAULT`` (the agent's own OCF version)."""
    return LEGACY if environ.get("OCFPY_OCF_VERSION") == LEGACY else DEFAULT


def metadata_cache_path(source: str) -> str:
    """Where :mod:`ocfpy.install` keeps the meta-data rendered from ``source``."""
    directory, name = os.path.split(source)
    return os.path.join(directory, "__pycache__", os.path.splitext(name)[0] + ".meta-data")


def source_stamp(text: bytes) -> tuple:
    """What ties a cache to one text of the source: its size and CRC-32 (not its mtime, which
    packaging does not keep: rpm clamps it)."""
    from zlib import crc32

    return (len(text), crc32(text))


def cached_metadata(source: str, variant: str) -> "str | None":
    """The meta-data rendered at install time, or None when missing or not from this source."""
    from ocfpy import __version__

    try:
        with open(metadata_cache_path(source), "rb") as cache:
            entry = marshal.loads(cache.read())
        with open(source, "rb") as agent:
            stamp = source_stamp(agent.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != CACHE_FORMAT:
        return None
    if entry.get("ocfpy") != __version__ or entry.get("source") != stamp:
        return None
    text = entry.get(variant)
    return text if isinstance(text, str) else None


def load_code(source: str):
    """The agent's code object: its bytecode when valid (as an import checks it), else compiled."""
    try:  # importlib.machinery's own class, loaded with the interpreter: that module would
        from _frozen_importlib_external import SourceFileLoader  # import importlib and warnings
    except ImportError:  # an interpreter other than CPython
        from importlib.machinery import SourceFileLoader

    return SourceFileLoader("__main__", source).get_code("__main__")


def launch(launcher: str, source: str, argv=None, environ=None) -> int:
    """Run the agent at ``source`` (relative to the launcher's real directory) as the ``__main__``
    script, for the action in ``argv[1]``; return its exit code."""
    # What the interpreter made before us lives as long as the process; frozen, no collection
    # scans it again. Loading the agent would otherwise pay a full collection (about 1 ms here).
    gc.freeze()
    source = os.path.normpath(os.path.join(os.path.dirname(os.path.realpath(launcher)), source))
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if len(argv) > 1 and argv[1] == "meta-data":
        text = cached_metadata(source, metadata_variant(environ))
        if text is not None:
            from ocfpy import streams

            return streams.print_text(text)
    try:
        code = load_code(source)
    except OSError as error:
        return _fail(f"cannot read the agent {source}: {error.strerror} (reinstall it)", 5)
    except SyntaxError as error:
        return _fail(f"the agent {source} does not compile: {error.msg} (line {error.lineno})", 1)
    namespace = sys.modules["__main__"].__dict__
    namespace.update(__file__=source, __cached__=None)
    exec(code, namespace)  # an agent ends with raise SystemExit(agent.main())
    return _fail(f"the agent {source} ran no action (it must end with raise SystemExit(agent.main()))", 1)


def _fail(message: str, code: int) -> int:
    from ocfpy import streams

    streams.write("stderr", f"ocfpy: {message}\n")
    return code

"""Logging as ocf-shellfuncs does it: syslog, HA_LOGFILE, HA_DEBUGLOG, stderr as the fallback."""

import os
import time

from ocfpy import streams
from ocfpy.params import FALSE_WORDS, is_true
from ocfpy.reason import DEFAULT_PREFIX

LEVELS = ("debug", "info", "warning", "error")
_LABEL = {"debug": "DEBUG", "info": "INFO", "warning": "WARNING", "error": "ERROR"}


def _first(env, *names: str) -> "str | None":
    """The first of ``names`` that is set (Pacemaker's PCMK_* come before the legacy HA_*)."""
    for name in names:
        value = env.get(name)
        if value is not None:
            return value
    return None


class Log:
    """An agent's logger; sinks are chosen from the environment on first use."""

    def __init__(self, env, tag: str, redact=None):
        self._env = env
        self._tag = tag
        self._redact = redact or (lambda text: text)
        self._sinks = None

    @property
    def debug_enabled(self) -> bool:
        return self._configure()["debug"]

    @property
    def writes_stderr(self) -> bool:
        """Whether lines of level info and above go to stderr (no syslog and no log file)."""
        return self._configure()["stderr"]

    def debug(self, message: str) -> None:
        self.write("debug", message)

    def info(self, message: str) -> None:
        self.write("info", message)

    def warning(self, message: str) -> None:
        self.write("warning", message)

    def error(self, message: str) -> None:
        self.write("error", message)

    def write(self, level: str, message: str) -> None:
        """Send one message (any number of lines) to every configured sink."""
        sinks = self._configure()
        if level == "debug" and not sinks["debug"]:
            return
        text = self._redact(str(message)).replace(DEFAULT_PREFIX, "ocf-exit-reason ")
        for line in text.splitlines() or [""]:
            self._emit(sinks, level, line)

    def _emit(self, sinks: dict, level: str, line: str) -> None:
        label = _LABEL[level]
        if sinks["syslog"]:
            import syslog

            priority = {"debug": syslog.LOG_DEBUG, "info": syslog.LOG_INFO,
                        "warning": syslog.LOG_WARNING, "error": syslog.LOG_ERR}[level]
            syslog.syslog(priority, f"{label}: {line}")
        stamp = time.strftime("%b %d %H:%M:%S")
        debug_files = (sinks["debugfile"], sinks["tracefile"]) if level == "debug" else ()
        for path in debug_files + (sinks["logfile"],):
            if path:
                _append(path, f"{self._tag}:\t{stamp} {label}: {line}\n")
        if sinks["stderr"] or (level == "debug" and sinks["trace_stderr"]):
            streams.write("stderr", f"{label}: {line}\n")

    def _configure(self) -> dict:
        if self._sinks is None:
            self._sinks = choose_sinks(self._env, self._tag)
        return self._sinks


def choose_sinks(env, tag: str) -> dict:
    """Where log lines go, following ocf-shellfuncs' rules."""
    facility = _first(env, "PCMK_logfacility", "HA_LOGFACILITY", "HA_logfacility") or ""
    logfile = _first(env, "PCMK_logfile", "HA_LOGFILE") or ""
    debug_flag = _first(env, "PCMK_debug", "HA_debug") or "0"
    trace = is_true(env.get("OCF_TRACE_RA") or "") or is_true(env.get("OCF_RESKEY_trace_ra") or "")
    trace_file = env.get("OCF_TRACE_FILE") or ""
    use_syslog = facility.lower() not in ("", "none")
    if use_syslog:
        import syslog

        code = getattr(syslog, "LOG_" + facility.upper(), syslog.LOG_DAEMON)
        syslog.openlog(tag, 0, code)
    logfile = "" if logfile.lower() in ("none", "/dev/null") else logfile
    try:
        tty = os.isatty(0)
    except OSError:
        tty = False
    return {
        "syslog": use_syslog,
        "logfile": logfile,
        "debugfile": env.get("HA_DEBUGLOG") or "",
        "debug": trace or debug_flag.strip().lower() not in FALSE_WORDS | {""},
        "stderr": tty or not (use_syslog or logfile),
        # OCF_TRACE_RA sends debug lines to OCF_TRACE_FILE (crm_resource sets /dev/stderr)
        "trace_stderr": trace and trace_file in ("", "/dev/stderr"),
        "tracefile": trace_file if trace and trace_file not in ("", "/dev/stderr") else "",
    }


def _append(path: str, text: str) -> None:
    try:
        # O_NONBLOCK: a fifo nobody reads would otherwise hang the action until its timeout
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NONBLOCK, 0o640)
    except OSError:
        return  # a log file we cannot open must never fail the action
    try:
        os.write(fd, text.encode("utf-8", "backslashreplace"))
    except OSError:
        pass  # nor one we cannot write to (a full disk, /dev/full)
    finally:
        os.close(fd)

"""Health checks any agent can run within its time budget: TCP connect, HTTP(S) GET, status, body, command.

Each check returns a :class:`Health`: true when healthy, with a one-line ``reason`` for the
exit reason when not ("refused", "timeout after 2.0 s", "status 503", "no match for ...").
"""

import time

#: The statuses health_url counts as healthy unless told otherwise.
DEFAULT_STATUSES = "200-399"
#: Redirects health_url follows on the same host before judging the last status it got.
MAX_REDIRECTS = 5
#: Bytes of a body read for health_regex; the rest is not waited for.
BODY_LIMIT = 1 << 20


class Health:
    """The outcome of one check: truthy when healthy; ``reason`` says why not (one line)."""

    __slots__ = ("ok", "reason", "status", "body")

    def __init__(self, ok: bool, reason: str = "", status: "int | None" = None, body: bytes = b""):
        self.ok = ok
        self.reason = reason
        self.status = status
        self.body = body

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Health(ok={self.ok}, reason={self.reason!r}, status={self.status})"


HEALTHY = Health(True)


def _timeout_reason(seconds: float) -> str:
    return f"timeout after {seconds:.1f} s"


def _budget(check: str, timeout) -> float:
    """``timeout`` as seconds; TypeError with the fix for what is no number (None included)."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"{check}: the timeout is a number of seconds, not {timeout!r} (ctx.time_left() "
                        "is None without CRM_meta_timeout: give a default, as docs/health.md does)")
    return float(timeout)


def split_address(address: str, default_host: str = "127.0.0.1") -> tuple:
    """``host:port``, ``[v6]:port`` or ``:port`` as (host, port); ValueError with a message."""
    host, sep, port = address.strip().rpartition(":")
    if not sep or not port.isdigit() or not port.isascii() or not 0 < int(port) < 65536:
        raise ValueError(f"{address!r} is not host:port with a port from 1 to 65535")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ValueError(f"{address!r}: write an IPv6 address in brackets, [::1]:port")
    return host or default_host, int(port)


def health_tcp(address: str, timeout: float) -> Health:
    """Healthy when a TCP connection to ``address`` (``host:port``) opens within ``timeout`` s."""
    from _socket import timeout as timed_out

    from ocfpy import wire

    timeout = _budget("health_tcp", timeout)
    try:
        host, port = split_address(address)
    except ValueError as error:
        return Health(False, str(error))
    try:
        sock = wire.connect(host, port, time.monotonic() + max(timeout, 0.001))
    except ConnectionRefusedError:
        return Health(False, f"{host}:{port} refused the connection")
    except timed_out:
        return Health(False, f"{host}:{port}: connect {_timeout_reason(timeout)}")
    except OSError as error:
        return Health(False, f"{host}:{port}: {error.strerror or error}")
    try:
        if sock.getsockname() == sock.getpeername():
            # TCP's simultaneous open: a local port nobody listens on, picked as our own
            # source port, "connects" to itself
            return Health(False, f"{host}:{port} refused the connection (self-connect)")
        return HEALTHY
    finally:
        sock.close()


def parse_statuses(text: str) -> tuple:
    """``200-399,404`` as ((200, 399), (404, 404)); ValueError with a message."""
    ranges = []
    for part in text.replace(",", " ").split():
        low, dash, high = part.partition("-")
        if dash and not high:  # 200- would otherwise read as 200 alone
            raise ValueError(f"{part!r} is a range without its end: write both, such as 200-399")
        high = high or low
        if not (low.isdigit() and high.isdigit() and low.isascii() and high.isascii()):
            raise ValueError(f"{part!r} is not a status or a range of statuses such as 200-399")
        if not 100 <= int(low) <= int(high) <= 599:
            raise ValueError(f"{part!r} is not a range of HTTP statuses within 100-599")
        ranges.append((int(low), int(high)))
    if not ranges:
        raise ValueError("no status given (such as 200-399 or 200,204)")
    return tuple(ranges)


def health_status(status: int, accepted: str = DEFAULT_STATUSES) -> Health:
    """Healthy when ``status`` is one of ``accepted`` (see :func:`parse_statuses`)."""
    if any(low <= status <= high for low, high in parse_statuses(accepted)):
        return Health(True, status=status)
    return Health(False, f"status {status}, not {accepted}", status)  # 200 may be the wrong one


def health_regex(body, pattern: str) -> Health:
    """Healthy when the regular expression ``pattern`` (Python's ``re``) matches the body."""
    import re

    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if re.search(pattern, text, re.MULTILINE):
        return HEALTHY
    shown = pattern if len(pattern) <= 40 else pattern[:37] + "..."
    return Health(False, f"no match for {shown!r} in the body")


def check_regex(pattern: str) -> None:
    """A ``Parameter(check=..., lazy=True)``: a regular expression :func:`health_regex` can use
    (lazy: compiling needs ``re``, which a monitor that does not match a body never loads)."""
    import re

    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(str(error)) from None


def health_command(argv, timeout: float, env=None) -> Health:
    """Healthy when ``argv`` (a list, never run through a shell) exits 0 within ``timeout`` s."""
    from ocfpy.commands import run

    timeout = _budget("health_command", timeout)
    result = run(argv, timeout=max(timeout, 0.0), env=env, margin=0.0)
    if result.ok:
        return HEALTHY
    if result.timed_out:
        return Health(False, f"{result.program}: {_timeout_reason(timeout)}")
    return Health(False, result.describe())


def health_url(url: str, timeout: float, *, statuses: str = DEFAULT_STATUSES,
               regex: "str | None" = None, verify_tls: bool = False) -> Health:
    """GET ``url`` (http or https) and judge its status and, with ``regex``, its body.

    Everything (connecting, TLS, headers, chunked or not body, redirects on the same host,
    up to MAX_REDIRECTS) ends within ``timeout`` seconds: a server that accepts and never
    answers, or trickles its answer, fails with "timeout after N s". A redirect to another
    host is not followed; its own status is judged. TLS certificates are not verified unless
    ``verify_tls``: the check asks whether the service answers, not who it is.
    """
    deadline = time.monotonic() + _budget("health_url", timeout)
    from ocfpy.wire import HTTPProblem

    try:
        status, body, url = fetch(url, deadline, MAX_REDIRECTS, BODY_LIMIT if regex else 0, verify_tls)
    except HTTPProblem as problem:
        reason = _timeout_reason(timeout) if problem.timed_out else str(problem)
        return Health(False, reason)
    except ValueError as error:  # not an http(s) URL
        return Health(False, str(error))
    verdict = health_status(status, statuses)
    if not verdict:
        return verdict
    if regex is not None:
        matched = health_regex(body, regex)
        return Health(matched.ok, matched.reason, status, body)
    return Health(True, status=status, body=body)


# --- HTTP -----------------------------------------------------------------------------------
def check_url(url: str) -> None:
    """A ``Parameter(check=...)``: an http:// or https:// URL naming a host (empty is fine)."""
    from ocfpy.wire import parse_url

    if url:
        parse_url(url)


def fetch(url: str, deadline: float, redirects: int, body_limit: int, verify_tls: bool) -> tuple:
    """(status, body, final url) of a GET of ``url``, all of it before ``deadline``.

    Redirects to the same scheme, host and port are followed, at most ``redirects`` of
    them; the body is read up to ``body_limit`` bytes (none when 0). HTTPProblem otherwise.
    """
    from ocfpy.wire import REDIRECT_STATUSES, follow, parse_url

    current = parse_url(url)
    for _ in range(redirects + 1):
        status, location, body = _get_once(current, deadline, body_limit, verify_tls)
        target = follow(current, location) if location and status in REDIRECT_STATUSES else None
        if target is None or target.origin != current.origin:
            return status, body, str(current)
        current = target
    return status, body, str(current)


def _get_once(url, deadline: float, body_limit: int, verify_tls: bool) -> tuple:
    """(status, Location or None, body) of one GET; HTTPProblem when there is no answer."""
    from _socket import timeout
    from ocfpy.wire import HTTPProblem, get

    try:
        return get(url, deadline, body_limit, verify_tls)
    except HTTPProblem:
        raise
    except Exception as error:  # any failure to get an answer is the check's verdict
        raise HTTPProblem(_http_reason(error, url.host), isinstance(error, timeout)) from None


def _http_reason(error: Exception, host: str) -> str:
    from _socket import gaierror, timeout

    if isinstance(error, ConnectionRefusedError):
        return "refused"
    if isinstance(error, timeout):
        return "timeout"
    if isinstance(error, gaierror):
        return f"cannot resolve {host}: {error.strerror}"
    if getattr(error, "reason", None) == "WRONG_VERSION_NUMBER":  # ssl's answer to a plain server
        return "no TLS answer: the port serves plain http?"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return f"{type(error).__name__}: {error}"

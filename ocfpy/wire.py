"""TCP connects and HTTP/1.1 GETs that end by a deadline, on the interpreter's own ``_socket``.

Health checks run in every monitor. Importing ``socket`` (its enums) costs about 10 ms on
the project's test machine, and ``http.client`` with ``urllib.parse`` and ``threading``
about 50 ms (``python3 -X importtime``): more than everything else a monitor does. This
module needs neither; ``ssl`` (which imports ``socket``) is loaded for https:// only. Every
read is bounded by the time left, so nothing a server does can stretch the deadline.
"""

import time

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: Bytes of status line and headers read before the answer is refused.
HEAD_LIMIT = 1 << 16
_DEFAULT_PORTS = {"http": 80, "https": 443}


class HTTPProblem(Exception):
    """A GET that got no usable answer; ``timed_out`` when the deadline ended it."""

    def __init__(self, reason: str, timed_out: bool = False):
        super().__init__(reason)
        self.timed_out = timed_out


class URL:
    """An http(s) URL as a GET needs it: scheme, host, port, and the request target."""

    __slots__ = ("scheme", "host", "port", "target")

    def __init__(self, scheme: str, host: str, port: int, target: str):
        self.scheme, self.host, self.port, self.target = scheme, host, port, target

    @property
    def origin(self) -> tuple:
        return self.scheme, self.host, self.port

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host_header()}{self.target}"


def parse_url(text: str) -> URL:
    """``text`` as a URL; ValueError saying why it is not an http:// or https:// URL with a host."""
    if not _plain(text):
        raise ValueError(f"{text!r}: a URL is ASCII without spaces or control characters "
                         "(percent-encode them)")
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in _DEFAULT_PORTS:
        raise ValueError(f"{text!r} is not an http:// or https:// URL")
    cut = min([rest.index(char) for char in "/?#" if char in rest] + [len(rest)])
    authority, target = rest[:cut].rpartition("@")[2], rest[cut:].split("#", 1)[0]
    host, port = _split_authority(authority, text)
    if not host:
        raise ValueError(f"{text!r} is not an http:// or https:// URL with a host")
    port = _DEFAULT_PORTS[scheme] if port == "" else _port(port, text)
    return URL(scheme, host.lower(), port, target if target.startswith("/") else "/" + target)


def _plain(text: str) -> bool:
    """ASCII without spaces or control characters: what may go into a request line as it is."""
    return text.isascii() and not any(char <= " " or char == "\x7f" for char in text)


def _split_authority(authority: str, text: str) -> tuple:
    if authority.startswith("["):
        host, bracket, after = authority[1:].partition("]")
        if not bracket or (after and not after.startswith(":")):
            raise ValueError(f"{text!r}: an IPv6 host is written [address] or [address]:port")
        return host, after[1:]
    host, _, port = authority.partition(":")
    return host, port


def _port(text: str, url: str) -> int:
    if not (text.isdigit() and 0 < int(text) < 65536):
        raise ValueError(f"{url!r} has an invalid port")
    return int(text)


def follow(base: URL, location: str) -> "URL | None":
    """The URL a ``Location`` header names, relative to ``base``; None when it is not http(s)."""
    location = location.strip().split("#", 1)[0]
    try:
        if _has_scheme(location):
            return parse_url(location)
        if location.startswith("//"):
            return parse_url(f"{base.scheme}:{location}")
    except ValueError:
        return None
    if not _plain(location):
        return None
    if location.startswith("/"):
        target = location
    elif location.startswith("?") or not location:
        target = base.path + location
    else:
        target = base.path.rpartition("/")[0] + "/" + location
    path, mark, query = target.partition("?")
    return URL(base.scheme, base.host, base.port, _without_dot_segments(path) + mark + query)


def _has_scheme(reference: str) -> bool:
    """Whether ``reference`` starts with a scheme (``name:``), as an absolute URL does."""
    name, colon, _ = reference.partition(":")
    return bool(colon) and name[:1].isalpha() and name.isascii() and \
        all(char.isalnum() or char in "+-." for char in name)


def _without_dot_segments(path: str) -> str:
    """``/a/b/../c/./d`` as ``/a/c/d``, as a browser resolves a relative reference."""
    kept = []
    parts = path.split("/")
    for index, part in enumerate(parts[1:], 1):
        if part == "..":
            if kept:
                kept.pop()
        elif part != ".":
            kept.append(part)
        if part in (".", "..") and index == len(parts) - 1:
            kept.append("")  # a trailing /. or /.. names a directory
    return "/" + "/".join(kept)


def time_left(deadline: float) -> float:
    """Seconds until ``deadline``; the socket module's timeout error when none are left."""
    left = deadline - time.monotonic()
    if left <= 0:
        from _socket import timeout

        raise timeout("no time left")
    return left


def connect(host: str, port: int, deadline: float):
    """A ``_socket.socket`` connected to ``host``:``port`` before ``deadline``; OSError (and its
    timeout) as connect raises them. Name resolution is the system's and not bounded."""
    import _socket

    # a str host is IDNA-encoded by getaddrinfo: the codec imports re, 20 ms; ASCII needs none
    name = host.encode("ascii") if host.isascii() else host
    error = None
    for family, kind, proto, _, address in _socket.getaddrinfo(name, port, 0, _socket.SOCK_STREAM):
        sock = _socket.socket(family, kind, proto)
        try:
            sock.settimeout(time_left(deadline))
            sock.connect(address)
            return sock
        except OSError as failure:
            sock.close()
            error = failure
    raise error or OSError(f"{host} has no address")


def get(url: URL, deadline: float, body_limit: int, verify_tls: bool) -> tuple:
    """(status, Location or None, body up to ``body_limit`` bytes) of one GET of ``url``."""
    sock = connect(url.host, url.port, deadline)
    try:
        if url.scheme == "https":
            sock = _tls(sock, url.host, verify_tls, deadline)
        request = (f"GET {url.target} HTTP/1.1\r\nHost: {url.host_header()}\r\nUser-Agent: ocfpy-health\r\n"
                   "Accept: */*\r\nConnection: close\r\n\r\n")
        sock.settimeout(time_left(deadline))
        sock.sendall(request.encode("ascii"))
        reader = _Reader(sock, deadline)
        status, headers = _answer_head(reader)
        body = _body(reader, status, headers, body_limit) if body_limit else b""
    finally:
        sock.close()
    return status, headers.get("location"), body


def _tls(raw, host: str, verify: bool, deadline: float):
    import socket
    import ssl

    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    sock = socket.socket(raw.family, raw.type, raw.proto, fileno=raw.detach())
    sock.settimeout(time_left(deadline))  # the handshake as a whole
    return context.wrap_socket(sock, server_hostname=host)


class _Reader:
    """Buffered reads from a socket, each bounded by the time left before the deadline."""

    def __init__(self, sock, deadline: float):
        self.sock, self.deadline, self.buffer = sock, deadline, bytearray()

    def _more(self) -> bool:
        self.sock.settimeout(time_left(self.deadline))
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def line(self, limit: int = HEAD_LIMIT) -> bytes:
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                break
            if len(self.buffer) > limit:
                raise HTTPProblem("not a valid HTTP answer (a line too long)")
            if not self._more():
                raise EOFError
        line = bytes(self.buffer[:end])
        del self.buffer[: end + 1]
        return line.rstrip(b"\r")

    def take(self, count: int, until_close: bool = False) -> bytes:
        while len(self.buffer) < count and self._more():
            pass
        if len(self.buffer) < count and not until_close:
            raise EOFError
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data


def _answer_head(reader: _Reader) -> tuple:
    """The final status and the headers (lower-case names), informational answers skipped."""
    while True:
        try:
            line = reader.line()
        except EOFError:
            raise HTTPProblem("the server closed the connection without answering") from None
        version, _, rest = line.partition(b" ")
        code = rest[:3]
        if not version.startswith(b"HTTP/") or len(code) != 3 or not code.isdigit():
            raise HTTPProblem("not a valid HTTP answer (its status line)")
        headers = _headers(reader)
        if not 100 <= int(code) < 200 or int(code) == 101:
            return int(code), headers


def _headers(reader: _Reader) -> dict:
    headers, size = {}, 0
    while True:
        try:
            line = reader.line()
        except EOFError:
            raise HTTPProblem("not a valid HTTP answer (it ends in its headers)") from None
        size += len(line)
        if size > HEAD_LIMIT:
            raise HTTPProblem("not a valid HTTP answer (headers too long)")
        if not line:
            return headers
        name, colon, value = line.decode("latin-1").partition(":")
        if colon and name.strip():
            headers[name.strip().lower()] = value.strip()


def _body(reader: _Reader, status: int, headers: dict, limit: int) -> bytes:
    """Up to ``limit`` bytes of the body: chunked, of a Content-Length, or until closed."""
    if status in (204, 304):
        return b""
    try:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return _chunked(reader, limit)
        length = headers.get("content-length", "")
        if length.isascii() and length.isdigit():
            return reader.take(min(int(length), limit))
        return reader.take(limit, until_close=True)
    except EOFError:
        raise HTTPProblem("not a valid HTTP answer (its body ends early)") from None


def _chunked(reader: _Reader, limit: int) -> bytes:
    body = bytearray()
    while len(body) < limit:
        size = reader.line().split(b";", 1)[0].strip()
        try:
            count = int(size, 16)
        except ValueError:
            raise HTTPProblem("not a valid HTTP answer (a chunk size)") from None
        if count == 0:
            break
        body += reader.take(min(count, limit - len(body)))
        if len(body) < limit:
            reader.take(2)  # the CRLF after the chunk
    return bytes(body)

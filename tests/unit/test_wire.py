"""ocfpy.wire: URLs as a GET needs them, and answers read from canned loopback servers."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ocfpy.wire import HTTPProblem, URL, follow, get, parse_url

REPO = Path(__file__).resolve().parents[2]
BASE = URL("http", "web.example", 8080, "/app/status?full=1")


@pytest.mark.parametrize("text, expected", [
    ("http://127.0.0.1:8080/health", ("http", "127.0.0.1", 8080, "/health")),
    ("HTTPS://Web.Example", ("https", "web.example", 443, "/")),
    ("http://web:/x?y=1#top", ("http", "web", 80, "/x?y=1")),
    ("http://user:secret@web/x", ("http", "web", 80, "/x")),
    ("http://[::1]:81/", ("http", "::1", 81, "/")),
    ("http://web?q", ("http", "web", 80, "/?q")),
])
def test_urls(text, expected):
    url = parse_url(text)
    assert (url.scheme, url.host, url.port, url.target) == expected


@pytest.mark.parametrize("text, says", [
    ("ftp://web/", "not an http:// or https:// URL"),
    ("http://", "with a host"),
    ("web:80", "not an http://"),
    ("http://web:99999/", "invalid port"),
    ("http://web:0/", "invalid port"),
    ("http://web:8o/", "invalid port"),
    ("http://[::1/", "[address]"),
    ("http://web/a b", "without spaces"),
    ("http://web/\r\nX-Injected: 1", "control characters"),
    ("http://wéb/", "ASCII"),
])
def test_bad_urls_say_why(text, says):
    with pytest.raises(ValueError, match=says.replace("[", r"\[").replace("?", r"\?")):
        parse_url(text)


@pytest.mark.parametrize("location, expected", [
    ("/other", "http://web.example:8080/other"),
    ("next", "http://web.example:8080/app/next"),
    ("../up/./here", "http://web.example:8080/up/here"),
    ("../../../../top", "http://web.example:8080/top"),
    ("?brief=1", "http://web.example:8080/app/status?brief=1"),
    ("//cdn.example/x", "http://cdn.example/x"),
    ("https://web.example:8443/s#frag", "https://web.example:8443/s"),
    ("/a/..", "http://web.example:8080/"),
])
def test_locations_resolve_against_the_request(location, expected):
    assert str(follow(BASE, location)) == expected


@pytest.mark.parametrize("location", ["ftp://web/", "mailto:ops@web.example", "/bad path", "//", "http://"])
def test_locations_that_are_not_http_urls_are_not_followed(location):
    assert follow(BASE, location) is None


@pytest.fixture
def canned():
    """A loopback server that answers every connection with the bytes in ``answer[0]``
    (a list of pieces, sent with ``pause`` seconds between them) and records requests."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    answer, requests = [[b""]], []
    settings = {"pause": 0.0}

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                requests.append(conn.recv(65536))
                try:
                    for piece in answer[0]:
                        conn.sendall(piece)
                        time.sleep(settings["pause"])
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    url = URL("http", "127.0.0.1", listener.getsockname()[1], "/probe?x=1")
    yield url, answer, requests, settings
    listener.close()


def fetch(url, limit=1 << 20, seconds=2.0):
    return get(url, time.monotonic() + seconds, limit, False)


def test_the_request_is_one_plain_get(canned):
    url, answer, requests, _ = canned
    answer[0] = [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]

    assert fetch(url) == (200, None, b"ok")
    head = requests[0].decode()
    assert head.startswith("GET /probe?x=1 HTTP/1.1\r\n")
    assert f"\r\nHost: 127.0.0.1:{url.port}\r\n" in head and "\r\nConnection: close\r\n" in head
    assert head.endswith("\r\n\r\n")


def test_informational_answers_are_skipped_and_headers_are_case_blind(canned):
    url, answer, _, _ = canned
    answer[0] = [b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n",
                 b"HTTP/1.1 302 Found\r\nLOCATION: /next\r\ncontent-length: 0\r\n\r\n"]

    assert fetch(url) == (302, "/next", b"")


def test_a_body_without_length_is_read_until_closed_and_cut_at_the_limit(canned):
    url, answer, _, _ = canned
    answer[0] = [b"HTTP/1.0 200 OK\r\n\r\n", b"a" * 5000, b"b" * 5000]

    assert fetch(url)[2] == b"a" * 5000 + b"b" * 5000
    assert fetch(url, limit=10)[2] == b"a" * 10


def test_chunks_are_joined_and_extensions_ignored(canned):
    url, answer, _, _ = canned
    answer[0] = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                 b"5;name=v\r\nhello\r\n", b"6\r\n world\r\n0\r\nTrailer: t\r\n\r\n"]

    assert fetch(url)[2] == b"hello world"
    assert fetch(url, limit=7)[2] == b"hello w"


def test_no_body_is_read_when_none_is_asked_for(canned):
    url, answer, _, settings = canned
    answer[0] = [b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", b"x"]
    settings["pause"] = 1.0  # the rest of the body would come late

    started = time.monotonic()
    assert fetch(url, limit=0) == (200, None, b"")
    assert time.monotonic() - started < 0.9


@pytest.mark.parametrize("pieces, says", [
    ([b""], "closed the connection without answering"),
    ([b"SSH-2.0-OpenSSH_9.2\r\n"], "its status line"),
    ([b"HTTP/1.1 200 OK\r\nServer: x\r\n"], "ends in its headers"),
    ([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"], "body ends early"),
    ([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"], "a chunk size"),
    ([b"HTTP/1.1 200 OK\r\nX: " + b"y" * 70000], "too long"),
])
def test_broken_answers_say_what_was_wrong(canned, pieces, says):
    url, answer, _, _ = canned
    answer[0] = pieces

    with pytest.raises(HTTPProblem, match=says) as problem:
        fetch(url)
    assert not problem.value.timed_out


def test_a_trickled_body_ends_at_the_deadline(canned):
    url, answer, _, settings = canned
    answer[0] = [b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"] + [b"x"] * 50
    settings["pause"] = 0.05

    started = time.monotonic()
    with pytest.raises(OSError):  # the socket module's timeout: the deadline, not a broken answer
        fetch(url, seconds=0.4)
    assert time.monotonic() - started < 0.8


def test_a_plain_http_check_loads_neither_socket_nor_http_client(canned):
    url, answer, _, _ = canned
    answer[0] = [b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nready"]
    script = ("import sys\nfrom ocfpy.health import health_tcp, health_url\n"
              f"assert health_url('{url}', 2.0, statuses='200'), 'unhealthy'\n"
              f"assert health_tcp('127.0.0.1:{url.port}', 2.0), 'unhealthy'\n"
              "print(sorted({'socket', 'http.client', 'urllib.parse', 'threading', 'ssl', 'encodings.idna', 're'} & set(sys.modules)))")

    result = subprocess.run([sys.executable, "-S", "-c", script], capture_output=True, text=True, check=False,
                            cwd=REPO)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"

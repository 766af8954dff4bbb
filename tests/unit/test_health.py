"""ocfpy.health against real loopback servers run in threads: verdicts, reasons and deadlines."""

from __future__ import annotations

import http.server
import socket
import ssl
import subprocess
import threading
import time

import pytest

from ocfpy.health import (
    check_url, health_command, health_regex, health_status, health_tcp, health_url,
    parse_statuses, split_address,
)


class Handler(http.server.BaseHTTPRequestHandler):
    """Answers by path: /ok, /status/N, /chunked, /redirect/N (N hops), /away, /slow."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if parts[0] == "status":
            self._answer(int(parts[1]), b"<html>status page</html>")
        elif parts[0] == "chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for piece in (b"alpha ", b"beta ", b"ready"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        elif parts[0] == "redirect":
            hops = int(parts[1])
            self.send_response(302)
            self.send_header("Location", f"/redirect/{hops - 1}" if hops > 1 else "/status/200")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif parts[0] == "away":
            self.send_response(301)
            self.send_header("Location", "http://192.0.2.1:9/never")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._answer(200, b"all good")

    def _answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_server():
    """Accepts connections and never answers, or trickles a byte at a time (``trickle``)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    state = {"trickle": False, "stop": False, "wrap": None}
    held = []

    def serve():
        while not state["stop"]:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            held.append(conn)
            if state["wrap"]:
                try:
                    conn = state["wrap"](conn)
                except (OSError, ssl.SSLError):
                    continue
                held.append(conn)
            if state["trickle"]:
                threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    def trickle(conn):
        try:
            conn.recv(4096)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 1000:
                conn.sendall(bytes([byte]))
                time.sleep(0.05)
        except OSError:
            pass

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1], state
    state["stop"] = True
    listener.close()
    for conn in held:
        conn.close()


@pytest.fixture
def closed_port():
    """A loopback port held bound but not listening: refused, and no other process can take it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


# --- tcp ------------------------------------------------------------------------------------
def test_tcp_connect_is_healthy_and_a_closed_port_is_refused(web, closed_port):
    port = int(web.rsplit(":", 1)[1])
    assert health_tcp(f"127.0.0.1:{port}", 2.0)
    closed = health_tcp(f"127.0.0.1:{closed_port}", 2.0)
    assert not closed and "refused" in closed.reason


@pytest.mark.parametrize("address, parsed", [
    ("127.0.0.1:80", ("127.0.0.1", 80)), ("[::1]:8080", ("::1", 8080)), (":22", ("127.0.0.1", 22)),
    ("web.example:443", ("web.example", 443)),
])
def test_addresses(address, parsed):
    assert split_address(address) == parsed


@pytest.mark.parametrize("address", ["80", "host:", "host:0", "host:65536", "::1:80", "h:8x", "h:٣"])
def test_bad_addresses(address):
    with pytest.raises(ValueError):
        split_address(address)
    assert not health_tcp(address, 1.0)


# --- statuses and bodies --------------------------------------------------------------------
def test_status_ranges():
    assert parse_statuses("200-399, 404") == ((200, 399), (404, 404))
    assert health_status(302) and health_status(200, "200")
    verdict = health_status(503)
    assert not verdict and verdict.reason == "status 503, not 200-399"


@pytest.mark.parametrize("text", ["", "2xx", "399-200", "99", "200-700", "200;300", "200-", "200-,404"])
def test_bad_status_lists(text):
    with pytest.raises(ValueError):
        parse_statuses(text)


def test_a_range_without_its_end_says_so():
    with pytest.raises(ValueError, match="'200-' is a range without its end: write both, such as 200-399"):
        parse_statuses("200-")


def test_regex_matches_the_body_or_says_what_it_missed():
    assert health_regex(b"<p>ready</p>", r"read[y]")
    missed = health_regex("nothing", "ready")
    assert not missed and missed.reason == "no match for 'ready' in the body"


# --- url ------------------------------------------------------------------------------------
def test_a_200_is_healthy_and_a_503_says_its_status(web):
    assert health_url(web + "/ok", 2.0)
    failed = health_url(web + "/status/503", 2.0)
    assert not failed and failed.reason == "status 503, not 200-399"


def test_a_status_outside_health_status_names_the_statuses_wanted(web):
    # `pcs resource update web health_status=201`: "status 200" alone reads as healthy
    failed = health_url(web + "/ok", 2.0, statuses="201")
    assert not failed and failed.reason == "status 200, not 201"


def test_a_500_page_that_matches_the_regex_still_fails(web):
    # resource-agents' curl | grep passes this page; the status decides first
    failed = health_url(web + "/status/500", 2.0, regex="status page")
    assert not failed and failed.reason == "status 500, not 200-399"
    assert health_url(web + "/status/500", 2.0, statuses="500", regex="status page")


def test_chunked_body_is_read_and_matched(web):
    assert health_url(web + "/chunked", 2.0, regex="beta ready$")
    missed = health_url(web + "/chunked", 2.0, regex="gamma")
    assert not missed and "no match for 'gamma'" in missed.reason


def test_redirects_on_the_same_host_are_followed(web):
    answer = health_url(web + "/redirect/3", 2.0, statuses="200")
    assert answer and answer.status == 200


def test_too_many_redirects_are_judged_by_the_last_status(web):
    answer = health_url(web + "/redirect/9", 2.0, statuses="200")
    assert not answer and answer.reason == "status 302, not 200"
    assert health_url(web + "/redirect/9", 2.0)  # 302 is within the default 200-399


def test_a_redirect_to_another_host_is_not_followed(web):
    started = time.monotonic()
    answer = health_url(web + "/away", 2.0)
    assert answer and answer.status == 301 and time.monotonic() - started < 1.0


def test_refused_url(closed_port):
    refused = health_url(f"http://127.0.0.1:{closed_port}/", 2.0)
    assert not refused and refused.reason == "refused"


def test_a_name_that_does_not_resolve_is_named_in_the_reason(monkeypatch):
    from ocfpy import wire

    def unresolvable(url, *args):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(wire, "get", unresolvable)  # no resolver is asked: CI has no network
    answer = health_url("http://www.exampel.test:8080/", 2.0)
    assert not answer and answer.reason == "cannot resolve www.exampel.test: Name or service not known"


def test_https_to_a_plain_http_port_says_so(web):
    answer = health_url(web.replace("http://", "https://") + "/ok", 2.0)
    assert not answer and answer.reason == "no TLS answer: the port serves plain http?"


def test_a_server_that_accepts_and_never_answers_times_out_in_time(silent_server):
    port, _ = silent_server
    started = time.monotonic()
    answer = health_url(f"http://127.0.0.1:{port}/", 0.5)
    elapsed = time.monotonic() - started
    assert not answer and answer.reason == "timeout after 0.5 s"
    assert 0.45 <= elapsed < 1.0


def test_a_trickling_server_cannot_stretch_the_deadline(silent_server):
    port, state = silent_server
    state["trickle"] = True  # a byte every 50 ms: no single read ever waits long
    started = time.monotonic()
    answer = health_url(f"http://127.0.0.1:{port}/", 0.6)
    assert not answer and answer.reason == "timeout after 0.6 s"
    assert time.monotonic() - started < 1.1


@pytest.fixture
def certificate(tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                    "-days", "1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    return context


def test_https_with_a_self_signed_certificate(certificate):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = certificate.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"https://127.0.0.1:{server.server_address[1]}"
        assert health_url(url + "/chunked", 2.0, regex="ready")
        assert not health_url(url + "/status/503", 2.0)
        verified = health_url(url + "/ok", 2.0, verify_tls=True)
        assert not verified and "CERTIFICATE_VERIFY_FAILED" in verified.reason
    finally:
        server.shutdown()
        server.server_close()


def test_a_trickling_tls_server_cannot_stretch_the_deadline(silent_server, certificate):
    port, state = silent_server
    state["wrap"] = lambda conn: certificate.wrap_socket(conn, server_side=True)
    state["trickle"] = True
    started = time.monotonic()
    answer = health_url(f"https://127.0.0.1:{port}/", 0.6)
    assert not answer and answer.reason == "timeout after 0.6 s"
    assert time.monotonic() - started < 1.1


@pytest.mark.parametrize("url", ["ftp://x/", "http://", "localhost:80", "http://h:99999/", "/path"])
def test_urls_that_are_not_http_are_refused(url):
    with pytest.raises(ValueError):
        check_url(url)
    assert not health_url(url, 1.0)


# --- command --------------------------------------------------------------------------------
def test_command_rc_0_is_healthy_and_anything_else_says_why():
    assert health_command(["true"], 2.0)
    failed = health_command(["sh", "-c", "echo overloaded >&2; exit 3"], 2.0)
    assert not failed and failed.reason == "sh exited with 3: overloaded"


def test_command_is_killed_at_its_timeout():
    started = time.monotonic()
    failed = health_command(["sleep", "10"], 0.3)
    assert not failed and failed.reason == "sleep: timeout after 0.3 s"
    assert time.monotonic() - started < 1.5


def test_command_is_never_run_through_a_shell(tmp_path):
    marker = tmp_path / "ran"
    assert health_command(["echo", f"$(touch {marker})"], 2.0)
    assert not marker.exists()
    missing = health_command(["ocfpy-no-such-check"], 2.0)
    assert not missing and "command not found" in missing.reason


# --- what a writer may pass for a timeout -------------------------------------------------
@pytest.mark.parametrize("check", [
    lambda timeout: health_tcp("127.0.0.1:1", timeout),
    lambda timeout: health_url("http://127.0.0.1:1/", timeout),
    lambda timeout: health_command(["true"], timeout),
])
@pytest.mark.parametrize("timeout", [None, "2"])
def test_a_timeout_that_is_no_number_says_so_in_one_line(check, timeout):
    # ctx.time_left() is None without CRM_meta_timeout (a manual run): no comparison error
    with pytest.raises(TypeError, match=r"^health_\w+: the timeout is a number of seconds, not .*give a default"):
        check(timeout)


# --- docs/health.md -------------------------------------------------------------------------
def test_the_docs_examples_run_as_written(closed_port):
    import pathlib
    import re

    doc = pathlib.Path(__file__).resolve().parents[2] / "docs" / "health.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), re.S)
    assert len(blocks) == 3
    namespace = {}
    for block in blocks:
        exec(compile(block, str(doc), "exec"), namespace)  # the asserts in them must hold

    class Ctx:
        reason = None

        def time_left(self):
            return 3.0

        def exit_reason(self, text):
            self.reason = text

    ctx = Ctx()
    assert namespace["check_serving"](ctx, f"http://127.0.0.1:{closed_port}/") == 1
    assert ctx.reason.endswith(": refused")


def test_a_connection_to_itself_is_not_a_listener():
    # Bind a socket to a port and connect it to that same port: TCP simultaneous open
    # succeeds with nobody listening. health_tcp must see through it.
    import unittest.mock

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.connect(("127.0.0.1", port))
    with unittest.mock.patch("ocfpy.wire.connect", return_value=sock):
        verdict = health_tcp(f"127.0.0.1:{port}", 1.0)
    assert not verdict and "self-connect" in verdict.reason

"""The local AWS endpoint keeps connections alive (local/keepalive.py) without ever mixing two
requests up: each body is read whole, each answer has an exact length, a failure closes."""

from __future__ import annotations

import http.client
import threading

import pytest

from local.keepalive import LocalEndpoint
from local.stack import free_port


def _app(environ, start_response):
    """Echoes what it read; ``/ignore`` reads nothing of the body; ``/fail`` raises;
    ``/empty`` answers 204; a HEAD answers the length a GET would have."""
    path = environ["PATH_INFO"]
    if path == "/fail":
        raise RuntimeError("the application failed")
    if path == "/empty":
        start_response("204 No Content", [])
        return []
    body = b"" if path == "/ignore" else environ["wsgi.input"].read()
    answer = f"{environ['REQUEST_METHOD']} {path} {len(body)} {body[:20].decode()}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(answer)))])
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [answer]


@pytest.fixture
def endpoint():
    server = LocalEndpoint(free_port(), app=_app).start()
    yield server
    server.stop()


def _ask(conn: http.client.HTTPConnection, method: str, path: str, body=None, **kw) -> tuple[int, bytes, http.client.HTTPResponse]:
    conn.request(method, path, body=body, **kw)
    response = conn.getresponse()
    return response.status, response.read(), response


def test_one_connection_carries_request_after_request(endpoint):
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    assert _ask(conn, "POST", "/a", b'{"x": 1}')[:2] == (200, b'POST /a 8 {"x": 1}')
    first = conn.sock
    # a body the application never reads is not taken for the next request
    assert _ask(conn, "POST", "/ignore", b"GET /evil HTTP/1.1\r\n\r\n")[:2] == (200, b"POST /ignore 0 ")
    # a chunked body is read to its last chunk
    chunks = iter([b"abc", b"defg"])
    assert _ask(conn, "POST", "/c", chunks, encode_chunked=True, headers={"Transfer-Encoding": "chunked"})[:2] == (
        200, b"POST /c 7 abcdefg")
    status, body, response = _ask(conn, "HEAD", "/h")
    # no body, and the length the application declared (S3's HeadObject says the object's size)
    assert (status, body, response.getheader("Content-Length")) == (200, b"", str(len(b"HEAD /h 0 ")))
    assert _ask(conn, "GET", "/empty")[:2] == (204, b"")
    assert _ask(conn, "GET", "/last")[:2] == (200, b"GET /last 0 ")
    assert conn.sock is first and endpoint.open_connections == 1
    conn.close()


def test_a_failing_application_answers_500_and_closes_the_connection(endpoint):
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    status, body, response = _ask(conn, "POST", "/fail", b"{}")
    assert (status, body, response.getheader("Connection")) == (500, b"Internal Server Error", "close")
    assert _ask(conn, "GET", "/after")[:2] == (200, b"GET /after 0 ")  # on a new connection


def test_a_client_that_asks_to_close_is_answered_and_closed(endpoint):
    conn = http.client.HTTPConnection("127.0.0.1", endpoint.port, timeout=10)
    status, _, response = _ask(conn, "GET", "/x", headers={"Connection": "close"})
    assert (status, response.getheader("Connection")) == (200, "close")


def test_stopping_closes_the_connections_left_open():
    server = LocalEndpoint(free_port(), app=_app).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    assert _ask(conn, "GET", "/x")[0] == 200
    sock = conn.sock
    stopped = threading.Thread(target=server.stop)
    stopped.start()
    stopped.join(timeout=10)
    assert not stopped.is_alive()
    assert sock.recv(1) == b""  # the server shut the connection: no answer can come from the stopped stack

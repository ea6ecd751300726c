"""The local AWS endpoint with HTTP/1.1 keep-alive (issue 18: local CPU per registration).

moto's ``ThreadedMotoServer`` serves through werkzeug's development server, which closes every
connection after one response (``Connection: close``: its handler cannot tell where a request body
ends, so it drains the socket after each answer). Every AWS call of the local stack then paid for
a new TCP connection and a new server thread (measured: local CPU per registration 614 → 573 ms
with this module, the suite's time on a fresh clone 1013 → 883 s), while a Lambda function on AWS
keeps its HTTPS connection to DynamoDB open across invocations.

``KeepAliveHandler`` reads each request's body completely before the application runs (the
declared ``Content-Length``, or the chunks up to the last one), so nothing of a request is ever
left on the socket, and answers with an exact ``Content-Length``: the connection can carry the
next request. The application is moto's own (``DomainDispatcherApplication``): the answers are
the same bytes, only the connection outlives them. ``LocalEndpoint`` starts and stops it the way
``ThreadedMotoServer`` does and closes the connections still open when it stops (a keep-alive
connection would otherwise go on reaching the stopped stack's backends).
"""

from __future__ import annotations

import io
import logging
import socket
import threading
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

log = logging.getLogger("birthreg.local.endpoint")

# answers that carry no body whatever their headers say (RFC 9110 §6.4.1)
_NO_BODY = {204, 304}
IDLE_SECONDS = 120  # a connection nobody used for this long is closed (the client opens another)


class KeepAliveHandler(MotoRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS
    # headers and body are two writes: with Nagle's algorithm the body would wait for the
    # client's delayed ACK of the headers (~40 ms) on a connection that stays open
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        self.server.open_connections.add(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        self.server.open_connections.discard(self.connection)  # type: ignore[attr-defined]
        super().finish()

    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        if environ.get("wsgi.input_terminated"):  # chunked: werkzeug's reader stops at the last chunk
            body = environ["wsgi.input"].read()
        else:
            body = self.rfile.read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        return environ

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.environ = self.make_environ()
        answer: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            answer[:] = [status, headers]
            return chunks.append

        chunks: list[bytes] = []
        try:
            result = self.server.app(environ, start_response)
            try:
                chunks.extend(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        except Exception:  # what werkzeug answers too: a 500, logged; the connection is not reused
            log.exception("local AWS endpoint: %s %s failed", environ["REQUEST_METHOD"], environ.get("PATH_INFO"))
            answer[:] = ["500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain; charset=utf-8")]]
            chunks = [b"Internal Server Error"]
            self.close_connection = True
        status, headers = answer
        code, _, reason = status.partition(" ")
        body = b"".join(chunks)
        self.send_response(int(code), reason)
        declared = None
        for name, value in headers:
            lowered = name.lower()
            if lowered == "content-length":
                declared = value
            elif lowered not in ("connection", "transfer-encoding"):
                self.send_header(name, value)
        head = environ["REQUEST_METHOD"] == "HEAD"
        if int(code) not in _NO_BODY and not 100 <= int(code) < 200:
            # a HEAD answer keeps the length of what a GET would send (S3's HeadObject says the size)
            self.send_header("Content-Length", declared if head and declared is not None else str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if body and not head and int(code) not in _NO_BODY:
            self.wfile.write(body)


class LocalEndpoint:
    """moto's application on 127.0.0.1:``port``, served with keep-alive (``ThreadedMotoServer``'s
    start/stop, plus closing the connections still open)."""

    def __init__(self, port: int, app: Any = None) -> None:
        self.port = port
        self.app = app  # moto's, unless a test gives another WSGI application
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def open_connections(self) -> int:
        return len(self._server.open_connections) if self._server is not None else 0  # type: ignore[attr-defined]

    def start(self) -> LocalEndpoint:
        app = self.app or DomainDispatcherApplication(create_backend_app)
        self._server = make_server("127.0.0.1", self.port, app, threaded=True, request_handler=KeepAliveHandler)
        self._server.open_connections = set()  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-aws-endpoint", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        for connection in list(self._server.open_connections):  # type: ignore[attr-defined]
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = None

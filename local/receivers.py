"""Reference receivers of the registrations we deliver (local only): 渝快办 and PIS as the
interface of ``chalicelib/adapters/sharing.py`` describes them.

One HTTP server (a free port) answers ``POST /<system>/registrations`` for each receiving system the
way a real one must: it checks the app key and the signature (``adapters/signed_http.verify``:
timestamp, one-time nonce), the record's shape, and deduplicates on ``X-Event-Id`` — the same
event again answers the first receipt and records nothing new. ``GET /<system>/registrations``
lists what it recorded. Tests make it fail for a while (``fail_next``) to show the outbox's retries.

The local stack starts it, puts random secrets into the ``SharingCredentials`` secret and points
the ``SHARING_*`` settings at it (local/stack.py).
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from chalicelib.adapters import signed_http
from chalicelib.domain.profiles import RECEIVING_SYSTEMS

# Fields a receiver needs to record a registration (domain/sharing.py registration_record).
REQUIRED = ("schema_version", "type", "case_id", "registration_number", "registered_at", "channel", "office",
            "child_order", "woman", "man", "event_id")


@dataclass
class Receiver:
    system: str
    app_key: str = field(default_factory=lambda: "local-" + secrets.token_hex(4))
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # event id -> record
    receipts: dict[str, str] = field(default_factory=dict)  # event id -> receipt
    requests: int = 0
    refused: list[str] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)  # statuses to answer next, in order
    _nonces: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, count: int, status: int = 503) -> None:
        with self._lock:
            self._failures.extend([status] * count)

    def clear(self) -> None:
        with self._lock:
            self.records.clear()
            self.receipts.clear()
            self.refused.clear()
            self._failures.clear()
            self.requests = 0

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.requests += 1
            if self._failures:
                return self._failures.pop(0), {"code": "UNAVAILABLE", "message": "reference receiver told to fail"}
            if headers.get("X-App-Key") != self.app_key or not signed_http.verify(
                self.secret, headers, path=path, body=body, seen_nonces=self._nonces
            ):
                self.refused.append("signature")
                return 401, {"code": "BAD_SIGNATURE", "message": "签名校验失败"}
            try:
                record = json.loads(body)
            except ValueError:
                record = None
            event_id = headers.get("X-Event-Id", "")
            missing = [k for k in REQUIRED if not isinstance(record, dict) or k not in record]
            if missing or record.get("event_id") != event_id:
                self.refused.append("shape")
                return 400, {"code": "BAD_RECORD", "message": f"缺少字段: {','.join(missing) or 'event_id'}"}
            if event_id in self.receipts:  # a retry after a lost answer: the first receipt, nothing new
                return 200, {"receipt": self.receipts[event_id], "duplicate": True}
            receipt = f"{self.system}-{len(self.receipts) + 1:06d}"
            self.receipts[event_id] = receipt
            self.records[event_id] = record
            return 201, {"receipt": receipt}


def send_json(handler: BaseHTTPRequestHandler, status: int, answer: Any) -> None:
    """Answer an http.server request with JSON (the local stack's own routes use it too)."""
    data = json.dumps(answer, ensure_ascii=False).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class Receivers:
    """The reference receivers of every system a profile shares with, on one local HTTP server."""

    def __init__(self) -> None:
        self.by_system = {system: Receiver(system) for system in RECEIVING_SYSTEMS}
        self._server: ThreadingHTTPServer | None = None

    def __getitem__(self, system: str) -> Receiver:
        return self.by_system[system]

    def start(self) -> Receivers:
        receivers = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, answer: dict[str, Any]) -> None:
                send_json(self, status, answer)

            def _receiver(self) -> Receiver | None:
                parts = self.path.strip("/").split("/")
                if len(parts) == 2 and parts[1] == "registrations":
                    return receivers.by_system.get(parts[0])
                return None

            def do_POST(self) -> None:
                receiver = self._receiver()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver is None:
                    self._answer(404, {"code": "NOT_FOUND", "message": self.path})
                    return
                self._answer(*receiver.handle(self.path, dict(self.headers.items()), body))

            def do_GET(self) -> None:
                receiver = self._receiver()
                if receiver is None:
                    self._answer(404, {"code": "NOT_FOUND", "message": self.path})
                    return
                self._answer(200, {"system": receiver.system, "records": list(receiver.records.values())})

            def log_message(self, *args: Any) -> None:  # quiet: the outbox logs deliveries
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, name="receivers", daemon=True).start()
        return self

    def url(self, system: str) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/{system}/registrations"

    def settings(self) -> dict[str, str]:
        """The ``SHARING_*`` settings that point the units at these receivers."""
        return {
            "SHARING_YUKUAIBAN_URL": self.url("yukuaiban"),
            "SHARING_YUKUAIBAN_APP_KEY": self["yukuaiban"].app_key,
            "SHARING_PIS_URL": self.url("pis"),
            "SHARING_PIS_APP_KEY": self["pis"].app_key,
        }

    def credentials(self) -> str:
        """The ``SharingCredentials`` secret's value: each system's shared secret."""
        return json.dumps({system: r.secret for system, r in self.by_system.items()})

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

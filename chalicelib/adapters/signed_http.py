"""Signed JSON requests to the other government systems we deliver to (the SMS gateway,
渝快办, PIS): one request-signing scheme, one HTTP helper.

Every request carries::

    Content-Type: application/json; charset=utf-8
    X-App-Key:    <the app key the receiving system gave us>
    X-Timestamp:  <unix time, seconds>
    X-Nonce:      <32 hex characters, new for every attempt>
    X-Signature:  hex(HMAC-SHA256(<secret>, "POST\\n<path>\\n<timestamp>\\n<nonce>\\n<hex SHA-256 of the body>"))

A receiver recomputes the signature with the secret it shares with us, rejects a timestamp more
than ``MAX_SKEW_SECONDS`` off and a nonce it has seen (``verify``, used by the reference receivers).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

MAX_SKEW_SECONDS = 300


def signature(secret: str, *, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The ``X-Signature`` of one request."""
    text = "\n".join(("POST", path, timestamp, nonce, hashlib.sha256(body).hexdigest()))
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def check_url(url: str, setting: str) -> str:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"{setting} must be an http(s) URL")
    return url


def post_json(
    url: str, app_key: str, secret: str, body: bytes, *, timeout: float, headers: Mapping[str, str] | None = None
) -> tuple[int, dict]:
    """POST ``body`` signed; ``(status, answer)``. Connection errors and timeouts raise
    (``urllib.error.URLError``, ``TimeoutError``, ``ConnectionError``): the caller decides to retry."""
    path = urllib.parse.urlsplit(url).path or "/"
    timestamp = str(int(time.time()))
    nonce = secrets.token_hex(16)
    request = urllib.request.Request(  # noqa: S310 - the URL is operator configuration, checked to be http(s)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-App-Key": app_key,
            "X-Timestamp": timestamp,
            "X-Nonce": nonce,
            "X-Signature": signature(secret, path=path, timestamp=timestamp, nonce=nonce, body=body),
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, _json(response.read())
    except urllib.error.HTTPError as err:
        return err.code, _json(err.read())


def verify(secret: str, headers: Mapping[str, str], *, path: str, body: bytes, seen_nonces: set[str]) -> bool:
    """A receiver's check of a request (the reference receivers of the local stack use it)."""
    timestamp, nonce = headers.get("X-Timestamp", ""), headers.get("X-Nonce", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    if not nonce or nonce in seen_nonces:
        return False
    expected = signature(secret, path=path, timestamp=timestamp, nonce=nonce, body=body)
    if not hmac.compare_digest(expected, headers.get("X-Signature", "")):
        return False
    seen_nonces.add(nonce)
    return True


def _json(raw: bytes) -> dict:
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

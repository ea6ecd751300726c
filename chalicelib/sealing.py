"""Fields of a stored document that must not be kept in clear (a query code in an idempotency
record, a phone number and SMS text in the outbox): XORed with an HMAC-SHA256 stream keyed by the
deployment's token key (``config.secret_key``), a per-use key and a nonce.

Below the services, so every use case that stores such a document calls the same two functions
(the idempotency records and the outbox). The stream's label stays "idempotency-seal": records
already stored must still open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

from chalicelib import config

_SEALED_PREFIX = "sealed:"


def _pad(key: str, nonce: str, field: str, length: int) -> bytes:
    out = b""
    block = 0
    while len(out) < length:
        msg = f"idempotency-seal\n{key}\n{nonce}\n{field}\n{block}".encode()
        out += hmac.new(config.secret_key(), msg, hashlib.sha256).digest()
        block += 1
    return out[:length]


def seal(result: dict[str, Any], key: str, nonce: str, fields: Iterable[str]) -> dict[str, Any]:
    sealed = dict(result)
    for field in fields:
        if isinstance(sealed.get(field), str):
            raw = sealed[field].encode()
            mixed = bytes(a ^ b for a, b in zip(raw, _pad(key, nonce, field, len(raw)), strict=True))
            sealed[field] = _SEALED_PREFIX + base64.b64encode(mixed).decode()
    return sealed


def unseal(stored: dict[str, Any], key: str, nonce: str, fields: Iterable[str]) -> dict[str, Any]:
    result = dict(stored)
    for field in fields:
        value = result.get(field)
        if isinstance(value, str) and value.startswith(_SEALED_PREFIX):
            mixed = base64.b64decode(value[len(_SEALED_PREFIX):])
            result[field] = bytes(a ^ b for a, b in zip(mixed, _pad(key, nonce, field, len(mixed)), strict=True)).decode()
    return result

"""Fields of a stored document that must not be kept in clear (a query code in an idempotency
record, a phone number and SMS text in the outbox): sealed with AES-256-GCM (``cryptography``).

Below the services, so every use case that stores such a document calls the same two functions
(the idempotency records and the outbox). ``seal(document, key, nonce, fields)``:

- the AES key is derived with HKDF from the deployment's token key (``config.derived_key("seal")``)
  and ``key`` -- the client's idempotency key, which the table holds only as a keyed hash, or the
  outbox event id -- so a record opens only for whoever presents that key;
- a random 96-bit GCM nonce per field, stored with the ciphertext;
- the associated data is the record it seals (``key``, the record's ``nonce``) and the field's
  name: a sealed value copied into another record or field, or changed by one bit, is refused
  (``Tampered``) instead of opening to something else.

A sealed value is ``"v2." + base64(gcm nonce || ciphertext || tag)``. Values sealed before
(``"sealed:" + base64``: XOR with an HMAC-SHA256 stream, label "idempotency-seal", no
authentication) are still opened by ``_open_legacy``, read-only. No record is written that way any
more; the legacy path may go once the last of them has expired (idempotency records live
``IDEMPOTENCY_TTL_SECONDS``, 1 day; delivered outbox messages ``OUTBOX_KEEP_SECONDS``, 7 days).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Iterable
from typing import Any

from chalicelib import config

PREFIX = "v2."
_LEGACY_PREFIX = "sealed:"
NONCE_BYTES = 12


class Tampered(Exception):
    """A sealed value does not open: changed, truncated, or moved from another record or field."""


def _aead(key: str) -> Any:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"seal\n" + key.encode()).derive(
        config.derived_key("seal")
    )
    return AESGCM(derived)


def _associated_data(key: str, nonce: str, field: str) -> bytes:
    return f"{key}\n{nonce}\n{field}".encode()


def seal(result: dict[str, Any], key: str, nonce: str, fields: Iterable[str]) -> dict[str, Any]:
    sealed = dict(result)
    aead = None
    for field in fields:
        if isinstance(sealed.get(field), str):
            aead = aead or _aead(key)
            iv = os.urandom(NONCE_BYTES)
            ciphertext = aead.encrypt(iv, sealed[field].encode(), _associated_data(key, nonce, field))
            sealed[field] = PREFIX + base64.b64encode(iv + ciphertext).decode()
    return sealed


def unseal(stored: dict[str, Any], key: str, nonce: str, fields: Iterable[str]) -> dict[str, Any]:
    """The document with its sealed fields opened; ``Tampered`` if one does not open."""
    from cryptography.exceptions import InvalidTag

    result = dict(stored)
    aead = None
    for field in fields:
        value = result.get(field)
        if not isinstance(value, str):
            continue
        if value.startswith(PREFIX):
            aead = aead or _aead(key)
            try:
                raw = base64.b64decode(value[len(PREFIX) :], validate=True)
                opened = aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(key, nonce, field))
                result[field] = opened.decode()
            except (InvalidTag, binascii.Error, ValueError):  # ValueError: too short, not UTF-8
                raise Tampered(field) from None
        elif value.startswith(_LEGACY_PREFIX):
            result[field] = _open_legacy(value[len(_LEGACY_PREFIX) :], key, nonce, field)
    return result


def _open_legacy(text: str, key: str, nonce: str, field: str) -> str:
    """A value sealed before AES-GCM (read only): XOR with an HMAC-SHA256 stream of the token key."""
    try:
        mixed = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise Tampered(field) from None
    pad = b""
    while len(pad) < len(mixed):
        msg = f"idempotency-seal\n{key}\n{nonce}\n{field}\n{len(pad) // 32}".encode()
        pad += hmac.new(config.secret_key(), msg, hashlib.sha256).digest()
    try:
        return bytes(a ^ b for a, b in zip(mixed, pad, strict=False)).decode()
    except UnicodeDecodeError:
        raise Tampered(field) from None

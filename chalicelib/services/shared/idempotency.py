"""Client idempotency keys: a retried request returns the first result, once.

One mechanism for every retried write (submission, modification): **conditional writes on
the Idempotency table** (``store/idempotency.py``), not Powertools' idempotency utility —
that one brings boto3 into the API container, which the HTTP API does not import
(README, Benchmarks).

``run(scope, key, payload, fn)``:

1. claims the key with a conditional put (``INPROGRESS``, the payload's SHA-256);
2. if the key is already claimed: another payload -> 422 ``IDEMPOTENCY_KEY_REUSED``; a
   finished request -> its stored result (``replayed=True``); a request still running ->
   409 ``IDEMPOTENCY_IN_PROGRESS`` with ``Retry-After``;
3. runs ``fn(claim)``; on success stores the result (``COMPLETED``), on an error releases the
   claim (the client may correct the request and retry with the same key) -- unless ``fn``
   had already committed its result with ``claim.completion`` in the transaction of its own
   write: then that result is the answer, now and on every retry.

Keys are scoped (e.g. to the verified phone), so one client cannot read another's result.
Fields named in ``sealed`` (the query code) are not stored in clear (``chalicelib/sealing.py``),
sealed with the client's key (which the table holds only as a keyed hash) and a per-record nonce.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.sealing import seal, unseal

KEY_RE = re.compile(r"[A-Za-z0-9_.:\-]{8,128}")


def ttl_seconds() -> int:
    return config.int_setting("IDEMPOTENCY_TTL_SECONDS")


def lock_seconds() -> int:
    return config.int_setting("IDEMPOTENCY_LOCK_SECONDS")


class KeyReused(errors.DomainError):
    code = "IDEMPOTENCY_KEY_REUSED"
    status = 422
    default_message = "该幂等键（Idempotency-Key）已用于另一份不同的请求内容，请为新请求使用新的幂等键"


class InProgress(errors.Conflict):
    code = "IDEMPOTENCY_IN_PROGRESS"
    default_message = "相同的请求正在处理中，请稍后再试"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


def validate_key(key: str | None, *, required: bool = True) -> str | None:
    if not key:
        if required:
            raise errors.ValidationFailed(
                details=[errors.FieldError("headers.idempotency-key", "MISSING", "请提供幂等键（Idempotency-Key 请求头），重试时使用同一个值")]
            )
        return None
    key = key.strip()
    if not KEY_RE.fullmatch(key):
        raise errors.ValidationFailed(
            details=[errors.FieldError("headers.idempotency-key", "INVALID_FORMAT", "幂等键须为8至128位字母、数字或 - _ . :")]
        )
    return key


def payload_hash(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Claim:
    """The running request's claim on its key, handed to ``fn``: ``completion(result)`` is the write
    that stores ``result`` as the key's answer, for ``fn`` to commit in the same transaction as the
    write the result describes (``cases.create(..., also=...)``)."""

    record_id: str
    key: str
    nonce: str
    sealed: tuple[str, ...]
    status_code: int

    def stored(self, result: dict[str, Any]) -> str:
        return json.dumps(seal(result, self.key, self.nonce, self.sealed), ensure_ascii=False, default=str)

    def completion(self, result: dict[str, Any]):
        from chalicelib.store.repositories import idempotency as store

        return store.complete_operation(self.record_id, nonce=self.nonce, status_code=self.status_code, response=self.stored(result))


def _committed_result(record_id: str, claim: Claim) -> dict[str, Any] | None:
    """The result ``fn`` committed before it failed, if any (None also when it cannot be read)."""
    from chalicelib.store.repositories import idempotency as store

    try:
        record = store.get(record_id)
    except Exception:  # unknown: the caller releases only a claim still in progress
        return None
    if record is None or record.nonce != claim.nonce or record.status != store.COMPLETED or not record.response:
        return None
    return unseal(json.loads(record.response), claim.key, claim.nonce, claim.sealed)


def run(
    scope: str,
    key: str,
    payload: Any,
    fn: Callable[[Claim], dict[str, Any]],
    *,
    sealed: tuple[str, ...] = (),
    status_code: int = 200,
) -> tuple[dict[str, Any], bool]:
    """``(result, replayed)``: ``fn(claim)``'s result, or the stored result of the first request.

    If ``fn`` fails after it committed its result with ``claim.completion`` (a lost answer, a
    crash between the commit and the reply), the committed result is the answer: the client
    must learn the case it created, never see it as a duplicate (issue 12)."""
    from chalicelib.store.repositories import idempotency as store

    record_id = config.keyed_hash("idempotency", f"{scope}\n{key}")
    digest = payload_hash(payload)
    nonce = secrets.token_hex(16)
    now = int(config.now().timestamp())
    try:
        store.claim(record_id, body_hash=digest, nonce=nonce, now=now, ttl=ttl_seconds(), lock_seconds=lock_seconds())
    except store.AlreadyClaimed:
        record = store.get(record_id)
        if record is None:  # released between our claim and our read: the first request failed
            raise InProgress() from None
        if not hmac.compare_digest(record.body_hash, digest):
            raise KeyReused() from None
        if record.status == store.COMPLETED and record.response:
            return unseal(json.loads(record.response), key, record.nonce, sealed), True
        raise InProgress() from None
    claim = Claim(record_id, key, nonce, sealed, status_code)
    try:
        result = fn(claim)
    except BaseException:
        committed = _committed_result(record_id, claim)
        if committed is not None:
            return committed, False
        store.release(record_id, nonce=nonce)  # conditional on our claim still being in progress
        raise
    store.complete(record_id, nonce=nonce, status_code=status_code, response=claim.stored(result))
    return result, False

"""The Idempotency table: one record per client idempotency key (``services/shared/idempotency.py``).

Layout: ``id`` (hash key: keyed hash of scope + client key), ``status`` (``INPROGRESS`` |
``COMPLETED``), ``body_hash``, ``nonce``, ``response`` (JSON, sealed fields), ``expiration``
(epoch seconds, the table's TTL attribute; the code also checks it, since DynamoDB deletes
expired items only eventually) and ``in_progress_expiry`` (a crashed request's claim can be
taken over after it).

Every write is conditional; there is no read-modify-write.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError

from chalicelib import config
from chalicelib.store import table_meta
from chalicelib.store.conditions import condition_failed
from chalicelib.store.connection import Model

IN_PROGRESS = "INPROGRESS"
COMPLETED = "COMPLETED"


class IdempotencyRecord(Model):
    class Meta(table_meta(config.idempotency_table)):
        region = config.region()

    id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()
    body_hash = UnicodeAttribute()
    nonce = UnicodeAttribute()
    expiration = NumberAttribute()
    in_progress_expiry = NumberAttribute(null=True)
    status_code = NumberAttribute(null=True)
    response = UnicodeAttribute(null=True)


class AlreadyClaimed(Exception):
    pass


def claim(record_id: str, *, body_hash: str, nonce: str, now: int, ttl: int, lock_seconds: int) -> None:
    """Create the in-progress record; ``AlreadyClaimed`` if a live record exists.

    A record whose whole lifetime is over, or an in-progress claim older than
    ``lock_seconds`` (the request that made it died), may be replaced.
    """
    record = IdempotencyRecord(
        record_id,
        status=IN_PROGRESS,
        body_hash=body_hash,
        nonce=nonce,
        expiration=now + ttl,
        in_progress_expiry=now + lock_seconds,
    )
    R = IdempotencyRecord
    stale = (R.expiration <= now) | ((R.status == IN_PROGRESS) & (R.in_progress_expiry <= now))
    try:
        record.save(condition=R.id.does_not_exist() | stale)
    except PutError as exc:
        if condition_failed(exc):
            raise AlreadyClaimed(record_id) from None
        raise


def get(record_id: str) -> IdempotencyRecord | None:
    try:
        return IdempotencyRecord.get(record_id, consistent_read=True)
    except DoesNotExist:
        return None


def complete(record_id: str, *, nonce: str, status_code: int, response: str) -> None:
    """Store the result, only on our own claim."""
    R = IdempotencyRecord
    try:
        R(record_id).update(
            actions=[
                R.status.set(COMPLETED),
                R.status_code.set(status_code),
                R.response.set(response),
                R.in_progress_expiry.remove(),
            ],
            condition=(R.status == IN_PROGRESS) & (R.nonce == nonce),
        )
    except UpdateError as exc:
        if not condition_failed(exc):
            raise


def complete_operation(record_id: str, *, nonce: str, status_code: int, response: str):
    """``complete`` as part of another write's transaction (``cases.create(..., also=...)``): the
    result is stored exactly when the write it describes commits."""
    R = IdempotencyRecord

    def add(transaction) -> None:
        transaction.update(
            R(record_id),
            actions=[R.status.set(COMPLETED), R.status_code.set(status_code), R.response.set(response), R.in_progress_expiry.remove()],
            condition=(R.status == IN_PROGRESS) & (R.nonce == nonce),
        )

    return add


def release(record_id: str, *, nonce: str) -> None:
    """Forget our claim after a failure, so the client may retry with the same key."""
    R = IdempotencyRecord
    try:
        R(record_id).delete(condition=(R.status == IN_PROGRESS) & (R.nonce == nonce))
    except DeleteError as exc:
        if not condition_failed(exc):
            raise

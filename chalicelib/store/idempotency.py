"""The Idempotency table: one record per client idempotency key (``services/shared/idempotency.py``).

Layout: ``id`` (hash key: keyed hash of scope + client key), ``status`` (``INPROGRESS`` |
``COMPLETED``), ``body_hash``, ``nonce``, ``response`` (JSON, sealed fields; stored compressed,
``store/compact_text.py``: a submission's answer repeats its evaluation), ``expiration``
(epoch seconds, the table's TTL attribute; the code also checks it, since DynamoDB deletes
expired items only eventually) and ``in_progress_expiry`` (a crashed request's claim can be
taken over after it).

Every write is conditional; there is no read-modify-write.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist

from chalicelib import config
from chalicelib.store import table_meta
from chalicelib.store.compact_text import CompactText
from chalicelib.store.conditions import applied
from chalicelib.store.connection import Model

# The repository interface (store/repositories.py): what reads or writes the table; the fake in
# store/memory.py implements exactly these, with the same signatures.
OPERATIONS = ("claim", "get", "complete", "complete_operation", "release")

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
    response = CompactText(null=True)


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
    if not applied(lambda: record.save(condition=R.id.does_not_exist() | stale)):
        raise AlreadyClaimed(record_id)


def get(record_id: str) -> IdempotencyRecord | None:
    try:
        return IdempotencyRecord.get(record_id, consistent_read=True)
    except DoesNotExist:
        return None


def _completion(status_code: int, response: str) -> list:
    R = IdempotencyRecord
    return [R.status.set(COMPLETED), R.status_code.set(status_code), R.response.set(response), R.in_progress_expiry.remove()]


def _ours(nonce: str):
    return (IdempotencyRecord.status == IN_PROGRESS) & (IdempotencyRecord.nonce == nonce)


def complete(record_id: str, *, nonce: str, status_code: int, response: str) -> bool:
    """Store the result, only on our own claim; False if the claim is not ours (any more)."""
    return applied(lambda: IdempotencyRecord(record_id).update(actions=_completion(status_code, response), condition=_ours(nonce)))


def complete_operation(record_id: str, *, nonce: str, status_code: int, response: str):
    """``complete`` as part of another write's transaction (``cases.create(..., also=...)``): the
    result is stored exactly when the write it describes commits."""

    def add(transaction) -> None:
        transaction.update(IdempotencyRecord(record_id), actions=_completion(status_code, response), condition=_ours(nonce))

    return add


def release(record_id: str, *, nonce: str) -> None:
    """Forget our claim after a failure, so the client may retry with the same key."""
    applied(lambda: IdempotencyRecord(record_id).delete(condition=_ours(nonce)))

"""The Outbox table: side effects of committed writes, kept until delivered (``services/shared/outbox.py``).

One item per message, keyed by its ``event_id`` (the id receivers deduplicate on). ``queue`` is
``pending`` (waiting for delivery, ``due_at`` says when next) or ``dead`` (every attempt failed:
an operator lists and replays it); a delivered message has no ``queue`` (the sparse QueueIndex
then drops it), no payload, and expires (``expires_at``, the table's TTL attribute).

Writes are conditional: a lease (``lease_until``) lets one dispatcher at a time work on a
message, so the sweeper and a replay rarely both send it (delivery is still at least once: a
dispatcher may die after sending and before recording it). A message is recorded delivered or
failed only while it is pending, so a late attempt never undoes what another one recorded.

Index writes (issue 18): QueueIndex projects only what the dead-letter list shows, so a lease
touches no index entry; a message costs one index write when stored and one when delivered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.transactions import TransactWrite

from chalicelib import config
from chalicelib.store import table_meta
from chalicelib.store.conditions import applied
from chalicelib.store.connection import Model

# The repository interface (store/repositories.py): what reads or writes the table; the fake in
# store/memory.py implements exactly these, with the same signatures.
OPERATIONS = ("put_operation", "put_new", "get", "due", "dead", "lease", "mark_delivered", "mark_failed", "mark_alerted", "requeue")

PENDING = "pending"
DEAD = "dead"


class QueueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "QueueIndex"
        # what sweep() and dead_letters() read (infra/resources.py declares the same)
        projection = IncludeProjection(["kind", "subject", "attempts", "last_error", "dead_at", "alerted"])

    queue = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class OutboxMessage(Model):
    class Meta(table_meta(config.outbox_table)):
        region = config.region()

    event_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()  # "sms" | "event" | "workflow" (services/shared/outbox.py delivers each)
    payload = UnicodeAttribute(null=True)  # JSON, personal fields sealed; removed once delivered
    subject = UnicodeAttribute(null=True)  # what it concerns, for operators (a case id, no personal data)
    queue = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    lease_until = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    delivered_at = UnicodeAttribute(null=True)
    dead_at = UnicodeAttribute(null=True)
    alerted = BooleanAttribute(null=True)
    expires_at = NumberAttribute(null=True)

    queue_index = QueueIndex()


Operation = Callable[[TransactWrite], None]


def put_operation(message: OutboxMessage) -> Operation:
    """Add ``message`` to a transaction (``cases.create(..., also=...)``); an event id already
    stored is left as it is (the transaction then fails: the same write was already committed)."""

    def add(transaction: TransactWrite) -> None:
        transaction.save(message, condition=OutboxMessage.event_id.does_not_exist())

    return add


def put_new(message: OutboxMessage) -> bool:
    """Store ``message`` unless its event id is stored already (a retried step): True if stored."""
    return applied(lambda: message.save(condition=OutboxMessage.event_id.does_not_exist()))


def get(event_id: str) -> OutboxMessage | None:
    try:
        return OutboxMessage.get(event_id, consistent_read=True)
    except DoesNotExist:
        return None


def due(now_iso: str, limit: int) -> Iterator[OutboxMessage]:
    """Pending messages whose next attempt is due (the index is eventually consistent: the
    dispatcher re-reads each one under its lease)."""
    return OutboxMessage.queue_index.query(PENDING, OutboxMessage.due_at <= now_iso, limit=limit)


def dead(limit: int = 1000) -> Iterator[OutboxMessage]:
    return OutboxMessage.queue_index.query(DEAD, limit=limit)


def lease(event_id: str, *, now: int, seconds: int) -> OutboxMessage | None:
    """Take the message for ``seconds``: the fresh item, or None if it is delivered, dead or
    leased by another dispatcher."""
    M = OutboxMessage
    message = M(event_id)
    free = M.lease_until.does_not_exist() | (M.lease_until < now)
    if not applied(lambda: message.update(actions=[M.lease_until.set(now + seconds)], condition=(M.queue == PENDING) & free)):
        return None
    return message  # update() loaded the item as written (ALL_NEW)


def mark_delivered(message: OutboxMessage, *, at: str, keep_seconds: int, now: int) -> bool:
    """Delivered: False (nothing written) if it is no longer pending -- another dispatcher
    recorded it first."""
    M = OutboxMessage
    return applied(
        lambda: message.update(
            actions=[
                M.delivered_at.set(at),
                M.attempts.add(1),
                M.queue.remove(),
                M.due_at.remove(),
                M.payload.remove(),
                M.lease_until.remove(),
                M.expires_at.set(now + keep_seconds),
            ],
            condition=M.queue == PENDING,
        )
    )


def mark_failed(message: OutboxMessage, *, error: str, retry_at: str | None, at: str) -> bool:
    """One more failed attempt: again at ``retry_at``, or dead when it is None. False (nothing
    written) if it is no longer pending."""
    M = OutboxMessage
    actions = [M.attempts.add(1), M.last_error.set(error[:500]), M.lease_until.remove()]
    if retry_at is None:
        actions += [M.queue.set(DEAD), M.due_at.set(at), M.dead_at.set(at), M.alerted.set(False)]
    else:
        actions += [M.due_at.set(retry_at)]
    return applied(lambda: message.update(actions=actions, condition=M.queue == PENDING))


def mark_alerted(message: OutboxMessage) -> None:
    message.update(actions=[OutboxMessage.alerted.set(True)])


def requeue(event_id: str, *, at: str) -> bool:
    """A dead message becomes pending again, due now, with a fresh count of attempts."""
    M = OutboxMessage
    message = M(event_id)
    return applied(
        lambda: message.update(
            actions=[M.queue.set(PENDING), M.due_at.set(at), M.attempts.set(0), M.dead_at.remove(), M.lease_until.remove()],
            condition=M.queue == DEAD,
        )
    )

"""Side effects of a committed write, delivered at least once through the Outbox table.

A write that must be followed by an SMS, an event or a workflow start records that message in
the same transaction (``cases.create(case, also=[put_operation(message)])``) or, where the
write is not a transaction, right after it under a fixed event id (``enqueue``). The request
then tries to deliver it at once (``deliver_now``), and never fails because of it: what is not
delivered stays pending, and the sweeper (``functions/dispatch_outbox.py``, every minute on an
EventBridge rule; a timer in the local stack) retries it with exponential backoff. After
``OUTBOX_MAX_ATTEMPTS`` failed attempts the message is dead: the operators get an alert on the
OperatorAlerts topic, ``python -m tools.outbox list-dead`` lists it and ``replay ID`` sends
it again.

Receivers deduplicate on the event id: an event carries it in its body and as the
``event_id`` message attribute; an SMS through the gateway carries it as ``client_ref``.

Kinds (``kind`` -> payload):

``sms``       ``{"phone", "text"}`` -- both sealed at rest (the receipt carries the query code)
``event``     ``{"topic": "events" | "staff", "subject", "event_type", "message", "attributes"}``
``workflow``  ``{"case_id", "execution_name"}`` -- a dead start marks the case "needs attention"

A new receiver (issue 14: 渝快办, PIS) is a new kind: a function building its message (like
``event``), a deliverer in ``_DELIVERERS`` that raises on any failure, and the grant to reach it on
the DispatchOutbox function. Retries, dead letters, alerts and replay come with the outbox.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from chalicelib import config, sealing
from chalicelib.adapters import events, workflow
from chalicelib.adapters import sms as sms_adapter
from chalicelib.services.shared import alerts
from chalicelib.store.repositories import cases as case_store
from chalicelib.store.repositories import outbox as store

log = logging.getLogger("birthreg.outbox")

_SEALED = ("phone", "text")


def max_attempts() -> int:
    return config.int_setting("OUTBOX_MAX_ATTEMPTS")


def backoff_seconds() -> int:
    """First retry after this many seconds, doubling each time (deployed: 30 s, ... about 1 h; infra/settings.py)."""
    return config.int_setting("OUTBOX_BACKOFF_SECONDS")


def lease_seconds() -> int:
    return config.int_setting("OUTBOX_LEASE_SECONDS")


def sweep_after_seconds() -> int:
    """A new message is the sweeper's only after this long: first the request that committed it
    delivers it (``deliver_now``), and the two should not race for it."""
    return config.int_setting("OUTBOX_SWEEP_AFTER_SECONDS")


def keep_seconds() -> int:
    return config.int_setting("OUTBOX_KEEP_SECONDS")


def _iso(moment) -> str:
    return moment.isoformat(timespec="milliseconds")


def _seal(payload: dict[str, Any], event_id: str) -> str:
    return json.dumps(sealing.seal(payload, f"outbox:{event_id}", "", _SEALED), ensure_ascii=False)


def _unseal(message: store.OutboxMessage) -> dict[str, Any]:
    return sealing.unseal(json.loads(message.payload or "{}"), f"outbox:{message.event_id}", "", _SEALED)


def new_event_id(prefix: str) -> str:
    return f"{prefix}:{secrets.token_hex(8)}"


def _message(event_id: str, kind: str, payload: dict[str, Any], subject: str | None) -> store.OutboxMessage:
    now = config.now()
    return store.OutboxMessage(
        event_id,
        kind=kind,
        payload=_seal(payload, event_id),
        subject=subject,
        queue=store.PENDING,
        due_at=_iso(now + timedelta(seconds=sweep_after_seconds())),
        attempts=0,
        created_at=_iso(now),
    )


def sms(phone: str, text: str, *, event_id: str, subject: str | None = None) -> store.OutboxMessage:
    sms_adapter.check_length(text)  # a template error shows at the write, not in the dead letters
    return _message(event_id, "sms", {"phone": phone, "text": text}, subject)


def event(
    topic: str,
    subject: str,
    message: dict[str, Any],
    *,
    event_type: str,
    event_id: str,
    attributes: dict[str, str] | None = None,
    ref: str | None = None,
) -> store.OutboxMessage:
    if topic not in _TOPICS:
        raise ValueError(f"unknown outbox topic {topic!r}")
    payload = {"topic": topic, "subject": subject, "event_type": event_type, "message": message, "attributes": attributes or {}}
    return _message(event_id, "event", payload, ref)


def share(system: str, record: dict[str, Any], *, event_id: str, subject: str | None = None) -> store.OutboxMessage:
    """A registration for another government system (adapters/sharing.py); the record is sealed
    like every payload, since it carries the couple's names and ID numbers."""
    return _message(event_id, "share", {"system": system, "record": record}, subject)


def workflow_start(case_id: str, execution_name: str | None = None) -> store.OutboxMessage:
    name = execution_name or case_id
    return _message(f"workflow:{name}", "workflow", {"case_id": case_id, "execution_name": name}, case_id)


def put_operation(message: store.OutboxMessage):
    """``message`` as a write of another write's transaction (``cases.create(..., also=...)``)."""
    return store.put_operation(message)


def enqueue(messages: Iterable[store.OutboxMessage]) -> list[store.OutboxMessage]:
    """Store messages outside a transaction; a message whose event id is stored already (a
    retried step) is not stored again and not returned."""
    return [m for m in messages if store.put_new(m)]


# ---------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------
_TOPICS = {"events": config.events_topic_arn, "staff": config.staff_topic_arn}


def _deliver_sms(payload: dict[str, Any], event_id: str) -> str:
    return sms_adapter.default_sender().send(payload["phone"], payload["text"], ref=event_id)


def _deliver_event(payload: dict[str, Any], event_id: str) -> str:
    attributes = {**payload.get("attributes", {}), "event_id": event_id}
    body = {**payload["message"], "event_id": event_id}
    return events.publish(_TOPICS[payload["topic"]](), payload["subject"], body, event_type=payload["event_type"], attributes=attributes)


def _deliver_workflow(payload: dict[str, Any], event_id: str) -> str:
    try:
        return workflow.start_registration(payload["case_id"], execution_name=payload["execution_name"])
    except workflow.ExecutionAlreadyStarted:  # a retry after a start whose answer was lost
        return "already started"


def _deliver_share(payload: dict[str, Any], event_id: str) -> str:
    from chalicelib.adapters import sharing

    return sharing.receiver(payload["system"]).deliver(payload["record"], event_id=event_id)


_DELIVERERS = {"sms": _deliver_sms, "event": _deliver_event, "workflow": _deliver_workflow, "share": _deliver_share}


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _dead(message: store.OutboxMessage) -> None:
    """Every attempt failed: tell the operators (no personal data), and make the case visible."""
    if message.kind == "workflow" and message.subject:
        _case_needs_attention(message.subject)
    alerts.alert_operators(
        "生育登记外发消息投递失败",
        {
            "event_id": message.event_id,
            "kind": message.kind,
            "subject": message.subject,
            "attempts": int(message.attempts or 0) + 1,
            "error": message.last_error,
            "replay": f"python -m tools.outbox replay {message.event_id}",
        },
    )


def _case_needs_attention(case_id: str) -> None:
    at = config.now().isoformat(timespec="seconds")
    for _ in range(5):
        case = case_store.get(case_id)
        if case.status != case_store.SUBMITTED:  # the workflow did start after all
            return
        try:
            case_store.transition(case, case_store.NEEDS_ATTENTION, at=at, by="system", note="流程启动失败，已通知运维人员跟进")
            return
        except case_store.ConcurrentChange:
            continue


def dispatch(event_id: str) -> str:
    """Try one message once, under a lease: ``delivered``, ``retry``, ``dead`` or ``skipped``
    (delivered or dead already, or another dispatcher holds it)."""
    now = config.now()
    message = store.lease(event_id, now=int(now.timestamp()), seconds=lease_seconds())
    if message is None:
        return "skipped"
    return _attempt(message, now)


def _attempt(message: store.OutboxMessage, now) -> str:
    """Deliver ``message`` once and record the outcome (one write; ``skipped`` if another
    dispatcher recorded one first)."""
    try:
        _DELIVERERS[message.kind](_unseal(message), message.event_id)
    except Exception as exc:  # any failure is retried, then dead-lettered and alerted
        attempts = int(message.attempts or 0) + 1
        error = _error_text(exc)
        log.warning("outbox %s attempt %d failed: %s", message.event_id, attempts, error)
        if attempts >= max_attempts():
            message.last_error = error
            if not store.mark_failed(message, error=error, retry_at=None, at=_iso(now)):
                return "skipped"
            _dead(message)
            store.mark_alerted(message)
            return "dead"
        retry_at = now + timedelta(seconds=backoff_seconds() * 2 ** (attempts - 1))
        return "retry" if store.mark_failed(message, error=error, retry_at=_iso(retry_at), at=_iso(now)) else "skipped"
    store.mark_delivered(message, at=_iso(config.now()), keep_seconds=keep_seconds(), now=int(now.timestamp()))
    return "delivered"


def _fresh(message: store.OutboxMessage, now) -> bool:
    """Stored by this request and not yet the sweeper's (``sweep_after_seconds``, like a lease):
    the request delivers it without taking a lease first (one write less per message)."""
    return message.queue == store.PENDING and not message.attempts and bool(message.due_at) and message.due_at > _iso(now)


def deliver_now(messages: Iterable[store.OutboxMessage]) -> None:
    """Right after the commit: try each message once. Never raises -- the write is committed and
    its request must succeed; what fails here is left to the sweeper. A message this request
    has just stored is delivered as it is (the sweeper leaves it alone until it is due); one
    that is due already goes through ``dispatch`` and its lease."""
    for message in messages:
        try:
            now = config.now()
            if _fresh(message, now):
                _attempt(message, now)
            else:
                dispatch(message.event_id)
        except Exception:  # the message stays pending (its lease lapses) for the sweeper
            log.warning("outbox %s: delivery after commit failed; the sweeper retries it", message.event_id, exc_info=True)


def sweep(limit: int = 200) -> dict[str, int]:
    """Deliver the pending messages that are due (the scheduled DispatchOutbox). A failure on one
    message does not stop the others; dead messages whose alert failed are alerted again."""
    counts = {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0, "failed": 0}
    for message in list(store.due(_iso(config.now()), limit)):
        try:
            counts[dispatch(message.event_id)] += 1
        except Exception:  # e.g. throttled while recording: the lease lapses, next sweep
            log.warning("outbox %s: dispatch failed", message.event_id, exc_info=True)
            counts["failed"] += 1
    for message in list(store.dead(limit)):
        if message.alerted is False:
            try:
                _dead(message)
                store.mark_alerted(message)
            except Exception:  # alerted on the next sweep
                log.warning("outbox %s: alert failed", message.event_id, exc_info=True)
    return counts


def dead_letters(limit: int = 1000) -> list[dict[str, Any]]:
    """What an operator needs to decide on a replay; no personal data (the payload stays sealed)."""
    return [
        {
            "event_id": m.event_id,
            "kind": m.kind,
            "subject": m.subject,
            "attempts": int(m.attempts or 0),
            "dead_at": m.dead_at,
            "last_error": m.last_error,
            "alerted": bool(m.alerted),
        }
        for m in store.dead(limit)
    ]


class NotDead(Exception):
    """Only a dead message can be replayed."""


def replay(event_id: str) -> str:
    """Deliver a dead message again now (same event id: a receiver that got it drops the copy)."""
    if not store.requeue(event_id, at=_iso(config.now())):
        raise NotDead(event_id)
    return dispatch(event_id)

"""The outbox's decisions and the idempotent replay of a committed result (issue 12 item 4), on the
in-memory store (``memory`` fixture, store/memory.py): no AWS, no network."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from chalicelib import config
from chalicelib.services.shared import idempotency, outbox


@pytest.fixture
def table(memory):
    """The Outbox table in memory (store/memory.py), reached by the service through its repository."""
    return memory.outbox


@pytest.fixture
def now(monkeypatch):
    """A settable clock for the outbox."""
    moment = {"t": datetime(2026, 12, 1, 10, 0, tzinfo=config.CHINA_TZ)}
    monkeypatch.setattr(config, "now", lambda: moment["t"])

    class Clock:
        @staticmethod
        def advance(seconds: float) -> None:
            moment["t"] += timedelta(seconds=seconds)

    return Clock


@pytest.fixture
def alerts(monkeypatch):
    from chalicelib.services.shared import alerts as operator_alerts

    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(operator_alerts, "alert_operators", lambda subject, detail: sent.append((subject, detail)) or "id")
    return sent


@pytest.fixture
def sms_gateway(monkeypatch):
    """Deliveries of kind sms: ``fail`` how many of the next sends fail."""
    state = {"fail": 0, "sent": []}

    def deliver(payload, event_id):
        if state["fail"]:
            state["fail"] -= 1
            raise ConnectionError("gateway down")
        state["sent"].append((payload["phone"], payload["text"], event_id))
        return "msg-1"

    monkeypatch.setitem(outbox._DELIVERERS, "sms", deliver)
    return state


def _receipt(table) -> str:
    message = outbox.sms("13800001111", "【生育登记】查询码ABCD2345", event_id="sms:receipt:C1", subject="C1")
    table.put_new(message)
    return message.event_id


def test_personal_fields_are_sealed_at_rest_and_delivered_in_clear(table, now, sms_gateway):
    event_id = _receipt(table)
    stored = table.get(event_id).payload
    assert "13800001111" not in stored and "ABCD2345" not in stored
    assert outbox.dispatch(event_id) == "delivered"
    assert sms_gateway["sent"] == [("13800001111", "【生育登记】查询码ABCD2345", "sms:receipt:C1")]
    assert table.get(event_id).payload is None, "nothing personal is kept after delivery"


def test_a_new_message_is_left_to_the_request_before_the_sweeper_takes_it(table, now, sms_gateway, monkeypatch):
    monkeypatch.setenv("OUTBOX_SWEEP_AFTER_SECONDS", "60")
    _receipt(table)
    assert outbox.sweep() == {"delivered": 0, "retry": 0, "dead": 0, "skipped": 0, "failed": 0}
    now.advance(61)
    assert outbox.sweep()["delivered"] == 1


def test_failures_back_off_exponentially_then_dead_letter_with_one_alert(table, now, sms_gateway, alerts, monkeypatch):
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "4")
    monkeypatch.setenv("OUTBOX_BACKOFF_SECONDS", "30")
    sms_gateway["fail"] = 99
    event_id = _receipt(table)
    start = config.now()
    assert outbox.dispatch(event_id) == "retry"
    delays = []
    for _ in range(2):
        due = datetime.fromisoformat(table.get(event_id).due_at)
        delays.append((due - config.now()).total_seconds())
        now.advance(delays[-1])
        assert outbox.dispatch(event_id) == "retry"
    assert delays == [30, 60]
    now.advance(120)
    assert outbox.dispatch(event_id) == "dead"
    assert (config.now() - start).total_seconds() == 210
    dead = table.get(event_id)
    assert dead.queue == outbox.store.DEAD and dead.alerted is True and int(dead.attempts) == 4
    assert len(alerts) == 1
    detail = alerts[0][1]
    assert detail["event_id"] == event_id and detail["subject"] == "C1" and "ConnectionError" in detail["error"]
    assert "13800001111" not in json.dumps(detail, ensure_ascii=False) and "ABCD2345" not in json.dumps(detail, ensure_ascii=False)
    assert outbox.dispatch(event_id) == "skipped", "a dead message is not retried by itself"
    assert outbox.sweep()["retry"] == 0


def test_replay_delivers_a_dead_message_once_with_the_same_event_id(table, now, sms_gateway, alerts, monkeypatch):
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "1")
    sms_gateway["fail"] = 1
    event_id = _receipt(table)
    assert outbox.dispatch(event_id) == "dead"
    assert [d["event_id"] for d in outbox.dead_letters()] == [event_id]
    assert outbox.replay(event_id) == "delivered"
    assert [s[2] for s in sms_gateway["sent"]] == [event_id]
    assert outbox.dead_letters() == []
    with pytest.raises(outbox.NotDead):
        outbox.replay(event_id)


def test_a_leased_message_is_skipped_by_a_second_dispatcher(table, now, sms_gateway):
    event_id = _receipt(table)
    table.lease(event_id, now=int(config.now().timestamp()), seconds=60)
    assert outbox.dispatch(event_id) == "skipped"
    now.advance(61)
    assert outbox.dispatch(event_id) == "delivered", "the lease of a dispatcher that died lapses"


def test_deliver_now_never_raises(table, now, sms_gateway, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("DynamoDB throttled")

    monkeypatch.setattr(table, "lease", broken)
    monkeypatch.setattr(table, "mark_delivered", broken)
    fresh = outbox.sms("13800001111", "【生育登记】测试", event_id="sms:x", subject="C2")
    table.put_new(fresh)
    outbox.deliver_now([fresh])  # no exception: the write is committed, the sweeper retries
    now.advance(outbox.sweep_after_seconds() + 1)
    outbox.deliver_now([fresh])  # due now: through the (throttled) lease, still no exception
    assert table.get("sms:x").queue == outbox.store.PENDING, "left pending for the sweeper"


def test_the_committing_request_delivers_its_fresh_message_with_one_write_and_no_lease(table, now, sms_gateway, monkeypatch):
    monkeypatch.setenv("OUTBOX_SWEEP_AFTER_SECONDS", "60")
    message = outbox.sms("13800001111", "【生育登记】查询码ABCD2345", event_id="sms:receipt:C1", subject="C1")
    table.put_new(message)
    monkeypatch.setattr(table, "lease", lambda *_a, **_k: pytest.fail("a message the sweeper cannot take yet needs no lease"))
    outbox.deliver_now([message])
    assert [s[2] for s in sms_gateway["sent"]] == ["sms:receipt:C1"]
    stored = table.get("sms:receipt:C1")
    assert stored.queue is None and stored.delivered_at and stored.payload is None and int(stored.attempts) == 1
    now.advance(61)
    assert outbox.sweep()["delivered"] == 0 and len(sms_gateway["sent"]) == 1


def test_a_message_due_for_the_sweeper_is_delivered_now_only_under_a_lease(table, now, sms_gateway, monkeypatch):
    monkeypatch.setenv("OUTBOX_SWEEP_AFTER_SECONDS", "60")
    message = outbox.sms("13800001111", "【生育登记】测试", event_id="sms:late", subject="C3")
    table.put_new(message)
    now.advance(61)
    table.lease("sms:late", now=int(config.now().timestamp()), seconds=60)  # the sweeper holds it
    outbox.deliver_now([message])
    assert sms_gateway["sent"] == [], "the sweeper's lease is respected"


def test_a_late_failed_attempt_does_not_undo_a_delivery_recorded_first(table, now, sms_gateway, monkeypatch):
    monkeypatch.setenv("OUTBOX_SWEEP_AFTER_SECONDS", "60")
    message = outbox.sms("13800001111", "【生育登记】测试", event_id="sms:race", subject="C4")
    table.put_new(message)
    assert outbox.dispatch("sms:race") == "delivered"  # another dispatcher was quicker
    sms_gateway["fail"] = 1
    outbox.deliver_now([message])  # this request's own attempt fails afterwards
    stored = table.get("sms:race")
    assert stored.queue is None and stored.last_error is None and int(stored.attempts) == 1


def test_unknown_topic_and_too_long_sms_are_refused_at_the_write():
    from chalicelib.adapters import sms

    with pytest.raises(ValueError):
        outbox.event("nowhere", "s", {}, event_type="t", event_id="e")
    with pytest.raises(sms.SmsTooLong):
        outbox.sms("13800001111", "长" * 71, event_id="sms:long")


# -- idempotency: a failure after the commit answers with the committed result ---------------------
@pytest.fixture
def keys(memory):
    return memory.idempotency


def commit(claim, result) -> None:
    """What ``cases.create(..., also=(claim.completion(result),))`` does to the key's record."""
    from chalicelib.store.memory import Transaction

    transaction = Transaction()
    claim.completion(result)(transaction)
    assert transaction.commit() is None


def test_failure_after_commit_returns_the_committed_result_now_and_on_retry(keys):
    result = {"case_id": "C1", "query_code": "ABCD2345"}

    def create_then_lose_the_answer(claim):
        commit(claim, result)
        raise ConnectionError("reset after the write")

    first, replayed = idempotency.run("submit:p", "key-12345678", {"a": 1}, create_then_lose_the_answer, sealed=("query_code",))
    assert (first, replayed) == (result, False)
    from chalicelib.store.compact_text import decompress

    stored = decompress(next(iter(keys.table.items.values()))["response"]["B"])  # as the table holds it
    assert "ABCD2345" not in stored, "the query code is sealed in the record"

    def must_not_run(claim):
        raise AssertionError("a completed key is answered from its record")

    again, replayed = idempotency.run("submit:p", "key-12345678", {"a": 1}, must_not_run, sealed=("query_code",))
    assert (again, replayed) == (result, True)


def test_failure_before_commit_releases_the_key(keys):
    def fails(claim):
        raise ConnectionError("before the write")

    with pytest.raises(ConnectionError):
        idempotency.run("submit:p", "key-87654321", {"a": 1}, fails)
    assert keys.table.items == {}, "the client may retry with the same key"

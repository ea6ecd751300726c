"""Side effects through the outbox (issue 12 item 4, issue 14 item 5): a failing SMS or workflow start
after the case is stored never fails the submission; the retry with the same Idempotency-Key gets
the first 201; what keeps failing is dead-lettered, alerted, listed and replayed."""

from __future__ import annotations

import time
import uuid

import pytest

from local import outbox as sent_sms
from tests.e2e.conftest import citizen_token, register
from tests.e2e.workflow_support import AlertInbox

pytestmark = pytest.mark.e2e


def _wait(predicate, timeout: float = 30, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _receipts(phone: str, query_code: str) -> list[str]:
    return [m["message"] for m in sent_sms.messages() if m["phone"] == "+86" + phone and query_code in m["message"]]


@pytest.fixture
def sms_down(monkeypatch):
    """``fail()``: every SMS send fails (the gateway is down) until ``restore()``."""
    from chalicelib.adapters import sms

    original = sms.SnsSmsSender.send
    attempts = {"n": 0}

    def failing(self, phone, text, ref=None):
        attempts["n"] += 1
        raise sms.SmsUnavailable("gateway down (test)")

    class Switch:
        calls = attempts

        @staticmethod
        def fail() -> None:
            monkeypatch.setattr(sms.SnsSmsSender, "send", failing)

        @staticmethod
        def restore() -> None:
            monkeypatch.setattr(sms.SnsSmsSender, "send", original)

    return Switch


def test_failing_receipt_sms_does_not_fail_the_submission_and_is_delivered_later(api, stack, couple, sms_down):
    from chalicelib.store import outbox as store

    body = couple("sichuan")
    phone = body["woman"]["phone"]
    token = citizen_token(api, phone, "submit")
    sms_down.fail()
    key = str(uuid.uuid4())
    first = register(api, body, token=token, key=key)
    assert first.status == 201, first.body
    case_id, code = first.body["case_id"], first.body["query_code"]
    assert sms_down.calls["n"] >= 1, "the receipt was tried at once"
    message = store.get(f"sms:receipt:{case_id}")
    assert message.queue == store.PENDING and int(message.attempts) >= 1
    assert code not in (message.payload or ""), "the query code is sealed at rest"

    retry = register(api, body, token=token, key=key)
    assert retry.status == 201 and retry.body == first.body, "the retry gets the first answer, not 409 DUPLICATE"

    sms_down.restore()
    _wait(lambda: _receipts(phone, code), what="the receipt delivered by the sweeper")
    assert len(_receipts(phone, code)) == 1
    delivered = store.get(f"sms:receipt:{case_id}")
    assert delivered.queue is None and delivered.delivered_at and delivered.payload is None


def test_a_failure_after_the_commit_answers_with_the_committed_case(api, stack, couple, monkeypatch):
    """The answer of the case write is lost (the write committed): 201 with that case, and again on retry."""
    from chalicelib.store import cases as case_store

    original = case_store.create

    def committed_then_lost(case, **kwargs):
        original(case, **kwargs)
        raise ConnectionError("connection reset after the write (test)")

    monkeypatch.setattr(case_store, "create", committed_then_lost)
    body = couple("sichuan")
    token = citizen_token(api, body["woman"]["phone"], "submit")
    key = str(uuid.uuid4())
    first = register(api, body, token=token, key=key)
    assert first.status == 201, first.body
    case_store.get(first.body["case_id"])  # stored
    monkeypatch.setattr(case_store, "create", original)
    retry = register(api, body, token=token, key=key)
    assert retry.status == 201 and retry.body == first.body
    assert retry.headers.get("Idempotent-Replayed") == "true"


def test_a_failed_workflow_start_is_retried_by_the_sweeper(api, stack, couple, monkeypatch):
    from chalicelib.adapters import workflow

    original = workflow.start_registration
    calls = {"n": 0}

    def flaky(case_id, execution_name=None):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("Step Functions unreachable (test)")
        return original(case_id, execution_name=execution_name)

    monkeypatch.setattr(workflow, "start_registration", flaky)
    body = couple("sichuan")
    r = register(api, body)
    assert r.status == 201, r.body
    assert r.body["status"] == "submitted"

    def registered():
        view = api.get(f"/v1/registrations/{r.body['case_id']}", headers={"X-Query-Code": r.body["query_code"]})
        return view.body["status"] == "registered"

    _wait(registered, timeout=60, what="the workflow started by the sweeper")
    assert calls["n"] >= 2


def test_dead_letter_is_alerted_listed_and_replayed(api, stack, couple, sms_down, monkeypatch, capsys):
    from chalicelib.store import outbox as store
    from tools import outbox as tool

    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "2")
    alerts = AlertInbox(stack)
    body = couple("sichuan")
    phone = body["woman"]["phone"]
    token = citizen_token(api, phone, "submit")
    sms_down.fail()
    r = register(api, body, token=token)
    assert r.status == 201, r.body
    event_id = f"sms:receipt:{r.body['case_id']}"
    _wait(lambda: (store.get(event_id).queue == store.DEAD), what="the receipt dead-lettered")

    alert = _wait(lambda: next((m for m in alerts.messages() if m.get("event_id") == event_id), None), what="the operator alert")
    assert alert["kind"] == "sms" and alert["subject"] == r.body["case_id"] and alert["replay"].endswith(f"replay {event_id}")
    assert phone not in str(alert) and r.body["query_code"] not in str(alert), "no personal data in the alert"

    assert tool.main(["--endpoint", stack.endpoint, "list-dead"]) == 0
    listed = capsys.readouterr().out
    assert event_id in listed and "SmsUnavailable" in listed and phone not in listed

    assert tool.main(["--endpoint", stack.endpoint, "replay", event_id]) == 1, "still down: the replay fails again"
    assert f"{event_id}: retry" in capsys.readouterr().out
    _wait(lambda: (store.get(event_id).queue == store.DEAD), what="dead again after the sweeper's retry")
    sms_down.restore()
    assert tool.main(["--endpoint", stack.endpoint, "replay", event_id]) == 0
    assert f"{event_id}: delivered" in capsys.readouterr().out
    assert len(_receipts(phone, r.body["query_code"])) == 1
    assert tool.main(["--endpoint", stack.endpoint, "replay", event_id]) == 1, "a delivered message is not replayed"


def test_completion_event_carries_an_event_id(api, stack, couple):
    """Receivers (other departments, issue 14's adapters) deduplicate on ``event_id``."""
    import json

    import boto3

    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=f"events-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(TopicArn=stack.names["Events"], Protocol="sqs", Endpoint=arn)
    r = register(api, couple("sichuan"))
    assert r.status == 201, r.body
    seen: list[dict] = []

    def completed():
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            seen.append(json.loads(m["Body"]))
        return next((s for s in seen if json.loads(s["Message"]).get("case_id") == r.body["case_id"]), None)

    envelope = _wait(completed, timeout=60, what="the completion event")
    event = json.loads(envelope["Message"])
    assert event["type"] == "registration.completed"
    assert event["event_id"].startswith("event:completed:" + r.body["case_id"])
    assert envelope["MessageAttributes"]["event_id"]["Value"] == event["event_id"]

"""Idempotent submission (issue 4): a retried submit returns the first result, once."""

from __future__ import annotations

import uuid

import boto3
import pytest

from local import outbox
from tests.e2e.conftest import citizen_token, register

pytestmark = pytest.mark.e2e


def _cases_of(stack, phone_key: str) -> int:
    ddb = boto3.client("dynamodb")
    return ddb.query(
        TableName=stack.names["Cases"],
        IndexName="PhoneIndex",
        KeyConditionExpression="phone_key = :p",
        ExpressionAttributeValues={":p": {"S": phone_key}},
        Select="COUNT",
    )["Count"]


def test_retry_with_the_same_key_returns_the_first_result(api, stack, couple):
    from chalicelib import config

    body = couple("sichuan")
    phone = body["woman"]["phone"]
    token = citizen_token(api, phone, "submit")
    key = str(uuid.uuid4())
    first = register(api, body, token=token, key=key)
    assert first.status == 201, first.body
    assert "Idempotent-Replayed" not in first.headers
    retry = register(api, body, token=token, key=key)
    assert retry.status == 201
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.body == first.body, "the same case id and query code"
    assert _cases_of(stack, config.keyed_hash("phone", phone)) == 1
    receipts = [m for m in outbox.messages() if m["phone"] == "+86" + phone and first.body["query_code"] in m["message"]]
    assert len(receipts) == 1, "the receipt SMS is sent once"


def test_same_key_with_another_body_is_refused(api, stack, couple):
    from chalicelib import config

    body = couple("sichuan")
    token = citizen_token(api, body["woman"]["phone"], "submit")
    key = str(uuid.uuid4())
    assert register(api, body, token=token, key=key).status == 201
    changed = {**body, "woman": {**body["woman"], "employer": "另一家公司"}}
    r = register(api, changed, token=token, key=key)
    assert r.status == 422 and r.body["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert _cases_of(stack, config.keyed_hash("phone", body["woman"]["phone"])) == 1


def test_a_failed_request_releases_its_key(api, couple):
    body = couple("sichuan")
    token = citizen_token(api, body["woman"]["phone"], "submit")
    key = str(uuid.uuid4())
    broken = {**body, "pregnancy": {**body["pregnancy"], "weeks": "twelve"}}
    assert register(api, broken, token=token, key=key).status == 400
    fixed = register(api, body, token=token, key=key)
    assert fixed.status == 201, "the corrected request may reuse the key of a request that failed validation"


def test_keys_are_scoped_to_the_verified_phone(api, couple):
    key = str(uuid.uuid4())
    a, b = couple("guizhou"), couple("chongqing")
    ra = register(api, a, key=key)
    rb = register(api, b, key=key)
    assert ra.status == rb.status == 201
    assert ra.body["case_id"] != rb.body["case_id"]


def test_query_codes_are_not_stored_in_clear(api, stack, couple):
    body = couple("sichuan")
    r = register(api, body)
    assert r.status == 201
    items = boto3.client("dynamodb").scan(TableName=stack.names["Idempotency"])["Items"]
    assert items, "the idempotency record exists"
    assert r.body["query_code"] not in str(items)


def test_concurrent_submits_of_one_couple_create_one_case(api, couple):
    """Two submits of the same couple and child at the same moment (different idempotency keys,
    e.g. two phones): exactly one case is created, the other is told a submission is in progress
    or is a duplicate — never two cases for one child."""
    import threading

    from chalicelib.domain import errors
    from chalicelib.services.citizen import registration
    from chalicelib.store import cases as case_store

    body = couple("sichuan")
    outcomes: list[str] = []
    barrier = threading.Barrier(6)

    def submit() -> None:
        barrier.wait()
        try:
            result = registration.submit(body, contact_phone=body["woman"]["phone"])
            outcomes.append(result["case_id"])
        except errors.Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    created = [o for o in outcomes if o not in {"SUBMISSION_IN_PROGRESS", "DUPLICATE_REGISTRATION"}]
    assert len(outcomes) == 6 and len(created) == 1, outcomes
    stored = list(case_store.by_couple(case_store.get(created[0]).couple_key))
    assert [c.case_id for c in stored] == created

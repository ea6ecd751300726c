"""Registrations delivered to the province's other systems, through the workflow and the outbox, to
the local stack's reference receivers (local/receivers.py):

- Chongqing, 002 五(一)8 / 五(二)6 "生育服务证登记信息实时推送“渝快办”及共享给相关部门查询使用";
- Guizhou, 001 四(三) "乡级计生行政主管部门须及时将网上登记平台和现场登记的生育登记信息同步准确录入PIS";
- Sichuan: 000 names no such system — nothing is delivered.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.workflow_support import (
    Submitted,
    bearer,
    scenario_body,
    sms_to,
    staff_token,
    submit_scenario,
    wait_status,
)

pytestmark = pytest.mark.e2e


def _records(stack, system: str, case_id: str) -> list[dict]:
    return [r for r in stack.receivers[system].records.values() if r["case_id"] == case_id]


def _wait_records(stack, system: str, case_id: str, timeout: float = 60) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _records(stack, system, case_id)
        if found:
            return found
        time.sleep(0.2)
    return _records(stack, system, case_id)


def test_a_chongqing_registration_reaches_yukuaiban_once(api, stack):
    case = submit_scenario(api, "chongqing", "instant")
    view = wait_status(api, case, "registered")
    records = _wait_records(stack, "yukuaiban", case.case_id)
    assert len(records) == 1
    record = records[0]
    assert record["registration_number"] == view["certificate"]["registration_number"]
    assert record["woman"] == {"name": case.body["woman"]["name"], "id_number": case.body["woman"]["id_number"]}
    assert record["channel"] == "online" and record["event_id"].startswith(f"share:yukuaiban:{case.case_id}:")
    assert not _records(stack, "pis", case.case_id)


def test_a_guizhou_registration_reaches_pis(api, stack):
    case = submit_scenario(api, "guizhou", "instant")
    wait_status(api, case, "registered")
    assert len(_wait_records(stack, "pis", case.case_id)) == 1
    assert not _records(stack, "yukuaiban", case.case_id)


def test_a_guizhou_onsite_registration_reaches_pis_too(api, stack):
    """001 四(三) "网上登记平台和现场登记的生育登记信息" — on-site ones as well."""
    body = scenario_body("guizhou", "instant")
    r = api.post("/v1/staff/registrations", body, headers=bearer(staff_token(api, "gz-op-520102016")))
    assert r.status == 201, r.body
    case = Submitted(r.body["case_id"], r.body["query_code"], body)
    wait_status(api, case, "registered")
    records = _wait_records(stack, "pis", case.case_id)
    assert [rec["channel"] for rec in records] == ["onsite"]


def test_a_sichuan_registration_is_delivered_nowhere(api, stack):
    case = submit_scenario(api, "sichuan", "instant")
    view = wait_status(api, case, "registered")
    number = view["certificate"]["registration_number"]
    # Notify (which would enqueue the deliveries with the result SMS) has run once the result SMS is out
    deadline = time.monotonic() + 60
    while not any(number in m for m in sms_to(case.body["woman"]["phone"])) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert any(number in m for m in sms_to(case.body["woman"]["phone"]))
    assert not _records(stack, "pis", case.case_id) and not _records(stack, "yukuaiban", case.case_id)


def test_a_receiver_outage_is_retried_until_it_is_recorded_once(api, stack):
    """The receiver answers 503 three times: the outbox retries with backoff (sweeper, local/README.md)
    and the registration arrives once; the couple's case was registered meanwhile all the same."""
    receiver = stack.receivers["yukuaiban"]
    before = receiver.requests
    receiver.fail_next(3, 503)
    case = submit_scenario(api, "chongqing", "instant")
    wait_status(api, case, "registered")
    records = _wait_records(stack, "yukuaiban", case.case_id, timeout=90)
    assert len(records) == 1
    assert receiver.requests - before >= 4

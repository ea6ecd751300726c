"""Staff find a case by its id or by either spouse's ID number, within their jurisdiction (issue 14
item 3, issue 15 item 6; 003 V(D) "查询码遗失的，可到乡镇（街道）查询"): through the local stack's API,
on the KEYS_ONLY WomanIdIndex / ManIdIndex, with the backfill of cases created before them."""

from __future__ import annotations

import pytest

from tests.e2e.workflow_support import bearer, staff_token, submit_scenario, wait_status

pytestmark = pytest.mark.e2e

SEARCH = "/v1/staff/cases/search"


@pytest.fixture(scope="module")
def case(api):
    return submit_scenario(api, "sichuan", "registry_has_more")


def _search(api, username: str, body: dict):
    return api.post(SEARCH, body, headers=bearer(staff_token(api, username)))


def _without_request_id(body: dict) -> dict:
    return {k: v for k, v in body["error"].items() if k != "request_id"}


@pytest.mark.parametrize("spouse", ["woman", "man"])
def test_the_township_finds_the_case_by_either_spouses_id_number(api, case, spouse):
    r = _search(api, "sc-op-510104022", {"id_number": case.body[spouse]["id_number"]})
    assert r.status == 200, r.body
    assert r.body["by"] == "id_number"
    [row] = [c for c in r.body["cases"] if c["case_id"] == case.case_id]
    # the office handling it at its counter sees the names in full, with the case's facts
    assert row["woman_name"] == case.body["woman"]["name"] and row["man_name"] == case.body["man"]["name"]
    assert row["office_code"] == "510104022" and row["status_label"] and row["submitted_at"]


def test_a_lower_case_x_and_a_case_id_find_it_too_and_a_monitor_sees_names_masked(api, case):
    r = _search(api, "sc-county-510104", {"case_id": case.case_id.lower()})
    assert r.status == 200, r.body
    [row] = r.body["cases"]
    assert row["case_id"] == case.case_id and row["woman_name"] != case.body["woman"]["name"]
    assert "*" in row["woman_name"]


def test_a_waiting_case_names_its_open_task_and_the_task_opens(api, case):
    wait_status(api, case, "awaiting_review")
    headers = bearer(staff_token(api, "sc-op-510104022"))
    [row] = api.post(SEARCH, {"case_id": case.case_id}, headers=headers).body["cases"]
    task = api.get(f"/v1/staff/tasks/{row['open_task_id']}", headers=headers)
    assert task.status == 200, task.body
    assert task.body["task"]["case_id"] == case.case_id and task.body["task"]["status"] == "open"


def test_a_case_without_a_waiting_task_names_none(api):
    done = submit_scenario(api, "sichuan", "instant")
    wait_status(api, done, "registered")
    [row] = _search(api, "sc-op-510104022", {"case_id": done.case_id}).body["cases"]
    assert row["open_task_id"] is None


@pytest.mark.parametrize("username", ["gz-op-520102016", "cq-county-500103", "gz-city-5201"])
def test_outside_the_jurisdiction_the_answer_is_exactly_that_of_a_case_that_does_not_exist(api, case, username):
    from chalicelib.domain import idcard

    unknown_person = idcard.make_id("510104", "1990-01-01", 987)
    for body in ({"case_id": case.case_id}, {"id_number": case.body["woman"]["id_number"]}):
        outside = _search(api, username, body)
        nobody = _search(api, username, {"case_id": "20000101ABCDEF0123"} if "case_id" in body else {"id_number": unknown_person})
        assert outside.status == nobody.status == 404, (outside.body, nobody.body)
        assert _without_request_id(outside.body) == _without_request_id(nobody.body)
        assert outside.body["error"]["code"] == "CASE_NOT_FOUND"


def test_a_township_operator_of_the_same_province_finds_it_at_its_counter(api, case):
    # auth.reaches: 001 三(一)3(2) 本省异地 -- another Sichuan township serves the couple
    r = _search(api, "sc-op-510104023", {"id_number": case.body["man"]["id_number"]})
    assert r.status == 200 and case.case_id in {c["case_id"] for c in r.body["cases"]}, r.body


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({}, "case_id", "ONE_OF_REQUIRED"),
        ({"case_id": "20260101ABCDEF0123", "id_number": "510104199001010000"}, "id_number", "ONE_OF_REQUIRED"),
        ({"id_number": "51010419900101001"}, "id_number", "ID_FORMAT"),
        ({"case_id": "../../etc"}, "case_id", None),
        ({"id_number": ["510104199001010011"]}, "id_number", None),
        ({"name": "张三"}, "name", None),
    ],
)
def test_bad_search_input_is_a_400_with_the_field(api, body, path, code):
    r = _search(api, "sc-op-510104022", body)
    assert r.status == 400, r.body
    found = {(d["path"], d["code"]) for d in r.body["error"]["details"]}
    assert path in {p for p, _ in found}, r.body
    if code:
        assert (path, code) in found, r.body


def test_a_wrong_check_digit_is_a_400_not_a_silent_empty_result(api, case):
    number = case.body["woman"]["id_number"]
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    r = _search(api, "sc-op-510104022", {"id_number": wrong})
    assert r.status == 400 and ("id_number", "ID_CHECKSUM") in {(d["path"], d["code"]) for d in r.body["error"]["details"]}, r.body


def test_roles_without_cases_are_refused_and_every_search_is_audited(api, case):
    from chalicelib.store import audit

    assert _search(api, "sc-hospital-510104", {"case_id": case.case_id}).status == 403
    assert _search(api, "sc-admin", {"case_id": case.case_id}).status == 403
    _search(api, "sc-op-510104022", {"id_number": case.body["woman"]["id_number"]})
    entries = [e for e in audit.for_subject("STAFF#sc-op-510104022", limit=20) if e.action == "case.search"]
    assert entries, "no case.search entry"
    assert entries[0].to_dict()["detail"]["by"] == "id_number"
    # the number itself is never written to the audit log, only its keyed hash
    assert case.body["woman"]["id_number"] not in str(entries[0].to_dict())


def test_the_backfill_gives_older_cases_their_keys_and_a_second_run_writes_nothing(api, stack, case, capsys):
    import json

    from chalicelib.store import cases as case_store
    from tools import person_keys

    def backfill() -> dict:
        assert person_keys.main(["--endpoint", stack.endpoint]) == 0
        return json.loads(capsys.readouterr().out.strip().splitlines()[-1])

    # a case as the Cases table held it before the indexes: no keys
    older = submit_scenario(api, "sichuan", "registry_has_more")
    wait_status(api, older, "awaiting_review")  # the workflow has stopped moving it
    case_store.CasePersonKeys(older.case_id).update(actions=[case_store.CasePersonKeys.woman_key.remove(), case_store.CasePersonKeys.man_key.remove()])
    version = case_store.get(older.case_id).version
    body = {"id_number": older.body["woman"]["id_number"]}
    assert _search(api, "sc-op-510104022", body).status == 404

    first = backfill()
    assert first["written"] >= 1 and first["scanned"] >= 2, first
    found = _search(api, "sc-op-510104022", body)
    assert found.status == 200 and [c["case_id"] for c in found.body["cases"]] == [older.case_id], found.body
    assert case_store.get(older.case_id).version == version  # running workflows are not disturbed
    assert backfill()["written"] == 0

"""Guizhou through the local stack: supplementing a registration before 初审 and the message after it.

- 001 附件1 一 "在填写的登记信息初审前，申报人能通过“查询码+姓名”调取所填写的生育登记信息，并可对其进行
  补充、完善": 查询码 + 姓名 finds the case (masked); an SMS code to the registered phone opens the
  couple's own form unmasked to that session; the supplement runs the checks again.
- 001 三(一)1(2) 信息初审: once it has decided, the couple can no longer supplement online.
- 001 附件1 一/二 "初审结果状态通知", "初审通过后…3个工作日内…结果状态通知": an SMS when 初审 passes.
"""

from __future__ import annotations

import copy
import time

import pytest

from tests.e2e import workflow_support as flow
from tests.e2e.conftest import last_code, new_captcha

pytestmark = pytest.mark.e2e
TOWNSHIP = "gz-op-520102016"


def _by_code(api, case) -> dict:
    r = api.post("/v1/case-queries/by-query-code", {"query_code": case.code, "name": case.body["man"]["name"]})
    assert r.status == 200, r.body
    (found,) = r.body["cases"]
    return found


def _session(api, case) -> str:
    """The SMS code the case's registered phone receives, exchanged for the session's token."""
    captcha_id, answer = new_captcha(api)
    path = f"/v1/registrations/{case.case_id}/sms-codes"
    sent = api.post(path, {"captcha_id": captcha_id, "captcha_answer": answer}, headers={"X-Query-Code": case.code})
    assert sent.status == 202, sent.body
    assert sent.body["phone"] != case.body["woman"]["phone"] and sent.body["phone"][-4:] == case.body["woman"]["phone"][-4:]
    r = api.post(f"{path}/verify", {"code": last_code(case.body["woman"]["phone"])}, headers={"X-Query-Code": case.code})
    assert r.status == 200, r.body
    return r.body["token"]


def _headers(case, token: str | None = None) -> dict[str, str]:
    return {"X-Query-Code": case.code, **({"X-Citizen-Token": token} if token else {})}


def _supplemented(form: dict, employer: str) -> dict:
    new = copy.deepcopy(form)
    new["woman"]["employer"] = employer
    return new


def test_supplement_before_the_initial_review_is_checked_again_and_refused_once_it_passed(api):
    """001 附件1 一 (supplement before 初审), 三(一)1(2) (初审 decides), 附件1 二 (the SMS after it)."""
    case = flow.submit_scenario(api, "guizhou", "child_conflict")
    flow.wait_status(api, case, "awaiting_review")
    township = flow.staff_token(api, TOWNSHIP)
    first = flow.find_task(api, township, case.case_id)

    found = _by_code(api, case)  # 查询码 + 姓名: masked, with the right to supplement
    assert found["actions"]["modify"] is True and found["woman"]["id_number"] != case.body["woman"]["id_number"]
    refused = api.get(f"/v1/registrations/{case.case_id}/form", headers=_headers(case))
    assert refused.status == 401 and refused.body["error"]["code"] == "SMS_VERIFICATION_REQUIRED"

    token = _session(api, case)
    own = api.get(f"/v1/registrations/{case.case_id}/form", headers=_headers(case, token))
    assert own.status == 200 and own.headers.get("Cache-Control") == "no-store"
    assert own.body["form"]["woman"]["id_number"] == case.body["woman"]["id_number"]  # unmasked to the session

    r = api.put(f"/v1/registrations/{case.case_id}", _supplemented(own.body["form"], "贵阳补充单位"), headers=_headers(case, token))
    assert r.status == 200, r.body
    assert (r.body["status"], r.body["changed"]) == ("submitted", ["woman.employer"])
    view = flow.wait_status(api, case, "awaiting_review")  # checked again, back to 初审
    assert any(h["note"] == "申请人补充完善登记信息，重新核验" for h in view["history"])
    late = api.post(f"/v1/staff/tasks/{first['task_id']}", {"decision": "accept"}, headers=flow.bearer(township))
    assert late.status == 409 and late.body["error"]["code"] == "TASK_SUPERSEDED"

    task = flow.find_task(api, township, case.case_id)
    assert task["task_id"] != first["task_id"] and task["stage"] == "initial_review"
    passed = api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=flow.bearer(township))
    assert passed.status == 200 and passed.body["next_stage"] == "registration", passed.body
    text = flow.wait_sms(case.body["woman"]["phone"], "已通过信息初审")
    assert case.case_id in text and len(text) <= 70
    notes = [h["note"] or "" for h in flow.wait_status(api, case, "awaiting_review")["history"]]
    assert any(n.startswith("信息初审通过") for n in notes)

    again = api.put(f"/v1/registrations/{case.case_id}", _supplemented(own.body["form"], "初审后再改"), headers=_headers(case, token))
    assert again.status == 409 and again.body["error"]["code"] == "REVIEW_STARTED"
    form = api.get(f"/v1/registrations/{case.case_id}/form", headers=_headers(case, token))
    assert form.status == 409 and "form" not in form.body
    assert _by_code(api, case)["actions"]["modify"] is False
    supplements = [e for e in flow.audit_actions(case.case_id) if e["action"] == "case.supplemented"]
    assert len(supplements) == 1 and supplements[0]["after"]["form"]["woman"]["employer"] == "贵阳补充单位"


def test_an_escalated_initial_review_still_lets_the_couple_supplement(api, monkeypatch):
    """001 附件1 一: the overdue 初审 going up to the county is not 初审; the right stays."""
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "0.00001")
    case = flow.submit_scenario(api, "guizhou", "child_conflict")
    flow.wait_status(api, case, "awaiting_review")
    deadline = time.monotonic() + 40
    while not any(e["action"] == "review.escalated" for e in flow.audit_actions(case.case_id)) and time.monotonic() < deadline:
        time.sleep(0.2)
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "1")
    time.sleep(2.5)  # a scaled deadline still running expires once more; the next one is real
    assert any(e["action"] == "review.escalated" for e in flow.audit_actions(case.case_id))
    assert _by_code(api, case)["actions"]["modify"] is True

    token = _session(api, case)
    own = api.get(f"/v1/registrations/{case.case_id}/form", headers=_headers(case, token)).body["form"]
    r = api.put(f"/v1/registrations/{case.case_id}", _supplemented(own, "上报后补充"), headers=_headers(case, token))
    assert r.status == 200, r.body
    flow.wait_status(api, case, "awaiting_review")
    task = flow.find_task(api, flow.staff_token(api, TOWNSHIP), case.case_id)
    assert (task["level"], task["stage"]) == (0, "initial_review")  # the re-run starts at the township


def test_an_unauthorised_session_sees_only_masked_data(api, couple):
    """The query code opens the masked view only; another phone's session opens nothing."""
    case = flow.submit_scenario(api, "guizhou", "child_conflict")
    flow.wait_status(api, case, "awaiting_review")
    from tests.e2e.conftest import citizen_token

    stranger = citizen_token(api, couple("guizhou")["woman"]["phone"], "query")
    r = api.get(f"/v1/registrations/{case.case_id}/form", headers=_headers(case, stranger))
    assert r.status == 404
    r = api.put(f"/v1/registrations/{case.case_id}", _supplemented(case.body, "冒充"), headers=_headers(case))
    assert r.status == 401 and r.body["error"]["code"] == "SMS_VERIFICATION_REQUIRED"
    wrong = api.post(f"/v1/registrations/{case.case_id}/sms-codes/verify", {"code": "000000"}, headers={"X-Query-Code": "WRONGCODE"})
    assert wrong.status == 404
    view = api.get(f"/v1/registrations/{case.case_id}", headers={"X-Query-Code": case.code}).body
    assert "*" in view["woman"]["id_number"] and "*" in view["man"]["phone"]
    assert not any(e["action"] in ("case.supplemented", "citizen.form_read") for e in flow.audit_actions(case.case_id))

"""Modify once (Sichuan, 000 §2.4.2 注) and supplement before review (Guizhou, 001 附件1 一)."""

from __future__ import annotations

import copy
import uuid

import pytest

from tests.e2e.conftest import citizen_token, register, wait_for_status
from tests.e2e.workflow_support import execution

pytestmark = pytest.mark.e2e


def _submitted(api, body: dict) -> dict:
    r = register(api, body)
    assert r.status == 201, r.body
    return {"case_id": r.body["case_id"], "code": r.body["query_code"], "body": body}


def _put(api, case: dict, body: dict, **headers):
    return api.put(f"/v1/registrations/{case['case_id']}", body, headers=headers or {"X-Query-Code": case["code"]})


def _changed(body: dict, employer: str = "新单位有限公司") -> dict:
    new = copy.deepcopy(body)
    new["woman"]["employer"] = employer
    return new


def _audit(case_id: str) -> list[dict]:
    from chalicelib.store import audit

    return [e.to_dict() for e in audit.for_subject(f"CASE#{case_id}") if e.action.startswith("case.")]


def test_sichuan_modifies_once_and_is_registered_again(api, stack, couple):
    from chalicelib.store import certificates as certificate_store

    case = _submitted(api, couple("sichuan"))
    first = wait_for_status(api, case["case_id"], case["code"], {"registered"})
    assert first["actions"]["modify"] is True
    old_number = first["certificate"]["registration_number"]

    r = _put(api, case, _changed(case["body"]))
    assert r.status == 200, r.body
    assert r.body["version"] == 2 and r.body["modifications"] == 1 and r.body["changed"] == ["woman.employer"]

    # the workflow runs again under its own execution name and issues a new certificate
    assert execution(stack, f"{case['case_id']}-v2")["status"] in {"RUNNING", "SUCCEEDED"}
    view = wait_for_status(api, case["case_id"], case["code"], {"registered"})
    deadline_view = view
    assert deadline_view["certificate"]["registration_number"] != old_number
    assert deadline_view["certificate"]["version"] == 2
    assert certificate_store.get(old_number).status == "revoked"
    assert view["modifications"] == 1 and view["actions"]["modify"] is False, "000 §2.4.2: no second modify button"

    entries = _audit(case["case_id"])
    assert len(entries) == 1
    entry = entries[0]
    assert entry["actor"] == "citizen" and entry["at"]
    assert entry["detail"]["changed"] == ["woman.employer"]
    assert entry["before"]["form"]["woman"]["employer"] == case["body"]["woman"]["employer"]
    assert entry["after"]["form"]["woman"]["employer"] == "新单位有限公司"

    again = _put(api, case, _changed(case["body"], "第三家单位"))
    assert again.status == 409 and again.body["error"]["code"] == "MODIFICATION_EXHAUSTED"
    assert len(_audit(case["case_id"])) == 1, "nothing changed"
    current = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert current["certificate"]["registration_number"] == view["certificate"]["registration_number"]


def test_a_modification_is_validated_like_a_new_registration(api, couple):
    case = _submitted(api, couple("sichuan"))
    wait_for_status(api, case["case_id"], case["code"], {"registered"})
    broken = _changed(case["body"])
    broken["woman"]["id_number"] = broken["woman"]["id_number"][:-1] + ("1" if broken["woman"]["id_number"][-1] != "1" else "2")
    r = _put(api, case, broken)
    assert r.status == 400 and any(d["path"] == "woman.id_number" for d in r.body["error"]["details"])
    same = _put(api, case, case["body"])
    assert same.status == 400 and same.body["error"]["details"][0]["code"] == "NO_CHANGES"
    moved = _changed(case["body"])
    moved["profile"] = "guizhou"
    assert _put(api, case, moved).status in (400, 422)
    view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert view["modifications"] == 0 and view["actions"]["modify"] is True, "a refused modification is not spent"
    assert _audit(case["case_id"]) == []


def test_modify_with_a_query_token_and_an_idempotency_key(api, couple, clock):
    body = couple("sichuan")
    case = _submitted(api, body)
    wait_for_status(api, case["case_id"], case["code"], {"registered"})
    token = citizen_token(api, body["woman"]["phone"], "query", clock=clock)
    key = uuid.uuid4().hex
    first = _put(api, case, _changed(body), **{"X-Citizen-Token": token, "Idempotency-Key": key})
    assert first.status == 200, first.body
    retry = _put(api, case, _changed(body), **{"X-Citizen-Token": token, "Idempotency-Key": key})
    assert retry.status == 200 and retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.body == first.body
    assert len(_audit(case["case_id"])) == 1


def test_another_couples_case_cannot_be_modified(api, couple, clock):
    mine = _submitted(api, couple("sichuan"))
    theirs = _submitted(api, couple("sichuan"))
    wait_for_status(api, theirs["case_id"], theirs["code"], {"registered"})
    r = api.put(f"/v1/registrations/{theirs['case_id']}", _changed(theirs["body"]), headers={"X-Query-Code": mine["code"]})
    assert r.status == 404
    token = citizen_token(api, mine["body"]["woman"]["phone"], "query", clock=clock)
    r = api.put(f"/v1/registrations/{theirs['case_id']}", _changed(theirs["body"]), headers={"X-Citizen-Token": token})
    assert r.status == 404
    assert _audit(theirs["case_id"]) == []


def test_sichuan_case_in_progress_cannot_be_modified_yet(api, couple):
    case = _submitted(api, couple("sichuan", matched=False))
    view = wait_for_status(api, case["case_id"], case["code"], {"awaiting_proofs", "awaiting_review"})
    assert view["actions"]["modify"] is False
    r = _put(api, case, _changed(case["body"]))
    assert r.status == 409 and r.body["error"]["code"] == "CASE_IN_PROGRESS"


def _session(api, case: dict) -> dict[str, str]:
    """查询码 plus a query token of the registered phone (the SMS-proven session, 001 附件1 一)."""
    return {"X-Query-Code": case["code"], "X-Citizen-Token": citizen_token(api, case["body"]["woman"]["phone"], "query")}


def test_guizhou_supplements_before_the_initial_review(api, couple):
    case = _submitted(api, couple("guizhou", matched=False))
    view = wait_for_status(api, case["case_id"], case["code"], {"awaiting_proofs", "awaiting_review"})
    assert view["actions"]["modify"] is True
    session = _session(api, case)
    first = _put(api, case, _changed(case["body"]), **session)
    assert first.status == 200, first.body
    assert first.body["status"] == "submitted", "the supplemented version is checked again"
    wait_for_status(api, case["case_id"], case["code"], {"awaiting_proofs", "awaiting_review"})
    second = _put(api, case, _changed(case["body"], "再次补充的单位"), **session)
    assert second.status == 200 and second.body["version"] == 3
    actions = [e["action"] for e in _audit(case["case_id"])]
    assert actions == ["case.supplemented", "case.supplemented"]
    view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert "申请人补充完善登记信息，重新核验" in [h["note"] for h in view["history"]]


def test_guizhou_after_the_review_only_staff_can_change(api, couple):
    case = _submitted(api, couple("guizhou"))  # records match: registered at once, no review left
    wait_for_status(api, case["case_id"], case["code"], {"registered"})
    r = _put(api, case, _changed(case["body"]), **_session(api, case))
    assert r.status == 409 and r.body["error"]["code"] == "REVIEW_STARTED"


def test_chongqing_has_no_online_modification(api, couple):
    case = _submitted(api, couple("chongqing"))
    wait_for_status(api, case["case_id"], case["code"], {"registered"})
    r = _put(api, case, _changed(case["body"]))
    assert r.status == 409 and r.body["error"]["code"] == "MODIFICATION_NOT_ALLOWED"


def test_guizhou_after_a_staff_decision_only_staff_can_change(api, couple):
    from chalicelib.services.workflow import review
    from chalicelib.store.tasks import Task
    from tests.e2e.conftest import upload_proofs

    case = _submitted(api, couple("guizhou", matched=False))
    view = wait_for_status(api, case["case_id"], case["code"], {"awaiting_proofs", "awaiting_review"})
    if view["status"] == "awaiting_proofs":
        upload_proofs(api, case["case_id"], case["code"])
        wait_for_status(api, case["case_id"], case["code"], {"awaiting_review"})
    task = next(t for t in Task.scan() if t.case_id == case["case_id"] and t.kind == "review" and t.status == "open")
    review.decide(task.task_id, "accept", staff_id="staff-520102016")  # the initial review (001 三(一)1(2)) passes
    view = wait_for_status(api, case["case_id"], case["code"], {"awaiting_review", "registered"})
    assert view["actions"]["modify"] is False
    r = _put(api, case, _changed(case["body"]), **_session(api, case))
    assert r.status == 409 and r.body["error"]["code"] == "REVIEW_STARTED"


def _form(api, case: dict, **headers):
    return api.get(f"/v1/registrations/{case['case_id']}/form", headers=headers or _session(api, case))


def test_the_owner_reads_the_editable_form_unmasked_and_uncached(api, couple):
    case = _submitted(api, couple("sichuan"))
    wait_for_status(api, case["case_id"], case["code"], {"registered"})

    r = _form(api, case)
    assert r.status == 200, r.body
    assert r.headers.get("Cache-Control") == "no-store"
    form = r.body["form"]
    assert r.body["case_id"] == case["case_id"] and r.body["profile"] == "sichuan"
    for role in ("woman", "man"):
        for field in ("name", "id_number", "phone"):
            assert form[role][field] == case["body"][role][field], f"{role}.{field} is returned unmasked"
    assert form["marriage"]["certificate_number"] == case["body"]["marriage"]["certificate_number"]
    reads = [e for e in _all_audit(case["case_id"]) if e["action"] == "citizen.form_read"]
    assert len(reads) == 1 and reads[0]["detail"]["via"] == "query_code+sms"

    # sent back as it came, it is a modification without changes
    same = _put(api, case, form)
    assert same.status == 400 and same.body["error"]["details"][0]["code"] == "NO_CHANGES"


def test_the_form_needs_the_cases_own_credentials(api, couple):
    case = _submitted(api, couple("sichuan"))
    wait_for_status(api, case["case_id"], case["code"], {"registered"})
    other = _submitted(api, couple("sichuan"))

    own = _session(api, case)
    assert _form(api, case, **{**own, "X-Query-Code": other["code"]}).status == 404
    assert _form(api, case, **{**_session(api, other), "X-Query-Code": case["code"]}).status == 404
    missing = api.get(f"/v1/registrations/{case['case_id']}/form")
    assert missing.status == 401 and missing.body["error"]["code"] == "SMS_VERIFICATION_REQUIRED"
    code_only = _form(api, case, **{"X-Query-Code": case["code"]})
    assert code_only.status == 401 and code_only.body["error"]["code"] == "SMS_VERIFICATION_REQUIRED"
    assert not any(e["action"] == "citizen.form_read" for e in _all_audit(case["case_id"])), "a refused read is not a read"


def test_the_form_is_offered_only_while_the_case_may_be_changed(api, couple):
    case = _submitted(api, couple("sichuan"))
    wait_for_status(api, case["case_id"], case["code"], {"registered"})
    assert _put(api, case, _changed(case["body"])).status == 200
    wait_for_status(api, case["case_id"], case["code"], {"registered"})

    r = _form(api, case)
    assert r.status == 409 and r.body["error"]["code"] == "MODIFICATION_EXHAUSTED"
    assert "form" not in r.body


def _all_audit(case_id: str) -> list[dict]:
    from chalicelib.store import audit

    return [e.to_dict() for e in audit.for_subject(f"CASE#{case_id}")]

"""A registration travels the real path on the local stack (issue: walking skeleton), submitted as a
citizen does: SMS code, submit token, idempotency key (issue 4)."""

from __future__ import annotations

import time
import urllib.request

import pytest

from tests.e2e.conftest import citizen_token, register, upload_proofs, wait_for_status
from tests.e2e.workflow_support import execution, wait_sms

pytestmark = pytest.mark.e2e


def test_matching_records_issue_the_certificate_at_once(api, stack, couple):
    body = couple("sichuan")
    r = register(api, body)
    assert r.status == 201, r.body
    case_id, code = r.body["case_id"], r.body["query_code"]
    assert len(code) == 8

    view = wait_for_status(api, case_id, code, {"registered"})
    statuses = [h["status"] for h in view["history"]]
    assert statuses[0] == "submitted" and statuses[-1] == "registered"
    assert "awaiting_review" not in statuses
    # personal data is masked in the citizen view
    assert "*" in view["woman"]["id_number"] and body["woman"]["id_number"] not in str(view)

    cert = view["certificate"]
    assert cert["expires_in"] <= 300
    with urllib.request.urlopen(cert["download_url"], timeout=10) as resp:
        pdf = resp.read()
    assert pdf.startswith(b"%PDF")

    assert wait_sms(body["woman"]["phone"], code), "the query code is sent by SMS"
    # the result SMS is the Notify step, after the status: wait for it (a loaded machine is slow)
    assert wait_sms(body["woman"]["phone"], cert["registration_number"]), "the result SMS names the registration number"

    deadline_ok = execution(stack, case_id)
    assert deadline_ok["status"] in {"SUCCEEDED", "RUNNING"}


def _open_review_task(case_id: str):
    from chalicelib.store.tasks import Task

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        tasks = [t for t in Task.scan() if t.case_id == case_id and t.kind == "review" and t.status == "open"]
        if tasks:
            return tasks
        time.sleep(0.2)
    raise AssertionError(f"no open review task for {case_id}")


def test_mismatch_asks_for_proofs_waits_for_staff_then_resumes_on_accept(api, stack, couple):
    """000 §2.3.5: a failed check asks for proof documents; the citizen uploads them; staff decide."""
    from chalicelib.services.workflow import review

    body = couple("sichuan", matched=False)
    r = register(api, body)
    assert r.status == 201, r.body
    case_id, code = r.body["case_id"], r.body["query_code"]

    view = wait_for_status(api, case_id, code, {"awaiting_proofs"})
    assert view["check"]["matched"] is False
    assert "IDENTITY_NOT_FOUND" in {m["code"] for m in view["check"]["mismatches"]}
    assert view["actions"]["upload"], "the documents to upload are listed"
    assert execution(stack, case_id)["status"] == "RUNNING"

    upload_proofs(api, case_id, code)
    wait_for_status(api, case_id, code, {"awaiting_review"})
    tasks = _open_review_task(case_id)
    assert len(tasks) == 1
    assert tasks[0].task_token and tasks[0].task_id not in tasks[0].task_token

    review.decide(tasks[0].task_id, "accept", staff_id="staff-510104")
    view = wait_for_status(api, case_id, code, {"registered"})
    assert view["certificate"]["registration_number"]


def test_reject_ends_the_case_with_the_reason(api, couple):
    from chalicelib.domain.errors import Conflict
    from chalicelib.services.workflow import review

    r = register(api, couple("guizhou", matched=False))
    case_id, code = r.body["case_id"], r.body["query_code"]
    view = wait_for_status(api, case_id, code, {"awaiting_proofs", "awaiting_review"})
    if view["status"] == "awaiting_proofs":
        upload_proofs(api, case_id, code)
    wait_for_status(api, case_id, code, {"awaiting_review"})
    task = _open_review_task(case_id)[0]
    review.decide(task.task_id, "reject", staff_id="staff-520102", reason="结婚证号与民政记录不符")
    with pytest.raises(Conflict):
        review.decide(task.task_id, "accept", staff_id="staff-520102")
    view = wait_for_status(api, case_id, code, {"rejected"})
    assert view["history"][-1]["note"] == "结婚证号与民政记录不符"
    assert view["certificate"] is None


def test_same_couple_same_child_is_a_conflict(api, couple):
    body = couple("chongqing")
    token = citizen_token(api, body["woman"]["phone"], "submit")
    first = register(api, body, token=token)
    assert first.status == 201, first.body
    again = register(api, body, token=token)  # a new idempotency key: a second submission
    assert again.status == 409
    assert again.body["error"]["code"] == "DUPLICATE_REGISTRATION"
    assert first.body["case_id"] not in str(again.body), "the existing reference is masked"


def test_wrong_query_code_reveals_nothing(api, couple):
    r = register(api, couple("sichuan"))
    other = api.get(f"/v1/registrations/{r.body['case_id']}", headers={"X-Query-Code": "AAAAAAAA"})
    assert other.status == 404
    assert other.body["error"]["code"] == "NOT_FOUND"
    missing = api.get("/v1/registrations/20260101ABCDEF1234", headers={"X-Query-Code": "AAAAAAAA"})
    assert missing.status == 404 and missing.body == {**missing.body, "error": {**missing.body["error"], "code": "NOT_FOUND"}}

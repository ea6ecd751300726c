"""Proof documents: the request, the answer (``review.proofs_received``) and the deadline."""

from __future__ import annotations

import pytest

from tests.e2e.workflow_support import (
    bearer,
    find_task,
    history_notes,
    staff_token,
    submit_scenario,
    wait_sms,
    wait_status,
)

pytestmark = pytest.mark.e2e


def test_documents_received_resume_the_workflow_to_manual_review(api):
    from chalicelib.services.workflow import review
    from chalicelib.store import tasks

    case = submit_scenario(api, "sichuan", "identity_mismatch")
    wait_status(api, case, "awaiting_proofs")
    assert review.proofs_received(case.case_id) is True
    assert review.proofs_received(case.case_id) is False  # idempotent: nothing left to answer
    view = wait_status(api, case, "awaiting_review")
    assert tasks.get(tasks.proofs_task_id(case.case_id)).status == "answered"
    task = find_task(api, staff_token(api, "sc-op-510104022"), case.case_id)
    assert task["stage"] == "review" and task["level"] == 0
    assert view["history"][-1]["note"].startswith("人工审核：已派发至四川省成都市锦江区春熙路街道")


def test_no_documents_by_the_deadline_close_the_case_as_incomplete(api, monkeypatch):
    from chalicelib.services.workflow import review

    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "0.000001")  # the profile's 5 working days -> 1 s
    # Sichuan: a check that cannot pass asks for documents (000 §2.3.5); Chongqing would follow the commitment
    case = submit_scenario(api, "sichuan", "marriage_other_province")
    view = wait_status(api, case, "incomplete", timeout=30)
    assert view["history"][-1]["status"] == "incomplete"
    wait_sms(case.body["woman"]["phone"], "未按期补充材料", "已终止办理")
    assert review.proofs_received(case.case_id) is False  # too late: nothing changes
    assert wait_status(api, case, "incomplete")["status"] == "incomplete"


def test_a_reviewer_can_ask_for_documents_and_the_same_stage_resumes(api):
    from chalicelib.services.workflow import review

    token = staff_token(api, "gz-op-520102016")
    case = submit_scenario(api, "guizhou", "registry_has_more")
    wait_status(api, case, "awaiting_review")
    task = find_task(api, token, case.case_id)
    r = api.post(
        f"/v1/staff/tasks/{task['task_id']}",
        {"decision": "request_documents", "reason": "请提供长子的出生医学证明复印件", "documents": ["ID_CARD", "MARRIAGE_PROOF"]},
        headers=bearer(token),
    )
    assert r.status == 200, r.body
    assert r.body["next"] == "proofs"
    view = wait_status(api, case, "awaiting_proofs")
    assert [d["document"] for d in view["proofs"]["requested"]] == ["ID_CARD", "MARRIAGE_PROOF"]
    assert "请提供长子" in history_notes(api, case)[-1]
    assert review.proofs_received(case.case_id)
    wait_status(api, case, "awaiting_review")
    again = find_task(api, token, case.case_id)
    assert again["task_id"] != task["task_id"] and again["stage"] == task["stage"] == "initial_review"

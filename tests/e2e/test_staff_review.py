"""Staff review through the callback links: sign-in, view, decide; bad input and races (issue 5).

Every refused request leaves the task open and the case where it was.
"""

from __future__ import annotations

import threading

import pytest

from tests.e2e.workflow_support import (
    audit_actions,
    bearer,
    find_task,
    staff_token,
    submit_scenario,
    wait_sms,
    wait_status,
)

pytestmark = pytest.mark.e2e

OP = "sc-op-510104022"


@pytest.fixture
def waiting(api):
    """A Sichuan case waiting for its township office, and that office's open task."""
    case = submit_scenario(api, "sichuan", "registry_has_more")
    wait_status(api, case, "awaiting_review")
    return case, find_task(api, staff_token(api, OP), case.case_id)


def _unchanged(api, case, task_id: str) -> None:
    from chalicelib.store import tasks

    assert tasks.get(task_id).status == "open"
    assert wait_status(api, case, "awaiting_review")["status"] == "awaiting_review"


# -- sign-in --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"username": OP, "password": "wrong-Passw0rd!"}, 401, "LOGIN_FAILED"),
        ({"username": "nobody", "password": "wrong-Passw0rd!"}, 401, "LOGIN_FAILED"),
        ({"username": OP}, 400, "VALIDATION_FAILED"),
        ({"username": OP, "password": 12345678}, 400, "VALIDATION_FAILED"),
    ],
)
def test_sign_in_failures(api, body, status, code):
    r = api.post("/v1/staff/login", body)
    assert r.status == status and r.body["error"]["code"] == code


def test_sign_in_gives_a_verified_identity(api):
    r = api.get("/v1/staff/me", headers=bearer(staff_token(api, OP)))
    assert r.status == 200
    assert (r.body["role"], r.body["unit_code"]) == ("township_operator", "510104022")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic dXNlcjpwYXNz"])
def test_staff_routes_need_a_valid_token(api, waiting, header):
    _, task = waiting
    headers = {"Authorization": header} if header else {}
    for r in (api.get("/v1/staff/tasks", headers=headers), api.get(f"/staff/tasks/{task['task_id']}", headers=headers)):
        assert r.status == 401, r.body


# -- view ---------------------------------------------------------------------------------------
def test_the_office_opens_the_task_link_and_sees_the_case(api, waiting):
    case, task = waiting
    assert task["task_url"].endswith(f"/staff/tasks/{task['task_id']}")
    r = api.get(f"/staff/tasks/{task['task_id']}", headers=bearer(staff_token(api, OP)))
    assert r.status == 200, r.body
    assert r.body["can_decide"] is True
    assert r.body["case"]["form"]["woman"]["id_number"] == case.body["woman"]["id_number"]  # staff see the real data
    assert {d["decision"] for d in r.body["decisions"]} == {"accept", "reject", "request_documents"}
    # the labels of every document code the case can carry, for the page (it keeps no copy)
    assert r.body["document_labels"]["ID_CARD"] == "身份证" and "CHILD_PROOF" in r.body["document_labels"]
    assert {d["code"] for d in r.body["documents"]} <= set(r.body["document_labels"])
    assert r.body["case"]["history"][0]["status_label"] == "已提交"
    assert "task.view" in [e["action"] for e in audit_actions(case.case_id)]


def test_the_county_may_look_but_not_decide_a_township_task(api, waiting):
    case, task = waiting
    county = staff_token(api, "sc-county-510104")
    r = api.get(f"/v1/staff/tasks/{task['task_id']}", headers=bearer(county))
    assert r.status == 200 and r.body["can_decide"] is False
    r = api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(county))
    assert r.status == 403 and r.body["error"]["code"] == "NOT_YOUR_TASK"
    _unchanged(api, case, task["task_id"])


def test_another_office_can_neither_see_nor_decide(api, waiting):
    case, task = waiting
    other = staff_token(api, "sc-op-510104023")
    assert api.get(f"/staff/tasks/{task['task_id']}", headers=bearer(other)).status == 403
    r = api.post(f"/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(other))
    assert r.status == 403 and r.body["error"]["code"] == "NOT_YOUR_TASK"
    guizhou = staff_token(api, "gz-op-520102016")
    assert api.post(f"/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(guizhou)).status == 403
    _unchanged(api, case, task["task_id"])


@pytest.mark.parametrize("username", ["sc-admin", "sc-hospital-510104"])
def test_administrators_and_hospitals_do_not_review(api, waiting, username):
    _, task = waiting
    token = staff_token(api, username)
    assert api.get(f"/staff/tasks/{task['task_id']}", headers=bearer(token)).status == 403
    assert api.get("/v1/staff/tasks", headers=bearer(token)).status == 403


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"decision": "approve"}, "INVALID_ENUM"),
        ({"decision": "reject"}, "MISSING"),
        ({"decision": "request_documents", "reason": "补充"}, "MISSING"),
        ({"decision": "accept", "extra": 1}, "EXTRA_FIELD"),
        ([], "INVALID_BODY"),
    ],
)
def test_an_invalid_decision_is_400_and_changes_nothing(api, waiting, body, code):
    case, task = waiting
    r = api.post(f"/staff/tasks/{task['task_id']}", body, headers=bearer(staff_token(api, OP)))
    assert r.status == 400, r.body
    assert code in {d["code"] for d in r.body["error"]["details"]}
    _unchanged(api, case, task["task_id"])


@pytest.mark.parametrize("task_id", ["AAAAAAAAAAAAAAAAAAAAAA", "proofs%2320261123ABCDEF0123", "x"])
def test_forged_task_ids_are_404(api, task_id):
    token = staff_token(api, OP)
    assert api.get(f"/staff/tasks/{task_id}", headers=bearer(token)).status == 404
    r = api.post(f"/staff/tasks/{task_id}", {"decision": "accept"}, headers=bearer(token))
    assert r.status == 404 and r.body["error"]["code"] == "TASK_NOT_FOUND"


# -- decisions ----------------------------------------------------------------------------------
def test_reject_with_a_reason_then_a_second_decision_is_409(api, waiting):
    case, task = waiting
    token = staff_token(api, OP)
    r = api.post(f"/staff/tasks/{task['task_id']}", {"decision": "reject", "reason": "子女信息与人口系统不符"}, headers=bearer(token))
    assert r.status == 200 and r.body["next"] == "rejected"
    again = api.post(f"/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(token))
    assert again.status == 409 and again.body["error"]["code"] == "TASK_ALREADY_DECIDED"
    view = wait_status(api, case, "rejected")
    assert view["history"][-1]["note"] == "子女信息与人口系统不符"
    wait_sms(case.body["woman"]["phone"], "未予登记")
    decided = [e for e in audit_actions(case.case_id) if e["action"].startswith("review.")]
    assert [(e["action"], e["actor"]) for e in decided] == [("review.reject", OP)]
    assert decided[0]["before"]["case_status"] == "awaiting_review" and decided[0]["after"]["case_status"] == "rejected"


def test_twenty_concurrent_decisions_exactly_one_wins(api, waiting):
    # Twenty API containers deciding at once: the service is called from 20 threads (the local
    # HTTP server, chalice local, shares one current_request between threads, unlike Lambda),
    # each with the real conditional write in DynamoDB and the real SendTaskSuccess.
    from chalicelib import auth
    from chalicelib.domain import errors
    from chalicelib.services.workflow import review

    case, task = waiting
    principal = auth.principal_from_claims(auth.verify_token(staff_token(api, OP)))
    results: list[str] = []
    barrier = threading.Barrier(20)

    def decide(i: int) -> None:
        barrier.wait()
        try:
            review.decide(task["task_id"], "accept" if i % 2 else "reject", reason="并发", staff_id=OP, principal=principal)
            results.append("won")
        except errors.Conflict as exc:
            results.append(exc.code)
        except Exception as exc:  # reported by the assertion below
            results.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["TASK_ALREADY_DECIDED"] * 19 + ["won"]
    decided = [e for e in audit_actions(case.case_id) if e["action"] in ("review.accept", "review.reject")]
    assert len(decided) == 1
    final = wait_status(api, case, "registered", "rejected")
    assert final["status"] == {"review.accept": "registered", "review.reject": "rejected"}[decided[0]["action"]]
    assert [h["status"] for h in final["history"]].count(final["status"]) == 1
    # and through HTTP, one after another, the task stays decided
    again = api.post(f"/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(staff_token(api, OP)))
    assert again.status == 409


def test_guizhou_has_two_stages(api):
    token = staff_token(api, "gz-op-520102016")
    case = submit_scenario(api, "guizhou", "no_household")
    wait_status(api, case, "awaiting_review")
    first = find_task(api, token, case.case_id)
    assert first["stage"] == "initial_review" and first["stage_title"] == "信息初审"
    r = api.post(f"/v1/staff/tasks/{first['task_id']}", {"decision": "accept"}, headers=bearer(token))
    assert r.status == 200 and r.body["next_stage"] == "registration"
    second = find_task(api, token, case.case_id)
    assert second["stage"] == "registration" and second["stage_title"] == "生育登记"
    assert second["due_at"] >= first["due_at"]
    r = api.post(f"/v1/staff/tasks/{second['task_id']}", {"decision": "accept"}, headers=bearer(token))
    assert r.status == 200 and r.body["next"] == "update_registry"
    wait_status(api, case, "registered")

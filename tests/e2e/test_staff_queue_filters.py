"""The work queue's filters on the server (issue 15 item 6): status, stage and overdue are key
conditions of one Query (store/tasks.py OfficeDueIndex / OfficeStatusIndex), pages stay full
and O(page), through the local stack's API with the API's deployed permissions."""

from __future__ import annotations

import pytest

from tests.e2e.workflow_support import bearer, find_task, staff_token, submit_scenario, wait_status

pytestmark = pytest.mark.e2e

OPERATOR = "sc-op-510104022"


def _all(api, query: str, token: dict, *, limit: int = 50) -> tuple[list[dict], dict]:
    tasks, cursor, body = [], None, {}
    while True:
        r = api.get(f"/v1/staff/tasks?limit={limit}{query}" + (f"&cursor={cursor}" if cursor else ""), headers=token)
        assert r.status == 200, r.body
        body = r.body
        assert len(r.body["tasks"]) <= limit
        tasks += r.body["tasks"]
        cursor = r.body["next_cursor"]
        if not cursor:
            return tasks, body


def test_the_queue_filters_by_stage_status_and_overdue_on_the_server(api, clock):
    operator = bearer(staff_token(api, OPERATOR))
    waiting, decided = (submit_scenario(api, "sichuan", "registry_has_more") for _ in range(2))
    for case in (waiting, decided):
        wait_status(api, case, "awaiting_review")
    task = find_task(api, staff_token(api, OPERATOR), decided.case_id)
    assert api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=operator).status == 200

    opened, body = _all(api, "", operator)
    # the filters' values come with the answer: the statuses and this province's review stages
    assert [s["code"] for s in body["filters"]["statuses"]] == ["open", "decided", "escalated"]
    stages = [s["code"] for s in body["filters"]["stages"]]
    assert stages == ["review"] and body["filters"]["stages"][0]["label"] == "人工审核"
    assert waiting.case_id in {t["case_id"] for t in opened} and decided.case_id not in {t["case_id"] for t in opened}

    by_stage, body = _all(api, "&stage=review", operator, limit=1)  # one per page: the cursor stays in the filter
    assert body["applied"] == {"status": "open", "stage": "review", "overdue": None}
    assert waiting.case_id in {t["case_id"] for t in by_stage} and all(t["stage"] == "review" and t["status"] == "open" for t in by_stage)
    assert sorted(t["task_id"] for t in by_stage) == sorted(t["task_id"] for t in opened if t["stage"] == "review")

    done, _ = _all(api, "&status=decided", operator)
    mine = [t for t in done if t["case_id"] == decided.case_id]
    assert mine and mine[0]["decision"] == "accept" and mine[0]["status"] == "decided" and mine[0]["woman_name"]
    assert all(t["status"] == "decided" for t in done)
    assert waiting.case_id not in {t["case_id"] for t in _all(api, "&status=decided&stage=review", operator)[0]}

    assert waiting.case_id in {t["case_id"] for t in _all(api, "&stage=review&overdue=false", operator)[0]}
    assert waiting.case_id not in {t["case_id"] for t in _all(api, "&stage=review&overdue=true", operator)[0]}
    clock.advance(40 * 24 * 3600)  # past any review deadline
    late, _ = _all(api, "&stage=review&overdue=true", operator)
    assert waiting.case_id in {t["case_id"] for t in late} and all(t["overdue"] for t in late)


@pytest.mark.parametrize(
    ("query", "path", "code"),
    [
        ("status=closed", "status", "INVALID_ENUM"),
        ("stage=initial_review", "stage", "INVALID_ENUM"),  # a Guizhou stage, not Sichuan's
        ("status=decided&overdue=true", "overdue", "NOT_ALLOWED"),
        ("stage=review&cursor=eyJ4IjoxfQ", "cursor", "INVALID_CURSOR"),
    ],
)
def test_bad_filters_are_a_400_with_the_parameter(api, query, path, code):
    r = api.get(f"/v1/staff/tasks?{query}", headers=bearer(staff_token(api, OPERATOR)))
    assert r.status == 400, r.body
    assert (path, code) in {(d["path"], d["code"]) for d in r.body["error"]["details"]}, r.body


def test_a_cursor_of_one_filter_does_not_continue_another(api):
    operator = bearer(staff_token(api, OPERATOR))
    for _ in range(2):
        wait_status(api, submit_scenario(api, "sichuan", "registry_has_more"), "awaiting_review")
    first = api.get("/v1/staff/tasks?limit=1&stage=review", headers=operator)
    assert first.status == 200 and first.body["next_cursor"], first.body
    other = api.get(f"/v1/staff/tasks?limit=1&status=decided&cursor={first.body['next_cursor']}", headers=operator)
    assert other.status == 400 and other.body["error"]["details"][0]["path"] == "cursor"

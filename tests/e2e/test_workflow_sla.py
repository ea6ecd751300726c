"""Working-day SLAs: an overdue review task moves to the county, then the city (001 三(一); issue 5 §7).

Step Functions timers run in real time, also in moto; ``WORKFLOW_TIME_SCALE`` shrinks them so a
working day lasts about a second here.
"""

from __future__ import annotations

import time

import pytest

from tests.e2e.workflow_support import (
    AlertInbox,
    audit_actions,
    bearer,
    find_task,
    staff_token,
    submit_scenario,
    wait_status,
)

pytestmark = pytest.mark.e2e


def _escalations(case_id: str) -> list[dict]:
    return [e for e in audit_actions(case_id) if e["action"] == "review.escalated"]


def test_overdue_review_escalates_to_county_then_city_and_the_city_decides(api, stack, monkeypatch):
    alerts = AlertInbox(stack)
    township = staff_token(api, "gz-op-520102016")
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "0.00001")
    case = submit_scenario(api, "guizhou", "child_conflict")
    wait_status(api, case, "awaiting_review")
    first = find_task(api, township, case.case_id)

    deadline = time.monotonic() + 40
    while len(_escalations(case.case_id)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "1")  # the next city deadline is a real one
    time.sleep(2.5)  # let a 1-second city deadline that was already running expire once more

    levels = [(e["before"]["level"], e["after"]["level"], e["after"]["office_code"]) for e in _escalations(case.case_id)]
    assert levels[:3] == [(0, 1, "520102"), (1, 2, "5201"), (2, 2, "5201")]
    assert all(e["actor"] == "system" for e in _escalations(case.case_id))
    notes = [h["note"] or "" for h in wait_status(api, case, "awaiting_review")["history"]]
    assert any("已上报县（区）贵州省贵阳市南明区" in n for n in notes)
    assert any("已上报市（州）贵州省贵阳市" in n for n in notes)
    assert alerts.wait_for(case.case_id)["type"] == "operator.alert"  # overdue at the highest level

    # The township's link is closed now: a clear 409, nothing changes.
    late = api.post(f"/v1/staff/tasks/{first['task_id']}", {"decision": "accept"}, headers=bearer(township))
    assert late.status == 409 and late.body["error"]["code"] == "TASK_ESCALATED"
    # The county's task was escalated as well; the county cannot decide the city's task.
    county = staff_token(api, "gz-county-520102")
    city = staff_token(api, "gz-city-5201")
    task = find_task(api, city, case.case_id)
    assert task["level"] == 2 and task["assigned_office"] == "5201"
    r = api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(county))
    assert r.status == 403 and r.body["error"]["code"] == "NOT_YOUR_TASK"

    r = api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(city))
    assert r.status == 200, r.body
    assert r.body["next_stage"] == "registration"  # Guizhou: 信息初审, then 生育登记 (001 三(一)1)
    second = find_task(api, township, case.case_id)
    assert second["stage"] == "registration" and second["level"] == 0
    r = api.post(f"/v1/staff/tasks/{second['task_id']}", {"decision": "accept"}, headers=bearer(township))
    assert r.status == 200, r.body
    assert wait_status(api, case, "registered")["certificate"]["registration_number"].startswith("520102")

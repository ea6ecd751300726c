"""需现场核实 (Chongqing): the reviewer sends the couple to the office, staff complete the case after
the visit (issue 14 item 3).

Seeds: 004 (2) "Online registration review requires on-site verification"; 002 五(一)5 "情况不属实告知
审核比对未通过不能办理或到登记机构现场核实办理"; 002 六 "网上登记…登记机构不需要提交证件材料" (no 补充材料
for Chongqing). Other provinces have no such decision: 422, nothing changed.
"""

from __future__ import annotations

import pytest

from tests.e2e import workflow_support as flow

pytestmark = pytest.mark.e2e

CQ_OP = "cq-op-500103003"
SC_OP = "sc-op-510104022"
CQ_OFFICE = "500103003"


def _waiting(api, profile: str, operator: str):
    case = flow.submit_scenario(api, profile, "registry_has_more")
    flow.wait_status(api, case, "awaiting_review")
    return case, flow.find_task(api, flow.staff_token(api, operator), case.case_id)


@pytest.fixture
def office_info(stack):
    """The office's own information as its administrator keeps it (001 一(二)2 完善机构信息; the route
    and its rights are tested in test_staff_accounts.py), written to the table the services read."""
    from chalicelib.store import offices

    info = {"name": "解放碑街道办事处", "address": "渝中区民族路188号", "opening_hours": "工作日9:00-17:00"}
    offices.save_organisation(CQ_OFFICE, {**info, "updated_at": "2026-12-01T09:00:00+08:00", "updated_by": "cq-admin"}, at="2026-12-01T09:00:00+08:00", by="cq-admin")
    return info


def test_chongqing_reviewer_sends_the_couple_on_site_then_registers_after_the_visit(api, office_info):
    case, task = _waiting(api, "chongqing", CQ_OP)
    op = flow.bearer(flow.staff_token(api, CQ_OP))
    view = api.get(f"/v1/staff/tasks/{task['task_id']}", headers=op).body
    # the profile's answer: 需现场核实 offered, 补充材料 not (002 六)
    assert [d["decision"] for d in view["decisions"]] == ["accept", "reject", "onsite_verification"]

    r = api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "onsite_verification", "reason": "子女信息与行政记录不一致，请携带出生医学证明"}, headers=op)
    assert r.status == 200, r.body
    assert (r.body["next"], r.body["next_stage"]) == ("review", "onsite_verification")

    citizen = flow.wait_status(api, case, "onsite_verification")
    assert citizen["status_label"] == "需现场核实"
    note = citizen["history"][-1]["note"]
    for part in office_info.values():
        assert part in note, note
    text = flow.wait_sms(case.body["woman"]["phone"], case.case_id, "需现场核实")
    assert "解放碑街道" in text and len(text) <= 70

    # the visit: a task of its own at the case's office; only the outcome is left to decide
    visit = flow.find_task(api, flow.staff_token(api, CQ_OP), case.case_id)
    assert visit["stage"] == "onsite_verification" and visit["task_id"] != task["task_id"]
    view = api.get(f"/v1/staff/tasks/{visit['task_id']}", headers=op).body
    assert [d["decision"] for d in view["decisions"]] == ["accept", "reject"]
    r = api.post(f"/v1/staff/tasks/{visit['task_id']}", {"decision": "onsite_verification", "reason": "再核实"}, headers=op)
    assert r.status == 422 and r.body["error"]["code"] == "DECISION_NOT_AVAILABLE"

    r = api.post(f"/v1/staff/tasks/{visit['task_id']}", {"decision": "accept"}, headers=op)
    assert r.status == 200, r.body
    done = flow.wait_status(api, case, "registered")
    assert done["certificate"]["registration_number"]
    # recorded in the history as an on-site verification, by the staff member (real name for staff)
    staff_view = api.get(f"/v1/staff/tasks/{visit['task_id']}", headers=op).body
    visited = [h for h in staff_view["case"]["history"] if h["note"] == "现场核实通过，正在办理登记"]
    assert len(visited) == 1 and visited[0]["by"] == CQ_OP and visited[0]["by_name"] == "胡静"
    actions = [e["action"] for e in flow.audit_actions(case.case_id)]
    assert actions.count("review.onsite_verification") == 1 and "review.accept" in actions


def test_after_the_visit_staff_may_refuse_with_the_reason(api):
    case, task = _waiting(api, "chongqing", CQ_OP)
    op = flow.bearer(flow.staff_token(api, CQ_OP))
    assert api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "onsite_verification", "reason": "需核对户籍"}, headers=op).status == 200
    flow.wait_status(api, case, "onsite_verification")
    visit = flow.find_task(api, flow.staff_token(api, CQ_OP), case.case_id)
    r = api.post(f"/v1/staff/tasks/{visit['task_id']}", {"decision": "reject", "reason": "未到现场核实"}, headers=op)
    assert r.status == 200, r.body
    done = flow.wait_status(api, case, "rejected")
    assert "现场核实未通过：未到现场核实" in [h["note"] for h in done["history"]]


@pytest.mark.parametrize(
    ("profile", "operator", "body"),
    [
        ("sichuan", SC_OP, {"decision": "onsite_verification", "reason": "请到现场"}),  # 000 has no such decision
        ("chongqing", CQ_OP, {"decision": "request_documents", "reason": "补充", "documents": ["ID_CARD"]}),  # 002 六
    ],
)
def test_a_decision_the_province_does_not_have_is_422_and_changes_nothing(api, profile, operator, body):
    from chalicelib.store import tasks

    case, task = _waiting(api, profile, operator)
    r = api.post(f"/v1/staff/tasks/{task['task_id']}", body, headers=flow.bearer(flow.staff_token(api, operator)))
    assert r.status == 422, r.body
    assert r.body["error"]["code"] == "DECISION_NOT_AVAILABLE"
    assert r.body["error"]["details"][0]["path"] == "decision"
    assert tasks.get(task["task_id"]).status == "open"
    assert flow.wait_status(api, case, "awaiting_review")["status"] == "awaiting_review"
    offered = api.get(f"/v1/staff/tasks/{task['task_id']}", headers=flow.bearer(flow.staff_token(api, operator))).body["decisions"]
    assert body["decision"] not in [d["decision"] for d in offered]


def test_an_overdue_visit_escalates_and_the_case_stays_waiting_for_it(api, monkeypatch):
    """The visit's days (an operator default, not in 002/004) run out: the task moves to the county
    like any overdue review task (001 三(一) escalation), the case keeps 需现场核实 and the office to
    visit, and the couple get no second SMS."""
    import time

    case, task = _waiting(api, "chongqing", CQ_OP)
    op = flow.bearer(flow.staff_token(api, CQ_OP))
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "0.00001")  # the visit's deadline lasts a moment
    assert api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "onsite_verification", "reason": "需核对子女信息"}, headers=op).status == 200
    deadline = time.monotonic() + 40
    while not [e for e in flow.audit_actions(case.case_id) if e["action"] == "review.escalated"] and time.monotonic() < deadline:
        time.sleep(0.2)
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "1")  # the next deadline is a real one
    time.sleep(2.5)  # let a deadline already running at the small scale expire once more, if it does
    escalated = [e for e in flow.audit_actions(case.case_id) if e["action"] == "review.escalated"]
    assert escalated and all(e["detail"]["stage"] == "onsite_verification" for e in escalated)
    assert escalated[0]["after"]["office_code"] == "500103"

    holder = {"500103": "cq-county-500103", "50": "cq-city-50"}[escalated[-1]["after"]["office_code"]]
    county = flow.staff_token(api, holder)
    visit = flow.find_task(api, county, case.case_id)
    assert visit["stage"] == "onsite_verification" and visit["level"] >= 1
    view = flow.wait_status(api, case, "onsite_verification")
    assert "需现场核实" in view["history"][-1]["note"] and "解放碑街道" in view["history"][-1]["note"]
    assert len([m for m in flow.sms_to(case.body["woman"]["phone"]) if "需现场核实" in m]) == 1

    r = api.post(f"/v1/staff/tasks/{visit['task_id']}", {"decision": "accept"}, headers=flow.bearer(county))
    assert r.status == 200, r.body
    flow.wait_status(api, case, "registered")

"""Guizhou: supplementing a registration before 初审 (001 附件1 一 "在填写的登记信息初审前，申报人能通过
“查询码+姓名”调取所填写的生育登记信息，并可对其进行补充、完善"), and the message after 初审 passes
(附件1 一 "初审结果状态通知", 附件1 二; 001 三(一)1(2)(3)), on the in-memory store and fake adapters."""

from __future__ import annotations

import copy

import pytest

from chalicelib.domain import errors
from chalicelib.services.citizen import access, modification, view
from chalicelib.services.shared import statistics, tokens
from chalicelib.services.workflow import review
from chalicelib.store import cases as case_store
from chalicelib.store import tasks as task_store
from tests.unit.services.scenarios import known_couple, run_checks, submit

pytestmark = pytest.mark.usefixtures("memory", "adapters")

OTHER_CHILD = [{"name": "别人", "id_number": None, "birth_date": "2015-01-01", "sex": "male", "relation": "son"}]


def guizhou_in_initial_review() -> dict:
    """A Guizhou case whose records differ, waiting for 初审 (its task answered by token-1)."""
    body = known_couple("guizhou", children=OTHER_CHILD)
    result = submit(body)
    state = run_checks(result["case_id"])
    assert state["route"] == "review" and state["review"]["stage"] == "initial_review"
    review.await_review(result["case_id"], "token-1", state["review"])
    return {
        "case_id": result["case_id"],
        "code": result["query_code"],
        "body": body,
        "plan": state["review"],
        "session": tokens.issue(body["woman"]["phone"], "query"),  # the SMS code to the registered phone
    }


def _supplemented(body: dict, employer: str = "贵阳某某科技有限公司") -> dict:
    new = copy.deepcopy(body)
    new["woman"]["employer"] = employer
    return new


def _supplement(case: dict, body: dict):
    return modification.modify(case["case_id"], body, query_code=case["code"], token=case["session"])[0]


def test_a_supplement_before_the_initial_review_is_checked_again(memory, adapters):
    """001 附件1 一: supplemented before 初审; the new version runs the checks again and gets a fresh 初审 task."""
    case = guizhou_in_initial_review()
    out = _supplement(case, _supplemented(case["body"]))
    assert (out["status"], out["version"], out["changed"]) == (case_store.SUBMITTED, 2, ["woman.employer"])

    old = memory.tasks.get(case["plan"]["task_id"])
    assert old.status == task_store.SUPERSEDED and old.office_code is None  # out of the work queue
    assert adapters.answered[-1] == ("token-1", {"case_id": case["case_id"], "route": "closed"})
    assert (case["case_id"], f"{case['case_id']}-v2") in adapters.executions
    stored = memory.cases.get(case["case_id"])
    assert stored.check_json is None and stored.form["woman"]["employer"] == "贵阳某某科技有限公司"
    assert stored.history[-1].note == "申请人补充完善登记信息，重新核验"

    state = run_checks(case["case_id"])  # the re-run (execution <case>-v2)
    assert state["route"] == "review" and state["review"]["stage"] == "initial_review"
    review.await_review(case["case_id"], "token-2", state["review"])
    assert memory.cases.get(case["case_id"]).review_task_id == state["review"]["task_id"]
    again = _supplement(case, _supplemented(case["body"], "再次补充的单位"))
    assert again["version"] == 3
    # two 初审 tasks were assigned and both superseded: the statistics say so (none is left open)
    figures = statistics.report(stored.office_code)["totals"]["stage"]["initial_review"]
    assert (figures["assigned"], figures["superseded"]) == (2, 2)
    actions = [e.action for e in memory.audit.for_subject(f"CASE#{case['case_id']}") if e.action.startswith("case.")]
    assert actions == ["case.supplemented", "case.supplemented"]


def test_a_staff_decision_on_the_superseded_task_is_refused(memory):
    case = guizhou_in_initial_review()
    _supplement(case, _supplemented(case["body"]))
    with pytest.raises(review.TaskClosed) as refused:
        review.decide(case["plan"]["task_id"], "accept", staff_id="staff-520102016")
    assert refused.value.code == "TASK_SUPERSEDED"
    # the superseded wait timing out ends the old execution, it does not escalate
    assert review.escalate_review({"case_id": case["case_id"], "review": case["plan"]})["route"] == "closed"


def test_the_unmasked_form_needs_the_sms_proven_session(memory):
    """Only the session that proved the registered phone sees the couple's own data; elsewhere masked."""
    case = guizhou_in_initial_review()
    with pytest.raises(access.PhoneProofRequired):
        modification.editable_form(case["case_id"], query_code=case["code"])
    stranger = tokens.issue("13912345678", "query")
    with pytest.raises(errors.NotFound):
        modification.editable_form(case["case_id"], query_code=case["code"], token=stranger)
    with pytest.raises(errors.NotFound):  # the session and a wrong query code
        modification.editable_form(case["case_id"], query_code="WRONG234", token=case["session"])
    form = modification.editable_form(case["case_id"], query_code=case["code"], token=case["session"])["form"]
    assert form["woman"]["id_number"] == case["body"]["woman"]["id_number"]
    assert form["woman"]["phone"] == case["body"]["woman"]["phone"]

    masked = view.citizen_view(memory.cases.get(case["case_id"]))
    assert masked["woman"]["id_number"] != case["body"]["woman"]["id_number"] and "*" in masked["woman"]["id_number"]
    assert "*" in masked["woman"]["phone"] and masked["actions"]["modify"] is True


def test_a_supplement_by_query_code_alone_is_refused_and_changes_nothing(memory, adapters):
    case = guizhou_in_initial_review()
    with pytest.raises(access.PhoneProofRequired) as refused:
        modification.modify(case["case_id"], _supplemented(case["body"]), query_code=case["code"])
    assert refused.value.status == 401 and refused.value.code == "SMS_VERIFICATION_REQUIRED"
    assert memory.tasks.get(case["plan"]["task_id"]).is_open
    assert memory.cases.get(case["case_id"]).modifications is None and not adapters.answered


def test_after_the_initial_review_passed_the_supplement_is_refused_and_the_couple_told(memory, adapters):
    """001 三(一)1(2): 初审 ends with its decision; 附件1 一/二: the couple hears that it passed."""
    case = guizhou_in_initial_review()
    out = review.decide(case["plan"]["task_id"], "accept", staff_id="staff-520102016")
    assert (out["next"], out["next_stage"]) == ("review", "registration")

    stored = memory.cases.get(case["case_id"])
    assert stored.status == case_store.AWAITING_REVIEW
    assert stored.history[-1].note.startswith("信息初审通过，转生育登记（3个工作日）")
    texts = [text for phone, text, _ in adapters.sms.sent if phone == case["body"]["woman"]["phone"]]
    passed = [t for t in texts if "已通过信息初审" in t]
    assert passed == [f"【生育登记】您的办件{case['case_id']}已通过信息初审，将在3个工作日内（含受理当日）办理生育登记，结果将短信通知。"]

    with pytest.raises(modification.ReviewStarted):
        _supplement(case, _supplemented(case["body"]))
    assert memory.cases.get(case["case_id"]).modifications is None
    assert memory.tasks.get(case["plan"]["task_id"]).status == task_store.DECIDED


def test_an_escalation_keeps_the_right_to_supplement(memory, adapters):
    """001 附件1 一: the overdue 初审 going to the county is no 初审; the couple may still supplement."""
    case = guizhou_in_initial_review()
    escalated = review.escalate_review({"case_id": case["case_id"], "review": case["plan"]})
    county = escalated["review"]
    review.await_review(case["case_id"], "token-county", county)
    assert view.citizen_view(memory.cases.get(case["case_id"]))["actions"]["modify"] is True

    out = _supplement(case, _supplemented(case["body"]))
    assert out["status"] == case_store.SUBMITTED
    assert memory.tasks.get(county["task_id"]).status == task_store.SUPERSEDED
    assert adapters.answered[-1][0] == "token-county"


def test_a_decision_first_wins_over_a_supplement(memory, monkeypatch):
    """The task closes before the case is written: a decision that came first refuses the supplement."""
    case = guizhou_in_initial_review()
    real = review.supersede

    def decided_meanwhile(c):
        review.decide(case["plan"]["task_id"], "reject", staff_id="staff-520102016", reason="婚姻登记信息不实")
        return real(c)

    monkeypatch.setattr(review, "supersede", decided_meanwhile)
    with pytest.raises(modification.ReviewStarted):
        _supplement(case, _supplemented(case["body"]))
    stored = memory.cases.get(case["case_id"])
    assert stored.status == case_store.REJECTED and stored.modifications is None


def test_a_supplement_that_could_not_be_stored_gives_the_waiting_workflow_its_stage_back(memory, adapters, monkeypatch):
    """The task was superseded but the case write lost a race: nothing changes for the couple, and
    the waiting execution gets a fresh 初审 task at the same level instead of ending."""
    case = guizhou_in_initial_review()

    def lost(*args, **kwargs):
        raise case_store.ConcurrentChange(case["case_id"])

    monkeypatch.setattr(memory.cases, "modify", lost)
    with pytest.raises(errors.Conflict) as refused:
        _supplement(case, _supplemented(case["body"]))
    assert refused.value.code == "CONCURRENT_CHANGE"
    token, output = adapters.answered[-1]
    assert token == "token-1" and output["route"] == "review"
    assert (output["review"]["stage"], output["review"]["level"]) == ("initial_review", 0)
    stored = memory.cases.get(case["case_id"])
    assert stored.modifications is None and stored.status == case_store.AWAITING_REVIEW
    assert not any(name.endswith("-v2") for _, name in adapters.executions)

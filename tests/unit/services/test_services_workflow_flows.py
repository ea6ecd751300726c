"""The workflow's services on the in-memory store and fake adapters (issue 13 item 3): staff review
(decide once, escalate when overdue), certificate issuance that a retried step cannot repeat,
statistics counted once per event. The ASL and the real task handlers run in tests/e2e."""

from __future__ import annotations

import pytest

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.services.certificates import issuance
from chalicelib.services.shared import statistics
from chalicelib.services.workflow import review
from chalicelib.store import cases as case_store
from chalicelib.store import tasks as task_store
from tests.unit.services.scenarios import known_couple, run_checks, submit

pytestmark = pytest.mark.usefixtures("memory", "adapters")


def case_in_review(children=None) -> tuple[str, dict]:
    """A submitted case whose checks sent it to review, and the review task the workflow waits on."""
    body = known_couple(children=children if children is not None else [{"name": "别人", "id_number": None, "birth_date": "2015-01-01", "sex": "male", "relation": "son"}])
    case_id = submit(body)["case_id"]
    state = run_checks(case_id)
    assert state["route"] == "review"
    review.await_review(case_id, "token-1", state["review"])
    return case_id, state["review"]


def test_a_review_task_is_queued_for_its_office_and_decided_once(memory, adapters):
    case_id, plan = case_in_review()
    case = memory.cases.get(case_id)
    assert case.status == case_store.AWAITING_REVIEW
    queued, _ = memory.tasks.queue(plan["office_code"])
    assert [t.task_id for t in queued] == [plan["task_id"]]
    out = review.decide(plan["task_id"], "reject", staff_id="staff-1", reason="材料与登记信息不一致")
    assert out["decision"] == "reject"
    assert memory.cases.get(case_id).status == case_store.REJECTED
    assert adapters.answered and adapters.answered[0][0] == "token-1"
    assert memory.tasks.queue(plan["office_code"]) == ([], None)  # left the work queue
    with pytest.raises(review.TaskClosed):
        review.decide(plan["task_id"], "accept", staff_id="staff-2")
    assert [e.action for e in memory.audit.for_subject(f"CASE#{case_id}") if e.action.startswith("review.")] == ["review.reject"]
    assert len(adapters.answered) == 1


def test_a_retried_await_review_keeps_one_task_with_the_new_token(memory):
    case_id, plan = case_in_review()
    review.await_review(case_id, "token-2", plan)
    task = memory.tasks.get(plan["task_id"])
    assert task.task_token == "token-2" and task.is_open


def test_an_overdue_task_escalates_to_the_county_and_a_late_decision_there_counts(memory, adapters):
    case_id, plan = case_in_review()
    escalated = review.escalate_review({"case_id": case_id, "review": plan})
    new = escalated["review"]
    assert (escalated["route"], new["level"]) == ("review", 1)
    assert new["office_code"] == plan["office_code"][:6]  # the county
    old = memory.tasks.get(plan["task_id"])
    assert (old.status, old.escalated_to) == (task_store.ESCALATED, new["task_id"])
    with pytest.raises(review.TaskClosed):
        review.decide(plan["task_id"], "accept", staff_id="township-staff")
    review.await_review(case_id, "token-county", new)
    assert review.decide(new["task_id"], "accept", staff_id="county-staff")["decision"] == "accept"
    year = str(config.now().year)
    county = memory.statistics.get(plan["office_code"][:6], year)
    assert county.get(f"stage|{plan['stage']}|escalated") == 1


def test_escalation_after_a_decision_keeps_the_decision(memory):
    case_id, plan = case_in_review()
    decided = review.decide(plan["task_id"], "accept", staff_id="staff-1")
    outcome = review.escalate_review({"case_id": case_id, "review": plan})
    assert outcome["route"] == decided["next"]
    assert memory.tasks.get(plan["task_id"]).status == task_store.DECIDED


def test_a_decision_without_its_reason_writes_nothing(memory):
    """The decision's own shape is its model's (api/models.ReviewDecision); the rule between its
    fields is the service's: 不予登记 needs a reason."""
    case_id, plan = case_in_review()
    with pytest.raises(errors.ValidationFailed):
        review.decide(plan["task_id"], "reject", staff_id="staff-1")
    assert memory.tasks.get(plan["task_id"]).is_open
    assert memory.cases.get(case_id).status == case_store.AWAITING_REVIEW


# ------------------------------------------------------------------------------- certificates
def instant_case() -> str:
    case_id = submit(known_couple())["case_id"]
    assert run_checks(case_id)["route"] == "issue"
    return case_id


def test_issue_certificate_once_even_when_the_step_is_retried(memory, adapters):
    case_id = instant_case()
    first = issuance.issue_certificate(case_id)
    again = issuance.issue_certificate(case_id)
    assert again == first
    case = memory.cases.get(case_id)
    assert case.status == case_store.REGISTERED and case.certificate.registration_number == first["registration_number"]
    assert list(adapters.documents) == [first["pdf_key"]]
    assert adapters.documents[first["pdf_key"]].startswith(b"%PDF")
    record = memory.certificates.get(first["registration_number"])
    assert record.status == "valid" and record.case_id == case_id
    issued = [e for e in memory.audit.for_subject(issuance.subject(first["registration_number"])) if e.action == "certificate.issued"]
    assert len(issued) == 1


def test_a_notify_retried_after_a_print_sends_the_result_once(memory, adapters):
    """Notify is delivered at least once; a staff member's print of the paper certificate (a history
    entry that keeps the status) between two attempts must not make the result SMS, the completion
    event or the statistics count a second time."""
    from chalicelib.services.workflow import notifications

    case_id = instant_case()
    issuance.issue_certificate(case_id)
    first = notifications.notify(case_id)
    case = memory.cases.get(case_id)
    memory.cases.transition(case, case_store.REGISTERED, at=config.now().isoformat(timespec="seconds"), by="staff-1", note="打印纸质证件")
    again = notifications.notify(case_id)
    assert again["outbox"] == first["outbox"]
    results = [text for _, text, _ in adapters.sms.sent if "完成生育登记" in text]
    assert len(results) == 1, results
    office = memory.cases.get(case_id).office_code
    assert statistics.report(office)["totals"]["registered"]["total"] == 1


def test_a_retry_after_the_record_but_before_the_case_moved_reuses_the_number(memory, adapters):
    case_id = instant_case()
    original = memory.cases.transition
    calls = {"n": 0}

    def lost_once(case, status, **kw):
        calls["n"] += 1
        if calls["n"] == 1:
            raise case_store.ConcurrentChange(case.case_id)  # the step fails after storing the certificate
        return original(case, status, **kw)

    memory.cases.transition = lost_once
    with pytest.raises(case_store.ConcurrentChange):
        issuance.issue_certificate(case_id)
    second = issuance.issue_certificate(case_id)
    assert second["registration_number"].endswith("000001")  # the same number: no second certificate
    assert len([k for k in memory.certificates.table.items if k.isdigit()]) == 1


def test_revoking_twice_is_refused(memory):
    case_id = instant_case()
    number = issuance.issue_certificate(case_id)["registration_number"]
    issuance.revoke(number, reason="modified", actor="citizen")
    assert memory.certificates.get(number).status == "revoked"
    issuance.revoke(number, reason="modified", actor="citizen")  # nothing changes the second time
    revoked = [e for e in memory.audit.for_subject(issuance.subject(number)) if "revoke" in e.action]
    assert len(revoked) == 1


# --------------------------------------------------------------------------------- statistics
def test_an_event_is_counted_once_at_its_township_and_county(memory):
    assert statistics.count("510104022", {"received|online": 1}, once="C1#received")
    assert not statistics.count("510104022", {"received|online": 1}, once="C1#received")  # a retried step
    year = str(config.now().year)
    for region in ("510104022", "510104"):
        assert memory.statistics.get(region, year) == {"received|online": 1}, region
    for region in ("5101", "51"):  # no stored item: the reports sum the counties
        assert memory.statistics.get(region, year) == {}, region
        assert statistics.report(region)["totals"] == {"received": {"online": 1}}, region


def test_city_and_province_reports_are_the_sums_of_their_counties(memory, monkeypatch):
    """Counters are stored per township and county only (issue 18 item 5): a city adds up its
    counties, a province the counties of each city, from one batch read; the ratings average
    comes from the summed sum and count, not from averaging the counties' averages."""
    a, b, other = "510104022", "510105002", "510302001"  # 成都: 锦江区, 青羊区; 自贡: 自流井区
    statistics.received(a, "online", case_id="A1")
    statistics.received(a, "online", case_id="A2")
    statistics.received(b, "onsite", case_id="B1")
    statistics.received(other, "online", case_id="O1")
    statistics.record_rating(a, 5, case_id="A1", at="2026-03-01T10:00:00+08:00")
    statistics.record_rating(a, 4, case_id="A2", at="2026-03-01T11:00:00+08:00")
    statistics.record_rating(b, 1, case_id="B1", at="2026-03-01T12:00:00+08:00")
    statistics.count("510105", {"births|entered": 1}, once="BIRTH1#entered")  # a county-coded event
    assert {region for region, _ in memory.statistics.counters} == {a, "510104", b, "510105", other, "510302"}

    reads = []
    get_many = memory.statistics.get_many
    monkeypatch.setattr(memory.statistics, "get_many", lambda regions, year: reads.append(list(regions)) or get_many(regions, year))

    county_a, county_b = statistics.report("510104"), statistics.report("510105")
    city = statistics.report("5101")
    assert city["region"] == {"code": "5101", "name": "四川省成都市", "level": "city"}
    assert city["totals"] == {
        "received": {"total": 3, "online": 2, "onsite": 1},
        "ratings": {"count": 3, "sum": 10, "average": 3.33, "good": 2, "bad": 1, "score": {"1": 1, "4": 1, "5": 1}},
        "births": {"entered": 1},
    }
    assert (county_a["totals"]["ratings"]["average"], county_b["totals"]["ratings"]["average"]) == (4.5, 1.0)
    assert [(c["code"], c["level"], c["totals"]) for c in city["children"]] == [
        ("510104", "county", county_a["totals"]),
        ("510105", "county", county_b["totals"]),
    ]

    province = statistics.report("51")
    assert province["totals"]["received"] == {"total": 4, "online": 3, "onsite": 1}
    assert province["totals"]["ratings"] == city["totals"]["ratings"]
    assert [(c["code"], c["level"]) for c in province["children"]] == [("5101", "city"), ("5103", "city")]
    assert province["children"][0]["totals"] == city["totals"]
    assert province["children"][1]["totals"] == {"received": {"total": 1, "online": 1}}
    # One batch read per report, of township/county items only, each once; nothing was written above.
    assert len(reads) == 4 and all(len(r) == len(set(r)) and {len(c) for c in r} <= {6, 9} for r in reads)
    assert {region for region, _ in memory.statistics.counters} == {a, "510104", b, "510105", other, "510302"}


def test_a_code_without_township_or_county_is_not_counted(memory):
    assert not statistics.count("5101", {"received|online": 1}, once="C9#received")
    assert not statistics.count(None, {"received|online": 1}, once="C9#received")
    assert memory.statistics.counters == {} and memory.statistics.events == set()


def test_received_is_counted_once_when_the_checks_run_again(memory):
    case_id, _ = case_in_review()
    office = memory.cases.get(case_id).office_code
    once = memory.statistics.get(office, str(config.now().year))
    assert once["received|total"] == 1 and once["received|online"] == 1
    memory.cases.transition(memory.cases.get(case_id), case_store.CHECKING, at="t", by="system")  # as after a supplement
    run_checks(case_id)
    assert memory.statistics.get(office, str(config.now().year))["received|total"] == 1


def test_an_instant_case_is_counted_received_with_its_completion_in_one_write(memory, adapters):
    """The registries confirm the couple at the first check: the receipt is counted when the case
    completes (Notify), in the transaction of the completion -- once, however often Notify runs."""
    from chalicelib.services.workflow import notifications

    case_id = instant_case()
    office = memory.cases.get(case_id).office_code
    assert memory.statistics.get(office, str(config.now().year)) == {}
    writes = []
    add = memory.statistics.add
    memory.statistics.add = lambda *a, **kw: writes.append(kw["once"]) or add(*a, **kw)
    issuance.issue_certificate(case_id)
    notifications.notify(case_id)
    notifications.notify(case_id)  # delivered again
    figures = memory.statistics.get(office, str(config.now().year))
    assert (figures["received|total"], figures["registered|total"], figures["registered|instant"]) == (1, 1, 1)
    assert len(writes[0]) == 2 and writes[0][0] == f"{case_id}#received"  # one write, both events


def test_a_case_that_fails_before_completing_is_still_counted_received(memory, adapters):
    from chalicelib.services.workflow import notifications

    case_id = instant_case()
    notifications.record_failure({"case_id": case_id, "error": {"Error": "States.Timeout"}})
    office = memory.cases.get(case_id).office_code
    figures = memory.statistics.get(office, str(config.now().year))
    assert (figures["received|total"], figures["needs_attention|total"]) == (1, 1)

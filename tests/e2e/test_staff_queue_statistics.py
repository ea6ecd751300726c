"""The staff work queue (a Query on the sparse OfficeDueIndex, overdue first, paged), statistics for
an office and the levels below, and on-site registration by a township operator."""

from __future__ import annotations

import pytest

from tests.e2e.workflow_support import at, bearer, find_task, scenario_body, staff_token, submit_scenario, wait_status

pytestmark = pytest.mark.e2e

OFFICE = "510104023"  # 书院街街道: a queue of its own in this module
OP = "sc-op-510104023"


def _in_office(body: dict) -> dict:
    for role in ("woman", "man"):
        for kind in ("hukou", "residence"):
            body[role][kind]["region_code"] = OFFICE
    body["application"]["office_code"] = OFFICE
    return body


def _submit_here(api, name: str):
    from tests.e2e.conftest import register
    from tests.e2e.workflow_support import Submitted

    body = _in_office(scenario_body("sichuan", name))
    r = register(api, body)
    assert r.status == 201, r.body
    return Submitted(r.body["case_id"], r.body["query_code"], body)


def test_the_queue_lists_open_tasks_overdue_first_page_by_page(api, clock):
    token = staff_token(api, OP)
    at(clock, "2026-10-12T10:00:00+08:00")  # six weeks ago: its 5-working-day deadline has passed
    old = _submit_here(api, "registry_has_more")
    wait_status(api, old, "awaiting_review")
    clock.reset()
    new = [_submit_here(api, "registry_has_more") for _ in range(2)]
    for case in new:
        wait_status(api, case, "awaiting_review")
    find_task(api, token, new[-1].case_id)

    r = api.get("/v1/staff/tasks?limit=1", headers=bearer(token))
    assert r.status == 200 and len(r.body["tasks"]) == 1
    first = r.body["tasks"][0]
    assert first["case_id"] == old.case_id and first["overdue"] is True
    seen = [first["case_id"]]
    cursor = r.body["next_cursor"]
    while cursor:
        page = api.get(f"/v1/staff/tasks?limit=1&cursor={cursor}", headers=bearer(token))
        assert page.status == 200
        seen += [t["case_id"] for t in page.body["tasks"]]
        cursor = page.body["next_cursor"]
    assert {c.case_id for c in new} <= set(seen) and len(seen) == len(set(seen))
    dues = [t["due_at"] for t in api.get("/v1/staff/tasks?limit=100", headers=bearer(token)).body["tasks"]]
    assert dues == sorted(dues)


def test_decided_tasks_leave_the_queue(api):
    token = staff_token(api, OP)
    case = _submit_here(api, "child_conflict")
    wait_status(api, case, "awaiting_review")
    task = find_task(api, token, case.case_id)
    assert api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "reject", "reason": "出生日期不符"}, headers=bearer(token)).status == 200
    queue = api.get("/v1/staff/tasks?limit=100", headers=bearer(token)).body["tasks"]
    assert task["task_id"] not in [t["task_id"] for t in queue]


@pytest.mark.parametrize(
    ("username", "query", "status"),
    [
        (OP, "?office=510104022", 403),  # a neighbouring township
        ("sc-county-510104", f"?office={OFFICE}", 200),  # the county looks at its townships
        ("sc-county-510104", "?office=520102016", 403),
        ("gz-city-5201", "", 200),  # its own (escalated) queue
        (OP, "?limit=0", 400),
        (OP, "?limit=abc", 400),
        (OP, "?cursor=not-a-cursor", 400),
    ],
)
def test_queue_scope_and_bad_parameters(api, username, query, status):
    r = api.get("/v1/staff/tasks" + query, headers=bearer(staff_token(api, username)))
    assert r.status == status, r.body


def test_a_cursor_cannot_be_replayed_against_another_office(api):
    county = staff_token(api, "sc-county-510104")
    r = api.get(f"/v1/staff/tasks?limit=1&office={OFFICE}", headers=bearer(county))
    cursor = r.body["next_cursor"]
    assert cursor
    other = api.get(f"/v1/staff/tasks?limit=1&office=510104022&cursor={cursor}", headers=bearer(county))
    assert other.status == 400


def test_onsite_registration_by_the_township_operator(api):
    from tests.e2e.workflow_support import Submitted, audit_actions

    token = staff_token(api, OP)
    body = _in_office(scenario_body("sichuan", "instant"))
    assert api.post("/v1/staff/registrations", body).status == 401
    assert api.post("/v1/staff/registrations", body, headers=bearer(staff_token(api, "sc-county-510104"))).status == 403
    r = api.post("/v1/staff/registrations", body, headers=bearer(token))
    assert r.status == 201, r.body
    case = Submitted(r.body["case_id"], r.body["query_code"], body)
    view = wait_status(api, case, "registered")
    assert view["history"][0]["status"] == "submitted"
    entries = audit_actions(case.case_id)
    assert ("registration.onsite", OP) in [(e["action"], e["actor"]) for e in entries]


def test_statistics_for_an_office_and_the_levels_below(api):
    case = submit_scenario(api, "sichuan", "instant")  # office 510104022, online
    wait_status(api, case, "registered")

    township = api.get("/v1/staff/statistics", headers=bearer(staff_token(api, OP)))
    assert township.status == 200, township.body
    assert township.body["region"]["code"] == OFFICE and township.body["children"] == []
    assert township.body["totals"]["received"]["onsite"] >= 1
    assert township.body["totals"]["stage"]["review"]["assigned"] >= 3
    assert "ratings" in township.body and township.body["overdue_open_tasks"] >= 0

    county = api.get("/v1/staff/statistics", headers=bearer(staff_token(api, "sc-county-510104")))
    assert county.status == 200
    children = {c["code"]: c["totals"] for c in county.body["children"]}
    assert {"510104022", OFFICE} <= set(children)
    total = county.body["totals"]["received"]["total"]
    assert total == sum(c.get("received", {}).get("total", 0) for c in children.values())
    assert county.body["totals"]["registered"]["instant"] >= 1

    # A city and a province are the sums of their counties (no item of their own, issue 18); the
    # workflow may count more between two requests, so across reports only "at least".
    def received(totals: dict) -> int:
        return totals.get("received", {}).get("total", 0)

    city = api.get("/v1/staff/statistics", headers=bearer(staff_token(api, "sc-city-5101")))
    assert city.status == 200 and city.body["region"]["code"] == "5101", city.body
    counties = {c["code"]: c["totals"] for c in city.body["children"]}
    assert received(city.body["totals"]) == sum(received(c) for c in counties.values())
    assert received(counties["510104"]) >= total and city.body["totals"]["registered"]["instant"] >= 1

    province = api.get("/v1/staff/statistics?region=51", headers=bearer(staff_token(api, "sc-province")))
    assert province.status == 200 and "5101" in {c["code"] for c in province.body["children"]}
    cities = {c["code"]: c["totals"] for c in province.body["children"]}
    assert received(province.body["totals"]) == sum(received(c) for c in cities.values())
    assert received(cities["5101"]) >= received(city.body["totals"]) and received(province.body["totals"]) >= total


@pytest.mark.parametrize(
    ("username", "query", "status"),
    [
        ("sc-county-510104", "?region=5101", 403),  # above its own level
        ("sc-county-510104", "?region=52", 403),
        (OP, "?region=510104022", 403),
        ("sc-admin", "", 403),  # administrators manage accounts, not cases
        ("sc-city-5101", "?year=1999", 400),
    ],
)
def test_statistics_are_scoped(api, username, query, status):
    r = api.get("/v1/staff/statistics" + query, headers=bearer(staff_token(api, username)))
    assert r.status == status, r.body


def test_onsite_registration_the_rules_cannot_place_goes_to_the_receiving_office(api):
    """002 七(一) "谁先接谁负责办理": online, an undecidable office sends the couple on site
    (ONSITE_REQUIRED); at the counter, the receiving township office takes the case."""
    from chalicelib.store import cases as case_store
    from tests.e2e.conftest import register

    body = _in_office(scenario_body("sichuan", "instant"))
    body["woman"]["hukou"]["region_code"] = OFFICE[:6]  # county only: 000 注 1 cannot name a township
    online = register(api, body)
    assert online.status == 422 and online.body["error"]["code"] == "ONSITE_REQUIRED"

    r = api.post("/v1/staff/registrations", body, headers=bearer(staff_token(api, OP)))
    assert r.status == 201, r.body
    assert case_store.get(r.body["case_id"]).office_code == OFFICE

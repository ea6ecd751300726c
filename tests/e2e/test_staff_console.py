"""The staff console's API (issue 15 items 1–4): administration with the 附件2 data and operation
grants, sign-out everywhere on disabling, organisation information, paper-certificate stock
(concurrency included), through the local stack's API with each unit's deployed permissions."""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
import uuid

import pytest

from tests.e2e.conftest import register, wait_for_status
from tests.e2e.stock_support import COUNTY_STAFF, TOWNSHIP_STAFF, intake, ship, stock_blanks
from tests.e2e.workflow_support import bearer, find_task, first_sign_in, staff_token, submit_scenario, wait_status

pytestmark = pytest.mark.e2e

_n = itertools.count(1)

def _wrong_checksum(id_number: str) -> str:
    return id_number[:-1] + ("0" if id_number[-1] != "0" else "1")


def _id_number(seq: int) -> str:
    from chalicelib.domain import idcard

    return idcard.make_id("510104", "1985-03-01", seq)


def _account(**extra) -> dict:
    n = next(_n)
    return {"username": f"console-{n}-{uuid.uuid4().hex[:6]}", "name": "李娜", "id_number": _id_number(n % 900),
            "phone": f"1380000{n:04d}", "unit": "春熙路街道社区卫生服务中心", "position": "计生专干", **extra}


def _patch(api, path: str, body: dict, token: str):
    return api.request("PATCH", path, body, headers=bearer(token))


def _create(api, admin: str, body: dict):
    return api.post("/v1/staff/accounts", body, headers=bearer(staff_token(api, admin)))


def _township_admin(api, township: str = "510104022") -> tuple[str, str]:
    """(username, token) of a new administrator of a 成都市锦江区 township (春熙路街道 unless told;
    created by the county's admin)."""
    city_admin = _create(api, "sc-admin", _account(role="admin", region_code="5101"))
    assert city_admin.status == 201, city_admin.body
    city = first_sign_in(api, city_admin.body["username"], city_admin.body["temporary_password"])["id_token"]
    body = _account(role="admin", region_code="510104")
    r = api.post("/v1/staff/accounts", body, headers=bearer(city))
    assert r.status == 201, r.body
    county = first_sign_in(api, body["username"], r.body["temporary_password"])["id_token"]
    body = _account(role="admin", region_code=township)
    r = api.post("/v1/staff/accounts", body, headers=bearer(county))
    assert r.status == 201, r.body
    return body["username"], first_sign_in(api, body["username"], r.body["temporary_password"])["id_token"]


# ------------------------------------------------------------------------------ administration
def test_an_account_carries_the_attachment_2_data_masked_and_is_listed_for_its_administrator(api):
    body = _account(role="province_monitor", region_code="51")
    r = _create(api, "sc-admin", body)
    assert r.status == 201, r.body
    assert r.body["id_number"] == body["id_number"][:6] + "********" + body["id_number"][-4:]
    assert (r.body["phone"], r.body["unit"], r.body["position"]) == (body["phone"], body["unit"], body["position"])
    assert r.body["grants"] == ["review", "statistics"]  # every operation its role allows, the admin holding them

    shown = api.get(f"/v1/staff/accounts/{body['username']}", headers=bearer(staff_token(api, "sc-admin")))
    assert shown.status == 200 and shown.body["id_number"] == r.body["id_number"] and body["id_number"] not in str(shown.body)

    seen, cursor = [], None
    while True:
        page = api.get("/v1/staff/accounts?limit=5" + (f"&cursor={cursor}" if cursor else ""), headers=bearer(staff_token(api, "sc-admin")))
        assert page.status == 200, page.body
        seen += page.body["accounts"]
        cursor = page.body["next_cursor"]
        if not cursor:
            break
    mine = [a for a in seen if a["username"] == body["username"]]
    assert len(mine) == 1 and mine[0]["id_number"] == r.body["id_number"] and mine[0]["enabled"] is True
    assert all(a["region_code"].startswith("51") for a in seen)
    # a cursor of another administrator's list is refused, not followed
    key = {"pk": {"S": f"STAFF#{body['username']}"}, "sk": {"S": "PROFILE"}, "manager": {"S": "51"}}
    forged = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    other = api.get(f"/v1/staff/accounts?cursor={forged}", headers=bearer(staff_token(api, "gz-admin")))
    assert other.status == 400 and other.body["error"]["details"][0]["path"] == "cursor"


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        ({"id_number": _wrong_checksum(_id_number(7))}, "id_number", "ID_CHECKSUM"),
        ({"phone": "12345"}, "phone", "INVALID_PHONE"),
        ({"id_number": None}, "id_number", "MISSING"),
        ({"grants": ["birth_records"]}, "grants.0", "GRANT_NOT_FOR_ROLE"),
        ({"grants": ["superpowers"]}, "grants.0", "INVALID_ENUM"),
    ],
)
def test_bad_attachment_2_data_is_a_400_with_its_field(api, change, path, code):
    body = {k: v for k, v in {**_account(role="province_monitor", region_code="51"), **change}.items() if v is not None}
    r = _create(api, "sc-admin", body)
    assert r.status == 400, r.body
    assert (path, code) in {(d["path"], d["code"]) for d in r.body["error"]["details"]}, r.body


def test_an_operator_without_the_review_grant_cannot_decide_and_an_admin_cannot_grant_what_it_lacks(api):
    from chalicelib.store import audit

    admin, admin_token = _township_admin(api)
    body = _account(role="township_operator", region_code="510104022", grants=["onsite", "statistics"])
    r = api.post("/v1/staff/accounts", body, headers=bearer(admin_token))
    assert r.status == 201 and r.body["grants"] == ["onsite", "statistics"], r.body
    signed_in = first_sign_in(api, body["username"], r.body["temporary_password"])
    operator = signed_in["id_token"]
    # the sign-in answer already carries the grants (with labels) and the real name: no second call
    assert signed_in["staff"]["grants"] == ["onsite", "statistics"], signed_in["staff"]
    assert signed_in["staff"]["operations"] == [{"code": "onsite", "label": "现场登记"}, {"code": "statistics", "label": "统计监测"}]
    assert signed_in["staff"]["name"] == body["name"]
    me = api.get("/v1/staff/me", headers=bearer(operator)).body
    assert {k: me[k] for k in ("grants", "operations", "name")} == {k: signed_in["staff"][k] for k in ("grants", "operations", "name")}

    case = submit_scenario(api, "sichuan", "registry_has_more")
    wait_status(api, case, "awaiting_review")
    task = find_task(api, staff_token(api, "sc-op-510104022"), case.case_id)
    refused = api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(operator))
    assert refused.status == 403 and refused.body["error"]["code"] == "OPERATION_NOT_GRANTED"
    assert api.get("/v1/staff/tasks", headers=bearer(operator)).status == 403
    assert api.get("/v1/staff/statistics", headers=bearer(operator)).status == 200

    # the township's administrator now holds only what it was given; it cannot hand on more
    narrowed = _patch(api, f"/v1/staff/accounts/{admin}", {"grants": ["statistics"]}, staff_token(api, "sc-admin"))
    assert narrowed.status == 404  # the province administrator does not manage a township's admin
    r = _patch(api, f"/v1/staff/accounts/{body['username']}", {"grants": ["review", "onsite"], "position": "副主任"}, admin_token)
    assert r.status == 200 and r.body["grants"] == ["review", "onsite"] and r.body["position"] == "副主任", r.body
    entries = [e for e in audit.for_subject(f"STAFF#{body['username']}") if e.action == "staff.update"]
    assert entries and entries[0].to_dict()["after"]["grants"] == ["review", "onsite"]
    assert api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(operator)).status == 200
    view = api.get(f"/v1/staff/tasks/{task['task_id']}", headers=bearer(operator)).body
    assert view["task"]["decided_by"] == body["username"] and view["task"]["decided_by_name"] == "李娜"  # staff by real name

    limited = _account(role="admin", region_code="510104")
    r = _create(api, "sc-admin", {**_account(role="admin", region_code="5101"), "grants": ["statistics"]})
    assert r.status == 201, r.body
    city_admin = first_sign_in(api, r.body["username"], r.body["temporary_password"])["id_token"]
    more = api.post("/v1/staff/accounts", {**limited, "grants": ["statistics", "review"]}, headers=bearer(city_admin))
    assert more.status == 403 and more.body["error"]["code"] == "GRANT_NOT_HELD"
    assert api.get(f"/v1/staff/accounts/{limited['username']}", headers=bearer(city_admin)).status == 404  # nothing written


def test_disabling_signs_the_account_out_everywhere_at_once(api):
    from chalicelib import auth

    body = _account(role="province_monitor", region_code="51")
    r = _create(api, "sc-admin", body)
    token = first_sign_in(api, body["username"], r.body["temporary_password"])["id_token"]
    assert api.get("/v1/staff/statistics", headers=bearer(token)).status == 200

    admin = bearer(staff_token(api, "sc-admin"))
    assert api.post(f"/v1/staff/accounts/{body['username']}/disable", headers=admin).status == 200
    # the very next request with the token it already holds: refused (not "within the hour")
    refused = api.get("/v1/staff/statistics", headers=bearer(token))
    assert refused.status == 401 and refused.body["error"]["code"] == "STAFF_ACCOUNT_DISABLED"
    # another container, which cached the account as enabled: refused once its cache entry ages out
    assert auth.ACCESS_CACHE_SECONDS <= 5

    assert api.post(f"/v1/staff/accounts/{body['username']}/enable", headers=admin).status == 200
    again = api.get("/v1/staff/me", headers=bearer(token))
    assert again.status == 401 and again.body["error"]["code"] == "STAFF_TOKEN_REVOKED"
    from chalicelib.store import offices

    valid_after = offices.profile(body["username"]).valid_after
    deadline = time.monotonic() + 5
    while time.time() < float(valid_after) and time.monotonic() < deadline:  # a sign-in in the same second is before it
        time.sleep(0.05)
    login = api.post("/v1/staff/login", {"username": body["username"], "password": "Chosen-Passw0rd!"})
    assert login.status == 200, login.body


# ------------------------------------------------------------------------------ organisations
def test_an_office_administrator_maintains_its_organisation_information_citizens_read_it(api):
    from chalicelib.store import audit

    admin, token = _township_admin(api)
    info = {"name": "春熙路街道卫生健康办公室", "head": "王强", "contact": "陈静", "phone": "028-86661234",
            "address": "成都市锦江区春熙路1号", "opening_hours": "工作日 9:00-12:00、13:30-17:30"}
    r = api.put("/v1/staff/offices/510104022", info, headers=bearer(token))
    assert r.status == 200 and r.body["head"] == "王强", r.body
    public = api.get("/v1/offices/510104022")
    assert public.status == 200 and {k: public.body[k] for k in info} == info
    assert public.body["region_name"].endswith("春熙路街道")
    other = api.put("/v1/staff/offices/510104023", info, headers=bearer(token))
    assert other.status == 403 and other.body["error"]["code"] == "NOT_OWN_OFFICE"
    operator = api.put("/v1/staff/offices/510104022", info, headers=bearer(staff_token(api, "sc-op-510104022")))
    assert operator.status == 403
    bad = api.put("/v1/staff/offices/510104022", {**info, "phone": "abc"}, headers=bearer(token))
    assert bad.status == 400 and bad.body["error"]["details"][0]["path"] == "phone"
    assert api.get("/v1/offices/999999999").status == 404
    entries = [e.to_dict() for e in audit.for_subject("OFFICE#510104022") if e.actor == admin]
    assert entries and entries[0]["after"]["head"] == "王强"


# ------------------------------------------------------------------------------ paper stock
@pytest.fixture
def registered(api, couple):
    from chalicelib.services.certificates.paper_stock import kind_for_child_order
    from chalicelib.store import cases

    def make() -> dict:
        body = couple("sichuan")
        r = register(api, body)
        assert r.status == 201, r.body
        view = wait_for_status(api, r.body["case_id"], r.body["query_code"], {"registered"})
        case_id = r.body["case_id"]
        kind = kind_for_child_order(int(cases.get(case_id).child_order))
        return {"case_id": case_id, "office": view["evaluation"]["jurisdiction"]["office_code"], "kind": kind}

    return make


def _stock(api, office: str, username: str) -> dict:
    r = api.get(f"/v1/staff/paper-stock/{office}", headers=bearer(staff_token(api, username)))
    assert r.status == 200, r.body
    return r.body


def _balance(view: dict, kind: str = "first") -> int:
    return next(k["balance"] for k in view["kinds"] if k["kind"] == kind)


def test_county_distributes_township_receives_issues_and_writes_off(api, registered):
    from chalicelib import config
    from chalicelib.store import audit

    county, township = "510104", "510104022"
    county_staff, operator = COUNTY_STAFF[county], TOWNSHIP_STAFF[township]
    case = registered()
    assert case["office"] == township
    kind = case["kind"]
    before_county = _balance(_stock(api, county, county_staff), kind)
    before = _balance(_stock(api, township, operator), kind)
    first, last = intake(api, county, 5, kind)
    assert _balance(_stock(api, county, county_staff), kind) == before_county + 5

    h = bearer(staff_token(api, county_staff))
    overlap = api.post(f"/v1/staff/paper-stock/{county}/intake", {"kind": "second", "first": first, "last": first}, headers=h)
    assert overlap.status == 409 and overlap.body["error"]["code"] == "RANGE_OVERLAPS"
    too_many = api.post(f"/v1/staff/paper-stock/{county}/distributions",
                        {"to_office": township, "first": first, "last": str(int(last) + 1)}, headers=h)
    assert too_many.status == 409 and too_many.body["error"]["code"] == "STOCK_NOT_HELD"
    elsewhere = api.post(f"/v1/staff/paper-stock/{county}/distributions", {"to_office": "520102016", "first": first, "last": last}, headers=h)
    assert elsewhere.status == 403
    middle = str(int(first) + 1).zfill(12), str(int(first) + 3).zfill(12)
    sent = api.post(f"/v1/staff/paper-stock/{county}/distributions", {"to_office": township, "first": middle[0], "last": middle[1]}, headers=h)
    assert sent.status == 201 and sent.body["count"] == 3, sent.body
    county_view = _stock(api, county, county_staff)
    assert _balance(county_view, kind) == before_county + 2  # the numbers left the county at once
    held = {(r["first"], r["last"]) for r in county_view["ranges"]}
    assert (first, first) in held and (last, last) in held
    again = api.post(f"/v1/staff/paper-stock/{county}/distributions", {"to_office": township, "first": middle[0], "last": middle[0]}, headers=h)
    assert again.status == 409  # already sent

    assert _balance(_stock(api, township, operator), kind) == before  # not received yet
    op = bearer(staff_token(api, operator))
    receipt = f"/v1/staff/paper-stock/{township}/shipments/{sent.body['shipment_id']}/receipt"
    assert api.post(receipt, headers=bearer(staff_token(api, "sc-op-510104023"))).status == 403
    assert api.post(receipt, headers=op).status == 200
    assert api.post(receipt, headers=op).body["error"]["code"] == "SHIPMENT_RECEIVED"
    assert _balance(_stock(api, township, operator), kind) == before + 3

    today = config.today().isoformat()
    path = f"/v1/staff/cases/{case['case_id']}/paper-certificate"
    not_ours = api.post(path, {"number": first, "issued_on": today}, headers=op)  # still the county's
    assert not_ours.status == 409 and not_ours.body["error"]["code"] == "PAPER_NOT_IN_STOCK"
    issued = api.post(path, {"number": middle[0], "issued_on": today}, headers=op)
    assert issued.status == 201, issued.body
    assert _balance(_stock(api, township, operator), kind) == before + 2

    spoiled = f"/v1/staff/paper-stock/{township}/write-offs"
    assert api.post(spoiled, {"number": middle[0], "reason": "打印错误"}, headers=op).body["error"]["code"] == "BLANK_USED"
    missing_reason = api.post(spoiled, {"number": middle[1]}, headers=op)
    assert missing_reason.status == 400 and missing_reason.body["error"]["details"][0]["path"] == "reason"
    r = api.post(spoiled, {"number": middle[1], "reason": "打印错误"}, headers=op)
    assert r.status == 201 and _balance(r.body, kind) == before + 1

    actions = [e.action for e in audit.for_subject(f"STOCK#{township}", limit=20)]
    assert {"stock.shipped", "stock.received", "stock.written_off"} <= set(actions)
    assert {"stock.intake", "stock.distributed"} <= {e.action for e in audit.for_subject(f"STOCK#{county}", limit=50)}


def test_a_township_below_its_threshold_requests_an_allocation_the_county_fulfils_it(api):
    county, township = "510104", "510104023"
    op = bearer(staff_token(api, TOWNSHIP_STAFF[township]))
    request = f"/v1/staff/paper-stock/{township}/requests"
    assert api.put(f"/v1/staff/paper-stock/{township}/threshold", {"kind": "second", "threshold": 0}, headers=op).status == 200
    sufficient = api.post(request, {"kind": "second", "count": 10}, headers=op)
    assert sufficient.status == 409 and sufficient.body["error"]["code"] == "STOCK_SUFFICIENT"
    r = api.put(f"/v1/staff/paper-stock/{township}/threshold", {"kind": "second", "threshold": 100_000}, headers=op)
    assert r.status == 200 and next(k for k in r.body["kinds"] if k["kind"] == "second")["below_threshold"] is True
    asked = api.post(request, {"kind": "second", "count": 10, "note": "本月登记较多"}, headers=op)
    assert asked.status == 201, asked.body
    assert api.post(request, {"kind": "second", "count": 10}, headers=op).body["error"]["code"] == "REQUEST_OPEN"

    mine = [r for r in _stock(api, county, COUNTY_STAFF[county])["requests"] if r["township"] == township and r["kind"] == "second"]
    assert [(r["status"], r["count"], r["note"]) for r in mine] == [("open", 10, "本月登记较多")]
    ship(api, township, 10, kind="second")  # the county's distribution of that kind fulfils it
    mine = [r for r in _stock(api, county, COUNTY_STAFF[county])["requests"] if r["township"] == township and r["kind"] == "second"]
    assert [r["status"] for r in mine] == ["fulfilled"]


def test_two_concurrent_issues_of_the_last_blank_one_winner_and_the_balance_never_negative(api, registered):
    from chalicelib import config
    from chalicelib.store import offices

    township = "510104022"
    cases = [registered(), registered()]
    assert cases[0]["kind"] == cases[1]["kind"]
    [number] = stock_blanks(api, township, 1, cases[0]["kind"])
    holding = offices.holding_of(township, number)
    op = bearer(staff_token(api, TOWNSHIP_STAFF[township]))
    today = config.today().isoformat()
    results: list = [None, None]
    start = threading.Barrier(2)

    def issue(i: int) -> None:
        start.wait()
        results[i] = api.post(f"/v1/staff/cases/{cases[i]['case_id']}/paper-certificate", {"number": number, "issued_on": today}, headers=op)

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(r.status for r in results)
    assert statuses == [201, 409], [r.body for r in results]
    assert offices.used(number).status == "issued"
    assert holding is not None and offices.balances(township)[cases[0]["kind"]]["balance"] >= 0


def _at_once(calls: list) -> list:
    """The answers of ``calls``, each run in its own thread, released together."""
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_distributions_never_send_more_than_the_county_holds(api):
    from chalicelib.store import offices

    county = "520102"
    first, last = intake(api, county, 4)
    before = offices.balances(county)["first"]["balance"]
    h = bearer(staff_token(api, COUNTY_STAFF[county]))
    # every thread asks for the whole range: one may take it
    results = _at_once([
        lambda: api.post(f"/v1/staff/paper-stock/{county}/distributions", {"to_office": "520102016", "first": first, "last": last}, headers=h)
    ] * 4)
    assert sorted(r.status for r in results) == [201, 409, 409, 409], [r.body for r in results]
    assert offices.balances(county)["first"]["balance"] == before - 4 >= 0


def test_concurrent_intakes_of_overlapping_ranges_one_winner_nothing_half_written(api):
    """Two counties' clerks take overlapping printed ranges in at once (different first numbers,
    so the series items do not collide): one intake commits, the other is a 409 and leaves
    neither a range nor a balance change behind."""
    from chalicelib.store import offices
    from tests.e2e.stock_support import fresh_range

    first, _ = fresh_range(10)
    ranges = [(first, str(int(first) + 5)), (str(int(first) + 3), str(int(first) + 9))]
    counties = ["520102", "510104"]
    before = {c: offices.balances(c).get("second", {}).get("balance", 0) for c in counties}
    tokens = [bearer(staff_token(api, COUNTY_STAFF[c])) for c in counties]

    def take(i: int):
        lo, hi = ranges[i]
        return lambda: api.post(f"/v1/staff/paper-stock/{counties[i]}/intake", {"kind": "second", "first": lo, "last": hi}, headers=tokens[i])

    results = _at_once([take(0), take(1)])
    assert sorted(r.status for r in results) == [201, 409], [r.body for r in results]
    won = next(i for i, r in enumerate(results) if r.status == 201)
    lost = 1 - won
    assert results[lost].body["error"]["code"] == "RANGE_OVERLAPS", results[lost].body
    after = {c: offices.balances(c).get("second", {}).get("balance", 0) for c in counties}
    won_first, won_last = ranges[won]
    assert after[counties[won]] == before[counties[won]] + int(won_last) - int(won_first) + 1
    assert after[counties[lost]] == before[counties[lost]]
    assert offices.holding_of(counties[lost], ranges[lost][0]) is None
    assert [h.first for h in offices.holdings(counties[won]) if h.first == ranges[won][0]] == [ranges[won][0]]


# ------------------------------------------------------------------------------ medical institutions
def test_a_hospital_looks_a_certificate_up_by_its_qr_code_and_records_the_birth(api, registered):
    from chalicelib import config
    from chalicelib.store import cases
    from chalicelib.store import certificates as certificate_store

    case = registered()
    number = cases.get(case["case_id"]).certificate.registration_number
    token = certificate_store.get(number).token
    hospital = bearer(staff_token(api, "sc-hospital-510104"))
    scanned = api.get(f"/v1/staff/certificate-scans/{token}", headers=hospital)
    assert scanned.status == 200 and scanned.body["certificate"]["registration_number"] == number, scanned.body
    assert api.get(f"/v1/staff/certificate-scans/{token[:-4]}AAAA", headers=hospital).status == 404
    assert api.get(f"/v1/staff/certificate-scans/{token}", headers=bearer(staff_token(api, "gz-op-520102016"))).status == 404
    born = api.post(f"/v1/staff/certificates/{number}/birth", {"birth_date": config.today().isoformat(), "sex": "female"}, headers=hospital)
    assert born.status == 200 and born.body["sex"] == "female", born.body


# ------------------------------------------------------------------------------ work queue, statistics
def test_the_work_queue_shows_the_applicant_and_why_and_filters_overdue_on_the_index(api, clock):
    case = submit_scenario(api, "sichuan", "registry_has_more")
    wait_status(api, case, "awaiting_review")
    operator = bearer(staff_token(api, "sc-op-510104022"))
    find_task(api, staff_token(api, "sc-op-510104022"), case.case_id)

    def page(query: str, token: dict) -> list[dict]:
        tasks, cursor = [], None
        while True:
            r = api.get(f"/v1/staff/tasks?limit=50{query}" + (f"&cursor={cursor}" if cursor else ""), headers=token)
            assert r.status == 200, r.body
            tasks += r.body["tasks"]
            cursor = r.body["next_cursor"]
            if not cursor:
                return tasks

    [mine] = [t for t in page("", operator) if t["case_id"] == case.case_id]
    body = case.body
    assert (mine["woman_name"], mine["man_name"]) == (body["woman"]["name"], body["man"]["name"])  # its own counter
    assert mine["child_order"] >= 1 and mine["submitted_at"] and mine["overdue"] is False
    assert mine["review_reasons"] and any("系统记录" in r for r in mine["review_reasons"]), mine
    county = bearer(staff_token(api, "sc-county-510104"))
    [seen] = [t for t in page("&office=510104022", county) if t["case_id"] == case.case_id]
    assert seen["woman_name"] == body["woman"]["name"][0] + "*" * (len(body["woman"]["name"]) - 1)  # masked

    assert case.case_id in {t["case_id"] for t in page("&overdue=false", operator)}
    assert case.case_id not in {t["case_id"] for t in page("&overdue=true", operator)}
    clock.advance(40 * 24 * 3600)  # past any review deadline
    assert case.case_id in {t["case_id"] for t in page("&overdue=true", operator)}
    assert all(t["overdue"] for t in page("&overdue=true", operator))
    bad = api.get("/v1/staff/tasks?overdue=maybe", headers=operator)
    assert bad.status == 400 and bad.body["error"]["details"][0]["path"] == "overdue"


def test_the_statistics_export_is_the_json_report_as_csv(api):
    import csv
    import io

    county = bearer(staff_token(api, "sc-county-510104"))
    report = api.get("/v1/staff/statistics", headers=county)
    export = api.get("/v1/staff/statistics/export", headers=county)
    assert export.status == 200 and export.headers["Content-Type"].startswith("text/csv"), export.headers
    text = export.raw.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [r["region_code"] for r in rows] == [report.body["region"]["code"], *(c["code"] for c in report.body["children"])]
    total = report.body["totals"].get("received", {}).get("total", 0)
    assert int(rows[0].get("received|total", 0)) == total

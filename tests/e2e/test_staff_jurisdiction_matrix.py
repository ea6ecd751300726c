"""Every staff route × the demo staff roles × a target in the caller's own province or in another
(issue 12: a Sichuan hospital recorded a birth on a Guizhou certificate, a Guizhou operator
created an on-site registration for Sichuan, certificate lookup worked across provinces).

The expected answer of every cell is the table below; the test runs every cell against the
local stack and fails listing each cell whose status differs. A cell is ``own/other``:

- ``own``: the target belongs to the caller's province — for cases and certificates the
  province's demo office (Sichuan 春熙路街道 510104022, Guizhou 新华路街道 520102016), for
  accounts an administrator of the province's capital city created for this test;
- ``other``: the same kind of target in the other province;
- ``-``: not applicable (``/v1/staff/me`` has no target).

Rules the table encodes (chalicelib/auth.py ``covers`` and ``reaches``): review tasks, work
queues and statistics follow the region hierarchy (a township operator: its own office only;
only the level a task is assigned to decides it); at a counter — on-site entry, certificate
lookup, paper certificates — a township operator serves any office of its own province;
a medical institution looks up and annotates certificates of its own county, and -- in
Guizhou only, whose profile runs seed 003 -- enters, reviews and reissues its own births (a
Sichuan hospital is refused every birth route; no Sichuan birth exists, so a Guizhou caller's
"other" birth is an unknown id: 404); the county department of the issuer (``birth_reissue``)
takes reissue scans and reissues its county's e-licences (003 四(二)1); administrators
manage only the accounts below them (404 for the others, as if they did not exist) and the
information of their own office only; a certificate outside one's reach is 404, like an
unknown number, and so is a case searched for outside one's reach (``case_search``); paper-certificate stock is the county's (intake, distribution) and each
township's own (receipt, write-off, threshold, request), seen by those with the
``paper_certificates`` grant within their jurisdiction. 403 for a role that may not use the
route at all.

Writes expected to succeed get a fresh target each (a decided task or a recorded birth cannot
be decided or recorded again); refused writes use a shared target, which the test then checks
is unchanged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pytest

from tests.e2e.conftest import register, wait_for_status
from tests.e2e.stock_support import blanks_for_case, fresh_range, intake, ship, stock_blanks
from tests.e2e.workflow_support import bearer, find_task, staff_token, submit_scenario, wait_status

pytestmark = pytest.mark.e2e

ACTORS = {
    # column: (username, province)
    "sc-op": ("sc-op-510104022", "sc"),
    "sc-op2": ("sc-op-510104023", "sc"),  # another township of the same county
    "sc-cnty": ("sc-county-510104", "sc"),
    "sc-city": ("sc-city-5101", "sc"),
    "sc-prov": ("sc-province", "sc"),
    "sc-hosp": ("sc-hospital-510104", "sc"),
    "sc-adm": ("sc-admin", "sc"),
    "gz-op": ("gz-op-520102016", "gz"),
    "gz-cnty": ("gz-county-520102", "gz"),
    "gz-city": ("gz-city-5201", "gz"),
    "gz-hosp": ("gz-hospital-520102", "gz"),
    "gz-adm": ("gz-admin", "gz"),
}

EXPECTED = """
route           sc-op    sc-op2   sc-cnty  sc-city  sc-prov  sc-hosp  sc-adm   gz-op    gz-cnty  gz-city  gz-hosp  gz-adm
me              200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-    200/-
queue           200/403  403/403  200/403  200/403  200/403  403/403  403/403  200/403  200/403  200/403  403/403  403/403
task_view       200/403  403/403  200/403  200/403  200/403  403/403  403/403  200/403  200/403  200/403  403/403  403/403
task_decide     200/403  403/403  403/403  403/403  403/403  403/403  403/403  200/403  403/403  403/403  403/403  403/403
link_view       200/403  403/403  200/403  200/403  200/403  403/403  403/403  200/403  200/403  200/403  403/403  403/403
link_decide     200/403  403/403  403/403  403/403  403/403  403/403  403/403  200/403  403/403  403/403  403/403  403/403
statistics      200/403  200/403  200/403  200/403  200/403  403/403  403/403  200/403  200/403  200/403  403/403  403/403
stats_export    200/403  200/403  200/403  200/403  200/403  403/403  403/403  200/403  200/403  200/403  403/403  403/403
onsite          201/403  201/403  403/403  403/403  403/403  403/403  403/403  201/403  403/403  403/403  403/403  403/403
account_create  403/403  403/403  403/403  403/403  403/403  403/403  201/403  403/403  403/403  403/403  403/403  201/403
account_get     403/403  403/403  403/403  403/403  403/403  403/403  200/404  403/403  403/403  403/403  403/403  200/404
account_disable 403/403  403/403  403/403  403/403  403/403  403/403  200/404  403/403  403/403  403/403  403/403  200/404
account_enable  403/403  403/403  403/403  403/403  403/403  403/403  200/404  403/403  403/403  403/403  403/403  200/404
cert_view       200/404  200/404  403/403  403/403  403/403  200/404  403/403  200/404  403/403  403/403  200/404  403/403
cert_scan       200/404  200/404  403/403  403/403  403/403  200/404  403/403  200/404  403/403  403/403  200/404  403/403
cert_birth      403/403  403/403  403/403  403/403  403/403  200/404  403/403  403/403  403/403  403/403  200/404  403/403
paper           201/403  201/403  403/403  403/403  403/403  403/403  403/403  201/403  403/403  403/403  403/403  403/403
account_list    403/-    403/-    403/-    403/-    403/-    403/-    200/-    403/-    403/-    403/-    403/-    200/-
account_update  403/403  403/403  403/403  403/403  403/403  403/403  200/404  403/403  403/403  403/403  403/403  200/404
office_update   403/403  403/403  403/403  403/403  403/403  403/403  200/403  403/403  403/403  403/403  403/403  200/403
stock_view      200/403  403/403  200/403  403/403  403/403  403/403  403/403  200/403  200/403  403/403  403/403  403/403
stock_intake    403/403  403/403  201/403  403/403  403/403  403/403  403/403  403/403  201/403  403/403  403/403  403/403
stock_send      403/403  403/403  201/403  403/403  403/403  403/403  403/403  403/403  201/403  403/403  403/403  403/403
stock_receipt   200/403  403/403  403/403  403/403  403/403  403/403  403/403  200/403  403/403  403/403  403/403  403/403
stock_write_off 201/403  403/403  403/403  403/403  403/403  403/403  403/403  201/403  403/403  403/403  403/403  403/403
stock_threshold 200/403  403/403  403/403  403/403  403/403  403/403  403/403  200/403  403/403  403/403  403/403  403/403
stock_request   201/403  403/403  403/403  403/403  403/403  403/403  403/403  201/403  403/403  403/403  403/403  403/403
birth_entry     403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  201/403  403/403
birth_list      403/-    403/-    403/-    403/-    403/-    403/-    403/-    403/-    403/-    403/-    200/-    403/-
birth_view      403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  200/404  403/403
birth_correct   403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  200/404  403/403
birth_review    403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  200/404  403/403
birth_cert      403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  200/404  403/403
birth_stamp     403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  200/404  403/403
birth_scan      403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  201/404  403/403  201/404  403/403
birth_reissue   403/403  403/403  403/403  403/403  403/403  403/403  403/403  403/403  202/404  403/403  202/404  403/403
appt_day        200/403  403/403  403/403  403/403  403/403  403/403  403/403  409/403  403/403  403/403  403/403  403/403
appt_view       200/404  200/404  403/403  403/403  403/403  403/403  403/403  404/403  403/403  403/403  403/403  403/403
appt_confirm    200/404  403/404  403/403  403/403  403/403  403/403  403/403  404/403  403/403  403/403  403/403  403/403
appt_no_show    409/404  403/404  403/403  403/403  403/403  403/403  403/403  404/403  403/403  403/403  403/403  403/403
appt_register   201/404  201/404  403/403  403/403  403/403  403/403  403/403  404/403  403/403  403/403  403/403  403/403
cert_print      201/403  201/403  201/403  201/403  201/403  403/403  403/403  201/403  201/403  201/403  403/403  403/403
form_upload     201/403  201/403  403/403  403/403  403/403  403/403  403/403  201/403  403/403  403/403  403/403  403/403
form_list       200/403  200/403  200/403  200/403  200/403  403/403  403/403  200/403  200/403  200/403  403/403  403/403
case_search     200/404  200/404  200/404  200/404  200/404  403/403  403/403  200/404  200/404  200/404  403/403  403/403
"""
# 三孩预约 (000 §2.1, Sichuan only): township operators with ``onsite``; the day's list, confirming
# and no-shows are the office's own, viewing and registering any counter's of the province. A
# Guizhou target is an appointment number that cannot exist (404); Guizhou's own day list is 409
# APPOINTMENTS_NOT_OFFERED; the shared Sichuan appointment's slot has not started (no-show: 409).

# Routes whose success changes the target so that it cannot succeed twice.
ONE_SHOT = {"task_decide", "link_decide", "cert_birth", "paper", "onsite", "stock_intake", "stock_send", "stock_receipt",
            "stock_write_off", "stock_request", "birth_correct", "birth_review", "birth_reissue", "appt_confirm", "appt_register"}
# Birth medical certificates (issue 16): each province's medical institution and the county it
# was created for; a shared target is an issued e-licence of that institution.
HOSPITAL = {"sc": ("sc-hospital-510104", "H510104001"), "gz": ("gz-hospital-520102", "H520102001")}
PROFILE = {"sc": "sichuan", "gz": "guizhou"}
# The provinces whose profile runs the birth medical certificate process (seed 003: Guizhou's).
BIRTH_PROVINCES = {"gz"}
CAPITAL = {"sc": "5101", "gz": "5201"}
OTHER = {"sc": "gz", "gz": "sc"}


def expected_table() -> dict[tuple[str, str], tuple[int | None, int | None]]:
    lines = [line.split() for line in EXPECTED.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    assert header == list(ACTORS), "the table's columns are the actors"
    out = {}
    for route, *cells in rows:
        assert len(cells) == len(header), route
        for actor, cell in zip(header, cells, strict=True):
            own, other = cell.split("/")
            out[(route, actor)] = (int(own), None if other == "-" else int(other))
    return out


@dataclass
class Targets:
    """Shared targets per province, and factories for fresh ones."""

    api: object
    couple: object
    certificates: dict[str, dict] = field(default_factory=dict)
    tasks: dict[str, dict] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    births: dict[str, dict] = field(default_factory=dict)
    appointments: dict[str, dict] = field(default_factory=dict)

    def new_appointment(self, province: str) -> dict:
        """A booked 三孩预约 at the province's demo office (Sichuan), or a number no appointment has."""
        from tests.e2e.appointment_support import book, publish_capacity

        if province != "sc":
            return {"number": "YY20260101000000"}
        if not self.appointments:
            publish_capacity(self.api, OFFICE[province])
        form = self.couple("sichuan")
        r, _, _ = book(self.api, form, OFFICE[province])
        assert r.status == 201, r.body
        return {"number": r.body["appointment_number"], "form": form}

    def appointment(self, province: str, fresh: bool) -> dict:
        return self._shared_or_fresh(self.appointments, self.new_appointment, province, fresh)
    onsite: dict[str, str] = field(default_factory=dict)

    def birth(self, province: str, kind: str = "issued") -> dict:
        """A birth of the province's medical institution: ``entered``, ``claimed`` (fresh each) or
        ``issued`` (shared; ``fresh_issued``: a new one)."""
        from tests.e2e import test_births

        username, institution = HOSPITAL[province]
        if province not in BIRTH_PROVINCES:
            # 003 is Guizhou's: no birth of another province can exist; its ids are unknown ones.
            number = f"Q{institution[1:7]}2026999999"
            return {"birth_id": "B" + "0" * 19, "body": test_births.entry_body(institution=institution),
                    "view": {"certificate": {"number": number, "verify_url": f"https://example.invalid/vb/{number}"}}}
        hospital = bearer(staff_token(self.api, username))
        if kind == "entered":
            body, entered = test_births.enter(self.api, hospital, institution=institution)
            return {**entered, "body": body}
        if kind == "claimed":
            return test_births.claimed(self.api, hospital, institution=institution)
        if kind == "fresh_issued" or province not in self.births:
            made = test_births.issued(self.api, hospital, institution=institution)
            if kind == "fresh_issued":
                return made
            self.births[province] = made
        return self.births[province]

    def new_certificate(self, province: str) -> dict:
        from chalicelib.store import certificates as certificate_store

        body = self.couple(PROFILE[province])
        r = register(self.api, body)
        assert r.status == 201, r.body
        view = wait_for_status(self.api, r.body["case_id"], r.body["query_code"], {"registered"})
        return {"case_id": r.body["case_id"], "number": view["certificate"]["registration_number"],
                "office": view["evaluation"]["jurisdiction"]["office_code"], "token": certificate_store.get(view["certificate"]["registration_number"]).token}

    def new_task(self, province: str) -> dict:
        case = submit_scenario(self.api, PROFILE[province], "registry_has_more")
        wait_status(self.api, case, "awaiting_review")
        operator = ACTORS[f"{province}-op"][0]
        task = find_task(self.api, staff_token(self.api, operator), case.case_id)
        return {"case": case, "task_id": task["task_id"]}

    @staticmethod
    def _shared_or_fresh(shared: dict[str, dict], make, province: str, fresh: bool) -> dict:
        if fresh:
            return make(province)
        if province not in shared:
            shared[province] = make(province)
        return shared[province]

    def onsite_case(self, province: str) -> str:
        """A case the province's demo operator registered at its counter (shared)."""
        if province not in self.onsite:
            operator = staff_token(self.api, ACTORS[f"{province}-op"][0])
            r = self.api.post("/v1/staff/registrations", self.couple(PROFILE[province]), headers=bearer(operator))
            assert r.status == 201, r.body
            self.onsite[province] = r.body["case_id"]
        return self.onsite[province]

    def certificate(self, province: str, fresh: bool) -> dict:
        return self._shared_or_fresh(self.certificates, self.new_certificate, province, fresh)

    def task(self, province: str, fresh: bool) -> dict:
        return self._shared_or_fresh(self.tasks, self.new_task, province, fresh)

    def account(self, province: str) -> str:
        if province not in self.accounts:
            admin = staff_token(self.api, ACTORS[f"{province}-adm"][0])
            username = f"mx-{province}-admin-{uuid.uuid4().hex[:8]}"
            body = {"username": username, "name": "矩阵测试管理员", "role": "admin", "region_code": CAPITAL[province], **PERSON}
            r = self.api.post("/v1/staff/accounts", body, headers=bearer(admin))
            assert r.status == 201, r.body
            self.accounts[province] = username
        return self.accounts[province]


OFFICE = {"sc": "510104022", "gz": "520102016"}
PERSON = {"id_number": "510104198503011017", "phone": "13800001111"}
UNUSED = "900000000001"  # a blank number no stock holds: the refused stock writes name it
_shared_shipments: dict[str, str] = {}


def _stock_call(api, route: str, h: dict, province: str, fresh: bool, counter: str | None):
    """The paper-certificate stock routes: the county's (intake, distribution) and the township's."""
    township = OFFICE[province]
    county, base = township[:6], "/v1/staff/paper-stock"
    if route == "stock_view":
        return api.get(f"{base}/{township}", headers=h)
    if route == "stock_intake":
        first, last = fresh_range(2)
        return api.post(f"{base}/{county}/intake", {"kind": "first", "first": first, "last": last}, headers=h)
    if route == "stock_send":
        first, last = intake(api, county, 2) if fresh else (UNUSED, UNUSED)
        return api.post(f"{base}/{county}/distributions", {"to_office": township, "first": first, "last": last}, headers=h)
    if route == "stock_receipt":
        if fresh:
            shipment_id = ship(api, township, 1)[0]
        else:
            shipment_id = _shared_shipments.get(province) or _shared_shipments.setdefault(province, ship(api, township, 1)[0])
        return api.post(f"{base}/{township}/shipments/{shipment_id}/receipt", headers=h)
    if route == "stock_write_off":
        number = stock_blanks(api, township, 1)[0] if fresh else UNUSED
        return api.post(f"{base}/{township}/write-offs", {"number": number, "reason": "污损"}, headers=h)
    if route == "stock_threshold":
        return api.put(f"{base}/{township}/threshold", {"kind": "second", "threshold": 100_000}, headers=h)
    if route == "stock_request":
        if fresh:  # below the threshold, no request open: the county fulfilled the last one
            api.put(f"{base}/{township}/threshold", {"kind": "second", "threshold": 100_000}, headers=h)
            ship(api, township, 1, kind="second")
        return api.post(f"{base}/{township}/requests", {"kind": "second", "count": 5}, headers=h)
    raise AssertionError(route)


def call(api, targets: Targets, route: str, token: str, province: str, *, fresh: bool, counter: str | None = None):
    """One request of ``route`` by ``token`` against a target of ``province``; ``counter``: the
    caller's own township office (its stock holds the paper certificates it hands out)."""
    from chalicelib import config

    h = bearer(token)
    today = config.today().isoformat()
    if route == "me":
        return api.get("/v1/staff/me", headers=h)
    if route == "case_search":  # by the woman's ID number; outside one's reach: 404 like an unknown case
        case = targets.task(province, False)["case"]
        return api.post("/v1/staff/cases/search", {"id_number": case.body["woman"]["id_number"]}, headers=h)
    if route == "queue":
        return api.get(f"/v1/staff/tasks?office={OFFICE[province]}", headers=h)
    if route in {"task_view", "link_view"}:
        prefix = "/v1/staff/tasks" if route == "task_view" else "/staff/tasks"
        return api.get(f"{prefix}/{targets.task(province, False)['task_id']}", headers=h)
    if route in {"task_decide", "link_decide"}:
        prefix = "/v1/staff/tasks" if route == "task_decide" else "/staff/tasks"
        return api.post(f"{prefix}/{targets.task(province, fresh)['task_id']}", {"decision": "accept"}, headers=h)
    if route in {"statistics", "stats_export"}:
        path = "/v1/staff/statistics" + ("/export" if route == "stats_export" else "")
        return api.get(path + ("" if province == "own" else f"?region={OFFICE[province][:2]}"), headers=h)
    if route == "onsite":
        return api.post("/v1/staff/registrations", targets.couple(PROFILE[province]), headers=h)
    if route == "account_create":
        body = {"username": f"mx-new-{uuid.uuid4().hex[:8]}", "name": "新管理员", "role": "admin", "region_code": CAPITAL[province], **PERSON}
        return api.post("/v1/staff/accounts", body, headers=h)
    if route == "account_get":
        return api.get(f"/v1/staff/accounts/{targets.account(province)}", headers=h)
    if route in {"account_disable", "account_enable"}:
        return api.post(f"/v1/staff/accounts/{targets.account(province)}/{route.split('_')[1]}", headers=h)
    if route == "cert_view":
        return api.get(f"/v1/staff/certificates/{targets.certificate(province, False)['number']}", headers=h)
    if route == "cert_scan":
        return api.get(f"/v1/staff/certificate-scans/{targets.certificate(province, False)['token']}", headers=h)
    if route == "cert_birth":
        number = targets.certificate(province, fresh)["number"]
        return api.post(f"/v1/staff/certificates/{number}/birth", {"birth_date": today, "sex": "female"}, headers=h)
    if route == "paper":
        case_id = targets.certificate(province, fresh)["case_id"]
        number = blanks_for_case(api, counter, case_id)[0] if fresh and counter else UNUSED
        body = {"number": number, "issued_on": today}
        return api.post(f"/v1/staff/cases/{case_id}/paper-certificate", body, headers=h)
    if route == "cert_print":
        return api.post(f"/v1/staff/cases/{targets.certificate(province, False)['case_id']}/certificate-prints", headers=h)
    if route == "form_upload":
        body = {"content_type": "application/pdf", "filename": "登记表.pdf"}
        return api.post(f"/v1/staff/cases/{targets.onsite_case(province)}/registration-form", body, headers=h)
    if route == "form_list":
        return api.get(f"/v1/staff/cases/{targets.onsite_case(province)}/registration-form", headers=h)
    if route == "account_list":
        return api.get("/v1/staff/accounts", headers=h)
    if route == "account_update":
        return api.request("PATCH", f"/v1/staff/accounts/{targets.account(province)}", {"position": "科长"}, headers=h)
    if route == "office_update":
        return api.put(f"/v1/staff/offices/{CAPITAL[province][:2]}", {"name": "卫生健康委员会", "head": "张三"}, headers=h)
    if route.startswith("stock_"):
        return _stock_call(api, route, h, province, fresh, counter)
    if route.startswith("birth_"):
        return _birth_call(api, targets, route, h, province, fresh=fresh)
    if route.startswith("appt_"):
        return _appointment_call(api, targets, route, h, province, fresh=fresh)
    raise AssertionError(route)


def _appointment_call(api, targets: Targets, route: str, h: dict, province: str, *, fresh: bool):
    if route == "appt_day":
        return api.get(f"/v1/staff/appointments?office={OFFICE[province]}", headers=h)
    target = targets.appointment(province, fresh)
    one = f"/v1/staff/appointments/{target['number']}"
    if route == "appt_view":
        return api.get(one, headers=h)
    if route == "appt_confirm":
        return api.post(one + "/confirmation", headers=h)
    if route == "appt_no_show":
        return api.post(one + "/no-show", headers=h)
    if route == "appt_register":
        return api.post(one + "/registration", target.get("form") or targets.couple(PROFILE[province]), headers=h)
    raise AssertionError(route)


def _birth_call(api, targets: Targets, route: str, h: dict, province: str, *, fresh: bool):
    from tests.e2e import test_births

    if route == "birth_entry":
        return api.post("/v1/staff/births", test_births.entry_body(institution=HOSPITAL[province][1]), headers=h)
    if route == "birth_list":
        return api.get("/v1/staff/births?status=entered", headers=h)
    if route == "birth_correct":
        target = targets.birth(province, "entered" if fresh else "issued")
        return api.put(f"/v1/staff/births/{target['birth_id']}", {**target["body"], "reason": "核对更正"}, headers=h)
    if route == "birth_review":
        target = targets.birth(province, "claimed" if fresh else "issued")
        return api.post(f"/v1/staff/births/{target['birth_id']}/review", headers=h)
    if route == "birth_reissue":
        target = targets.birth(province, "fresh_issued" if fresh else "issued")
        number = target["view"]["certificate"]["number"]
        if fresh:  # the written application's scan first (003 四(一)1), by the caller
            hospital = bearer(staff_token(api, HOSPITAL[province][0]))
            test_births.reissue_scans(api, target["birth_id"], number, h, hospital)
        return api.post(f"/v1/staff/birth-certificates/{number}/reissue", {"application": "原证遗失", "channel": "onsite"}, headers=h)
    if route == "birth_scan":
        number = targets.birth(province)["view"]["certificate"]["number"]
        scan = {"document": "REISSUE_APPLICATION", "content_type": "application/pdf", "filename": "申请.pdf"}
        return api.post(f"/v1/staff/birth-certificates/{number}/reissue-scans", scan, headers=h)
    target = targets.birth(province)
    if route == "birth_view":
        return api.get(f"/v1/staff/births/{target['birth_id']}", headers=h)
    if route == "birth_cert":
        return api.get(f"/v1/staff/births/{target['birth_id']}/certificate", headers=h)
    if route == "birth_stamp":
        scanned = target["view"]["certificate"]["verify_url"]
        return api.post(f"/v1/staff/births/{target['birth_id']}/stamp-check", {"scanned": scanned}, headers=h)
    raise AssertionError(route)


def test_every_staff_route_for_every_role_in_and_out_of_jurisdiction(api, couple):
    from chalicelib.store import certificates as certificate_store
    from chalicelib.store import offices
    from chalicelib.store import tasks as task_store

    table = expected_table()
    targets = Targets(api, couple)
    mismatches = []
    for (route, actor), (own, other) in table.items():
        username, province = ACTORS[actor]
        token = staff_token(api, username)
        for scope, expected in (("own", own), ("other", other)):
            if expected is None:
                continue
            target_province = province if scope == "own" else OTHER[province]
            if route in {"statistics", "stats_export"}:
                target_province = "own" if scope == "own" else OTHER[province]
            fresh = route in ONE_SHOT and 200 <= expected < 300
            counter = username.rsplit("-", 1)[1] if "-op-" in username else None
            r = call(api, targets, route, token, target_province, fresh=fresh, counter=counter)
            if r.status != expected:
                error = (r.body or {}).get("error", {}) if isinstance(r.body, dict) else {}
                mismatches.append(f"{route:16} {actor:8} {scope:5} expected {expected}, got {r.status} {error.get('code')}")
    assert not mismatches, "jurisdiction matrix mismatches:\n" + "\n".join(mismatches)

    # The refused writes left the shared targets as they were.
    for province, shared in targets.tasks.items():
        assert task_store.get(shared["task_id"]).status == "open", province
    for province, shared in targets.certificates.items():
        record = certificate_store.get(shared["number"])
        assert record.birth_date is None and record.status == certificate_store.VALID, province
        assert certificate_store.paper_certificate(shared["case_id"]) is None, province
    for province, shipment_id in _shared_shipments.items():
        assert offices.shipment(OFFICE[province], shipment_id).status == offices.PENDING, province
    assert offices.used(UNUSED) is None
    # ... and the shared births: still version 1, their e-licence still the valid current one.
    from chalicelib.store import births as birth_store

    for province, shared in targets.births.items():
        item = birth_store.get(shared["birth_id"])
        assert int(item.version) == 1 and item.certificate_number == shared["view"]["certificate"]["number"], province
    # ... and the shared appointment: still booked, no case.
    from chalicelib.store import appointments as appointment_store

    shared = appointment_store.get(targets.appointments["sc"]["number"])
    assert (shared.status, shared.case_id) == ("booked", None)


STOCK = "/v1/staff/paper-stock/{office_code}"
SIGN_IN = {"/v1/staff/login", "/v1/staff/login/new-password", "/v1/staff/login/mfa-setup", "/v1/staff/login/mfa"}


def test_the_table_covers_every_staff_route():
    """A new staff route must get a row: the app's staff routes are the ones the matrix calls."""
    import app as application

    staff_paths = set()
    for path, methods in application.app.routes.items():
        if path.startswith(("/v1/staff/", "/staff/")) and path not in SIGN_IN:
            staff_paths |= {(m, path) for m in methods}
    called = {
        ("GET", "/v1/staff/me"), ("GET", "/v1/staff/tasks"), ("GET", "/v1/staff/tasks/{task_id}"),
        ("POST", "/v1/staff/tasks/{task_id}"), ("GET", "/staff/tasks/{task_id}"), ("POST", "/staff/tasks/{task_id}"),
        ("GET", "/v1/staff/statistics"), ("GET", "/v1/staff/statistics/export"), ("POST", "/v1/staff/registrations"), ("POST", "/v1/staff/accounts"),
        ("GET", "/v1/staff/accounts/{username}"), ("POST", "/v1/staff/accounts/{username}/disable"),
        ("POST", "/v1/staff/accounts/{username}/enable"), ("GET", "/v1/staff/certificates/{registration_number}"),
        ("POST", "/v1/staff/certificates/{registration_number}/birth"), ("GET", "/v1/staff/certificate-scans/{token}"),
        ("POST", "/v1/staff/cases/{case_id}/paper-certificate"),
        ("GET", "/v1/staff/accounts"), ("PATCH", "/v1/staff/accounts/{username}"), ("PUT", "/v1/staff/offices/{office_code}"),
        ("GET", STOCK), ("POST", STOCK + "/intake"), ("POST", STOCK + "/distributions"),
        ("POST", STOCK + "/shipments/{shipment_id}/receipt"), ("POST", STOCK + "/write-offs"), ("PUT", STOCK + "/threshold"),
        ("POST", STOCK + "/requests"),
        ("POST", "/v1/staff/births"), ("GET", "/v1/staff/births"), ("GET", "/v1/staff/births/{birth_id}"),
        ("PUT", "/v1/staff/births/{birth_id}"), ("POST", "/v1/staff/births/{birth_id}/review"),
        ("GET", "/v1/staff/appointments"), ("GET", "/v1/staff/appointments/{number}"),
        ("POST", "/v1/staff/appointments/{number}/confirmation"), ("POST", "/v1/staff/appointments/{number}/no-show"),
        ("POST", "/v1/staff/appointments/{number}/registration"),
        ("GET", "/v1/staff/births/{birth_id}/certificate"), ("POST", "/v1/staff/births/{birth_id}/stamp-check"),
        ("POST", "/v1/staff/birth-certificates/{number}/reissue"),
        ("POST", "/v1/staff/birth-certificates/{number}/reissue-scans"),
        ("POST", "/v1/staff/cases/{case_id}/certificate-prints"), ("POST", "/v1/staff/cases/{case_id}/registration-form"),
        ("GET", "/v1/staff/cases/{case_id}/registration-form"),
        ("POST", "/v1/staff/cases/search"),
    }
    assert staff_paths == called
    assert len(called) == len({row.split()[0] for row in EXPECTED.strip().splitlines()[1:]})

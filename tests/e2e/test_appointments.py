"""Sichuan's 特殊情形再生育预约（三孩预约） through the local stack (000 §2.1 "网上登记（一孩、二孩登记）、
特殊情形再生育预约（三孩预约）及办件查询"): the office publishes capacity, the couple books with an SMS code
and gets its number by SMS, views and cancels; full, past, unpublished slots and a second active
appointment are refused with nothing changed; N+k concurrent bookings of an N-place slot give N;
the office confirms (SMS), marks a no-show, and registers the couple on site, linked both ways."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest

from tests.e2e.appointment_support import CAPACITY, book, booking_body, free_slots, publish_capacity
from tests.e2e.conftest import citizen_token, unique_phone
from tests.e2e.workflow_support import bearer, staff_token

pytestmark = pytest.mark.e2e

OFFICE = "510104023"  # 书院街街道: its own capacity, apart from the other tests' 春熙路街道
OPERATOR = "sc-op-510104023"
NEIGHBOUR = "sc-op-510104022"


@pytest.fixture(scope="module")
def office(api):
    publish_capacity(api, OFFICE)
    return OFFICE


def _sms_to(phone: str) -> list[str]:
    from local import outbox

    return [m["message"] for m in outbox.messages() if m["phone"] == "+86" + phone]


def test_book_receive_the_number_by_sms_view_and_cancel(api, office, couple, clock):
    form = couple("sichuan")
    r, phone, _ = book(api, form, office)
    assert r.status == 201, r.body
    number = r.body["appointment_number"]
    assert r.body["status"] == "booked" and r.body["office"]["office_code"] == office
    assert r.body["woman"]["id_number"] != form["woman"]["id_number"]  # masked
    assert any(number in text and "三孩预约成功" in text for text in _sms_to(phone))

    clock.advance(61)  # a later visit: a new code for the same phone (after the resend interval)
    again = citizen_token(api, phone, "appointment")
    seen = api.get(f"/v1/appointments/{number}", headers={"X-Citizen-Token": again})
    assert seen.status == 200 and seen.body["status"] == "booked"
    stranger = citizen_token(api, unique_phone(), "appointment")
    assert api.get(f"/v1/appointments/{number}", headers={"X-Citizen-Token": stranger}).status == 404
    assert api.get(f"/v1/appointments/{number}").status == 401

    slot = (r.body["date"], r.body["start"])
    free_before = _free(api, slot)
    cancelled = api.post(f"/v1/appointments/{number}/cancellation", headers={"X-Citizen-Token": again})
    assert cancelled.status == 200 and cancelled.body["status"] == "cancelled"
    assert any(number in text and "已取消" in text for text in _sms_to(phone))
    assert _free(api, slot) == free_before + 1
    twice = api.post(f"/v1/appointments/{number}/cancellation", headers={"X-Citizen-Token": again})
    assert twice.status == 409 and twice.body["error"]["code"] == "APPOINTMENT_NOT_ACTIVE"


def _free(api, slot: tuple[str, str]) -> int:
    r = api.get(f"/v1/appointment-slots?office={OFFICE}&days=31")
    return next(s["free"] for d in r.body["days"] if d["date"] == slot[0] for s in d["slots"] if s["start"] == slot[1])


def _next_saturday() -> date:
    from chalicelib import config

    today = config.today()
    return today + timedelta(days=(5 - today.weekday()) % 7 or 7)


def test_bad_bookings_are_refused_and_change_nothing(api, office, couple):
    from chalicelib import config

    form = couple("sichuan")
    first, _, _ = book(api, form, office)
    assert first.status == 201, first.body
    other_day = next(s for s in free_slots(api, office) if s[0] != first.body["date"])
    yesterday = (config.today() - timedelta(days=1)).isoformat()
    cases = [
        (booking_body(form, office, *other_day), 409, "ACTIVE_APPOINTMENT_EXISTS", "woman.id_number"),
        (booking_body(couple("sichuan"), office, yesterday, "09:00"), 409, "SLOT_PAST", "date"),
        (booking_body(couple("sichuan"), office, _next_saturday().isoformat(), "09:00"), 409, "SLOT_NOT_PUBLISHED", "start"),
        (booking_body(couple("sichuan"), office, other_day[0], "12:00"), 409, "SLOT_NOT_PUBLISHED", "start"),
        (booking_body(couple("sichuan"), "520102016", *other_day), 409, "APPOINTMENTS_NOT_OFFERED", "office_code"),
        ({**booking_body(couple("sichuan"), office, *other_day), "man": booking_body(form, office, *other_day)["woman"]}, 400, "ID_SEX_MISMATCH", "man.id_number"),
        ({**booking_body(couple("sichuan"), office, *other_day), "start": "9点"}, 400, "INVALID_FORMAT", "start"),
    ]
    before = api.get(f"/v1/appointment-slots?office={office}&days=31").body
    for body, status, code, path in cases:
        fresh = citizen_token(api, unique_phone(), "appointment")
        r = api.post("/v1/appointments", body, headers={"X-Citizen-Token": fresh})
        assert r.status == status, (code, r.body)
        assert {(d["code"], d["path"]) for d in r.body["error"]["details"]} >= {(code, path)}, r.body
    assert api.get(f"/v1/appointment-slots?office={office}&days=31").body == before  # nothing booked
    assert api.post("/v1/appointments", booking_body(couple("sichuan"), office, *other_day)).status == 401


def test_concurrent_bookings_fill_a_slot_exactly(api, office, couple):
    """N+k bookings of an N-place slot at the same moment: exactly N appointments (the slot's
    count is a conditional write in each booking's transaction)."""
    places = CAPACITY["slots"][0]["places"]
    slot = free_slots(api, office, places=places, start="09:00")[-1]
    bodies = [booking_body(couple("sichuan"), office, *slot) for _ in range(places + 5)]
    tokens = [citizen_token(api, unique_phone(), "appointment") for _ in bodies]
    statuses: list[tuple[int, str | None]] = []
    barrier = threading.Barrier(len(bodies))

    def one(body, token):
        barrier.wait()
        r = api.post("/v1/appointments", body, headers={"X-Citizen-Token": token})
        statuses.append((r.status, r.body.get("error", {}).get("code") if r.status != 201 else None))

    threads = [threading.Thread(target=one, args=pair) for pair in zip(bodies, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses, key=str) == sorted([(201, None)] * places + [(409, "SLOT_FULL")] * 5, key=str)
    assert _free(api, slot) == 0
    late = api.post("/v1/appointments", booking_body(couple("sichuan"), office, *slot), headers={"X-Citizen-Token": citizen_token(api, unique_phone(), "appointment")})
    assert late.status == 409 and late.body["error"]["code"] == "SLOT_FULL"


def test_the_office_confirms_and_registers_the_couple_on_site_linked(api, office, couple):
    form = couple("sichuan")
    r, phone, _ = book(api, form, office)
    assert r.status == 201, r.body
    number, day = r.body["appointment_number"], r.body["date"]
    own, neighbour = bearer(staff_token(api, OPERATOR)), bearer(staff_token(api, NEIGHBOUR))

    listed = api.get(f"/v1/staff/appointments?date={day}", headers=own)
    assert listed.status == 200, listed.body
    mine = next(a for a in listed.body["appointments"] if a["appointment_number"] == number)
    assert mine["woman"]["id_number"] == form["woman"]["id_number"]  # in clear, to pre-fill the form
    assert api.get(f"/v1/staff/appointments?office={office}&date={day}", headers=neighbour).status == 403
    assert api.post(f"/v1/staff/appointments/{number}/confirmation", headers=neighbour).status == 403

    confirmed = api.post(f"/v1/staff/appointments/{number}/confirmation", headers=own)
    assert confirmed.status == 200 and confirmed.body["status"] == "confirmed"
    assert any(number in text and "已确认" in text for text in _sms_to(phone))

    wrong = api.post(f"/v1/staff/appointments/{number}/registration", couple("sichuan"), headers=own)
    assert wrong.status == 400 and wrong.body["error"]["details"][0]["code"] == "APPOINTMENT_COUPLE_MISMATCH"
    registered = api.post(f"/v1/staff/appointments/{number}/registration", form, headers=own)
    assert registered.status == 201, registered.body
    case_id = registered.body["case_id"]
    linked = api.get(f"/v1/staff/appointments/{number}", headers=own).body
    assert linked["status"] == "registered" and linked["case_id"] == case_id
    case = api.get(f"/v1/registrations/{case_id}", headers={"X-Query-Code": registered.body["query_code"]}).body
    assert any(number in (h.get("note") or "") for h in case["history"]), case["history"]
    # the woman may book again (her appointment is done)
    again, _, _ = book(api, form, office)
    assert again.status == 201, again.body


def test_a_no_show_is_marked_once_the_slot_has_started(api, office, couple, clock):
    from chalicelib import config

    r, _, _ = book(api, couple("sichuan"), office)
    assert r.status == 201, r.body
    number = r.body["appointment_number"]
    own = bearer(staff_token(api, OPERATOR))
    early = api.post(f"/v1/staff/appointments/{number}/no-show", headers=own)
    assert early.status == 409 and early.body["error"]["code"] == "SLOT_NOT_STARTED"
    starts = datetime.fromisoformat(f"{r.body['date']}T{r.body['start']}").replace(tzinfo=config.CHINA_TZ)
    clock.advance((starts - config.now()).total_seconds() + 60)
    marked = api.post(f"/v1/staff/appointments/{number}/no-show", headers=own)
    assert marked.status == 200 and marked.body["status"] == "no_show"


def test_bad_capacity_is_refused_with_its_path_and_changes_nothing(api, office):
    from tests.e2e.appointment_support import admin_token

    before = api.get(f"/v1/offices/{office}").body
    h = bearer(admin_token(api, office))
    overlap = {"weekdays": [1, 2], "slots": [{"start": "09:00", "end": "10:00", "places": 2}, {"start": "09:30", "end": "11:00", "places": 2}]}
    bad = [
        (overlap, "SLOTS_OVERLAP", "appointment_capacity"),
        ({"weekdays": [8], "slots": overlap["slots"][:1]}, "OUT_OF_RANGE", "appointment_capacity.weekdays.0"),
        ({"weekdays": [1], "slots": [{"start": "9:00", "end": "10:00", "places": 1}]}, "INVALID_FORMAT", "appointment_capacity.slots.0.start"),
        ({"weekdays": [1], "slots": [{"start": "09:00", "end": "10:00", "places": 0}]}, "OUT_OF_RANGE", "appointment_capacity.slots.0.places"),
    ]
    for capacity, code, path in bad:
        r = api.put(f"/v1/staff/offices/{office}", {"name": "计划生育服务站", "appointment_capacity": capacity}, headers=h)
        assert r.status == 400 and (code, path) in {(d["code"], d["path"]) for d in r.body["error"]["details"]}, r.body
    assert api.get(f"/v1/offices/{office}").body == before

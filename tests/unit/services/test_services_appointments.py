"""三孩预约 use cases (000 §2.1 "特殊情形再生育预约（三孩预约）") on the in-memory store: booking, the
confirmation SMS, the 4xx answers that change nothing, cancel, the office's confirm and no-show, and
N+k concurrent bookings of an N-place slot."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta

import pytest

from chalicelib import auth, config
from chalicelib.domain import appointments as rules
from chalicelib.domain import errors
from chalicelib.domain.idcard import make_id
from chalicelib.services.appointments import booking, counter
from chalicelib.store import offices as office_store

OFFICE = "510104022"  # 四川省成都市锦江区春熙路街道
OTHER_OFFICE = "510104023"
GUIZHOU_OFFICE = "520102016"
PHONE = "13800138000"
CAPACITY = {"weekdays": [1, 2, 3, 4, 5], "slots": [{"start": "09:00", "end": "10:00", "places": 2}, {"start": "14:00", "end": "15:00", "places": 1}]}
# Monday 2026-12-07, 08:00 in Shanghai: every slot of the week is ahead.
MONDAY = datetime(2026, 12, 7, 8, 0, tzinfo=config.CHINA_TZ)
OPERATOR = auth.StaffPrincipal("op1", "操作员", auth.TOWNSHIP_OPERATOR, OFFICE, OFFICE, (auth.ONSITE,))
NEIGHBOUR = auth.StaffPrincipal("op2", "操作员", auth.TOWNSHIP_OPERATOR, OTHER_OFFICE, OTHER_OFFICE, (auth.ONSITE,))


@pytest.fixture
def offices(monkeypatch):
    """The Offices table's organisation information (the appointments themselves are in memory)."""
    infos = {OFFICE: {"name": "春熙路街道计生办", "appointment_capacity": CAPACITY}, OTHER_OFFICE: {"name": "书院街街道"}}
    monkeypatch.setattr(office_store, "organisation", lambda code: infos.get(code))
    return infos


@pytest.fixture
def at_monday():
    start = config.clock.offset
    config.clock.offset = MONDAY - datetime.now(config.CHINA_TZ)
    yield
    config.clock.offset = start


# The operator's arrangement of 2027 (beyond chinese-calendar's data), as the Holidays parameter holds it.
HOLIDAYS_2027 = '{"2027": {"holidays": ["2027-01-01", "2027-01-04"], "workdays": []}}'


@pytest.fixture
def env(memory, adapters, offices, at_monday):
    adapters.parameters["HOLIDAYS_PARAMETER"] = HOLIDAYS_2027
    return memory, adapters


def couple(n: int = 0) -> dict:
    return {
        "woman": {"name": "王芳", "id_number": make_id("510104", "1992-03-04", 2 * n + 2)},
        "man": {"name": "李强", "id_number": make_id("510104", "1990-05-06", 2 * n + 1)},
    }


def body(day: str = "2026-12-08", start: str = "09:00", n: int = 0, office: str = OFFICE) -> dict:
    return {"office_code": office, "date": day, "start": start, **couple(n)}


def test_booking_sends_the_number_by_sms_and_seals_the_couple(env):
    memory, adapters = env
    got = booking.book(body(), phone=PHONE)
    number = got["appointment_number"]
    assert rules.NUMBER_RE.fullmatch(number) and got["status"] == "booked"
    assert got["woman"]["name"] != "王芳" and "*" in got["woman"]["id_number"]  # masked for the couple
    assert [(p, number in t) for p, t, _ in adapters.sms.sent] == [(PHONE, True)]
    stored = memory.appointments.records[number].sealed
    assert "王芳" not in stored and PHONE not in stored and couple()["woman"]["id_number"] not in stored
    assert booking.view(number, phone=PHONE)["date"] == "2026-12-08"
    with pytest.raises(rules.AppointmentNotFound):  # another phone learns nothing
        booking.view(number, phone="13900139000")
    free = {(d["date"], s["start"]): s["free"] for d in booking.slots(OFFICE, first=None, days=7)["days"] for s in d["slots"]}
    assert free[("2026-12-08", "09:00")] == 1 and free[("2026-12-08", "14:00")] == 1
    assert "2026-12-12" not in {d for d, _ in free}  # Saturday


def _nothing_changed(memory, adapters, before: tuple) -> None:
    assert (dict(memory.appointments.records), dict(memory.appointments.counts), len(adapters.sms.sent)) == before


def _state(memory, adapters) -> tuple:
    return dict(memory.appointments.records), dict(memory.appointments.counts), len(adapters.sms.sent)


@pytest.mark.parametrize(
    ("change", "code", "status"),
    [
        (lambda b: b | {"start": "14:00"}, "SLOT_FULL", 409),  # booked once below
        (lambda b: b | {"date": "2026-12-07", "start": "08:00"}, "SLOT_NOT_PUBLISHED", 409),
        (lambda b: b | {"date": "2026-12-12"}, "SLOT_NOT_PUBLISHED", 409),  # Saturday
        (lambda b: b | {"date": "2026-12-04"}, "SLOT_PAST", 409),  # last Friday
        (lambda b: b | {"date": "2027-01-29"}, "SLOT_BEYOND_HORIZON", 409),
        (lambda b: b | {"woman": couple(1)["man"]}, "ID_SEX_MISMATCH", 400),
        (lambda b: b | {"man": {"name": "李强", "id_number": "510104199005060000"}}, "ID_CHECKSUM", 400),
        (lambda b: b | {"office_code": GUIZHOU_OFFICE}, "APPOINTMENTS_NOT_OFFERED", 409),
        (lambda b: b | {"office_code": OTHER_OFFICE}, "NO_CAPACITY_PUBLISHED", 409),
        (lambda b: b | {"office_code": "510104"}, "OFFICE_NOT_FOUND", 404),
    ],
)
def test_bad_bookings_are_refused_and_change_nothing(env, change, code, status):
    memory, adapters = env
    booking.book(body(start="14:00", n=5), phone=PHONE)
    before = _state(memory, adapters)
    with pytest.raises(errors.DomainError) as raised:
        booking.book(change(body(n=1)), phone=PHONE)
    assert raised.value.status == status
    assert code in {raised.value.code, *(d.code for d in raised.value.details)}
    _nothing_changed(memory, adapters, before)


def test_a_second_active_appointment_of_the_woman_is_refused_until_she_cancels(env):
    memory, adapters = env
    first = booking.book(body(), phone=PHONE)["appointment_number"]
    before = _state(memory, adapters)
    with pytest.raises(rules.ActiveAppointmentExists) as raised:
        booking.book(body(day="2026-12-09"), phone="13900139000")  # the same woman, another phone
    assert raised.value.details[0].path == "woman.id_number"
    _nothing_changed(memory, adapters, before)

    cancelled = booking.cancel(first, phone=PHONE)
    assert cancelled["status"] == "cancelled" and "已取消" in adapters.sms.sent[-1][1]
    assert memory.appointments.counts[(OFFICE, "2026-12-08", "09:00")] == 0  # the place returned
    with pytest.raises(rules.AppointmentNotActive):
        booking.cancel(first, phone=PHONE)
    assert booking.book(body(day="2026-12-09"), phone=PHONE)["status"] == "booked"


def test_concurrent_bookings_never_overbook_a_slot(env):
    memory, _ = env
    places, extra = 2, 4
    results: list[str] = []
    barrier = threading.Barrier(places + extra)

    def book(n: int) -> None:
        barrier.wait()
        try:
            booking.book(body(n=n), phone=f"1380013{n:04d}")
            results.append("ok")
        except rules.SlotFull:
            results.append("full")

    threads = [threading.Thread(target=book, args=(n,)) for n in range(places + extra)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["full"] * extra + ["ok"] * places
    assert memory.appointments.counts[(OFFICE, "2026-12-08", "09:00")] == places


def test_the_office_sees_its_day_confirms_and_marks_no_shows(env, clock):
    memory, adapters = env
    number = booking.book(body(), phone=PHONE)["appointment_number"]
    day = counter.day_list(OPERATOR, None, "2026-12-08")
    assert [a["appointment_number"] for a in day["appointments"]] == [number]
    assert day["appointments"][0]["woman"]["id_number"] == couple()["woman"]["id_number"]  # in clear for the counter
    with pytest.raises(errors.OutsideJurisdiction):
        counter.day_list(NEIGHBOUR, OFFICE, "2026-12-08")
    with pytest.raises(errors.OutsideJurisdiction):
        counter.confirm(NEIGHBOUR, number)
    assert counter.get(NEIGHBOUR, number)["appointment_number"] == number  # another counter of the province may register it

    assert counter.confirm(OPERATOR, number)["status"] == "confirmed"
    assert "已确认" in adapters.sms.sent[-1][1] and adapters.sms.sent[-1][0] == PHONE
    with pytest.raises(rules.AppointmentNotActive):
        counter.confirm(OPERATOR, number)
    with pytest.raises(rules.SlotNotStarted):
        counter.no_show(OPERATOR, number)
    clock.advance(timedelta(days=1, hours=1, minutes=30).total_seconds())  # Tuesday 09:30
    assert counter.no_show(OPERATOR, number)["status"] == "no_show"
    assert memory.appointments.women == {}  # she may book again
    assert {"appointment.book", "appointment.confirm", "appointment.no_show"} <= {e.action for e in memory.audit.entries}


def test_the_couple_must_match_to_register_from_an_appointment(env):
    number = booking.book(body(), phone=PHONE)["appointment_number"]
    form = json.loads(json.dumps(couple(3)))
    with pytest.raises(errors.ValidationFailed) as raised:
        counter.register(OPERATOR, number, form)
    assert {d.path for d in raised.value.details} == {"woman.id_number", "man.id_number"}
    assert booking.view(number, phone=PHONE)["status"] == "booked"


def test_slots_of_a_province_without_appointments_are_refused(env):
    with pytest.raises(rules.AppointmentsNotOffered):
        booking.slots(GUIZHOU_OFFICE, first=date(2026, 12, 8), days=7)


def _open_days(first: date) -> set[str]:
    return {d["date"] for d in booking.slots(OFFICE, first=first, days=10)["days"]}


def test_holidays_of_2027_come_from_the_operator_table_and_an_unknown_year_has_no_slot(env, recwarn):
    _, adapters = env
    assert _open_days(date(2026, 12, 28)) >= {"2026-12-31", "2027-01-05", "2027-01-06"}
    assert not {"2027-01-01", "2027-01-04"} & _open_days(date(2026, 12, 28))  # holidays in the table
    with pytest.raises(rules.SlotNotPublished):
        booking.book(body(day="2027-01-04"), phone=PHONE)

    adapters.parameters["HOLIDAYS_PARAMETER"] = "{}"  # the operator has not entered 2027 yet
    assert not any(d.startswith("2027") for d in _open_days(date(2026, 12, 28)))
    with pytest.raises(rules.SlotNotPublished):
        booking.book(body(day="2027-01-05"), phone=PHONE)


@pytest.mark.parametrize(
    ("admin", "office", "code"),
    [
        (auth.StaffPrincipal("a1", "管理员", auth.ADMIN, GUIZHOU_OFFICE, None), GUIZHOU_OFFICE, "APPOINTMENTS_NOT_OFFERED"),
        (auth.StaffPrincipal("a2", "管理员", auth.ADMIN, "510104", None), "510104", "NOT_A_TOWNSHIP_OFFICE"),
    ],
)
def test_capacity_is_published_only_by_townships_of_a_province_with_appointments(admin, office, code, monkeypatch):
    from chalicelib.services.staff import organisations

    saved = []
    monkeypatch.setattr(office_store, "save_organisation", lambda *a, **k: saved.append(a))
    with pytest.raises(errors.DomainError) as raised:
        organisations.update(admin, office, {"name": "计生办", "appointment_capacity": CAPACITY})
    assert raised.value.details[0].code == code and raised.value.details[0].path == "appointment_capacity"
    assert saved == []


def test_a_couple_registered_while_its_appointment_was_cancelled_is_linked_all_the_same(env):
    memory, _ = env
    number = booking.book(body(), phone=PHONE)["appointment_number"]
    read_before = memory.appointments.get(number)
    booking.cancel(number, phone=PHONE)  # the same instant, from the couple's phone
    counter._link(OPERATOR, read_before, "C1")
    linked = memory.appointments.get(number)
    assert (linked.status, linked.case_id) == ("registered", "C1")
    assert memory.appointments.counts[(OFFICE, "2026-12-08", "09:00")] == 0 and memory.appointments.women == {}
    with pytest.raises(rules.AppointmentNotActive):  # registered already: a second case is not linked
        counter._link(OPERATOR, read_before, "C2")

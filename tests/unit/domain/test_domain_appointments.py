"""三孩预约 rules (000 §2.1 "网上登记（一孩、二孩登记）、特殊情形再生育预约（三孩预约）及办件查询"):
capacity, which days have slots, what may be booked, how an appointment moves."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from chalicelib.domain import appointments as rules
from chalicelib.domain.profiles import PROFILES
from chalicelib.domain.tz import SHANGHAI
from chalicelib.domain.working_days import WorkingCalendar

CAPACITY = rules.Capacity.from_dict(
    {"weekdays": [1, 2, 3, 4, 5], "slots": [{"start": "14:00", "end": "15:00", "places": 1}, {"start": "09:00", "end": "10:00", "places": 2}]}
)
# 2027 is beyond chinese-calendar 1.11's data: the operator's table (the Holidays parameter) says
# which weekdays are holidays (2027-02-08 Mon, a stand-in for the Spring Festival).
CALENDAR = WorkingCalendar(operator_table={2027: {"holidays": ["2027-02-08"], "workdays": ["2027-02-06"]}})
NOW = datetime(2026, 12, 2, 10, 30, tzinfo=SHANGHAI)  # Wednesday


def test_only_sichuan_offers_appointments_citing_000_2_1():
    offering = [p.code for p in PROFILES.values() if p.appointments]
    assert offering == ["sichuan"]
    assert "三孩预约" in PROFILES["sichuan"].citations["appointments"]
    assert PROFILES["sichuan"].to_dict()["appointments"] is True


def test_slots_are_sorted_and_only_on_published_working_days():
    assert [s.start for s in CAPACITY.slots] == ["09:00", "14:00"]
    assert CAPACITY.slots_on(date(2026, 12, 3), CALENDAR.is_working_day) == CAPACITY.slots  # Thursday
    assert CAPACITY.slots_on(date(2026, 12, 5), CALENDAR.is_working_day) == ()  # Saturday: not published
    assert CAPACITY.slots_on(date(2026, 10, 1), CALENDAR.is_working_day) == ()  # 国庆 (Thursday): a holiday


def test_the_operator_table_for_2027_removes_its_holidays(recwarn):
    assert CAPACITY.slots_on(date(2027, 2, 8), CALENDAR.is_working_day) == ()  # a Monday, holiday in the table
    assert CAPACITY.slots_on(date(2027, 2, 9), CALENDAR.is_working_day) == CAPACITY.slots
    # an adjusted working Saturday has slots only if Saturday is published
    assert CAPACITY.slots_on(date(2027, 2, 6), CALENDAR.is_working_day) == ()
    saturdays = rules.Capacity((6,), CAPACITY.slots)
    assert saturdays.slots_on(date(2027, 2, 6), CALENDAR.is_working_day) == CAPACITY.slots


@pytest.mark.parametrize(
    ("day", "start", "error"),
    [
        (date(2026, 12, 2), "09:00", rules.SlotPast),  # started an hour and a half ago
        (date(2026, 12, 2), "14:00", None),  # later today
        (date(2026, 12, 5), "09:00", rules.SlotNotPublished),  # Saturday
        (date(2026, 12, 3), "11:00", rules.SlotNotPublished),  # no such slot
        (date(2027, 1, 4), "09:00", rules.SlotBeyondHorizon),  # 33 days ahead
    ],
)
def test_what_may_be_booked(day, start, error, recwarn):
    if error is None:
        assert rules.bookable(CAPACITY, day, start, now=NOW, is_working_day=CALENDAR.is_working_day).places == 1
        return
    with pytest.raises(error) as raised:
        rules.bookable(CAPACITY, day, start, now=NOW, is_working_day=CALENDAR.is_working_day)
    assert raised.value.status == 409 and raised.value.details


def test_no_capacity_published_is_its_own_answer():
    with pytest.raises(rules.NoCapacityPublished):
        rules.bookable(None, date(2026, 12, 3), "09:00", now=NOW, is_working_day=CALENDAR.is_working_day)


def test_open_days_leave_out_started_slots_and_days_beyond_the_horizon(recwarn):
    opening = list(rules.open_days(CAPACITY, date(2026, 12, 2), 60, now=NOW, is_working_day=CALENDAR.is_working_day))
    assert opening[0] == (date(2026, 12, 2), CAPACITY.slots[1])  # 09:00 today has started
    assert max(d for d, _ in opening) <= date(2027, 1, 1)
    assert all(d.isoweekday() <= 5 for d, _ in opening)


def test_capacity_problems_name_the_slot():
    raw = {"weekdays": [1, 1], "slots": [{"start": "10:00", "end": "09:00"}, {"start": "09:30", "end": "11:00"}]}
    codes = {(p, c) for p, c, _ in rules.capacity_problems(raw)}
    assert codes == {("weekdays", "DUPLICATE_WEEKDAY"), ("slots.0.end", "SLOT_ENDS_BEFORE_START"), ("slots.0.start", "SLOTS_OVERLAP")}


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("booked", "cancel", "cancelled"),
        ("confirmed", "cancel", "cancelled"),
        ("booked", "confirm", "confirmed"),
        ("confirmed", "register", "registered"),
        ("booked", "no_show", "no_show"),
        ("cancelled", "cancel", None),
        ("confirmed", "confirm", None),
        ("registered", "no_show", None),
        ("no_show", "register", None),
    ],
)
def test_moves(status, action, expected):
    if expected is None:
        with pytest.raises(rules.AppointmentNotActive):
            rules.next_status(status, action)
    else:
        assert rules.next_status(status, action) == expected


def test_sms_texts_fit_one_segment():
    slot = CAPACITY.slots[0]
    number = rules.new_number(date(2026, 12, 2), "123456")
    assert rules.NUMBER_RE.fullmatch(number)
    for text in (rules.booked_sms(number, date(2026, 12, 3), slot), rules.confirmed_sms(number, date(2026, 12, 3), slot), rules.cancelled_sms(number)):
        assert number in text and len(text) <= 70

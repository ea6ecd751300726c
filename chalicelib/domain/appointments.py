"""Sichuan's 特殊情形再生育预约（三孩预约） (000 §2.1: "网上登记（一孩、二孩登记）、特殊情形再生育预约（三孩预约）
及办件查询"): a couple whose registration is beyond the online scope books a time at the
responsible township office, which then registers it at its counter.

What is decided here, without I/O:

- an office's published capacity (``Capacity``): the weekdays it receives appointments on and the
  time slots of such a day with their places. 000 names the service but not its hours: the office's
  administrator publishes them with the organisation information (services/staff/organisations.py);
- which slots a day has: only on a published weekday that is a working day (no slot on a holiday,
  an adjusted working Saturday only if Saturday is published) -- the calendar is passed in;
- whether a slot can be booked now (``bookable``): published, not started, within the horizon;
- the life of an appointment (``STATUSES``, ``next_status``): booked → confirmed by the office →
  registered at the counter, or cancelled by the couple, or marked no-show by the office.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from . import errors
from .tz import SHANGHAI

CITATION = "000 §2.1: 网上登记（一孩、二孩登记）、特殊情形再生育预约（三孩预约）及办件查询"

BOOKED = "booked"
CONFIRMED = "confirmed"
CANCELLED = "cancelled"
NO_SHOW = "no_show"
REGISTERED = "registered"
STATUSES = (BOOKED, CONFIRMED, CANCELLED, NO_SHOW, REGISTERED)
# An appointment holds its place (and the woman's one active appointment) in these statuses.
ACTIVE = (BOOKED, CONFIRMED)
STATUS_LABELS = {BOOKED: "已预约", CONFIRMED: "已确认", CANCELLED: "已取消", NO_SHOW: "未到场", REGISTERED: "已现场登记"}

# Who may move an appointment, and from where (every other move is APPOINTMENT_NOT_ACTIVE).
_MOVES: Mapping[str, tuple[tuple[str, ...], str]] = {
    "cancel": (ACTIVE, CANCELLED),  # the couple
    "confirm": ((BOOKED,), CONFIRMED),  # the office
    "no_show": (ACTIVE, NO_SHOW),  # the office, once the slot has started
    "register": (ACTIVE, REGISTERED),  # the office's counter: the on-site registration
}

# Not in 000: how far ahead a slot may be booked. An operator default, so offices see the demand
# of the coming weeks without holding places for months.
HORIZON_DAYS = 30
MAX_SLOTS = 12
MAX_PLACES = 50
WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO: 1 = Monday
TIME_RE = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
NUMBER_RE = re.compile(r"YY[0-9]{14}")
WEEKDAY_LABELS = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}


# -- errors (each a stable code and a Chinese message; nothing is written when one is raised) --------
class AppointmentsNotOffered(errors.Conflict):
    code = "APPOINTMENTS_NOT_OFFERED"
    default_message = "该省份不提供特殊情形再生育预约（三孩预约），请按本省规定到登记机构现场办理"


class NoCapacityPublished(errors.Conflict):
    code = "NO_CAPACITY_PUBLISHED"
    default_message = "该机构尚未公布预约时段，请选择其他乡（镇、街道）登记机构"


class SlotNotPublished(errors.Conflict):
    code = "SLOT_NOT_PUBLISHED"
    default_message = "所选时段不在该机构公布的预约时段内（非预约日、节假日或时段不存在）"


class SlotPast(errors.Conflict):
    code = "SLOT_PAST"
    default_message = "所选时段已开始或已过去，请选择以后的时段"


class SlotBeyondHorizon(errors.Conflict):
    code = "SLOT_BEYOND_HORIZON"
    default_message = f"只能预约{HORIZON_DAYS}天以内的时段"


class SlotFull(errors.Conflict):
    code = "SLOT_FULL"
    default_message = "所选时段已约满，请选择其他时段"


class SlotBusy(errors.Conflict):
    code = "SLOT_BUSY"
    default_message = "该时段正在被预约，请稍后重试"


class ActiveAppointmentExists(errors.Conflict):
    code = "ACTIVE_APPOINTMENT_EXISTS"
    default_message = "女方已有一个有效的预约，请先取消原预约后再预约"


class AppointmentNotFound(errors.NotFound):
    code = "APPOINTMENT_NOT_FOUND"
    default_message = "未找到该预约，请核对预约号和手机号"


class AppointmentNotActive(errors.Conflict):
    code = "APPOINTMENT_NOT_ACTIVE"
    default_message = "该预约当前状态不能进行此操作"


class SlotNotStarted(errors.Conflict):
    code = "SLOT_NOT_STARTED"
    default_message = "预约时段尚未开始，不能标记为未到场"


# -- capacity -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    start: str  # HH:MM, Asia/Shanghai
    end: str
    places: int

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "places": self.places}


@dataclass(frozen=True)
class Capacity:
    """What an office publishes (the ``appointment_capacity`` of its organisation information)."""

    weekdays: tuple[int, ...]
    slots: tuple[Slot, ...]

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any] | None) -> Capacity | None:
        if not raw:
            return None
        slots = tuple(sorted((Slot(s["start"], s["end"], int(s["places"])) for s in raw.get("slots", ())), key=lambda s: s.start))
        return cls(tuple(sorted(set(raw.get("weekdays", ())))), slots)

    def to_dict(self) -> dict[str, Any]:
        return {"weekdays": list(self.weekdays), "slots": [s.to_dict() for s in self.slots]}

    def slots_on(self, day: date, is_working_day: Callable[[date], bool]) -> tuple[Slot, ...]:
        """The slots of ``day``: none unless it is a published weekday and a working day."""
        if day.isoweekday() not in self.weekdays or not is_working_day(day):
            return ()
        return self.slots

    def slot(self, day: date, start: str, is_working_day: Callable[[date], bool]) -> Slot | None:
        return next((s for s in self.slots_on(day, is_working_day) if s.start == start), None)


def capacity_problems(raw: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """``(path, code, message)`` per rule the structure alone does not show: slots that end before
    they start or overlap, weekdays given twice. (The pydantic model checks types and ranges.)"""
    problems: list[tuple[str, str, str]] = []
    weekdays = list(raw.get("weekdays") or [])
    if len(set(weekdays)) != len(weekdays):
        problems.append(("weekdays", "DUPLICATE_WEEKDAY", "预约日不能重复"))
    slots = list(raw.get("slots") or [])
    for i, s in enumerate(slots):
        if s["start"] >= s["end"]:
            problems.append((f"slots.{i}.end", "SLOT_ENDS_BEFORE_START", "时段的结束时间须晚于开始时间"))
    ordered = sorted(range(len(slots)), key=lambda i: slots[i]["start"])
    for a, b in itertools.pairwise(ordered):
        if slots[b]["start"] < slots[a]["end"]:
            problems.append((f"slots.{b}.start", "SLOTS_OVERLAP", "预约时段不能重叠"))
    return problems


# -- booking rules ---------------------------------------------------------------------------------
def slot_start(day: date, slot: Slot) -> datetime:
    return datetime.combine(day, time.fromisoformat(slot.start), tzinfo=SHANGHAI)


def bookable(capacity: Capacity | None, day: date, start: str, *, now: datetime, is_working_day: Callable[[date], bool]) -> Slot:
    """The slot a couple may book, or the error saying why not."""
    if capacity is None or not capacity.slots:
        raise NoCapacityPublished(details=[errors.FieldError("office_code", "NO_CAPACITY_PUBLISHED", NoCapacityPublished.default_message)])
    slot = capacity.slot(day, start, is_working_day)
    if slot is None:
        raise SlotNotPublished(details=[errors.FieldError("start", "SLOT_NOT_PUBLISHED", SlotNotPublished.default_message)])
    if slot_start(day, slot) <= now:
        raise SlotPast(details=[errors.FieldError("date", "SLOT_PAST", SlotPast.default_message)])
    if day > now.astimezone(SHANGHAI).date() + timedelta(days=HORIZON_DAYS):
        raise SlotBeyondHorizon(details=[errors.FieldError("date", "SLOT_BEYOND_HORIZON", SlotBeyondHorizon.default_message)])
    return slot


def open_days(capacity: Capacity | None, first: date, days: int, *, now: datetime, is_working_day: Callable[[date], bool]) -> Iterable[tuple[date, Slot]]:
    """Every published slot from ``first`` for ``days`` days that has not started and lies within the horizon."""
    if capacity is None:
        return
    last = now.astimezone(SHANGHAI).date() + timedelta(days=HORIZON_DAYS)
    for offset in range(days):
        day = first + timedelta(days=offset)
        if day > last:
            return
        for slot in capacity.slots_on(day, is_working_day):
            if slot_start(day, slot) > now:
                yield day, slot


def next_status(current: str, action: str) -> str:
    """The status ``action`` leads to from ``current``; ``AppointmentNotActive`` if it may not."""
    allowed, target = _MOVES[action]
    if current not in allowed:
        raise AppointmentNotActive(f"该预约{STATUS_LABELS.get(current, current)}，不能进行此操作")
    return target


def new_number(today: date, digits: str) -> str:
    """预约号: ``YY`` + the booking day (yyyymmdd) + 6 random digits (given by the caller)."""
    return f"YY{today:%Y%m%d}{digits}"


# SMS texts: one segment (70 characters, adapters/sms.py), so the office is named on the page, not here.
def booked_sms(number: str, day: date, slot: Slot) -> str:
    return f"【生育登记】三孩预约成功，预约号{number}，{day:%m月%d日}{slot.start}，请夫妻双方携带身份证、结婚证到预约机构办理。"


def confirmed_sms(number: str, day: date, slot: Slot) -> str:
    return f"【生育登记】预约机构已确认您的三孩预约{number}（{day:%m月%d日}{slot.start}），请按时到场办理。"


def cancelled_sms(number: str) -> str:
    return f"【生育登记】您的三孩预约{number}已取消。"


__all__ = [
    "ACTIVE",
    "CITATION",
    "STATUSES",
    "Capacity",
    "Slot",
    "bookable",
    "capacity_problems",
    "next_status",
    "open_days",
]

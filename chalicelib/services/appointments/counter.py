"""The office's side of 三孩预约 (000 §2.1): the day's appointments in the queue, confirming one (SMS to
the couple), marking a no-show, and registering the couple on site from it.

Who: township operators granted ``onsite``. The appointment ends at their counter -- it is the
on-site registration (001 三(一)2 现场生育登记信息录入) booked ahead -- so the grant that allows that
registration allows handling its appointments; ``review`` is about online cases and does not.
The day's list, confirming and no-shows are the office's own (``auth.covers``); registering from an
appointment follows the on-site rule (``auth.reaches``: any counter of the province), since a couple
may arrive at another office of its province.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib import auth, config
from chalicelib.domain import appointments as rules
from chalicelib.domain import errors
from chalicelib.services.appointments import booking
from chalicelib.services.shared import outbox
from chalicelib.services.staff import accounts
from chalicelib.store import appointments as records
from chalicelib.store.repositories import appointments as store
from chalicelib.store.repositories import audit
from chalicelib.store.repositories import cases as case_store

_NOTE_TRIES = 3


def _own(principal: auth.StaffPrincipal, a_office: str) -> None:
    if not auth.covers(principal, a_office):
        raise errors.OutsideJurisdiction("只能处理本机构的预约")


def _get(number: str) -> records.Appointment:
    found = store.get(number) if isinstance(number, str) and rules.NUMBER_RE.fullmatch(number) else None
    if found is None:
        raise rules.AppointmentNotFound("未找到该预约")
    return found


def day_list(principal: auth.StaffPrincipal, office_code: str | None, day: str | None) -> dict[str, Any]:
    """The office's appointments of one day (today by default), by slot."""
    office = office_code or principal.office_code or ""
    _own(principal, office)
    booking.offering_profile(office, path="office")
    try:
        which = date.fromisoformat(day) if day else config.today()
    except ValueError:
        raise errors.ValidationFailed(details=[errors.FieldError("date", "INVALID_DATE", "日期格式应为 YYYY-MM-DD")]) from None
    found = store.day(office, which.isoformat())
    return {"office_code": office, "date": which.isoformat(), "appointments": [booking.describe(a, masked=False) for a in found]}


def get(principal: auth.StaffPrincipal, number: str) -> dict[str, Any]:
    """One appointment, the couple in clear (to pre-fill the on-site form)."""
    a = _get(number)
    if not auth.reaches(principal, a.office):
        raise errors.OutsideJurisdiction("该预约属于其他省份的登记机构")
    return booking.describe(a, masked=False)


def _move(principal: auth.StaffPrincipal, a: records.Appointment, action: str, *, sms: str | None) -> str:
    target = rules.next_status(a.status, action)
    at = config.now().isoformat(timespec="seconds")
    messages = [outbox.sms(booking.opened(a)["phone"], sms, event_id=f"sms:appointment:{a.number}:{action}", subject=a.number)] if sms else []
    moved = booking.moved(
        a, from_statuses=rules.ACTIVE if action != "confirm" else (rules.BOOKED,), to=target, at=at, by=principal.staff_id,
        release=target != rules.CONFIRMED, free_place=False, also=tuple(outbox.put_operation(m) for m in messages),
    )
    if not moved:
        raise rules.AppointmentNotActive()
    outbox.deliver_now(messages)
    audit.append(f"APPOINTMENT#{a.number}", actor=principal.staff_id, action=f"appointment.{action}", before={"status": a.status}, after={"status": target}, at=at)
    return target


def confirm(principal: auth.StaffPrincipal, number: str) -> dict[str, Any]:
    a = _get(number)
    _own(principal, a.office)
    _move(principal, a, "confirm", sms=rules.confirmed_sms(a.number, date.fromisoformat(a.day), rules.Slot(a.start, a.end, 0)))
    return booking.describe(_get(number), masked=False)


def no_show(principal: auth.StaffPrincipal, number: str) -> dict[str, Any]:
    """Once the slot has started and the couple did not come: the woman may book again."""
    a = _get(number)
    _own(principal, a.office)
    if config.now() < rules.slot_start(date.fromisoformat(a.day), rules.Slot(a.start, a.end, 0)):
        raise rules.SlotNotStarted()
    _move(principal, a, "no_show", sms=None)
    return booking.describe(_get(number), masked=False)


def register(principal: auth.StaffPrincipal, number: str, form: Any) -> dict[str, Any]:
    """The on-site registration of the appointment's couple: the form must name the same woman
    and man; the case and the appointment then point at each other (the appointment's ``case_id``,
    a note in the case's history)."""
    a = _get(number)
    if not auth.reaches(principal, a.office):
        raise errors.OutsideJurisdiction("该预约属于其他省份的登记机构")
    rules.next_status(a.status, "register")
    couple = booking.opened(a)
    mismatched = [
        errors.FieldError(f"{role}.id_number", "APPOINTMENT_COUPLE_MISMATCH", f"与预约{number}登记的{label}身份证号码不一致")
        for role, label in (("woman", "女方"), ("man", "男方"))
        if not isinstance(form, dict) or str(((form.get(role) or {}) if isinstance(form.get(role), dict) else {}).get("id_number", "")).upper() != couple[f"{role}_id"]
    ]
    if mismatched:
        raise errors.ValidationFailed(details=mismatched)
    result = accounts.register_onsite(form, principal)
    case_id = result["case_id"]
    _link(principal, a, case_id)
    _note_on_case(case_id, f"由三孩预约{number}（{a.day} {a.start}）现场登记", by=principal.staff_id)
    audit.append(
        f"CASE#{case_id}", actor=principal.staff_id, action="registration.onsite",
        after={"status": result.get("status"), "office_code": principal.office_code}, detail={"appointment_number": number},
    )
    return {**result, "appointment_number": number}


def _link(principal: auth.StaffPrincipal, a: records.Appointment, case_id: str) -> None:
    """The appointment becomes the case. The couple is registered at the counter whatever happened
    to the appointment meanwhile: cancelled or marked no-show in the same instant, it is linked
    all the same (its place and the woman's marker were released by that move already)."""
    at = config.now().isoformat(timespec="seconds")
    for statuses, release in ((rules.ACTIVE, True), ((rules.CANCELLED, rules.NO_SHOW), False)):
        change = {"from_statuses": statuses, "to": rules.REGISTERED, "at": at, "by": principal.staff_id, "case_id": case_id}
        if booking.moved(a, **change, release=release, free_place=False):
            audit.append(f"APPOINTMENT#{a.number}", actor=principal.staff_id, action="appointment.register", after={"status": rules.REGISTERED, "case_id": case_id}, at=at)
            return
    raise rules.AppointmentNotActive()


def _note_on_case(case_id: str, note: str, *, by: str) -> None:
    """The link in the case's history; the workflow may have moved the case meanwhile (reload)."""
    for _ in range(_NOTE_TRIES):
        case = case_store.get(case_id)
        try:
            case_store.transition(case, case.status, at=config.now().isoformat(timespec="seconds"), by=by, note=note)
            return
        except case_store.ConcurrentChange:
            continue
    raise case_store.ConcurrentChange(case_id)

"""The couple's side of 三孩预约 (000 §2.1 "特殊情形再生育预约（三孩预约）"): the free slots of an office,
booking one, viewing and cancelling it.

The couple identifies with a phone and its SMS code (purpose ``appointment``, services/shared/otp.py,
with the captcha as for a registration); the token's phone is the appointment's, and only that phone
(a new code) opens it again with the appointment number. Names, ID numbers and the phone are
sealed in the stored item (chalicelib/sealing.py), as the outbox seals the SMS it carries.
"""

from __future__ import annotations

import json
import secrets
from datetime import date, timedelta
from typing import Any

from chalicelib import config, sealing
from chalicelib.domain import appointments as rules
from chalicelib.domain import errors, idcard, regions
from chalicelib.domain.profiles import Profile, profile_for_province
from chalicelib.services.shared import outbox, working_calendar
from chalicelib.services.staff import organisations
from chalicelib.store import appointments as records
from chalicelib.store.repositories import appointments as store
from chalicelib.store.repositories import audit

SEALED = ("woman_name", "woman_id", "man_name", "man_id", "phone")
MAX_DAYS = 31
_NUMBER_TRIES = 3


# -- the office ---------------------------------------------------------------------------------
def offering_profile(office_code: str, *, path: str = "office_code") -> Profile:
    """The province profile of a township office that takes appointments; 404 for an unknown or
    non-township code, 409 ``APPOINTMENTS_NOT_OFFERED`` where the province has no 三孩预约."""
    code = regions.canonical(office_code) if isinstance(office_code, str) else None
    if code is None or regions.level_of(code) != "township":
        raise errors.NotFound("未找到该乡（镇、街道）登记机构", code="OFFICE_NOT_FOUND")
    profile = profile_for_province(code[:2])
    if profile is None or not profile.appointments:
        raise rules.AppointmentsNotOffered(details=[errors.FieldError(path, "APPOINTMENTS_NOT_OFFERED", rules.AppointmentsNotOffered.default_message)])
    return profile


def capacity_of(office: dict[str, Any]) -> rules.Capacity | None:
    return rules.Capacity.from_dict(office.get("appointment_capacity"))


def _public_office(office: dict[str, Any]) -> dict[str, Any]:
    keys = ("office_code", "region_name", "name", "address", "phone", "opening_hours")
    return {k: office.get(k) for k in keys}


def open_day(day: date) -> bool:
    """A day an office may receive appointments: a working day by the calendar's data. A year
    beyond chinese-calendar's data opens once the operator has entered its arrangement in the
    Holidays parameter (its holidays are not guessed from weekdays)."""
    calendar = working_calendar.calendar()
    return calendar.knows(day) and calendar.is_working_day(day)


def slots(office_code: str, *, first: date | None, days: int) -> dict[str, Any]:
    """The office's published slots from ``first`` (today) for ``days`` days, with the places
    still free; days without a slot (not published, holidays) are left out."""
    offering_profile(office_code)
    office = organisations.view(office_code)
    now = config.now()
    first = max(first or config.today(), config.today())
    days = max(1, min(days, MAX_DAYS))
    opening = list(rules.open_days(capacity_of(office), first, days, now=now, is_working_day=open_day))
    taken = store.taken(office["office_code"], first.isoformat(), (first + timedelta(days=days)).isoformat()) if opening else {}
    by_day: dict[str, list[dict[str, Any]]] = {}
    for day, slot in opening:
        used = taken.get((day.isoformat(), slot.start), 0)
        by_day.setdefault(day.isoformat(), []).append({**slot.to_dict(), "free": max(slot.places - used, 0)})
    return {
        "office": _public_office(office),
        "published": capacity_of(office) is not None,
        "days": [{"date": d, "slots": s} for d, s in by_day.items()],
        "horizon_days": rules.HORIZON_DAYS,
        "citation": rules.CITATION,
    }


# -- the couple ---------------------------------------------------------------------------------
def _checked_couple(body: dict[str, Any]) -> tuple[str, str]:
    today = config.today()
    problems: list[errors.FieldError] = []
    ids = {}
    for role, sex, label in (("woman", "female", "女方"), ("man", "male", "男方")):
        path = f"{role}.id_number"
        try:
            ids[role] = idcard.require_valid_id(body[role]["id_number"], path=path, today=today)
        except errors.ValidationFailed as exc:
            problems.extend(exc.details)
            continue
        if idcard.sex(ids[role]) != sex:
            problems.append(errors.FieldError(path, "ID_SEX_MISMATCH", f"{label}身份证号码的性别应为{'女' if sex == 'female' else '男'}"))
    if not problems and ids["woman"] == ids["man"]:
        problems.append(errors.FieldError("man.id_number", "SAME_ID_NUMBER", "男女双方身份证号码不能相同"))
    if problems:
        raise errors.ValidationFailed(details=problems)
    return ids["woman"], ids["man"]


def woman_key(woman_id: str) -> str:
    return config.keyed_hash("appointment-woman", woman_id.upper())


def opened(a: records.Appointment) -> dict[str, str]:
    """The couple's names, ID numbers and phone, opened."""
    stored = json.loads(a.sealed)
    return sealing.unseal(stored["fields"], a.number, stored["nonce"], SEALED)


def book(body: dict[str, Any], *, phone: str) -> dict[str, Any]:
    """``body``: validated by ``api/models.AppointmentBooking``; ``phone``: the SMS-verified token's."""
    offering_profile(body["office_code"])
    office = organisations.view(body["office_code"])
    woman_id, man_id = _checked_couple(body)
    day = date.fromisoformat(body["date"])
    now = config.now()
    slot = rules.bookable(capacity_of(office), day, body["start"], now=now, is_working_day=open_day)
    at = now.isoformat(timespec="seconds")
    fields = {"woman_name": body["woman"]["name"], "woman_id": woman_id, "man_name": body["man"]["name"], "man_id": man_id, "phone": phone}
    for _ in range(_NUMBER_TRIES):
        number = rules.new_number(config.today(), f"{secrets.randbelow(1_000_000):06d}")
        nonce = secrets.token_hex(8)
        appointment = records.Appointment(
            number, office["office_code"], day.isoformat(), slot.start, slot.end, rules.BOOKED, woman_key(woman_id),
            json.dumps({"nonce": nonce, "fields": sealing.seal(fields, number, nonce, SEALED)}), at, "citizen",
        )
        message = outbox.sms(phone, rules.booked_sms(number, day, slot), event_id=f"sms:appointment:{number}:booked", subject=number)
        try:
            store.book(appointment, places=slot.places, also=(outbox.put_operation(message),))
        except records.SlotTaken:
            raise rules.SlotFull(details=[errors.FieldError("start", "SLOT_FULL", rules.SlotFull.default_message)]) from None
        except records.SlotBusy:
            raise rules.SlotBusy(details=[errors.FieldError("start", "SLOT_BUSY", rules.SlotBusy.default_message)]) from None
        except records.WomanHasActive:
            raise rules.ActiveAppointmentExists(
                details=[errors.FieldError("woman.id_number", "ACTIVE_APPOINTMENT_EXISTS", rules.ActiveAppointmentExists.default_message)]
            ) from None
        except records.NumberTaken:
            continue
        outbox.deliver_now([message])
        audit.append(f"APPOINTMENT#{number}", actor="citizen", action="appointment.book", after={"office_code": appointment.office, "date": appointment.day, "start": slot.start}, at=at)
        return describe(appointment, masked=True)
    raise errors.Conflict("预约号生成冲突，请重试", code="APPOINTMENT_NUMBER_CONFLICT")


def moved(a: records.Appointment, **change: Any) -> bool:
    """``store.move`` (False: no longer in a status it may move from); 409 ``SLOT_BUSY`` if
    concurrent writes on its slot kept conflicting."""
    try:
        return store.move(a, **change)
    except records.SlotBusy:
        raise rules.SlotBusy() from None


def describe(a: records.Appointment, *, masked: bool) -> dict[str, Any]:
    """The appointment as the couple (``masked``) or the office's staff see it."""
    p = opened(a)
    office = organisations.view(a.office)

    def person(role: str) -> dict[str, str]:
        name, id_number = p[f"{role}_name"], p[f"{role}_id"]
        return {"name": idcard.mask_name(name), "id_number": idcard.mask_id(id_number)} if masked else {"name": name, "id_number": id_number}

    return {
        "appointment_number": a.number,
        "status": a.status,
        "status_label": rules.STATUS_LABELS[a.status],
        "office": _public_office(office),
        "date": a.day,
        "start": a.start,
        "end": a.end,
        "woman": person("woman"),
        "man": person("man"),
        "phone": idcard.mask_phone(p["phone"]) if masked else p["phone"],
        "case_id": a.case_id,
        "updated_at": a.at,
        "citation": rules.CITATION,
    }


def owned(number: str, phone: str) -> records.Appointment:
    """The appointment of this number booked with this phone; 404 otherwise (the same answer
    for a wrong number and someone else's, so numbers cannot be probed)."""
    found = store.get(number) if isinstance(number, str) and rules.NUMBER_RE.fullmatch(number) else None
    if found is None or not secrets.compare_digest(opened(found)["phone"], phone):
        raise rules.AppointmentNotFound()
    return found


def view(number: str, *, phone: str) -> dict[str, Any]:
    return describe(owned(number, phone), masked=True)


def cancel(number: str, *, phone: str) -> dict[str, Any]:
    """The couple cancels: the place returns to the slot, the woman may book again, an SMS says so."""
    a = owned(number, phone)
    target = rules.next_status(a.status, "cancel")
    at = config.now().isoformat(timespec="seconds")
    message = outbox.sms(phone, rules.cancelled_sms(number), event_id=f"sms:appointment:{number}:cancelled", subject=number)
    if not moved(a, from_statuses=rules.ACTIVE, to=target, at=at, by="citizen", release=True, free_place=True, also=(outbox.put_operation(message),)):
        raise rules.AppointmentNotActive()
    outbox.deliver_now([message])
    audit.append(f"APPOINTMENT#{number}", actor="citizen", action="appointment.cancel", before={"status": a.status}, after={"status": target}, at=at)
    return view(number, phone=phone)

"""三孩预约 through the local stack's API (000 §2.1): an office's administrator publishes capacity, a
couple books a slot with its SMS-verified phone."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Api, citizen_token, unique_phone
from tests.e2e.workflow_support import bearer

CAPACITY = {
    "weekdays": [1, 2, 3, 4, 5],
    "slots": [
        {"start": "09:00", "end": "10:00", "places": 3},
        {"start": "10:00", "end": "11:00", "places": 20},
        {"start": "14:00", "end": "15:00", "places": 20},
    ],
}
_admins: dict[str, str] = {}


def admin_token(api: Api, township: str) -> str:
    """The ID token of the township's administrator (created once per township)."""
    from tests.e2e.test_staff_console import _township_admin

    if township not in _admins:
        _admins[township] = _township_admin(api, township)[1]
    return _admins[township]


def publish_capacity(api: Api, township: str, capacity: dict[str, Any] = CAPACITY) -> dict[str, Any]:
    """The township's administrator publishes its capacity."""
    r = api.put(f"/v1/staff/offices/{township}", {"name": "计划生育服务站", "appointment_capacity": capacity}, headers=bearer(admin_token(api, township)))
    assert r.status == 200, r.body
    return r.body


def free_slots(api: Api, office: str, *, places: int = 1, start: str | None = None) -> list[tuple[str, str]]:
    """``(date, start)`` of the office's slots with at least ``places`` free, soonest first."""
    r = api.get(f"/v1/appointment-slots?office={office}&days=31")
    assert r.status == 200, r.body
    return [(d["date"], s["start"]) for d in r.body["days"] for s in d["slots"] if s["free"] >= places and (start is None or s["start"] == start)]


def booking_body(form: dict[str, Any], office: str, day: str, start: str) -> dict[str, Any]:
    """The booking of the couple of a registration form (the same names and ID numbers)."""
    person = {role: {"name": form[role]["name"], "id_number": form[role]["id_number"]} for role in ("woman", "man")}
    return {"office_code": office, "date": day, "start": start, **person}


def book(api: Api, form: dict[str, Any], office: str, *, phone: str | None = None, slot: tuple[str, str] | None = None):
    """Book the first free slot (or ``slot``) for the couple of ``form``; ``(response, phone, token)``."""
    phone = phone or unique_phone()
    token = citizen_token(api, phone, "appointment")
    day, start = slot or free_slots(api, office)[0]
    r = api.post("/v1/appointments", booking_body(form, office, day, start), headers={"X-Citizen-Token": token})
    return r, phone, token

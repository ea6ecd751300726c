"""特殊情形再生育预约（三孩预约） routes (000 §2.1), Sichuan only (the profile's ``appointments``).

| route | who | answer |
| --- | --- | --- |
| ``GET /v1/appointment-slots?office=&from=&days=`` | anyone | the office's published slots with free places |
| ``POST /v1/appointments`` | the couple (``X-Citizen-Token``, purpose ``appointment``) | the appointment; SMS with its number |
| ``GET /v1/appointments/{number}`` | the same phone (a new token) | the appointment, masked |
| ``POST /v1/appointments/{number}/cancellation`` | the same phone | cancelled; the place returns |
| ``GET /v1/staff/appointments?office=&date=`` | township operators with ``onsite`` | the office's day |
| ``GET /v1/staff/appointments/{number}`` | idem (any counter of the province) | one, to pre-fill the on-site form |
| ``POST /v1/staff/appointments/{number}/confirmation`` | idem (own office) | confirmed; SMS to the couple |
| ``POST /v1/staff/appointments/{number}/no-show`` | idem (own office, slot started) | marked 未到场 |
| ``POST /v1/staff/appointments/{number}/registration`` | idem (any counter of the province) | the on-site case, linked |

Services are imported when a route first runs (see api/citizen.py).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_body, request_body, route
from chalicelib.domain import errors

bp = Blueprint(__name__)
STAFF = ("staff",)
TOKEN = ("citizen_token",)
ONE = "/v1/staff/appointments/{number}"


def _query(name: str) -> str | None:
    value = (bp.current_request.query_params or {}).get(name)
    return value.strip() if value and value.strip() else None


def _phone() -> str:
    from chalicelib.services.shared import tokens

    token = (bp.current_request.headers.get("x-citizen-token") or "").strip()
    if not token:
        raise errors.TokenRequired(
            details=[errors.FieldError("headers.x-citizen-token", "MISSING", "请提供短信验证后获得的凭证（X-Citizen-Token 请求头）")],
        )
    return tokens.verify(token, "appointment")


def _operator():
    from chalicelib import auth

    principal = auth.current_staff(bp, auth.TOWNSHIP_OPERATOR)
    auth.require(principal, auth.ONSITE)
    return principal


def _no_store(body, status: int = 200) -> Response:
    return Response(body=body, status_code=status, headers={"Cache-Control": "no-store"})


# -- the couple ----------------------------------------------------------------------------------
@route(bp, "/v1/appointment-slots", methods=["GET"], statuses=(400, 404, 409))
def appointment_slots():
    """The free places of an office's published slots (三孩预约)."""
    from datetime import date

    from chalicelib.services.appointments import booking

    office = _query("office")
    if not office:
        raise errors.ValidationFailed(details=[errors.FieldError("office", "MISSING", "请选择登记机构")])
    try:
        first = date.fromisoformat(_query("from")) if _query("from") else None
        days = int(_query("days") or 14)
    except ValueError:
        raise errors.ValidationFailed(details=[errors.FieldError("from", "INVALID_DATE", "日期格式应为 YYYY-MM-DD，天数为整数")]) from None
    return _no_store(booking.slots(office, first=first, days=days))


@route(bp, "/v1/appointments", methods=["POST"], body="AppointmentBooking", status=201, security=TOKEN, statuses=(404, 409))
def book_appointment():
    """Book a slot (三孩预约); the SMS carries the appointment number."""
    from chalicelib.services.appointments import booking

    phone = _phone()
    result = booking.book(request_body(bp), phone=phone)
    return Response(
        body=result, status_code=201, headers={"Cache-Control": "no-store", "Location": f"/v1/appointments/{result['appointment_number']}"}
    )


@route(bp, "/v1/appointments/{number}", methods=["GET"], security=TOKEN)
def get_appointment(number: str):
    """The couple's appointment (by its number and the phone's SMS code)."""
    from chalicelib.services.appointments import booking

    return _no_store(booking.view(number, phone=_phone()))


@route(bp, "/v1/appointments/{number}/cancellation", methods=["POST"], body="NoBody", body_optional=True, security=TOKEN, statuses=(409,))
def cancel_appointment(number: str):
    """The couple cancels its appointment."""
    from chalicelib.services.appointments import booking

    phone = _phone()
    request_body(bp)
    return _no_store(booking.cancel(number, phone=phone))


# -- the office ------------------------------------------------------------------------------------
@route(bp, "/v1/staff/appointments", methods=["GET"], security=STAFF, statuses=(404, 409))
def office_appointments():
    """The office's appointments of a day."""
    from chalicelib.services.appointments import counter

    return _no_store(counter.day_list(_operator(), _query("office"), _query("date")))


@route(bp, ONE, methods=["GET"], security=STAFF)
def office_appointment(number: str):
    """One appointment with the couple in clear (pre-fills the on-site form)."""
    from chalicelib.services.appointments import counter

    return _no_store(counter.get(_operator(), number))


@route(bp, ONE + "/confirmation", methods=["POST"], body="NoBody", body_optional=True, security=STAFF, statuses=(409,))
def confirm_appointment(number: str):
    """The office confirms an appointment (SMS to the couple)."""
    from chalicelib.services.appointments import counter

    principal = _operator()
    request_body(bp)
    return _no_store(counter.confirm(principal, number))


@route(bp, ONE + "/no-show", methods=["POST"], body="NoBody", body_optional=True, security=STAFF, statuses=(409,))
def appointment_no_show(number: str):
    """The couple did not come."""
    from chalicelib.services.appointments import counter

    principal = _operator()
    request_body(bp)
    return _no_store(counter.no_show(principal, number))


@route(bp, ONE + "/registration", methods=["POST"], body="RegistrationForm", status=201, security=STAFF, statuses=(409,))
def register_from_appointment(number: str):
    """The on-site registration of the appointment's couple, linked to it."""
    from chalicelib.services.appointments import counter

    principal = _operator()
    result = counter.register(principal, number, json_body(bp))
    return Response(body=result, status_code=201, headers={"Location": f"/v1/registrations/{result['case_id']}"})

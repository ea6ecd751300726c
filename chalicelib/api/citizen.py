"""Citizen routes: precheck, SMS codes and captchas, submit, query, modify, proof uploads, rating.

Credentials arrive in headers: ``X-Citizen-Token`` (a token from ``POST /v1/sms-codes/verify``,
bound to one phone and one purpose), ``X-Query-Code`` (the case's 查询码), and
``Idempotency-Key`` (the client's key for a retried write).

Services (pydantic models, PynamoDB) are imported when a route first runs, not when the
API module loads: a cold container answering a health check, a captcha or an SMS code
does not pay for them. ``make bench`` reports both figures.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import json_body, request_body, route
from chalicelib.domain import errors

bp = Blueprint(__name__)
# The couple's credentials for one case: its query code, or a query token of its phone.
CASE = ("query_code", "citizen_token")


def _header(name: str) -> str | None:
    value = bp.current_request.headers.get(name)
    return value.strip() if value and value.strip() else None


def _token() -> str | None:
    return _header("x-citizen-token")


def _required_token() -> str:
    token = _token()
    if not token:
        raise errors.TokenRequired(
            details=[errors.FieldError("headers.x-citizen-token", "MISSING", "请提供短信验证后获得的凭证（X-Citizen-Token 请求头）")],
        )
    return token


def _client_ip() -> str | None:
    return ((bp.current_request.context or {}).get("identity") or {}).get("sourceIp")


def _created(body: dict[str, Any], *, replayed: bool = False, location: str | None = None, status: int = 201) -> Response:
    headers = {"Location": location} if location else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(body=body, status_code=status, headers=headers)


def _private(body: dict[str, Any]) -> Response:
    # A case view can carry presigned links to the certificate PDF (names, addresses): no cache
    # may keep it (issue 12).
    return Response(body=body, status_code=200, headers={"Cache-Control": "no-store"})


# -- precheck ---------------------------------------------------------------------------
@route(bp, "/v1/precheck", methods=["POST"], body="RegistrationForm")
def precheck():
    from chalicelib.services.citizen import registration

    return registration.precheck(json_body(bp))


@route(bp, "/v1/form-rules", methods=["GET"])
def form_rules():
    """The checks the portal runs on each step, with the server's messages (one source)."""
    from chalicelib.domain.form_rules import client_rules

    return Response(body=client_rules(), status_code=200, headers={"Cache-Control": "public, max-age=300"})


@route(bp, "/v1/profiles", methods=["GET"])
def profiles():
    """Each province's rules summary and wording (portal names, certificate name, examples)."""
    from chalicelib.domain.profiles import PROFILES

    body = {"profiles": [p.to_dict() for p in PROFILES.values()]}
    return Response(body=body, status_code=200, headers={"Cache-Control": "public, max-age=300"})


# -- verification: captcha and SMS codes -----------------------------------------------------
@route(bp, "/v1/captchas", methods=["POST"], body="CaptchaRequest", body_optional=True, status=201, statuses=(429,))
def new_captcha():
    from chalicelib.services.shared import captcha

    # {"kind": "text"}: the accessible question instead of the image (services/shared/captcha.py)
    return Response(body=captcha.create(request_body(bp)), status_code=201, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/sms-codes", methods=["POST"], body="SmsCodeRequest", status=202, statuses=(429,))
def request_sms_code():
    from chalicelib.services.shared import otp

    return Response(body=otp.request_code(request_body(bp), client_ip=_client_ip()), status_code=202)


@route(bp, "/v1/sms-codes/verify", methods=["POST"], body="SmsCodeVerify", statuses=(429,))
def verify_sms_code():
    from chalicelib.services.shared import otp

    return Response(body=otp.verify_code(request_body(bp)), status_code=200, headers={"Cache-Control": "no-store"})


# -- registrations ------------------------------------------------------------------------------
@route(
    bp,
    "/v1/registrations",
    methods=["POST"],
    body="RegistrationForm",
    status=201,
    security=("citizen_token",),
    headers=("idempotency_key",),
    statuses=(409, 429),
)
def submit():
    from chalicelib.services.citizen import registration
    from chalicelib.services.shared import idempotency, tokens

    phone = tokens.verify(_required_token(), "submit")
    key = idempotency.validate_key(_header("idempotency-key"))
    result, replayed = registration.submit_online(json_body(bp), phone=phone, idempotency_key=key)
    return _created(result, replayed=replayed, location=f"/v1/registrations/{result['case_id']}")


@route(bp, "/v1/registrations/{case_id}", methods=["GET"], security=CASE, statuses=(429,))
def get_registration(case_id: str):
    from chalicelib.services.citizen import access, view

    case = access.authorize(case_id, query_code=_header("x-query-code"), token=_token())
    return _private(view.citizen_view(case))


@route(
    bp, "/v1/registrations/{case_id}", methods=["PUT"], body="RegistrationForm", security=CASE, headers=("idempotency_key?",), statuses=(409, 429)
)
def modify_registration(case_id: str):
    from chalicelib.services.citizen import modification
    from chalicelib.services.shared import idempotency

    key = idempotency.validate_key(_header("idempotency-key"), required=False)
    body = json_body(bp)
    result, replayed = modification.modify(
        case_id, body, query_code=_header("x-query-code"), token=_token(), idempotency_key=key
    )
    return _created(result, replayed=replayed, status=200)


@route(bp, "/v1/registrations/{case_id}/sms-codes", methods=["POST"], body="CaseSmsCodeRequest", status=202, security=("query_code",), statuses=(429,))
def request_case_sms_code(case_id: str):
    """An SMS code to the case's registered phone, for a couple that came in by 查询码 + 姓名."""
    from chalicelib.services.citizen import access

    result = access.send_code_to_case(case_id, _header("x-query-code"), request_body(bp), client_ip=_client_ip())
    return Response(body=result, status_code=202)


@route(bp, "/v1/registrations/{case_id}/sms-codes/verify", methods=["POST"], body="CaseSmsCodeVerify", security=("query_code",), statuses=(429,))
def verify_case_sms_code(case_id: str):
    from chalicelib.services.citizen import access

    result = access.verify_code_for_case(case_id, _header("x-query-code"), request_body(bp))
    return Response(body=result, status_code=200, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/registrations/{case_id}/form", methods=["GET"], security=("citizen_token",), statuses=(409, 429))
def get_registration_form(case_id: str):
    """The owner's editable form, unmasked, for 修改/补充完善 (Cache-Control: no-store): only to a
    session that proved the registered phone by SMS (and its query code, when it came in by one)."""
    from chalicelib.services.citizen import modification

    form = modification.editable_form(case_id, query_code=_header("x-query-code"), token=_token())
    return Response(body=form, status_code=200, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/registrations/{case_id}/uploads", methods=["POST"], body="UploadRequest", status=201, security=CASE, statuses=(409, 429))
def new_upload(case_id: str):
    from chalicelib.services.citizen import uploads

    result = uploads.presign(case_id, request_body(bp), query_code=_header("x-query-code"), token=_token())
    return Response(body=result, status_code=201, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/registrations/{case_id}/rating", methods=["POST"], body="Rating", status=201, security=CASE, statuses=(409, 429))
def rate_registration(case_id: str):
    from chalicelib.services.citizen import ratings

    return _created(ratings.rate(case_id, request_body(bp), query_code=_header("x-query-code"), token=_token()))


# -- case query (办件查询) ---------------------------------------------------------------------------
@route(bp, "/v1/case-queries/by-phone", methods=["POST"], body="NoBody", body_optional=True, security=("citizen_token",), statuses=(429,))
def query_by_phone():
    from chalicelib.services.citizen import query

    request_body(bp)
    return _private(query.by_phone(_required_token()))


@route(bp, "/v1/case-queries/by-ids", methods=["POST"], body="CoupleIdsQuery", security=("citizen_token",), statuses=(429,))
def query_by_ids():
    from chalicelib.services.citizen import query

    token = _required_token()
    return _private(query.by_ids(token, request_body(bp)))


@route(bp, "/v1/case-queries/by-query-code", methods=["POST"], body="QueryCodeQuery", statuses=(404, 429))
def query_by_query_code():
    from chalicelib.services.citizen import query

    return _private(query.by_query_code(request_body(bp), client_ip=_client_ip()))

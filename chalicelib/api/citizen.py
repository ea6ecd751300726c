"""Citizen routes: precheck, submit, query a case.

Services (pydantic models, PynamoDB) are imported when a route first runs, not when the
API module loads: a cold container answering a health check, a captcha or an SMS code
does not pay for them. ``make bench`` reports both figures.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_body, route
from chalicelib.domain import errors

bp = Blueprint(__name__)


@route(bp, "/v1/precheck", methods=["POST"])
def precheck():
    from chalicelib.services import registration

    return registration.precheck(json_body(bp))


@route(bp, "/v1/registrations", methods=["POST"])
def submit():
    from chalicelib.services import registration

    result = registration.submit(json_body(bp))
    return Response(body=result, status_code=201, headers={"Location": f"/v1/registrations/{result['case_id']}"})


@route(bp, "/v1/registrations/{case_id}", methods=["GET"])
def get_registration(case_id: str):
    from chalicelib.services import registration

    code = bp.current_request.headers.get("x-query-code") or ""
    if not code:
        raise errors.ValidationFailed(
            details=[errors.FieldError("headers.x-query-code", "MISSING", "请提供查询码（X-Query-Code 请求头）")]
        )
    case = registration.load_for_citizen(case_id, code)
    return registration.citizen_view(case)

"""Citizen routes: precheck, submit, query a case."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import json_body, route
from chalicelib.domain import errors
from chalicelib.services import registration

bp = Blueprint(__name__)


@route(bp, "/v1/precheck", methods=["POST"])
def precheck():
    return registration.precheck(json_body(bp))


@route(bp, "/v1/registrations", methods=["POST"])
def submit():
    result = registration.submit(json_body(bp))
    return Response(body=result, status_code=201, headers={"Location": f"/v1/registrations/{result['case_id']}"})


@route(bp, "/v1/registrations/{case_id}", methods=["GET"])
def get_registration(case_id: str):
    code = bp.current_request.headers.get("x-query-code") or ""
    if not code:
        raise errors.ValidationFailed(
            details=[errors.FieldError("headers.x-query-code", "MISSING", "请提供查询码（X-Query-Code 请求头）")]
        )
    case = registration.load_for_citizen(case_id, code)
    return registration.citizen_view(case)

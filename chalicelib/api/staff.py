"""Staff routes: sign-in, review tasks (callback links), work queue, statistics, on-site entry, accounts.

Every route but sign-in needs ``Authorization: Bearer <ID token>`` (``chalicelib.auth``); every
query is limited to the caller's jurisdiction and every action is appended to the audit log.
The task link sent to an office, ``/staff/tasks/{task_id}``, is served here as well (JSON) so a
link opened against the API works without the web front end.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import json_body, request_body, route
from chalicelib.domain import errors

bp = Blueprint(__name__)
STAFF = ("staff",)


def _query(name: str) -> str | None:
    params = bp.current_request.query_params or {}
    value = params.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _int_query(name: str, default: int | None) -> int | None:
    value = _query(name)
    if value is None:
        return default
    if not value.isdigit():
        raise errors.ValidationFailed(details=[errors.FieldError(name, "WRONG_TYPE", "须为正整数")])
    return int(value)


def _staff(*roles: str, operation: str | None = None):
    """The signed-in staff member (one of ``roles``), granted ``operation`` if one is named."""
    from chalicelib import auth

    principal = auth.current_staff(bp, *roles)
    if operation is not None:
        auth.require(principal, operation)
    return principal


# -- sign-in --------------------------------------------------------------------------------
@route(bp, "/v1/staff/login", methods=["POST"], body="StaffLogin", statuses=(401, 429))
def login():
    from chalicelib.services.staff import accounts as staff

    return Response(body=staff.login(request_body(bp)), status_code=200, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/login/new-password", methods=["POST"], body="StaffNewPassword", statuses=(401, 429))
def new_password():
    from chalicelib.services.staff import accounts as staff

    return Response(body=staff.complete_new_password(request_body(bp)), status_code=200, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/login/mfa-setup", methods=["POST"], body="StaffMfaCode", statuses=(401, 429))
def mfa_setup():
    from chalicelib.services.staff import accounts as staff

    return Response(body=staff.mfa_setup(request_body(bp)), status_code=200, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/login/mfa", methods=["POST"], body="StaffMfaCode", statuses=(401, 429))
def mfa():
    from chalicelib.services.staff import accounts as staff

    return Response(body=staff.mfa(request_body(bp)), status_code=200, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/me", methods=["GET"], security=STAFF)
def me():
    from chalicelib.services.staff import accounts as staff

    return staff.staff_view(_staff())


# -- review tasks ---------------------------------------------------------------------------
@route(bp, "/v1/staff/tasks", methods=["GET"], security=STAFF)
def work_queue():
    from chalicelib.services.workflow import review

    overdue = _query("overdue")
    if overdue not in (None, "true", "false"):
        raise errors.ValidationFailed(details=[errors.FieldError("overdue", "INVALID_ENUM", "取值无效，可选值：true、false")])
    return review.work_queue(
        _staff(operation="review"),
        office=_query("office"),
        limit=_int_query("limit", 20),
        cursor=_query("cursor"),
        overdue=None if overdue is None else overdue == "true",
        status=_query("status") or "open",
        stage=_query("stage"),
    )


@route(bp, "/v1/staff/cases/search", methods=["POST"], body="CaseSearch", security=STAFF, statuses=(404,))
def search_cases():
    """Find a case in one's jurisdiction by case id or either spouse's ID number (003 V(D))."""
    from chalicelib import auth
    from chalicelib.services.staff import search

    principal = _staff(*auth.CASE_ROLES, operation=auth.REVIEW)
    return Response(body=search.search(principal, request_body(bp)), status_code=200, headers={"Cache-Control": "no-store"})


def _view(task_id: str) -> dict[str, Any]:
    from chalicelib.services.workflow import review

    return review.task_view(task_id, _staff(operation="review"))


def _decide(task_id: str) -> dict[str, Any]:
    from chalicelib.services.workflow import review

    principal = _staff(operation="review")
    body = request_body(bp)
    return review.decide(
        task_id,
        body.get("decision"),
        staff_id=principal.staff_id,
        reason=body.get("reason"),
        documents=body.get("documents"),
        principal=principal,
    )


@route(bp, "/v1/staff/tasks/{task_id}", methods=["GET"], security=STAFF)
def view_task(task_id: str):
    return _view(task_id)


@route(bp, "/v1/staff/tasks/{task_id}", methods=["POST"], body="ReviewDecision", security=STAFF, statuses=(409, 422))
def decide_task(task_id: str):
    return _decide(task_id)


@route(bp, "/staff/tasks/{task_id}", methods=["GET"], security=STAFF)
def view_task_link(task_id: str):
    return _view(task_id)


@route(bp, "/staff/tasks/{task_id}", methods=["POST"], body="ReviewDecision", security=STAFF, statuses=(409, 422))
def decide_task_link(task_id: str):
    return _decide(task_id)


# -- statistics -----------------------------------------------------------------------------
@route(bp, "/v1/staff/statistics", methods=["GET"], security=STAFF)
def statistics_report():
    return _statistics("statistics.view")


@route(bp, "/v1/staff/statistics/export", methods=["GET"], security=STAFF)
def statistics_export():
    """The statistics report as CSV (query: region, year), the same figures as the JSON."""
    from chalicelib.services.shared import statistics

    report = _statistics("statistics.export")
    name = f"statistics-{report['region']['code']}-{report['year']}.csv"
    return Response(
        body=statistics.report_csv(report),
        status_code=200,
        headers={"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _statistics(action: str) -> dict[str, Any]:
    from chalicelib import auth, config
    from chalicelib.domain import regions
    from chalicelib.services.shared import statistics
    from chalicelib.store.repositories import audit
    from chalicelib.store.repositories import tasks as task_store

    principal = _staff(*auth.CASE_ROLES, operation=auth.STATISTICS)
    requested = _query("region")
    region = (regions.canonical(requested) if requested else principal.unit_code) or ""
    if not auth.covers(principal, region):
        raise errors.OutsideJurisdiction("只能查看本辖区的统计")
    year = _int_query("year", None)
    if year is not None and not 2000 <= year <= 2100:
        raise errors.ValidationFailed(details=[errors.FieldError("year", "OUT_OF_RANGE", "年份无效")])
    now = config.now().isoformat(timespec="seconds")
    report = statistics.report(region, year=year, overdue_open=task_store.count_overdue(region, now))
    if len(region) == 9:
        # A township office's ratings straight from its cases (services/citizen/ratings.py, one Query).
        from chalicelib.services.citizen import ratings

        report["ratings"] = ratings.summary(region)
    audit.append(f"STAFF#{principal.staff_id}", actor=principal.staff_id, action=action, detail={"region": region, "year": report["year"]})
    return report


# -- on-site registration (001 三(一)2 现场生育登记信息录入) ---------------------------------------
@route(bp, "/v1/staff/registrations", methods=["POST"], body="RegistrationForm", status=201, security=STAFF, statuses=(409,))
def onsite_registration():
    from chalicelib import auth
    from chalicelib.services.staff import accounts as staff
    from chalicelib.store.repositories import audit

    principal = _staff(auth.TOWNSHIP_OPERATOR, operation=auth.ONSITE)
    result = staff.register_onsite(
        json_body(bp), principal
    )
    audit.append(
        f"CASE#{result['case_id']}",
        actor=principal.staff_id,
        action="registration.onsite",
        after={"status": result.get("status"), "office_code": principal.office_code},
    )
    return Response(body=result, status_code=201, headers={"Location": f"/v1/registrations/{result['case_id']}"})


# -- a case at the office: print its certificate, file the signed 登记表 (issue 14) -------------------
@route(bp, "/v1/staff/cases/{case_id}/certificate-prints", methods=["POST"], status=201, security=STAFF, statuses=(409, 410))
def print_certificate(case_id: str):
    """001 三(一)3 业务人员可帮助打印“电子生育服务证”: the registered case's certificate PDF, audited."""
    from chalicelib.services.certificates import printing

    result = printing.print_for_couple(case_id, _staff())
    return Response(body=result, status_code=201, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/{case_id}/registration-form", methods=["POST"], body="RegistrationFormScan", status=201, security=STAFF, statuses=(409,))
def upload_registration_form(case_id: str):
    """002 五(二)5 工作人员扫描上传《登记表》: a presigned POST for the scan of an on-site case."""
    from chalicelib import auth
    from chalicelib.services.staff import registration_forms

    principal = _staff(auth.TOWNSHIP_OPERATOR, operation=auth.ONSITE)
    body = request_body(bp)
    return Response(body=registration_forms.presign(case_id, body, principal), status_code=201, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/{case_id}/registration-form", methods=["GET"], security=STAFF)
def registration_form_scans(case_id: str):
    """The case archive's 《登记表》 scans, each accepted one with a short-lived link."""
    from chalicelib import auth
    from chalicelib.services.staff import registration_forms

    result = registration_forms.scans(case_id, _staff(*auth.CASE_ROLES))
    return Response(body=result, status_code=200, headers={"Cache-Control": "no-store"})


# -- accounts (001 一(二)1, 三(二)3) --------------------------------------------------------------
@route(bp, "/v1/staff/accounts", methods=["POST"], body="StaffAccount", status=201, security=STAFF, statuses=(409,))
def create_account():
    from chalicelib import auth
    from chalicelib.services.staff import accounts as staff

    result = staff.create_account(_staff(auth.ADMIN), request_body(bp))
    return Response(body=result, status_code=201, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/accounts", methods=["GET"], security=STAFF)
def list_accounts():
    """The accounts the administrator manages (query: limit, cursor)."""
    from chalicelib import auth
    from chalicelib.services.staff import accounts as staff

    return staff.list_accounts(_staff(auth.ADMIN), limit=_int_query("limit", 50), cursor=_query("cursor"))


@route(bp, "/v1/staff/accounts/{username}", methods=["GET"], security=STAFF)
def get_account(username: str):
    from chalicelib import auth
    from chalicelib.services.staff import accounts as staff

    return staff.get_account(_staff(auth.ADMIN), username)


@route(bp, "/v1/staff/accounts/{username}", methods=["PATCH"], body="StaffAccountUpdate", security=STAFF)
def update_account(username: str):
    """Edit an account's 附件2 data and operation grants."""
    from chalicelib import auth
    from chalicelib.services.staff import accounts as staff

    principal = _staff(auth.ADMIN)
    return staff.update_account(principal, username, request_body(bp))


@route(bp, "/v1/staff/accounts/{username}/disable", methods=["POST"], security=STAFF)
def disable_account(username: str):
    from chalicelib import auth
    from chalicelib.services.staff import accounts as staff

    return staff.set_enabled(_staff(auth.ADMIN), username, False)


@route(bp, "/v1/staff/accounts/{username}/enable", methods=["POST"], security=STAFF)
def enable_account(username: str):
    from chalicelib import auth
    from chalicelib.services.staff import accounts as staff

    return staff.set_enabled(_staff(auth.ADMIN), username, True)

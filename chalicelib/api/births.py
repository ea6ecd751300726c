"""Birth medical certificate (出生医学证明) e-licence routes (issue 16; seed 003 parts 一 to 四).

| route | who | what |
| --- | --- | --- |
| ``POST /v1/staff/births`` | medical_institution | enter and sign a birth (003 一(一)1) |
| ``GET /v1/staff/births?status=`` | medical_institution | the institution's births (``entered``: awaiting claim) |
| ``GET /v1/staff/births/{birth_id}`` | medical_institution | the record, its signed versions, history |
| ``PUT /v1/staff/births/{birth_id}`` | medical_institution | a correction: a new signed version |
| ``POST /v1/staff/births/{birth_id}/review`` | medical_institution | completeness review: one notice, or issue (003 一(一)3, 三) |
| ``GET /v1/staff/births/{birth_id}/certificate`` | medical_institution | the e-licence and its PDF link (print) |
| ``POST /v1/staff/births/{birth_id}/stamp-check`` | medical_institution | the scanned QR against the record (003 一(一)4) |
| ``POST /v1/staff/birth-certificates/{number}/reissue-scans`` | medical_institution, county_monitor (``birth_reissue``) | a presigned upload of a scan of the written application (003 四(一), 四(二)1) |
| ``POST /v1/staff/birth-certificates/{number}/reissue`` | medical_institution, county_monitor (``birth_reissue``) | reissue, the original invalidated (003 四) |
| ``POST /v1/births`` | parent: ``X-Citizen-Token`` (purpose ``birth``) | declare and claim a birth outside an institution (003 二(一)1) |
| ``GET /v1/births/issuers?county=`` | anyone | the issuing institutions of a county (for the declaration) |
| ``POST /v1/births/{birth_id}/claim`` | parent: ``X-Citizen-Token`` (purpose ``birth``) | claim (003 一(一)2) |
| ``GET /v1/births/{birth_id}`` | the claimant's token | status, missing materials, the notice, PDF link |
| ``POST /v1/births/{birth_id}/uploads`` | the claimant's token | a presigned upload of one material |
| ``GET /v1/births/verify/{token}`` (and ``/vb/{token}``, the QR URL) | anyone | valid / revoked, no personal data |
| ``GET /v1/births/revocations?limit=&cursor=`` | anyone | the invalidated e-licences, a page at a time |

Services are imported when a route first runs (see api/citizen.py).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import request_body, route

bp = Blueprint(__name__)
STAFF = ("staff",)
CITIZEN = ("citizen_token",)


def _json(body, *, status: int = 200, cache: str = "no-store") -> Response:
    return Response(
        body=body, status_code=status, headers={"Content-Type": "application/json; charset=utf-8", "Cache-Control": cache}
    )


def _institution():
    from chalicelib import auth
    from chalicelib.services.births import records

    return records.offered(auth.current_staff(bp, auth.MEDICAL_INSTITUTION))


def _token() -> str | None:
    return bp.current_request.headers.get("x-citizen-token") or None


# -------------------------------------------------------------------------------- institution
@route(bp, "/v1/staff/births", methods=["POST"], body="BirthEntry", status=201, security=STAFF)
def enter_birth():
    from chalicelib.services.births import entry

    staff = _institution()
    return _json(entry.enter(request_body(bp), staff), status=201)


@route(bp, "/v1/staff/births", methods=["GET"], security=STAFF)
def list_births():
    from chalicelib.services.births import entry

    status = (bp.current_request.query_params or {}).get("status") or None
    return _json(entry.list_births(_institution(), status=status))


@route(bp, "/v1/staff/births/{birth_id}", methods=["GET"], security=STAFF)
def view_birth(birth_id: str):
    from chalicelib.services.births import entry

    return _json(entry.view(birth_id, _institution()))


@route(bp, "/v1/staff/births/{birth_id}", methods=["PUT"], body="BirthCorrection", security=STAFF, statuses=(409,))
def correct_birth(birth_id: str):
    from chalicelib.services.births import entry

    staff = _institution()
    return _json(entry.correct(birth_id, request_body(bp), staff))


@route(bp, "/v1/staff/births/{birth_id}/review", methods=["POST"], security=STAFF, statuses=(409,))
def review_birth(birth_id: str):
    from chalicelib.services.births import issuance

    result = issuance.review(birth_id, _institution())
    return _json(result, status=202 if result["result"] == "issuing" else 200)


@route(bp, "/v1/staff/births/{birth_id}/certificate", methods=["GET"], security=STAFF)
def birth_certificate(birth_id: str):
    from chalicelib.services.births import issuance, records

    item = records.own(birth_id, _institution())
    view = issuance.certificate_view(item)
    if view is None:
        raise records.WrongStatus("该记录尚未签发")
    return _json(view)


@route(bp, "/v1/staff/births/{birth_id}/stamp-check", methods=["POST"], body="StampCheck", security=STAFF, statuses=(409, 503))
def stamp_check(birth_id: str):
    from chalicelib.services.births import verification

    staff = _institution()
    return _json(verification.stamp_check(birth_id, request_body(bp), staff))


def _reissuer():
    """The issuing institution, or the county department of the original issuer (003 四(二)1)."""
    from chalicelib import auth
    from chalicelib.services.births import records

    return records.offered(auth.current_staff(bp, auth.MEDICAL_INSTITUTION, auth.COUNTY_MONITOR))


@route(bp, "/v1/staff/birth-certificates/{number}/reissue-scans", methods=["POST"], body="UploadRequest", status=201, security=STAFF, statuses=(409, 422))
def reissue_scan(number: str):
    from chalicelib.services.births import reissue

    staff = _reissuer()
    return _json(reissue.presign_scan(number, request_body(bp), staff), status=201)


@route(bp, "/v1/staff/birth-certificates/{number}/reissue", methods=["POST"], body="BirthReissue", status=202, security=STAFF, statuses=(409,))
def reissue(number: str):
    from chalicelib.services.births import reissue

    staff = _reissuer()
    return _json(reissue.reissue(number, request_body(bp), staff), status=202)


# -------------------------------------------------------------------------------- parents
@route(bp, "/v1/births/{birth_id}/claim", methods=["POST"], body="BirthClaim", status=201, security=CITIZEN, statuses=(409,))
def claim(birth_id: str):
    from chalicelib.services.births import claims

    body = request_body(bp)
    return _json(claims.claim(birth_id, body, token=_token()), status=201)


@route(bp, "/v1/births", methods=["POST"], body="BirthDeclaration", status=201, security=CITIZEN, statuses=(403,))
def declare_birth():
    from chalicelib.services.births import declarations

    body = request_body(bp)
    return _json(declarations.declare(body, token=_token()), status=201)


@route(bp, "/v1/births/issuers", methods=["GET"], headers=("county",), statuses=(403,))
def birth_issuers():
    from chalicelib.services.births import declarations

    county = (bp.current_request.query_params or {}).get("county")
    return _json(declarations.issuers(county), cache="public, max-age=300")


@route(bp, "/v1/births/{birth_id}", methods=["GET"], security=CITIZEN)
def birth_status(birth_id: str):
    from chalicelib.services.births import claims

    return _json(claims.status(birth_id, token=_token()))


@route(bp, "/v1/births/{birth_id}/uploads", methods=["POST"], body="UploadRequest", status=201, security=CITIZEN, statuses=(409, 422))
def upload_material(birth_id: str):
    from chalicelib.services.births import materials

    body = request_body(bp)
    return _json(materials.presign(birth_id, body, token=_token()), status=201)


# -------------------------------------------------------------------------------- anyone
@route(bp, "/v1/births/verify/{token}", methods=["GET"], statuses=(503,))
def verify_birth(token: str):
    from chalicelib.services.births import verification

    return _json(verification.public_view(token))


@route(bp, "/vb/{token}", methods=["GET"], statuses=(503,))
def verify_birth_qr(token: str):
    # The URL printed in the QR code; the web front end serves it, the API answers it too (as /v/).
    from chalicelib.services.births import verification

    return _json(verification.public_view(token))


@route(bp, "/v1/births/revocations", methods=["GET"], headers=("limit?", "cursor?"))
def birth_revocations():
    from chalicelib.services.births import verification

    params = bp.current_request.query_params or {}
    return _json(verification.revocations(limit=params.get("limit"), cursor=params.get("cursor")), cache="public, max-age=60")

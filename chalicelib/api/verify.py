"""Certificate verification routes: the QR code's public check, the full view, revocations, the
published keys, the couple's list of verifications, and what staff record on certificates.

| route | who | answer |
| --- | --- | --- |
| ``GET /.well-known/jwks.json`` | anyone | the public keys of the QR tokens (JWK Set) |
| ``GET /v1/verify/{token}`` (and ``/v/{token}``, the QR URL) | anyone | 200 ``result`` valid / revoked / unknown / invalid |
| ``POST /v1/verify/{token}/full`` | both ID numbers + ``X-Citizen-Token`` (purpose verify) | 200 details + PDF link; 400 / 401 / 403 / 404 / 410 |
| ``GET /v1/certificates/revocations`` | anyone | the revocation list (``?since=`` ISO time) |
| ``GET /v1/certificates/{registration_number}/status?token=`` | holder of the QR token | valid / revoked; 404 unknown or another certificate's token |
| ``POST /v1/certificates/verification`` | registration number + both ID numbers | 200 public facts + masked couple; 404 not matched |
| ``GET /v1/registrations/{case_id}/verifications`` | ``X-Query-Code`` or ``X-Citizen-Token`` (query) | who verified the case's certificates, when |
| ``GET /v1/staff/certificates/{registration_number}`` | staff: medical_institution, township_operator | the certificate (masked) |
| ``GET /v1/staff/certificate-scans/{token}`` | staff: medical_institution, township_operator | the same, from the QR code's token |
| ``POST /v1/staff/certificates/{registration_number}/birth`` | staff: medical_institution | record birth date and sex |
| ``POST /v1/staff/cases/{case_id}/paper-certificate`` | staff: township_operator | record a paper certificate |

Services are imported when a route first runs (see api/citizen.py).
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.api.http import request_body, route

bp = Blueprint(__name__)
STAFF = ("staff",)

MEDICAL_INSTITUTION = "medical_institution"
TOWNSHIP_OPERATOR = "township_operator"


def _json(body, *, status: int = 200, cache: str = "no-store") -> Response:
    return Response(
        body=body,
        status_code=status,
        headers={"Content-Type": "application/json; charset=utf-8", "Cache-Control": cache},
    )


@route(bp, "/.well-known/jwks.json", methods=["GET"], statuses=(503,))
def jwks():
    from chalicelib.adapters import signing
    from chalicelib.services.certificates.verification import VerificationUnavailable

    try:
        keys = signing.jwks()
    except signing.KeyUnavailable:
        raise VerificationUnavailable() from None
    return _json(keys, cache="public, max-age=3600")


@route(bp, "/v1/verify/{token}", methods=["GET"])
def verify_public(token: str):
    from chalicelib.services.certificates import verification

    return _json(verification.public_view(token))


@route(bp, "/v/{token}", methods=["GET"])
def verify_qr(token: str):
    # The URL printed in the QR code; the web front end serves it in production, the API answers
    # it too so a scan works against the local stack.
    from chalicelib.services.certificates import verification

    return _json(verification.public_view(token))


@route(bp, "/v1/verify/{token}/full", methods=["POST"], body="CoupleIds", security=("citizen_token",), statuses=(410, 429, 503))
def verify_full(token: str):
    from chalicelib.services.certificates import verification

    request = bp.current_request
    return _json(
        verification.full_view(token, citizen_token=request.headers.get("x-citizen-token"), body=request_body(bp))
    )


@route(bp, "/v1/certificates/verification", methods=["POST"], body="CertificateByNumber", statuses=(404, 429))
def verify_by_number():
    """证件核验 by registration number and both spouses' ID numbers."""
    from chalicelib.services.certificates import verification

    client_ip = ((bp.current_request.context or {}).get("identity") or {}).get("sourceIp")
    return _json(verification.by_number(request_body(bp), client_ip=client_ip))


@route(bp, "/v1/certificates/revocations", methods=["GET"])
def revocations():
    from chalicelib.services.certificates import verification

    since = (bp.current_request.query_params or {}).get("since")
    return _json(verification.revocations(since), cache="public, max-age=60")


@route(bp, "/v1/certificates/{registration_number}/status", methods=["GET"], headers=("certificate_token",))
def certificate_status(registration_number: str):
    from chalicelib.services.certificates import verification

    token = (bp.current_request.query_params or {}).get("token")
    return _json(verification.status(registration_number, token=token))


@route(bp, "/v1/registrations/{case_id}/verifications", methods=["GET"], security=("query_code", "citizen_token"), statuses=(429,))
def case_verifications(case_id: str):
    from chalicelib.services.certificates import verification
    from chalicelib.services.citizen import registration

    # The couple's own credentials, as for reading the case: its query code, or a query token of
    # the phone it was registered with (services/registration.authorize).
    headers = bp.current_request.headers
    case = registration.authorize(
        case_id, query_code=headers.get("x-query-code") or None, token=headers.get("x-citizen-token") or None
    )
    return _json(verification.verifications_for_case(case))


# ------------------------------------------------------------------------------------------ staff
def _staff(*roles: str, operation: str | None = None):
    from chalicelib.auth import current_staff, require

    principal = current_staff(bp, *roles)
    if operation is not None:
        require(principal, operation)  # an operation granted on top of the role
    return principal


@route(bp, "/v1/staff/certificates/{registration_number}", methods=["GET"], security=STAFF)
def staff_certificate(registration_number: str):
    from chalicelib.services.certificates import verification

    staff = _staff(MEDICAL_INSTITUTION, TOWNSHIP_OPERATOR)
    return _json(verification.staff_view(registration_number, staff=staff))


@route(bp, "/v1/staff/certificate-scans/{token}", methods=["GET"], security=STAFF, statuses=(503,))
def staff_certificate_scan(token: str):
    """The certificate of a scanned QR code (its token), as by number."""
    from chalicelib.services.certificates import verification

    staff = _staff(MEDICAL_INSTITUTION, TOWNSHIP_OPERATOR)
    return _json(verification.staff_scan(token, staff=staff))


@route(bp, "/v1/staff/certificates/{registration_number}/birth", methods=["POST"], body="BirthRecord", security=STAFF, statuses=(409,))
def staff_record_birth(registration_number: str):
    from chalicelib.services.certificates import issuance as certificates
    from chalicelib.services.certificates import verification

    staff = _staff(MEDICAL_INSTITUTION, operation="birth_records")
    body = request_body(bp)  # a malformed body is a 400 whichever certificate it names
    verification.staff_certificate(registration_number, staff=staff)  # 404 outside its jurisdiction
    return _json(certificates.record_birth(registration_number, body, staff=staff))


@route(bp, "/v1/staff/cases/{case_id}/paper-certificate", methods=["POST"], body="PaperCertificate", status=201, security=STAFF, statuses=(409,))
def staff_record_paper_certificate(case_id: str):
    from chalicelib.services.certificates import issuance as certificates

    staff = _staff(TOWNSHIP_OPERATOR, operation="paper_certificates")
    return _json(certificates.record_paper_certificate(case_id, request_body(bp), staff=staff), status=201)

"""Checking an e-licence: by the stamping staff before stamping (003 一(一)4) and by anyone who
scans its QR code.

- ``stamp_check``: 003 一(一)4 "stamping personnel in the seal before the printing of the 'birth
  certificate' information and the system of the first issuance of registration form information
  to check, accurate and correct before stamping". The scanned QR token must be ours (signature),
  name the record's current, valid e-licence; then the record is marked stamped. Every check,
  matching or not, is recorded in the audit log.
- ``public_view``: valid / revoked / unknown / invalid, the number, the issuing institution and
  date -- nothing that identifies the child or the parents. A revoked one names no successor either
  (that would tell a stranger the family asked for a reissue); it says it is void.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters import signing
from chalicelib.domain import births as rules
from chalicelib.domain import errors
from chalicelib.services.births import records
from chalicelib.store import audit
from chalicelib.store import births as store

VALID, REVOKED, UNKNOWN, INVALID = "valid", "revoked", "unknown", "invalid"
MESSAGES = {
    VALID: "出生医学证明电子证照有效",
    REVOKED: "该出生医学证明电子证照已作废（已补发新证），请以新证为准",
    UNKNOWN: "未查询到该出生医学证明电子证照",
    INVALID: "二维码无效：不是本系统签发的证照，或链接不完整、已被改动",
}


def token_from(scanned: str) -> str:
    """The token of a scanned QR code: the whole URL (…/vb/<token>) or the token alone."""
    return scanned.strip().rsplit("/vb/", 1)[-1]


def _licence(token: str) -> tuple[str, store.BirthItem | None]:
    try:
        claims = signing.verify(token)
    except signing.InvalidToken:
        return INVALID, None
    except signing.KeyUnavailable:
        from chalicelib.services.certificates.verification import VerificationUnavailable

        raise VerificationUnavailable() from None
    licence = store.licence(claims.registration_number)
    if licence is None or licence.token != token:
        return UNKNOWN, None
    return (VALID if licence.licence_status == store.VALID else REVOKED), licence


def public_view(token: str) -> dict[str, Any]:
    result, licence = _licence(token)
    view: dict[str, Any] = {"result": result, "message": MESSAGES[result], "title": "出生医学证明"}
    if licence is not None:
        view.update(
            number=licence.pk,
            issuer=licence.institution_name,
            issued_on=(licence.issued_at or "")[:10],
            revoked_at=licence.revoked_at,
        )
        audit.append(records.subject(licence.birth_id), actor="public", action="birth.verified", detail={"result": result})
    return view


def stamp_check(birth_id: str, body: dict[str, Any], staff) -> dict[str, Any]:
    item = records.own(birth_id, staff)
    records.require_status(item, rules.ISSUED, rules.STAMPED, message="该记录尚未签发打印，不能核对盖章")
    result, licence = _licence(token_from(body["scanned"]))
    reasons = []
    if result != VALID:
        reasons.append(MESSAGES[result])
    elif licence.birth_id != birth_id:
        reasons.append("所扫证照不属于该首次签发登记记录")
    elif licence.pk != item.certificate_number:
        reasons.append("所扫证照不是该记录当前有效的证照")
    matches = not reasons
    at = records.now_iso()
    audit.append(
        records.subject(birth_id),
        actor=staff.staff_id,
        action="birth.stamp_check",
        after={"matches": matches},
        detail={"scanned_number": licence.pk if licence else None, "result": result},
        at=at,
    )
    if matches and item.status == rules.ISSUED:
        store.mark_stamped(item, number=item.certificate_number, at=at, expected=rules.ISSUED, status=rules.STAMPED)
    if not matches:
        return {"matches": False, "reasons": reasons, "birth_id": birth_id}
    return {"matches": True, "number": item.certificate_number, "birth_id": birth_id, "stamped_at": records.load(birth_id).stamped_at}


MAX_PAGE = 100


def revocations(*, limit: str | None = None, cursor: str | None = None) -> dict[str, Any]:
    """The published list of invalidated e-licences (003 四(二)2 "invalidated in the system"), one
    page at a time (``limit``: the query parameter's text, 50 when absent)."""
    limit = (limit or "50").strip()
    if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE:
        raise errors.ValidationFailed(details=[errors.FieldError("limit", "OUT_OF_RANGE", f"每页条数须在1到{MAX_PAGE}之间")])
    try:
        items, next_cursor = store.revocations(limit=int(limit), cursor=cursor or None)
    except store.BadCursor:
        raise errors.ValidationFailed(details=[errors.FieldError("cursor", "INVALID_CURSOR", "分页游标无效，请从第一页重新查询")]) from None
    return {"items": [{"number": r.pk, "revoked_at": r.revoked_at} for r in items], "next_cursor": next_cursor}


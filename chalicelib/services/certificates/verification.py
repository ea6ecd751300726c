"""Verifying a certificate (000 §2.5 证件核验; 002 五(一)6 "可登陆…查验真伪"; 003 五(四) QR code).

- ``public_view(token)``: what anyone who scans the QR code sees: valid / revoked / unknown /
  invalid, the registration office and date and the child order -- nothing that identifies the
  couple. The signature is checked offline against the published keys (adapters/signing.py).
- ``full_view(token, citizen_token, body)``: 000 §2.5.1 "输入男女方证件号，输入手机号码获取验证码
  ... 即可验证证件信息": both spouses' ID numbers and an SMS-verified phone of the case give
  the details, masked as in the citizen view, and a fresh PDF link (≤ 5 minutes).
- ``status(number, token)`` and ``revocations(since)``: the revocation status of a certificate
  whose QR token the caller holds (no walking the sequential numbers), and the compact
  published list (numbers, versions, times; no personal data).
- ``staff_view(number, staff)``: a medical institution (or an office) looks a certificate up
  (001 三(三)1 "应查验生育服务证").
- ``verifications_for_case(case)``: who verified the couple's certificates, and when.

Every verification of a known certificate is appended to the audit log under
``CERT#<number>`` (who: "public", the masked phone, or the staff id; when; which view).
"""

from __future__ import annotations

import hmac
import logging
from datetime import datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.domain.idcard import mask_id, mask_phone
from chalicelib.services.certificates.issuance import CertificateRevoked, birth_view, registration_date, subject
from chalicelib.store import audit
from chalicelib.store import cases as case_store
from chalicelib.store import certificates as certificate_store

log = logging.getLogger("birthreg.verification")

PUBLIC = "public"
VALID, REVOKED, UNKNOWN, INVALID = "valid", "revoked", "unknown", "invalid"
MESSAGES = {
    VALID: "证件有效",
    REVOKED: "该证件已作废（登记信息已修改或已注销），请以最新证件为准",
    UNKNOWN: "未查询到该证件的登记记录",
    INVALID: "二维码无效：不是本系统签发的证件，或链接不完整、已被改动",
}
VIEW_ACTIONS = {
    "public": "verify.public",
    "status": "verify.status",
    "full": "verify.full",
    "full_denied": "verify.full.not_matched",
    "staff": "verify.staff",
    "number": "verify.number",
    "number_denied": "verify.number.not_matched",
}
NUMBER_MAX_LENGTH = 40
# Wrong ID numbers in the full view, per certificate (whichever phone), before it is refused for a day.
MAX_FULL_VIEW_FAILURES = 5
FULL_VIEW_FAILURE_WINDOW = timedelta(hours=24)
ID_MAX_LENGTH = 32


class CertificateInvalid(errors.DomainError):
    code = "CERTIFICATE_INVALID"
    status = 400
    default_message = MESSAGES[INVALID]


class CertificateUnknown(errors.NotFound):
    code = "CERTIFICATE_UNKNOWN"
    default_message = MESSAGES[UNKNOWN]


class NotMatched(errors.Forbidden):
    code = "NOT_MATCHED"
    default_message = "身份证号码或手机号码与该证件的登记信息不一致"


class VerificationUnavailable(errors.DomainError):
    code = "VERIFICATION_UNAVAILABLE"
    status = 503
    default_message = "核验服务暂时不可用，请稍后再试"


def _now() -> str:
    return config.now().isoformat(timespec="seconds")


def _log(record: certificate_store.CertificateRecord, view: str, actor: str, **detail: Any) -> None:
    audit.append(
        subject(record.registration_number),
        actor=actor,
        action=VIEW_ACTIONS[view],
        detail={"view": view, "version": int(record.version), "status": record.status, **detail},
    )


def _check(token: str) -> tuple[str, certificate_store.CertificateRecord | None]:
    """(result, record): the signature decides invalid; the records decide unknown/revoked/valid."""
    from chalicelib.adapters import signing

    try:
        claims = signing.verify(token)
    except signing.InvalidToken as exc:
        log.info("certificate token rejected: %s", exc.reason)
        return INVALID, None
    except signing.KeyUnavailable:
        raise VerificationUnavailable() from None
    record = certificate_store.get(claims.registration_number)
    if record is None or int(record.version) != claims.version:
        return UNKNOWN, None
    return (VALID if record.status == certificate_store.VALID else REVOKED), record


def public_facts(record: certificate_store.CertificateRecord) -> dict[str, Any]:
    """What anyone may see: printed on the certificate, not identifying the couple."""
    facts = {
        "registration_number": record.registration_number,
        "version": int(record.version),
        "title": record.title,
        "office_name": record.office_name,
        "registration_date": registration_date(record).isoformat(),
        "child_order_label": record.child_order_label,
        "status": record.status,
        # the certificate's own province brands the verify page, not the browser's last choice
        "profile": record.profile,
    }
    if record.status == certificate_store.REVOKED:
        facts["revoked_at"] = record.revoked_at
    return facts


def public_view(token: str) -> dict[str, Any]:
    result, record = _check(token)
    body: dict[str, Any] = {"result": result, "message": MESSAGES[result], "certificate": None}
    if record is not None:
        _log(record, "public", PUBLIC)
        body["certificate"] = public_facts(record)
    return body


def status(registration_number: str, *, token: str | None) -> dict[str, Any]:
    """The revocation state of a certificate whose QR token the caller holds.

    Registration numbers are sequential per county and year (store/certificates.py), so a status
    by number alone let anyone walk them and learn which certificates exist and how many an
    office issued. The token (printed in the QR code, unforgeable) must name this number; any
    other answer is the same 404 as an unknown number. Revoked numbers stay public on the
    revocation list, which is what relying parties poll.
    """
    if not isinstance(token, str) or not token.strip():
        raise errors.ValidationFailed(
            details=[errors.FieldError("query.token", "MISSING", "请提供证件二维码中的核验凭证（token）")]
        )
    _, record = _check(token.strip())
    if record is None or record.registration_number != registration_number:
        raise CertificateUnknown()
    _log(record, "status", PUBLIC)
    out = {"registration_number": record.registration_number, "version": int(record.version), "status": record.status}
    if record.status == certificate_store.REVOKED:
        out["revoked_at"] = record.revoked_at
    return out


def _since(value: str | None) -> str | None:
    """``since`` as the stored form of a time (ISO 8601, China time, seconds) so keys compare as times."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if len(value) <= 40 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise errors.ValidationFailed(
            details=[errors.FieldError("query.since", "INVALID_FORMAT", "since 应为 ISO 8601 时间，如 2026-01-01T00:00:00+08:00")]
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=config.CHINA_TZ)
    return parsed.astimezone(config.CHINA_TZ).isoformat(timespec="seconds")


def revocations(since: str | None = None) -> dict[str, Any]:
    """The revocation list; with ``since``, those revoked at or after it (a client polling with the
    last ``revoked_at`` it saw gets that one again, never misses one of the same second)."""
    since = _since(since)
    items = [
        {"registration_number": r.registration_number, "version": int(r.version), "revoked_at": r.revoked_at}
        for r in certificate_store.revocations(since)
    ]
    return {"generated_at": _now(), "count": len(items), "revocations": items}


def _id_numbers(body: Any) -> tuple[str, str]:
    if not isinstance(body, dict):
        raise errors.ValidationFailed(details=[errors.FieldError("", "NOT_AN_OBJECT", "请求内容应为 JSON 对象")])
    problems, values = [], []
    for name, label in (("woman_id_number", "女方"), ("man_id_number", "男方")):
        value = body.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > ID_MAX_LENGTH:
            problems.append(errors.FieldError(name, "MISSING" if value is None else "INVALID_FORMAT", f"请填写{label}身份证号码"))
        else:
            values.append(value.strip().upper())
    if problems:
        raise errors.ValidationFailed(details=problems)
    return values[0], values[1]


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def _phone_digits(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-11:]


def _case_phones(case: case_store.Case) -> set[str]:
    form = case.form
    phones = {case.contact_phone, form["woman"].get("phone") or "", form["man"].get("phone") or ""}
    return {_phone_digits(p) for p in phones if p}


def _failure_limit(record: certificate_store.CertificateRecord):
    """The wrong-ID-number budget of one certificate (all its phones together), per window.

    Keyed on what it protects -- the certificate's ID numbers -- not on who asks: a masked phone
    is shared by many numbers, and a per-phone budget multiplies with the phones an attacker holds.
    """
    from chalicelib.store import codes

    return codes.window(
        "FULL_VIEW_FAILURES",
        f"verify-full#{record.registration_number}",
        seconds=int(FULL_VIEW_FAILURE_WINDOW.total_seconds()),
        limit=MAX_FULL_VIEW_FAILURES,
    )


def _ids_match(record: certificate_store.CertificateRecord, case: case_store.Case, woman_id: str, man_id: str) -> bool:
    """Compare both ID numbers with the case, on the certificate's wrong-ID budget: one unit is
    taken atomically before comparing and given back on a match, so concurrent wrong attempts can
    never evaluate more than MAX_FULL_VIEW_FAILURES (store/codes.give_back). 429 once it is spent."""
    from chalicelib.store import codes

    attempt = _failure_limit(record)
    try:
        codes.take([attempt])
    except codes.LimitExceeded as exc:
        raise errors.TooManyRequests(
            "核验失败次数过多，请24小时后再试", code="FULL_VIEW_LOCKED", retry_after=exc.retry_after
        ) from None
    form = case.form
    matched = _same(woman_id, form["woman"]["id_number"].upper()) & _same(man_id, form["man"]["id_number"].upper())
    if matched:
        codes.give_back(attempt)
    return matched


def mask_name(name: str) -> str:
    # The citizen view's masking (services/citizen/registration.py): first character shown.
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name


def _person(person: dict[str, Any]) -> dict[str, str]:
    return {
        "name": mask_name(person["name"]),
        "id_number": mask_id(person["id_number"]),
        "phone": mask_phone(person.get("phone") or ""),
    }


def _details(case: case_store.Case, record: certificate_store.CertificateRecord) -> dict[str, Any]:
    form = case.form
    pregnancy = form.get("pregnancy") or {}
    delivered = pregnancy.get("status") == "delivered"
    return {
        **public_facts(record),
        "born": delivered,
        "birth_date": pregnancy.get("birth_date") if delivered else None,
        "woman": _person(form["woman"]),
        "man": _person(form["man"]),
        "birth_record": birth_view(record),
    }


def full_view(token: str, *, citizen_token: str | None, body: Any) -> dict[str, Any]:
    from chalicelib.adapters import storage
    from chalicelib.services.shared import tokens

    result, record = _check(token)
    if result == INVALID:
        raise CertificateInvalid()
    woman_id, man_id = _id_numbers(body)
    phone = tokens.verify(citizen_token, "verify")
    if record is None:
        raise CertificateUnknown()
    actor = mask_phone(_phone_digits(phone))
    if result == REVOKED:
        _log(record, "full_denied", actor, reason="revoked")
        raise CertificateRevoked()
    try:
        case = case_store.get(record.case_id)
    except case_store.CaseNotFound:
        raise CertificateUnknown() from None
    if case.certificate is None or case.certificate.registration_number != record.registration_number:
        # replaced by a newer version whose revocation has not been recorded yet
        raise CertificateRevoked()
    if _phone_digits(phone) not in _case_phones(case):
        # Nothing about the ID numbers is tested for a phone that is not the case's, so it costs
        # the certificate's budget nothing (and a stranger cannot lock the couple out).
        _log(record, "full_denied", actor, reason="phone_not_on_case")
        raise NotMatched()
    if not _ids_match(record, case, woman_id, man_id):
        _log(record, "full_denied", actor, reason="not_matched")
        raise NotMatched()
    _log(record, "full", actor)
    return {
        "result": VALID,
        "message": MESSAGES[VALID],
        "certificate": {
            **_details(case, record),
            "download_url": storage.presigned_url(record.pdf_key, f"{record.registration_number}.pdf"),
            "expires_in": config.presign_seconds(),
        },
    }


class NumberNotMatched(errors.NotFound):
    code = "CERTIFICATE_NOT_MATCHED"
    default_message = "未查询到与登记编号和夫妻双方身份证号码一致的证件，请核对"


def _number_body(body: Any) -> tuple[str, str, str]:
    problems: list[errors.FieldError] = []
    number = body.get("registration_number") if isinstance(body, dict) else None
    if not isinstance(number, str) or not number.strip() or len(number) > NUMBER_MAX_LENGTH:
        problems.append(errors.FieldError("registration_number", "MISSING" if not number else "INVALID_FORMAT", "请填写证件上的登记编号"))
    try:
        woman_id, man_id = _id_numbers(body)
    except errors.ValidationFailed as exc:
        if not isinstance(body, dict):
            raise
        problems.extend(exc.details)
    if problems:
        raise errors.ValidationFailed(details=problems)
    return number.strip().upper(), woman_id, man_id


def by_number(body: Any, *, client_ip: str | None) -> dict[str, Any]:
    """证件核验 by the certificate's registration number and both spouses' ID numbers (issue 17): for
    a paper print or a photo whose QR code does not scan. Three things only the couple (or someone
    they showed the certificate and their ID cards to) knows; an unknown number and wrong ID numbers
    get the same 404, attempts are limited per client address and, per certificate, to
    MAX_FULL_VIEW_FAILURES wrong ID pairs a day (the full view's budget). The answer is the public facts and the masked couple -- no PDF."""
    from chalicelib.services.citizen import query

    number, woman_id, man_id = _number_body(body)
    query._limit_attempts(client_ip)  # the same budget as 办件查询 by query code
    record = certificate_store.get(number)
    if record is None or not record.case_id:
        raise NumberNotMatched()
    actor = f"number:{config.keyed_hash('ip', client_ip or '-')[:12]}"
    try:
        case = case_store.get(record.case_id)
    except case_store.CaseNotFound:
        raise NumberNotMatched() from None
    if not _ids_match(record, case, woman_id, man_id):  # the full view's budget of this certificate
        _log(record, "number_denied", actor)
        raise NumberNotMatched()
    _log(record, "number", actor)
    current = case.certificate is not None and case.certificate.registration_number == record.registration_number
    result = VALID if record.status == certificate_store.VALID and current else REVOKED
    details = _details(case, record) if current else public_facts(record)
    if not current:
        details["status"] = certificate_store.REVOKED
    return {"result": result, "message": MESSAGES[result], "certificate": details}


def staff_certificate(registration_number: str, *, staff) -> certificate_store.CertificateRecord:
    """The certificate a staff member may work on: 404 if unknown or outside the staff member's
    reach (``auth.reaches``), the same answer, so sequential numbers cannot be walked across
    provinces to learn which exist."""
    from chalicelib import auth

    record = certificate_store.get(registration_number)
    if record is None or not auth.reaches(staff, record.office_code):
        raise CertificateUnknown()
    return record


def staff_view(registration_number: str, *, staff) -> dict[str, Any]:
    record = staff_certificate(registration_number, staff=staff)
    _log(record, "staff", staff.staff_id, role=staff.role, office_code=staff.office_code)
    try:
        case = case_store.get(record.case_id)
    except case_store.CaseNotFound:
        raise CertificateUnknown() from None
    current = case.certificate is not None and case.certificate.registration_number == record.registration_number
    details = _details(case, record) if current else {**public_facts(record), "birth_record": birth_view(record)}
    result = VALID if record.status == certificate_store.VALID and current else REVOKED
    return {"result": result, "message": MESSAGES[result], "certificate": details}


def staff_scan(token: str, *, staff) -> dict[str, Any]:
    """The certificate whose QR code staff scanned (001 三(三)1 查验生育服务证): the same view
    and the same reach as by number; an invalid or unknown token is 404 like an unknown number."""
    _, record = _check(token)
    if record is None:
        raise CertificateUnknown()
    return staff_view(record.registration_number, staff=staff)


def _entry(number: str, entry: audit.AuditEntry) -> dict[str, Any]:
    detail = entry.to_dict()["detail"] or {}
    if entry.actor == PUBLIC:
        who_type = "public"
    elif entry.action == VIEW_ACTIONS["staff"]:
        who_type = "staff"
    else:
        who_type = "citizen"
    return {
        "registration_number": number,
        "at": entry.at,
        "view": detail.get("view"),
        "outcome": "not_matched" if entry.action == VIEW_ACTIONS["full_denied"] else "shown",
        "who": entry.actor,
        "who_type": who_type,
        "role": detail.get("role"),
        "office_code": detail.get("office_code"),
    }


def verifications_for_case(case: case_store.Case, *, limit: int = 100) -> dict[str, Any]:
    """Who verified the case's certificates (every version) and when, newest first."""
    if case.certificate is None:
        return {"case_id": case.case_id, "verifications": []}
    entries = []
    for record in certificate_store.issued_for_case(case.case_id, int(case.certificate.version)):
        for entry in audit.for_subject(subject(record.registration_number), limit=limit):
            if entry.action.startswith("verify."):
                entries.append(_entry(record.registration_number, entry))
    entries.sort(key=lambda e: e["at"], reverse=True)
    return {"case_id": case.case_id, "verifications": entries[:limit]}

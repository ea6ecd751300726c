"""Printing an online case's certificate for the couple at the office (001 三(一)3 "群众在“贵州省生育
服务网上登记平台”成功进行生育登记的，业务人员可帮助打印…“电子生育服务证”"; 002 五(二)3 "视其需要可打印
生育服务证登记回执").

The document is the e-certificate the couple prints themselves (the case's current PDF, the same
key and bytes), handed to staff as a short presigned link. Not the paper certificate from stock
(``paper_stock.py``, ``issuance.record_paper_certificate``): that one is a numbered blank.

Every print is audited (``certificate.printed``: who, when, which case and certificate) and shown
in the case history: citizens read the office's name in the note, staff the member's real name
(the entry's ``by``, resolved by the staff case view).
"""

from __future__ import annotations

from typing import Any

from chalicelib import auth, config
from chalicelib.adapters import storage
from chalicelib.domain import errors, hierarchy
from chalicelib.domain.profiles import get_profile, issuing_authority
from chalicelib.services.certificates.issuance import CertificateRevoked
from chalicelib.store import offices as office_store
from chalicelib.store.repositories import audit
from chalicelib.store.repositories import cases as case_store
from chalicelib.store.repositories import certificates as certificate_store

# The grants that let a case worker hand the couple their certificate: the reviewer's, or the
# counter's (on-site entry).
PRINT_GRANTS = (auth.REVIEW, auth.ONSITE)


def may_print(principal: auth.StaffPrincipal) -> None:
    """403 unless a case worker holding the review or the on-site grant."""
    if principal.role not in auth.CASE_ROLES:
        raise errors.RoleNotAllowed("您的账号角色不能打印证书")
    if not any(g in principal.grants for g in PRINT_GRANTS):
        raise errors.Forbidden("您的账号未被授予审核或现场登记权限，请联系管理员", code="OPERATION_NOT_GRANTED")


def case_in_reach(case_id: str, principal: auth.StaffPrincipal) -> case_store.Case:
    """A case a staff member may act on at a counter (``auth.reaches``): 404 unknown, 403 outside."""
    try:
        case = case_store.get(case_id)
    except case_store.CaseNotFound:
        raise errors.NotFound("未找到该办件", code="CASE_NOT_FOUND") from None
    if not auth.reaches(principal, case.office_code):
        raise errors.OutsideJurisdiction("该办件不在您的辖区内")
    return case


def office_name_of(code: str) -> str:
    """The name citizens read: the one the office's administrator entered, else its region's."""
    info = office_store.organisation(code) or {}
    return info.get("name") or issuing_authority(hierarchy.name_of(code))


def _note(case: case_store.Case, office_name: str) -> str:
    return f"{office_name}为登记对象打印{get_profile(case.profile).wording.certificate}"


def print_for_couple(case_id: str, principal: auth.StaffPrincipal) -> dict[str, Any]:
    """The registered case's current certificate PDF (a short link), the print audited and recorded
    in the case history. 409 ``NOT_REGISTERED`` before registration, 410 on a revoked certificate."""
    may_print(principal)
    case = case_in_reach(case_id, principal)
    if case.status != case_store.REGISTERED or case.certificate is None:
        raise errors.Conflict("该办件尚未完成生育登记，没有可打印的证书", code="NOT_REGISTERED")
    number = case.certificate.registration_number
    record = certificate_store.get(number)
    if record is None or record.status != certificate_store.VALID:
        raise CertificateRevoked()
    at = config.now().isoformat(timespec="seconds")
    office_name = office_name_of(principal.unit_code)
    for _ in range(5):
        try:
            case_store.transition(case, case_store.REGISTERED, at=at, by=principal.staff_id, note=_note(case, office_name))
            break
        except case_store.ConcurrentChange:
            case = case_store.get(case_id)
            if case.status != case_store.REGISTERED or case.certificate is None or case.certificate.registration_number != number:
                raise errors.Conflict("办件已变更，请刷新后重试", code="CASE_CHANGED") from None
    else:
        raise errors.Conflict("办件正在变更，请稍后重试", code="CASE_CHANGED")
    audit.append(
        f"CASE#{case_id}",
        actor=principal.staff_id,
        action="certificate.printed",
        detail={"registration_number": number, "version": int(case.certificate.version), "office_code": principal.unit_code, "role": principal.role},
        at=at,
    )
    return {
        "case_id": case_id,
        "registration_number": number,
        "version": int(case.certificate.version),
        "printed_at": at,
        "printed_by": principal.staff_id,
        "office_name": office_name,
        "download_url": storage.presigned_url(case.certificate.pdf_key, f"{number}.pdf"),
        "expires_in": config.presign_seconds(),
    }

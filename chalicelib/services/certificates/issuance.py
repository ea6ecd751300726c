"""Certificates: issue (the IssueCertificate task), regenerate, revoke, and what staff record on them.

- ``issue_certificate(case_id)``: allocate the registration number, sign the QR token, render the
  PDF into S3 (encrypted), mark the case registered. Idempotent per case version: a retried
  task finds the certificate of that version (``store.issuance``) and renders the same bytes.
- ``regenerate(number)``: the PDF again, byte for byte (same number, token, date, case data).
- ``revoke(number, reason=..., actor=...)``: on modification/reissue and on staff cancellation.
- ``record_birth``: a medical institution writes the child's birth date and sex on it (001 三(三)2).
- ``record_paper_certificate``: a township office records the paper certificate it handed out
  for a registered case (001 三(一)3).

reportlab/qrcode (the renderer) and cryptography (signing) are imported only where used.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from chalicelib import config
from chalicelib.adapters import storage
from chalicelib.domain import errors, regions
from chalicelib.domain.form import RegistrationForm
from chalicelib.domain.idcard import mask_id
from chalicelib.domain.profiles import get_profile, issuing_authority
from chalicelib.services.certificates import paper_stock
from chalicelib.store import audit
from chalicelib.store import cases as case_store
from chalicelib.store import certificates as certificate_store

VALIDITY = {
    # 002 五(一)6: "生育服务证登记回执作为生育登记电子证件办理结果，与纸质生育服务证具有同等效力。"
    "chongqing": "本登记回执作为生育登记电子证件办理结果，与纸质生育服务证具有同等效力，可扫描二维码查验真伪。",
    # 001 一(一): "电子生育服务证"和"普通生育服务证"同等有效
    "guizhou": "本电子生育服务证与贵州省卫生健康委统一印制的生育服务证同等有效，可扫描二维码查验真伪。",
    # 000 §1: "登记后直接办理生育登记并可以在线打印生育登记证"
    "sichuan": "本生育登记证由四川省生育登记服务系统在线签发，可扫描二维码或通过办件查询核验真伪。",
}
REISSUED = "reissued"  # reason recorded when a new version replaces a certificate
SEXES = {"male": "男", "female": "女"}
PAPER_NUMBER_RE = re.compile(r"[0-9A-Za-z-]{4,32}")


class CertificateRevoked(errors.DomainError):
    code = "CERTIFICATE_REVOKED"
    status = 410
    default_message = "该证件已作废（登记信息已修改或已注销），请以最新证件为准"


def subject(number: str) -> str:
    return f"CERT#{number}"


def verify_url(token: str) -> str:
    return f"{config.public_base_url()}/v/{token}"


def _address(addr) -> str:
    return f"{regions.full_name(addr.region_code)}{addr.detail or ''}"


def registration_date(record: certificate_store.CertificateRecord) -> date:
    return datetime.fromisoformat(record.issued_at).astimezone(config.CHINA_TZ).date()


def certificate_data(case: case_store.Case, record: certificate_store.CertificateRecord):
    """Everything printed, from the case and the stored certificate only: the same inputs (and so
    the same bytes) however often it is rendered."""
    from chalicelib.documents.certificate_pdf import CertificateData

    form = RegistrationForm.model_validate_json(case.form_json)
    delivered = form.pregnancy.status == "delivered"
    return CertificateData(
        title=record.title,
        registration_number=record.registration_number,
        child_order_label=record.child_order_label,
        born=delivered,
        birth_date=form.pregnancy.birth_date if delivered else None,
        woman_name=form.woman.name,
        woman_id=mask_id(form.woman.id_number),
        woman_hukou=_address(form.woman.hukou),
        woman_residence=_address(form.woman.residence),
        man_name=form.man.name,
        man_id=mask_id(form.man.id_number),
        man_hukou=_address(form.man.hukou),
        man_residence=_address(form.man.residence),
        office_name=record.office_name,
        registration_date=registration_date(record),
        validity_statement=VALIDITY[form.profile],
        version=int(record.version),
        verify_url=verify_url(record.token),
        issuer=issuing_authority(record.office_name),
        issued_at=datetime.fromisoformat(record.issued_at),
    )


def render_pdf(case: case_store.Case, record: certificate_store.CertificateRecord) -> bytes:
    from chalicelib.documents.certificate_pdf import render_certificate

    return render_certificate(certificate_data(case, record))


def _new_certificate(case: case_store.Case, version: int) -> certificate_store.CertificateRecord:
    from chalicelib.adapters import signing

    now = config.now()
    number = certificate_store.next_registration_number(case.office_code, now.year)
    evaluation = case.evaluation
    token = signing.sign(signing.Claims(number, version, int(now.timestamp())))
    record = certificate_store.CertificateRecord(
        number,
        case_id=case.case_id,
        version=version,
        status=certificate_store.VALID,
        office_code=case.office_code,
        issued_at=now.isoformat(timespec="seconds"),
        token=token,
        pdf_key=f"certificates/{case.case_id}/v{version}.pdf",
        profile=case.profile,
        title=get_profile(case.profile).certificate_title,
        office_name=evaluation["jurisdiction"]["office_name"],
        child_order_label=evaluation["child_order"]["registration_label"],
    )
    stored = certificate_store.create_issued(record)
    if stored is record:
        audit.append(
            subject(number),
            actor="system",
            action="certificate.issued",
            after={"status": certificate_store.VALID, "version": version},
            detail={"case_id": case.case_id},
            at=record.issued_at,
        )
    return stored


def issue_certificate(case_id: str) -> dict[str, Any]:
    case = case_store.get(case_id)
    if case.status == case_store.REGISTERED and case.certificate is not None:
        # A retried task: the certificate for this case version exists already.
        return {"registration_number": case.certificate.registration_number, "pdf_key": case.certificate.pdf_key}
    previous = case.certificate
    version = int(previous.version) + 1 if previous else 1
    if previous is not None:
        # A modified case (000 §2.4.2 注) gets a new certificate; the one it replaces stops being
        # valid (003 四(二)2: the original "need to be invalidated in the system").
        revoke(previous.registration_number, reason=REISSUED)
    record = certificate_store.issuance(case_id, version) or _new_certificate(case, version)
    storage.put_pdf(record.pdf_key, render_pdf(case, record))
    case_store.transition(
        case,
        case_store.REGISTERED,
        at=record.issued_at,
        by="system",
        note=f"登记编号 {record.registration_number}",
        certificate=case_store.Certificate(
            registration_number=record.registration_number,
            pdf_key=record.pdf_key,
            version=int(record.version),
            issued_at=record.issued_at,
        ),
    )
    return {"registration_number": record.registration_number, "pdf_key": record.pdf_key}


def regenerate(registration_number: str) -> bytes:
    """The certificate's PDF rendered again from the stored certificate: the same bytes as issued,
    as long as the case has not been modified since (a modified case has a new version)."""
    record = certificate_store.get(registration_number)
    if record is None:
        raise errors.NotFound("未找到该证件")
    case = case_store.get(record.case_id)
    if case.certificate is None or case.certificate.registration_number != registration_number:
        raise CertificateRevoked("该证件已被新版本替换，不能重新生成")
    return render_pdf(case, record)


def revoke(registration_number: str, *, reason: str, actor: str = "system") -> None:
    """Revoke a certificate (idempotent: revoking a revoked certificate changes nothing)."""
    record = certificate_store.get(registration_number)
    if record is None:
        raise errors.NotFound("未找到该证件")
    at = config.now().isoformat(timespec="seconds")
    if certificate_store.revoke(record, at=at, by=actor, reason=reason):
        audit.append(
            subject(registration_number),
            actor=actor,
            action="certificate.revoked",
            before={"status": certificate_store.VALID},
            after={"status": certificate_store.REVOKED},
            detail={"reason": reason, "version": int(record.version), "case_id": record.case_id},
            at=at,
        )


# ------------------------------------------------------------------------------------------- staff
def _require_date(body: dict, name: str, *, not_after: date) -> date:
    value = body.get(name)
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise errors.ValidationFailed(details=[errors.FieldError(name, "INVALID_DATE", "日期格式应为 YYYY-MM-DD")])
    if parsed > not_after:
        raise errors.ValidationFailed(details=[errors.FieldError(name, "DATE_IN_FUTURE", "日期不能晚于今天")])
    return parsed


def _object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise errors.ValidationFailed(details=[errors.FieldError("", "NOT_AN_OBJECT", "请求内容应为 JSON 对象")])
    return body


def record_birth(registration_number: str, body: Any, *, staff) -> dict[str, Any]:
    """001 三(三)2: "医疗卫生技术服务机构应在产妇出院前，根据住院分娩情况在生育服务证上注明其子女的
    出生日期和性别信息" -- recorded once, on a valid certificate, audited."""
    body = _object(body)
    record = certificate_store.get(registration_number)
    if record is None:
        raise errors.NotFound("未找到该证件，请核对登记编号")
    born = _require_date(body, "birth_date", not_after=config.today())
    sex = body.get("sex")
    if sex not in SEXES:
        raise errors.ValidationFailed(details=[errors.FieldError("sex", "INVALID_SEX", "性别应为 male 或 female")])
    if record.status != certificate_store.VALID:
        raise CertificateRevoked()
    at = config.now().isoformat(timespec="seconds")
    if not certificate_store.record_birth(
        record, birth_date=born.isoformat(), sex=sex, at=at, by=staff.staff_id, office=staff.office_code
    ):
        current = certificate_store.get(registration_number)
        if current is not None and current.birth_date == born.isoformat() and current.child_sex == sex:
            return birth_view(current)  # the same entry again: nothing to change
        if current is not None and current.status != certificate_store.VALID:
            raise CertificateRevoked()
        raise errors.Conflict("该证件已注明出生信息，如需更正请联系登记机构", code="BIRTH_ALREADY_RECORDED")
    audit.append(
        subject(registration_number),
        actor=staff.staff_id,
        action="certificate.birth_recorded",
        after={"birth_date": born.isoformat(), "sex": sex},
        detail={"role": staff.role, "office_code": staff.office_code},
        at=at,
    )
    return birth_view(certificate_store.get(registration_number))


def birth_view(record: certificate_store.CertificateRecord | None) -> dict[str, Any] | None:
    if record is None or not record.birth_date:
        return None
    return {
        "birth_date": record.birth_date,
        "sex": record.child_sex,
        "sex_label": SEXES.get(record.child_sex or "", ""),
        "recorded_at": record.birth_recorded_at,
    }


def may_hand_out_paper(staff_office: str, case_office: str) -> bool:
    """001 三(一)3(1) the case's own township office hands out the paper certificate; 三(一)3(2)
    "本省异地登记对象的发证": any township office of the same province may, after checking."""
    return staff_office == case_office or staff_office[:2] == case_office[:2]


def record_paper_certificate(case_id: str, body: Any, *, staff) -> dict[str, Any]:
    """001 三(一)3(3): "业务人员须将发放的'普通生育服务证'有关信息录入" -- number, date, office."""
    body = _object(body)
    try:
        case = case_store.get(case_id)
    except case_store.CaseNotFound:
        raise errors.NotFound("未找到该办件") from None
    if not may_hand_out_paper(staff.office_code or "", case.office_code):
        raise errors.Forbidden("该办件不属于本机构可发证的范围")
    number = body.get("number")
    if not (isinstance(number, str) and PAPER_NUMBER_RE.fullmatch(number.strip())):
        raise errors.ValidationFailed(
            details=[errors.FieldError("number", "INVALID_FORMAT", "生育服务证编号应为 4-32 位字母、数字或短横线")]
        )
    issued_on = _require_date(body, "issued_on", not_after=config.today())
    # 001 三(一)3(1)(2): only couples "已进行生育登记且未领取'普通生育服务证'".
    if case.status != case_store.REGISTERED or case.certificate is None:
        raise errors.Conflict("该办件尚未完成生育登记，不能发放生育服务证", code="NOT_REGISTERED")
    if issued_on < registration_date_of_case(case):
        raise errors.ValidationFailed(
            details=[errors.FieldError("issued_on", "BEFORE_REGISTRATION", "发证日期不能早于登记日期")]
        )
    # 001 三(二)2: the certificate handed out is one of the office's received blanks, of the
    # kind for the couple's child (一孩/二孩); it leaves the stock in the same transaction.
    blank = paper_stock.holding_for(staff.office_code or "", number.strip())
    if blank is None:
        raise errors.Conflict("该编号不在本机构已领取的空白生育服务证库存中", code="PAPER_NOT_IN_STOCK")
    if blank.kind != paper_stock.kind_for_child_order(int(case.child_order or 1)):
        raise errors.Conflict(
            f"该编号为{paper_stock.KINDS.get(blank.kind, blank.kind)}，与本办件的子女孩次不符", code="PAPER_KIND_MISMATCH"
        )
    at = config.now().isoformat(timespec="seconds")
    try:
        item = certificate_store.record_paper(
            case_id,
            paper_number=number.strip(),
            issued_on=issued_on.isoformat(),
            office_code=staff.office_code,
            at=at,
            by=staff.staff_id,
            blank=blank,
        )
    except certificate_store.AlreadyRecorded:
        raise errors.Conflict(
            "该办件已领取生育服务证，或该证件编号已被使用", code="PAPER_CERTIFICATE_EXISTS"
        ) from None
    view = paper_view(item)
    audit.append(
        f"CASE#{case_id}",
        actor=staff.staff_id,
        action="paper_certificate.recorded",
        after=view,
        detail={"role": staff.role, "registration_number": case.certificate.registration_number},
        at=at,
    )
    return view


def registration_date_of_case(case: case_store.Case) -> date:
    return datetime.fromisoformat(case.certificate.issued_at).astimezone(config.CHINA_TZ).date()


def _office_name(code: str | None) -> str | None:
    # Staff accounts carry their office code as administrators set it; an unlisted code has no name.
    return regions.full_name(code) if code and regions.lookup(code) is not None else None


def paper_view(item: certificate_store.CertificateRecord | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {
        "number": item.paper_number,
        "issued_on": item.paper_issued_on,
        "office_code": item.paper_office_code,
        "office_name": _office_name(item.paper_office_code),
        "recorded_at": item.recorded_at,
    }

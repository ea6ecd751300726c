"""IssueCertificate: allocate the registration number, render the PDF into S3, mark registered."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib import config
from chalicelib.adapters import storage
from chalicelib.domain import regions
from chalicelib.domain.form import RegistrationForm
from chalicelib.domain.idcard import mask_id
from chalicelib.domain.profiles import get_profile
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


def _address(addr) -> str:
    return f"{regions.full_name(addr.region_code)}{addr.detail or ''}"


def certificate_data(case: case_store.Case, number: str, version: int, issued: date):
    from chalicelib.documents.certificate_pdf import CertificateData

    form = RegistrationForm.model_validate_json(case.form_json)
    evaluation = case.evaluation
    delivered = form.pregnancy.status == "delivered"
    return CertificateData(
        title=get_profile(form.profile).certificate_title,
        registration_number=number,
        child_order_label=evaluation["child_order"]["registration_label"],
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
        office_name=evaluation["jurisdiction"]["office_name"],
        registration_date=issued,
        validity_statement=VALIDITY[form.profile],
        version=version,
        verify_url=f"{config.public_base_url()}/v/{number}",
    )


def issue_certificate(case_id: str) -> dict[str, Any]:
    from chalicelib.documents.certificate_pdf import render_certificate

    case = case_store.get(case_id)
    version = int(case.certificate.version) + 1 if case.certificate else 1
    if case.status == case_store.REGISTERED and case.certificate is not None:
        # A retried task: the certificate for this case version exists already.
        return {"registration_number": case.certificate.registration_number, "pdf_key": case.certificate.pdf_key}
    now = config.now()
    number = certificate_store.next_registration_number(case.office_code, now.year)
    pdf = render_certificate(certificate_data(case, number, version, now.date()))
    key = f"certificates/{case_id}/v{version}.pdf"
    storage.put_pdf(key, pdf)
    issued_at = now.isoformat(timespec="seconds")
    certificate_store.record(number, case_id=case_id, version=version, office_code=case.office_code, issued_at=issued_at)
    case_store.transition(
        case,
        case_store.REGISTERED,
        at=issued_at,
        by="system",
        note=f"登记编号 {number}",
        certificate=case_store.Certificate(registration_number=number, pdf_key=key, version=version, issued_at=issued_at),
    )
    return {"registration_number": number, "pdf_key": key}

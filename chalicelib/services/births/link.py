"""The link to the birth-service registration (issue 16 item 7): when the e-licence is issued, the
couple's 生育服务证 for that child gets the birth date and sex through the existing
medical-institution annotation (001 三(三)2 "医疗卫生技术服务机构应在产妇出院前，根据住院分娩情况在
生育服务证上注明其子女的出生日期和性别信息"; ``services/certificates/issuance.record_birth``), and
the case's history says so.

Which registration: the couple's (both ID numbers, the same keyed couple key as duplicate
detection) registered cases whose valid certificate has no birth recorded yet, the newest first.
Without the father's information there is no couple to look up; nothing is annotated.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib import auth, config
from chalicelib.domain import births as rules
from chalicelib.domain import errors
from chalicelib.domain.evaluation import couple_key_from_ids
from chalicelib.services.certificates import issuance as certificates
from chalicelib.store import births as store
from chalicelib.store import cases as case_store
from chalicelib.store import certificates as certificate_store


def annotate_registration(item: store.BirthItem, *, at: str) -> str | None:
    """The registration number annotated, or None when no matching registration waits for it."""
    record = item.record_document()
    father = item.claim_document().get("father") or record.get("father")
    if not father:
        return None
    key = couple_key_from_ids(record["mother"]["id_number"], father["id_number"], secret=config.secret_key())
    registered = sorted(
        (c for c in case_store.by_couple(key) if c.status == case_store.REGISTERED), key=lambda c: c.created_at, reverse=True
    )
    born = datetime.fromisoformat(record["newborn"]["born_at"]).astimezone(config.CHINA_TZ).date()
    sex = record["newborn"]["sex"]
    institution = auth.StaffPrincipal(
        staff_id=f"birth-certificate:{item.institution_code}",
        name=item.institution_name or "",
        role=auth.MEDICAL_INSTITUTION,
        region_code=item.county or "",
        office_code=item.institution_code,
    )
    for candidate in registered:
        case = case_store.get(candidate.case_id)
        number = case.certificate.registration_number if case.certificate else None
        certificate = certificate_store.get(number) if number else None
        if certificate is None or certificate.status != certificate_store.VALID or certificate.birth_date:
            continue
        try:
            certificates.record_birth(number, {"birth_date": born.isoformat(), "sex": sex}, staff=institution)
        except errors.DomainError:
            continue  # recorded or revoked meanwhile: the next candidate
        case_store.transition(
            case,
            case.status,
            at=at,
            by=institution.staff_id,
            note=f"出生医学证明 {item.certificate_number or ''} 已签发：子女{born.isoformat()}出生，性别{rules.SEXES[sex]}".replace("  ", " "),
        )
        return number
    return None

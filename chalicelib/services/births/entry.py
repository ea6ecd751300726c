"""Entry by the midwifery institution (003 一(一)1): "by the midwife ... within 24 hours after the
birth ... into the hospital information system, after checking for accuracy, sign (electronic
signature) confirmation and submit".

The signed record is immutable: each entry or correction is a new version item, written once,
carrying the record's SHA-256, the signing staff member and the time, and a keyed signature over
the three (``store/births.py``). A correction is possible until the e-licence is issued. An entry
later than 24 hours after the birth is accepted, flagged ``late`` and counted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.domain import births as rules
from chalicelib.domain import errors
from chalicelib.services.births import records
from chalicelib.services.shared import statistics
from chalicelib.store import audit
from chalicelib.store import births as store

# Births entered outside an institution (003 二) are recorded by the issuing institution.
OUTSIDE_PLACE = "医疗机构外"


def _check(body: dict[str, Any], staff) -> tuple[dict[str, Any], datetime, datetime]:
    if body["institution_code"] != staff.office_code:
        raise records.OutsideInstitution(
            details=[errors.FieldError("institution_code", "OUTSIDE_JURISDICTION", "只能录入本机构的出生信息")]
        )
    now = config.now()
    problems = rules.entry_problems(body, now=now)
    if problems:
        raise errors.ValidationFailed(details=[errors.FieldError(*p) for p in problems])
    born_at = datetime.fromisoformat(body["newborn"]["born_at"]).astimezone(config.CHINA_TZ)
    document = {
        "institution_code": body["institution_code"],
        "outside_institution": bool(body.get("outside_institution")),
        "newborn": {**body["newborn"], "born_at": born_at.isoformat(timespec="seconds")},
        "mother": {**body["mother"], "id_number": body["mother"]["id_number"].upper()},
        "father": {**body["father"], "id_number": body["father"]["id_number"].upper()} if body.get("father") else None,
    }
    return document, born_at, now


def enter(body: dict[str, Any], staff) -> dict[str, Any]:
    document, born_at, now = _check(body, staff)
    at = now.isoformat(timespec="seconds")
    late = rules.is_late(born_at, now)
    digest = rules.record_hash(document)
    birth_id = store.new_birth_id()
    fields = {
        "status": rules.ENTERED,
        "institution_code": staff.office_code,
        "institution_name": staff.name,
        "county": records.county_of(staff),
        "outside_institution": document["outside_institution"],
        "born_at": document["newborn"]["born_at"],
        "entered_at": at,
        "late": late,
        "materials": {},  # upload id -> entry (store.add_material sets one key of it)
        "mother_key": store.mother_key(document["mother"]["id_number"]),
        "updated_at": at,
        **records.signature(birth_id, 1, digest, staff.staff_id, at),
    }
    item = store.create(birth_id, document, fields=fields)
    audit.append(
        records.subject(item.birth_id),
        actor=staff.staff_id,
        action="birth.entered",
        after={"version": 1, "record_hash": digest, "late": late},
        detail={"institution_code": staff.office_code},
        at=at,
    )
    counters = {"births|entered": 1, **({"births|late": 1} if late else {})}
    statistics.count(item.county, counters, once=f"{item.birth_id}#entered")
    return staff_view(item)


def correct(birth_id: str, body: dict[str, Any], staff) -> dict[str, Any]:
    """A correction: signed version n+1; the earlier versions stay as they were signed."""
    item = records.own(birth_id, staff)
    records.require_status(item, rules.ENTERED, rules.CLAIMED, message="证件已签发，更正须通过补发办理")
    reason = body.pop("reason")
    document, _born_at, now = _check(body, staff)
    if document["mother"]["id_number"] != item.record_document()["mother"]["id_number"] and item.claimant:
        raise records.WrongStatus("已申领的记录不能更改母亲身份证件号码", code="MOTHER_FIXED_BY_CLAIM")
    at = now.isoformat(timespec="seconds")
    digest = rules.record_hash(document)
    version = int(item.version) + 1
    fields = {
        "born_at": document["newborn"]["born_at"],
        "outside_institution": document["outside_institution"],
        "mother_key": store.mother_key(document["mother"]["id_number"]),
        "updated_at": at,
        **records.signature(birth_id, version, digest, staff.staff_id, at),
    }
    try:
        item = store.correct(item, document, fields=fields, open_statuses=(rules.ENTERED, rules.CLAIMED))
    except store.Conflict:
        raise errors.Conflict("记录已被他人更改或已签发，请刷新后重试", code="BIRTH_CHANGED") from None
    audit.append(
        records.subject(birth_id),
        actor=staff.staff_id,
        action="birth.corrected",
        after={"version": version, "record_hash": digest},
        detail={"reason": reason},
        at=at,
    )
    return staff_view(item)


def staff_view(item: store.BirthItem) -> dict[str, Any]:
    view = records.common_view(item)
    view.update(
        entered_at=item.entered_at,
        late=bool(item.late),
        version=int(item.version),
        versions=[
            {
                "version": int(v.signed_version),
                "record_hash": v.record_hash,
                "signed_by": v.signed_by,
                "signed_at": v.signed_at,
                "signature": v.signature,
            }
            for v in store.versions(item.birth_id, int(item.version))
        ],
        history=records.history(item),
    )
    return view


def view(birth_id: str, staff) -> dict[str, Any]:
    return staff_view(records.own(birth_id, staff))


def list_births(staff, *, status: str | None = None) -> dict[str, Any]:
    """The institution's births, newest entry first; ``status=entered``: awaiting claim."""
    items = store.by_institution(staff.office_code or "")
    rows = []
    for item in items:
        if status and item.status != status:
            continue
        record = item.record_document()
        rows.append(
            {
                "birth_id": item.birth_id,
                "status": item.status,
                "status_label": rules.STATUS_LABELS.get(item.status, item.status),
                "born_at": item.born_at,
                "entered_at": item.entered_at,
                "late": bool(item.late),
                "started_by": item.started_by or "institution",
                "outside_institution": bool(item.outside_institution),
                "mother_name": record["mother"]["name"],
                "certificate_number": item.certificate_number,
            }
        )
    return {"items": rows}

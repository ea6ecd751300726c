"""Loading a birth record for its caller, the process's errors, and what both sides are shown."""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.domain import births as rules
from chalicelib.domain import errors
from chalicelib.domain.idcard import mask_id
from chalicelib.store import audit
from chalicelib.store import births as store


class BirthNotFound(errors.NotFound):
    code = "BIRTH_NOT_FOUND"
    default_message = "未找到该出生医学证明首次签发登记记录"


class OutsideInstitution(errors.Forbidden):
    code = "OUTSIDE_JURISDICTION"
    default_message = "只能办理本机构的出生医学证明"


class NotOffered(errors.Forbidden):
    code = "BIRTH_CERTIFICATES_NOT_OFFERED"
    default_message = "出生医学证明电子证照业务仅在贵州省开办，本省医疗机构不能办理"


class WrongStatus(errors.Conflict):
    code = "BIRTH_WRONG_STATUS"
    default_message = "该记录当前状态不能办理此事项"


def subject(birth_id: str) -> str:
    return f"BIRTH#{birth_id}"


def now_iso() -> str:
    return config.now().isoformat(timespec="seconds")


def load(birth_id: str) -> store.BirthItem:
    try:
        return store.get(birth_id)
    except store.NotFound:
        raise BirthNotFound() from None


def own(birth_id: str, staff) -> store.BirthItem:
    """The record, if it is the staff member's institution's (another institution's: as unknown,
    so record ids of other institutions cannot be probed)."""
    item = load(birth_id)
    if item.institution_code != staff.office_code:
        raise BirthNotFound()
    return item


def offered(staff):
    """The staff member, if its province runs the e-licence process: seed 003 is Guizhou's
    (003 四 "Guizhou Province ... electronic license"; ``Profile.birth_certificates``)."""
    if not rules.offered_in((staff.region_code or "")[:2]):
        raise NotOffered()
    return staff


def county_of(staff) -> str:
    """The county a medical institution's account was created for (auth.py: its region code)."""
    return (staff.region_code or "")[:6]


def signature(birth_id: str, version: int, digest: str, signer: str, at: str) -> dict[str, Any]:
    """003 一(一)1 "sign (electronic signature) confirmation and submit" (二(一)1 "sign and
    authorize" for a parent's declaration): the signed version's hash, who signed, when, and a
    keyed signature over the three."""
    return {
        "record_hash": digest,
        "signed_by": signer,
        "signed_at": at,
        "signature": config.keyed_hash("birth-signature", f"{birth_id}:{version}:{digest}:{signer}:{at}"),
    }


def require_status(item: store.BirthItem, *statuses: str, message: str | None = None) -> None:
    if item.status not in statuses:
        raise WrongStatus(message or f"该记录当前状态为“{rules.STATUS_LABELS.get(item.status, item.status)}”，不能办理此事项")


def materials(item: store.BirthItem) -> list[dict[str, Any]]:
    entries = list(item.material_entries().values())
    return sorted(entries, key=lambda e: e.get("at", ""))


def accepted(item: store.BirthItem) -> set[str]:
    return {e["document"] for e in materials(item) if e.get("status") == "accepted"}


def required(item: store.BirthItem) -> list[tuple[str, ...]]:
    father = item.record_document().get("father") or item.claim_document().get("father")
    return rules.required_materials(
        claimant=item.claimant or "mother", father_given=bool(father), outside_institution=bool(item.outside_institution)
    )


def missing(item: store.BirthItem) -> list[tuple[str, ...]]:
    return rules.missing_materials(required(item), accepted(item))


def _groups(groups: list[tuple[str, ...]]) -> list[dict[str, Any]]:
    return [{"any_of": list(g), "label": "或".join(rules.MATERIALS[c] for c in g)} for g in groups]


def history(item: store.BirthItem) -> list[dict[str, Any]]:
    return [
        {"at": e.at, "action": e.action, "actor": e.actor, **{k: e.to_dict().get(k) for k in ("after", "detail")}}
        for e in audit.for_subject(subject(item.birth_id), newest_first=False)
    ]


def common_view(item: store.BirthItem) -> dict[str, Any]:
    """What both the institution and the parent see (no full ID numbers)."""
    record = item.record_document()
    claim = item.claim_document()
    father = claim.get("father") or record.get("father")
    view: dict[str, Any] = {
        "birth_id": item.birth_id,
        "status": item.status,
        "status_label": rules.STATUS_LABELS.get(item.status, item.status),
        "institution_name": item.institution_name,
        "outside_institution": bool(item.outside_institution),
        "started_by": item.started_by or "institution",
        "place": record.get("place"),
        "newborn": {
            "name": claim.get("newborn_name"),
            "sex": record["newborn"]["sex"],
            "sex_label": rules.SEXES[record["newborn"]["sex"]],
            "born_at": record["newborn"]["born_at"],
            "weight_grams": record["newborn"]["weight_grams"],
        },
        "mother": {"name": record["mother"]["name"], "id_number": mask_id(record["mother"]["id_number"])},
        "father": {"name": father["name"], "id_number": mask_id(father["id_number"])} if father else None,
        "claimant": item.claimant,
        "claimed_at": item.claimed_at,
        "materials": [
            {**{k: e.get(k) for k in ("upload_id", "document", "status", "reason", "filename", "at")},
             "label": {**rules.MATERIALS, **rules.REISSUE_DOCUMENTS}.get(e.get("document"), e.get("document"))}
            for e in materials(item)
        ],
        "notice": _notice(item),
        "certificate": None,
    }
    if item.claimant:
        view["required_materials"] = _groups(required(item))
        view["missing_materials"] = _groups(missing(item))
    if item.certificate_number:
        view["certificate"] = {
            "number": item.certificate_number,
            "issued_at": item.issued_at,
            "stamped_at": item.stamped_at,
        }
    return view


def _notice(item: store.BirthItem) -> dict[str, Any] | None:
    import json

    return json.loads(item.notice) if item.notice else None

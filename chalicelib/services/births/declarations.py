"""A birth outside a medical institution, started by the parent (003 二(一)1).

003 二(一)1: "the licensee to enter the first issuance of the registration form page through the
face or read a valid ID card, by the Provincial Health Commission designated website, WeChat
public, APP, platform to supplement the baby's name and its parents relevant information,
photographs and upload a valid ID card, and then sign and authorize ... to confirm that there is
no error after signing and submitting." 二(一)2: "The issuing officer verifies the valid ID and
related materials uploaded by the licensee and confirms that the information is complete and
correct to print the Birth Certificate."

So here no institution enters the birth: the parent (ID numbers and an SMS code, as in the claim;
face scan out of scope) declares where and when the child was born and who the parents are,
chooses the issuing institution of the county, and signs. The record starts claimed (the
declarant is its claimant), outside an institution, so the materials of 二(二) are required: the
parents' IDs, the paternity declaration or appraisal (二(二)2, 3), the mother's power of attorney
when the father declares (二(二)4), her written statement without the father's information
(二(二)5). Uploads, the one notice, review, print, stamp check and reissue are the same as for
every other record; the issuing institution sees it in its list.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib import auth, config
from chalicelib.domain import births as rules
from chalicelib.domain import errors, regions
from chalicelib.services.births import claims, records
from chalicelib.services.shared import statistics, tokens
from chalicelib.store import audit
from chalicelib.store import births as store
from chalicelib.store import offices as office_store

PARENT = "parent"
# at most this many account pages read to list a county's institutions (100 accounts each)
_MAX_PAGES = 5


class UnknownIssuer(errors.ValidationFailed):
    code = "BIRTH_ISSUER_UNKNOWN"
    default_message = "所选签发机构不存在或不在该县（区）"


def _county(code: str, path: str) -> str:
    if not (code.isdigit() and len(code) == 6 and regions.lookup(code)):
        raise errors.ValidationFailed(details=[errors.FieldError(path, "UNKNOWN_REGION", "请选择出生地所在的县（区）")])
    if not rules.offered_in(code[:2]):
        raise records.NotOffered(details=[errors.FieldError(path, "NOT_OFFERED", records.NotOffered.default_message)])
    return code


def issuers(county: str | None) -> dict[str, Any]:
    """The issuing (medical) institutions of a county: its enabled medical-institution accounts'
    institutions (the accounts the county's administrators manage), for the parent to choose."""
    county = _county((county or "").strip(), "county")
    found: dict[str, str] = {}
    cursor = None
    for _ in range(_MAX_PAGES):
        items, cursor = office_store.managed_by(county, limit=100, cursor=cursor)
        for item in items:
            data = item.loaded()
            if data.get("role") == auth.MEDICAL_INSTITUTION and data.get("office_code") and not item.disabled:
                found.setdefault(data["office_code"], data.get("unit") or data["office_code"])
        if not cursor:
            break
    return {"county": county, "items": [{"institution_code": c, "name": n} for c, n in sorted(found.items())]}


def declare(body: dict[str, Any], *, token: str | None) -> dict[str, Any]:
    phone = tokens.verify(token, claims.PURPOSE)
    institution = body["institution_code"]
    county = _county(institution[1:7] if institution[:1] == "H" else "", "institution_code")
    names = {i["institution_code"]: i["name"] for i in issuers(county)["items"]}
    if institution not in names:
        raise UnknownIssuer(details=[errors.FieldError("institution_code", "UNKNOWN_ISSUER", UnknownIssuer.default_message)])
    now = config.now()
    newborn = body["newborn"]
    document = {
        "institution_code": institution,
        "outside_institution": True,
        "place": body["place"],
        "newborn": {k: newborn[k] for k in ("sex", "born_at", "weight_grams")},
        "mother": {**body["mother"], "id_number": body["mother"]["id_number"].upper()},
        "father": {**body["father"], "id_number": body["father"]["id_number"].upper()} if body.get("father") else None,
    }
    problems = rules.entry_problems(document, now=now)
    if problems:
        raise errors.ValidationFailed(details=[errors.FieldError(*p) for p in problems])
    claims.check_claimant(body["claimant"], document["father"], body.get("claimant_id_number"))
    born_at = datetime.fromisoformat(document["newborn"]["born_at"]).astimezone(config.CHINA_TZ)
    document["newborn"]["born_at"] = born_at.isoformat(timespec="seconds")
    at = now.isoformat(timespec="seconds")
    birth_id = store.new_birth_id()
    key = claims.phone_key(phone)
    signer = f"citizen:{key[:12]}"
    digest = rules.record_hash(document)
    claim = {"newborn_name": newborn["name"], "father": document["father"], "claimant": body["claimant"]}
    # 二(一)1 "then sign and authorize": the declarant signs the record and the claim.
    claim_hash = rules.record_hash({"birth_id": birth_id, "record_hash": digest, **claim, "at": at})
    fields = {
        "status": rules.CLAIMED,
        "started_by": PARENT,
        "institution_code": institution,
        "institution_name": names[institution],
        "county": county,
        "outside_institution": True,
        "born_at": document["newborn"]["born_at"],
        "entered_at": at,
        "late": False,  # the 24 hours of 003 一(一)1 bind the midwifery institution, not a parent
        "materials": {},
        "mother_key": store.mother_key(document["mother"]["id_number"]),
        "claimant": body["claimant"],
        "claimant_phone_key": key,
        "claim_hash": claim_hash,
        "claimed_at": at,
        "updated_at": at,
        **records.signature(birth_id, 1, digest, signer, at),
    }
    item = store.create(birth_id, document, fields=fields, claim={**claim, "phone": phone})
    audit.append(
        records.subject(birth_id),
        actor=signer,
        action="birth.declared",
        after={"version": 1, "record_hash": digest, "status": rules.CLAIMED, "claim_hash": claim_hash},
        detail={"institution_code": institution, "claimant": body["claimant"]},
        at=at,
    )
    statistics.count(county, {"births|declared": 1, "births|claimed": 1}, once=f"{birth_id}#declared")
    return claims.citizen_view(item)

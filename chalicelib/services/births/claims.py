"""The parent's claim (003 一(一)2, 二(一)1; materials 一(二), 二(二)).

003 一(一)2: "the witness through the brush face or read a valid ID card access to my first
issuance of registration forms ... supplement the entry of the name of the newborn and its parents
relevant information, take a picture and upload the original valid ID card ... and related
materials, confirm the correct signature and submit."

Here the parent identifies with the ID numbers recorded for the birth and an SMS code on their
phone (``POST /v1/sms-codes`` with purpose ``birth``; the citizen token of
``services/shared/tokens.py``). **Face scan is out of scope**: the ID numbers and the SMS code are
the identification, and the materials (ID photos) are checked by the issuer.

The claim is one conditional write on the record being unclaimed: of two concurrent claims one
wins, the other gets ``409 BIRTH_ALREADY_CLAIMED``; nothing of the loser is stored.
"""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.domain import births as rules
from chalicelib.domain import errors
from chalicelib.services.births import records
from chalicelib.services.shared import statistics, tokens
from chalicelib.store import audit
from chalicelib.store import births as store

PURPOSE = "birth"


class IdMismatch(errors.Forbidden):
    code = "BIRTH_ID_MISMATCH"
    default_message = "身份证件号码与出生医学证明首次签发登记信息不符"


class AlreadyClaimed(errors.Conflict):
    code = "BIRTH_ALREADY_CLAIMED"
    default_message = "该出生医学证明已被申领"


class NotClaimant(errors.Forbidden):
    code = "NOT_CLAIMANT"
    default_message = "只有申领人本人（申领时验证的手机号码）可以办理"


def phone_key(phone: str) -> str:
    return config.keyed_hash("phone", phone)


def check_claimant(claimant: str, father: dict[str, Any] | None, claimant_id_number: str | None) -> None:
    """003 一(二)2 / 二(二)4 "the witness is not the mother": the father claims with his own ID
    number, which must be the father's recorded or given."""
    if claimant != "father":
        return
    if not father:
        raise errors.ValidationFailed(details=[errors.FieldError("father", "REQUIRED", "父亲申领时须填写父亲信息")])
    if (claimant_id_number or "").upper() != father["id_number"]:
        raise IdMismatch(details=[errors.FieldError("claimant_id_number", "ID_MISMATCH", "申领人身份证件号码与父亲信息不符")])


def claim(birth_id: str, body: dict[str, Any], *, token: str | None) -> dict[str, Any]:
    phone = tokens.verify(token, PURPOSE)
    item = records.load(birth_id)
    record = item.record_document()
    claimant = body["claimant"]
    # The mother's ID number recorded at entry identifies the record (003 一(一)2 "read a valid ID card").
    if not rules.claimant_id_matches(record, "mother", body["mother_id_number"]):
        raise IdMismatch(details=[errors.FieldError("mother_id_number", "ID_MISMATCH", "与登记的母亲身份证件号码不符")])
    recorded_father = record.get("father")
    father = body.get("father")
    if recorded_father and father and father["id_number"].upper() != recorded_father["id_number"]:
        raise IdMismatch(details=[errors.FieldError("father.id_number", "ID_MISMATCH", "与登记的父亲身份证件号码不符")])
    father = recorded_father or (
        {"name": father["name"], "id_number": father["id_number"].upper()} if father else None
    )
    if father:
        problems = [p for p in rules.entry_problems({"newborn": record["newborn"], "father": father}, now=config.now())
                    if p[0].startswith("father")]
        if problems:
            raise errors.ValidationFailed(details=[errors.FieldError(*p) for p in problems])
    check_claimant(claimant, father, body.get("claimant_id_number"))
    if item.status != rules.ENTERED or item.claimant:
        raise AlreadyClaimed()
    at = records.now_iso()
    document = {"newborn_name": body["newborn_name"], "father": father, "claimant": claimant}
    # 003 一(一)2 "confirm the correct signature and submit": the claimant signs what was claimed.
    claim_hash = rules.record_hash({"birth_id": birth_id, "record_hash": item.record_hash, **document, "at": at})
    won = store.claim(
        item,
        {**document, "phone": phone},  # sealed; the SMS of the notice and of the issue go to it
        claimant=claimant,
        phone_key=phone_key(phone),
        claim_hash=claim_hash,
        at=at,
        status=rules.CLAIMED,
        expected=rules.ENTERED,
    )
    if not won:
        raise AlreadyClaimed()
    audit.append(
        records.subject(birth_id),
        actor=f"citizen:{phone_key(phone)[:12]}",
        action="birth.claimed",
        after={"status": rules.CLAIMED, "claim_hash": claim_hash},
        detail={"claimant": claimant},
        at=at,
    )
    statistics.count(item.county, {"births|claimed": 1}, once=f"{birth_id}#claimed")
    return citizen_view(records.load(birth_id))


def claimed_by(birth_id: str, token: str | None) -> store.BirthItem:
    """The record, for the phone that claimed it."""
    phone = tokens.verify(token, PURPOSE)
    item = records.load(birth_id)
    if not item.claimant_phone_key or item.claimant_phone_key != phone_key(phone):
        raise NotClaimant()
    return item


def citizen_view(item: store.BirthItem) -> dict[str, Any]:
    from chalicelib.services.births import issuance

    view = records.common_view(item)
    view["certificate"] = issuance.certificate_view(item)
    return view


def status(birth_id: str, *, token: str | None) -> dict[str, Any]:
    return citizen_view(claimed_by(birth_id, token))

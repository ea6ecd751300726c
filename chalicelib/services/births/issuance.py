"""Review, issue and reissue the e-licence (003 一(一)3, 二(一)2, 三, 四).

- ``review``: 003 一(一)3 "the issuer of the uploaded registration form for the first time the
  integrity of the information and documents to review ... to confirm the integrity of the 'birth
  certificate' can be printed". Incomplete: 003 三(三) "the issuing agency to inform the one-time
  need to make up for the material" -- one notice listing every missing material, given once;
  complete: 三(二) "completed in one go": the BirthCertificate machine is started at once.
- ``issue_birth_certificate`` (the task function IssueBirthCertificate): number (its own series,
  ``Q<county><year><seq>``), the signed QR token (``adapters/signing.py``, the 生育服务证's keys),
  the PDF into the Documents bucket, then the record -- and on a reissue the revocation of the
  original -- in one transaction. Rendering happens here and not in the API: reportlab and qrcode
  ship only in the certificate bundle (``infra/package.py``), and the API's bundle stays without them.
- the reissue (``reissue.py``, 003 四) starts the same machine with the e-licence it replaces.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib import config
from chalicelib.adapters import storage
from chalicelib.domain import births as rules
from chalicelib.domain import errors
from chalicelib.domain.idcard import mask_id
from chalicelib.services.births import messages, records
from chalicelib.services.shared import statistics
from chalicelib.store import audit
from chalicelib.store import births as store

TITLE = "出生医学证明"


class CertificateNotFound(errors.NotFound):
    code = "BIRTH_CERTIFICATE_NOT_FOUND"
    default_message = "未找到该出生医学证明电子证照，请核对编号"


def verify_url(token: str) -> str:
    return f"{config.public_base_url()}/vb/{token}"


def pdf_key(birth_id: str, number: str) -> str:
    return f"births/{birth_id}/{number}.pdf"


def start(birth_id: str, name: str, payload: dict[str, Any]) -> None:
    client = config.client("stepfunctions")
    try:
        client.start_execution(
            stateMachineArn=config.birth_certificate_state_machine_arn(),
            name=name,
            input=json.dumps({"birth_id": birth_id, **payload}),
        )
    except client.exceptions.ExecutionAlreadyExists:
        pass  # the same request again: that execution issues it


def review(birth_id: str, staff) -> dict[str, Any]:
    item = records.own(birth_id, staff)
    records.require_status(item, rules.CLAIMED)
    missing = records.missing(item)
    at = records.now_iso()
    if missing:
        notice = {"at": at, "by": staff.staff_id, "missing": [list(g) for g in missing], "text": rules.notice_text(missing)}
        if store.set_notice(item, notice):
            audit.append(records.subject(birth_id), actor=staff.staff_id, action="birth.materials_notice", after=notice, at=at)
        item = records.load(birth_id)
        messages.materials_notice(item)  # once: the outbox keeps one message per record
        return {"result": "materials_missing", "notice": json.loads(item.notice), "birth_id": birth_id}
    audit.append(records.subject(birth_id), actor=staff.staff_id, action="birth.reviewed", after={"complete": True}, at=at)
    start(birth_id, f"{birth_id}-issue", {"by": staff.staff_id})
    return {"result": "issuing", "birth_id": birth_id}


# --------------------------------------------------------------------------- the task function
def issue_birth_certificate(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.adapters import signing

    item = store.get(event["birth_id"])
    replaces = event.get("replaces")
    if (replaces and item.certificate_number != replaces) or (not replaces and item.certificate_number):
        messages.issued(item)  # a retry after the write: the SMS once more, stored once
        return {"birth_id": item.birth_id, "number": item.certificate_number}  # a retry: done already
    if not replaces and item.status != rules.CLAIMED:
        raise ValueError(f"birth {item.birth_id} is {item.status}, not claimed")
    now = config.now()
    at = now.isoformat(timespec="seconds")
    number = rules.certificate_number(item.county, now.year, store.next_number(item.county, now.year))
    token = signing.sign(signing.Claims(number, 1, int(now.timestamp())))
    licence = store.BirthItem(
        number,
        birth_id=item.birth_id,
        licence_status=store.VALID,
        token=token,
        pdf_key=pdf_key(item.birth_id, number),
        issued_at=at,
        institution_name=item.institution_name,
        county=item.county,
        replaced_by=None,
    )
    storage.put_pdf(licence.pdf_key, render(item, licence, reissue_of=replaces or ""))
    previous = store.licence(replaces) if replaces else None
    revoked = {"at": at, "by": event.get("by", "system"), "reason": "reissued"} if previous else None
    expected = (rules.ISSUED, rules.STAMPED) if replaces else (rules.CLAIMED,)
    try:
        store.issue(item, licence, expected=expected, status=rules.ISSUED, at=at, previous=previous, revoked=revoked)
    except store.Conflict:
        return {"birth_id": item.birth_id, "number": store.get(item.birth_id).certificate_number}
    audit.append(
        records.subject(item.birth_id),
        actor="system",
        action="birth.reissued" if replaces else "birth.issued",
        after={"number": number},
        detail={"replaces": replaces} if replaces else None,
        at=at,
    )
    counters = {"births|reissued": 1} if replaces else {"births|issued": 1}
    statistics.count(item.county, counters, once=f"{item.birth_id}#{number}")
    current = store.get(item.birth_id)
    messages.issued(current)
    if not replaces:
        _link(current, at=at)
    return {"birth_id": item.birth_id, "number": number}


def _link(item: store.BirthItem, *, at: str) -> None:
    from chalicelib.services.births import link

    annotated = link.annotate_registration(item, at=at)
    if annotated:
        audit.append(
            records.subject(item.birth_id), actor="system", action="birth.registration_annotated",
            after={"registration_number": annotated}, at=at,
        )


def render(item: store.BirthItem, licence: store.BirthItem, *, reissue_of: str = "") -> bytes:
    from chalicelib.documents.birth_certificate_pdf import BirthCertificateData, render_birth_certificate

    record = item.record_document()
    claim = item.claim_document()
    father = claim.get("father") or record.get("father")
    return render_birth_certificate(
        BirthCertificateData(
            number=licence.pk,
            child_name=claim["newborn_name"],
            sex_label=rules.SEXES[record["newborn"]["sex"]],
            born_at=datetime.fromisoformat(record["newborn"]["born_at"]),
            place_of_birth="医疗机构外" if item.outside_institution else item.institution_name,
            weight_grams=int(record["newborn"]["weight_grams"]),
            mother_name=record["mother"]["name"],
            mother_id=mask_id(record["mother"]["id_number"]),
            father_name=father["name"] if father else "",
            father_id=mask_id(father["id_number"]) if father else "",
            issuer=item.institution_name,
            issued_at=datetime.fromisoformat(licence.issued_at),
            verify_url=verify_url(licence.token),
            reissue_of=reissue_of,
        )
    )


def certificate_view(item: store.BirthItem) -> dict[str, Any] | None:
    """The current e-licence with a short presigned PDF link (≤ 5 minutes)."""
    if not item.certificate_number:
        return None
    licence = store.licence(item.certificate_number)
    return {
        "number": item.certificate_number,
        "issued_at": item.issued_at,
        "stamped_at": item.stamped_at,
        "status": licence.licence_status if licence else None,
        "verify_url": verify_url(licence.token) if licence else None,
        "download_url": storage.presigned_url(licence.pdf_key, f"{item.certificate_number}.pdf") if licence else None,
    }

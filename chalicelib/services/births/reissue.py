"""Reissue of the e-licence (003 四), by the original issuer or by the county department.

003 四(二)1: "reissue applicants to carry the relevant materials to the original issuing agency
county (district) level health administrative department to apply for reissue; also ... apply
online, in accordance with the requirements of the submission of the relevant materials of the
photographic (scanned) pieces." 四(二)2: "the reissue of personnel to verify the written
application ... the original 'birth certificate' electronic license, need to be invalidated in
the system, and do a good job of reissuing the registration."

Who may reissue: the issuing institution itself (its own births), and the health department of
the original issuer's county -- a ``county_monitor`` account granted ``birth_reissue``
(``auth.BIRTH_REISSUE``); a county department sees the e-licences of its county only (404 for
others, like an unknown number).

The written application is scanned (003 四(一)1; the original record, 四(一)2, when asked): each
scan is a presigned upload onto the birth record's materials, checked by CheckUpload like every
other upload (``materials.check_object``); the reissue needs an accepted application scan given
for that e-licence. The new e-licence replaces the original in one transaction that revokes it
(``issuance.issue_birth_certificate``).
"""

from __future__ import annotations

from typing import Any

from chalicelib import auth
from chalicelib.domain import births as rules
from chalicelib.domain import errors
from chalicelib.services.births import issuance, materials, records
from chalicelib.services.citizen import uploads
from chalicelib.store import audit
from chalicelib.store import births as store

PURPOSE = "reissue"
# scans are taken while the e-licence is issued (before or after the stamp)
OPEN = (rules.ISSUED, rules.STAMPED)


class ApplicationMissing(errors.Conflict):
    code = "REISSUE_APPLICATION_MISSING"
    default_message = "请先上传补发书面申请的扫描件（经检查通过后）再申请补发"


def _target(number: str, staff) -> tuple[store.BirthItem, store.BirthItem]:
    """The e-licence and its birth, if the staff member may reissue it."""
    licence = store.licence(number)
    if licence is None:
        raise issuance.CertificateNotFound()
    if staff.role == auth.COUNTY_MONITOR:
        auth.require(staff, auth.BIRTH_REISSUE)
        # 003 四(二)1 "the original issuing agency county (district) level health administrative department"
        if not auth.covers(staff, licence.county):
            raise issuance.CertificateNotFound()
        item = records.load(licence.birth_id)
    else:
        item = records.own(licence.birth_id, staff)
    if licence.licence_status != store.VALID or item.certificate_number != number:
        raise errors.Conflict("该证照已作废，不能再申请补发", code="BIRTH_CERTIFICATE_REVOKED")
    return licence, item


def _scans(item: store.BirthItem, number: str) -> list[dict[str, Any]]:
    return [e for e in records.materials(item) if e.get("purpose") == PURPOSE and e.get("replaces") == number]


def presign_scan(number: str, body: dict[str, Any], staff) -> dict[str, Any]:
    """A presigned upload of one scan of the reissue's documents (003 四(二)1 "scanned pieces")."""
    _licence, item = _target(number, staff)
    document, content_type, filename = uploads.requested_document(body, list(rules.REISSUE_DOCUMENTS))
    return materials.presign_for(
        item, document, content_type, filename, statuses=OPEN, closed="该记录当前状态不能申请补发",
        purpose=PURPOSE, replaces=number, by=staff.staff_id,
    )


def reissue(number: str, body: dict[str, Any], staff) -> dict[str, Any]:
    _licence, item = _target(number, staff)
    scans = _scans(item, number)
    accepted = {s["document"] for s in scans if s.get("status") == uploads.ACCEPTED}
    lacking = [d for d in rules.REISSUE_REQUIRED if d not in accepted]
    if lacking:
        raise ApplicationMissing(
            details=[errors.FieldError("scans", "REQUIRED", f"缺少：{'、'.join(rules.REISSUE_DOCUMENTS[d] for d in lacking)}")]
        )
    at = records.now_iso()
    audit.append(
        records.subject(item.birth_id),
        actor=staff.staff_id,
        action="birth.reissue_requested",
        after={"replaces": number},
        detail={
            "application": body["application"],
            "channel": body["channel"],
            "by_role": staff.role,
            "scans": [s["upload_id"] for s in scans if s.get("status") == uploads.ACCEPTED],
        },
        at=at,
    )
    issuance.start(item.birth_id, f"{item.birth_id}-reissue-{number}", {"replaces": number, "by": staff.staff_id})
    return {"result": "reissuing", "birth_id": item.birth_id, "replaces": number}

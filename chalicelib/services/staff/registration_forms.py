"""The scanned, signed 《登记表》 of an on-site case (002 五(二)1 "登记对象或其委托代办人到登记机构现场
填写…《登记表》…并承诺签字"; 五(二)5 "工作人员扫描上传《登记表》图片进行电子档案存档，办结完毕").

Staff at the counter get a presigned POST for one file, exactly as a citizen's proof
(``services/citizen/uploads.py``): key ``uploads/<case id>/REGISTRATION_FORM/<upload id>``, the
declared type fixed in the policy (PDF or JPEG: a scan), 1 byte–2 MB, 5 minutes; ``CheckUpload``
then checks size and magic bytes against the declared type and keeps the accepted file under
``accepted/`` -- the case archive. The scan is kept whatever the case's status (the seed files it
"办结完毕", after registration), and lists with a short-lived link for staff who reach the case.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from chalicelib import auth, config
from chalicelib.adapters import storage
from chalicelib.domain import errors
from chalicelib.domain.case_status import STATUS_LABELS
from chalicelib.domain.documents import REGISTRATION_FORM
from chalicelib.services.certificates.printing import case_in_reach
from chalicelib.services.citizen import uploads
from chalicelib.store.repositories import audit
from chalicelib.store.repositories import cases as case_store

# A scan: PDF or JPEG (a form on paper, photographed or scanned).
CONTENT_TYPES = ("application/pdf", "image/jpeg")
# The archive takes the scan in every status: 五(二)5 files it after the case is completed.
ANY_STATUS = frozenset(STATUS_LABELS)


class NotOnsite(errors.Conflict):
    code = "NOT_ONSITE_CASE"
    default_message = "只有现场登记的办件需要上传签字的《登记表》"


def presign(case_id: str, body: dict[str, str], principal: auth.StaffPrincipal) -> dict[str, Any]:
    """A presigned POST for the scan of an on-site case. ``body``: validated by
    ``api/models.RegistrationFormScan`` (content type, file name)."""
    case = case_in_reach(case_id, principal)
    if case.channel != "onsite":
        raise NotOnsite()
    now = config.now()
    upload_id = uuid.uuid4().hex
    entry = {
        "upload_id": upload_id,
        "document": REGISTRATION_FORM,
        "status": uploads.PENDING,
        "content_type": body["content_type"],
        "filename": body["filename"],
        "by": principal.staff_id,
        "at": now.isoformat(timespec="seconds"),
        "expires_at": (now + timedelta(seconds=uploads.PRESIGN_SECONDS)).isoformat(timespec="seconds"),
    }
    if not case_store.append_upload(case.case_id, entry, open_statuses=ANY_STATUS, max_uploads=uploads.MAX_UPLOADS_PER_CASE):
        raise errors.Conflict("该办件上传次数已达上限，请联系管理员", code="UPLOAD_LIMIT_REACHED")
    audit.append(
        f"CASE#{case.case_id}",
        actor=principal.staff_id,
        action="registration_form.upload",
        detail={"upload_id": upload_id, "content_type": body["content_type"], "office_code": principal.unit_code},
        at=entry["at"],
    )
    return uploads.presigned_post(f"uploads/{case.case_id}/{REGISTRATION_FORM}/{upload_id}", upload_id, REGISTRATION_FORM, body["content_type"])


def scans(case_id: str, principal: auth.StaffPrincipal) -> dict[str, Any]:
    """The case's 《登记表》 scans, newest last: accepted ones with a short-lived link (inline),
    rejected ones with the reason, pending ones as such."""
    case = case_in_reach(case_id, principal)
    keep = ("upload_id", "status", "reason", "message", "content_type", "size", "sha256", "at", "by")
    out = []
    for e in case.uploads or []:
        entry = e.as_dict() if hasattr(e, "as_dict") else dict(e)
        if entry.get("document") != REGISTRATION_FORM:
            continue
        view = {k: entry[k] for k in keep if k in entry}
        if entry.get("status") == uploads.ACCEPTED and entry.get("key"):
            view["view_url"] = storage.presigned_upload_url(entry["key"], entry["content_type"])
            view["view_expires_in"] = config.presign_seconds()
        out.append(view)
    return {"case_id": case.case_id, "channel": case.channel, "scans": out}

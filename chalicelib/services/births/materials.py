"""The materials of a claim (003 一(二), 二(二)) as presigned uploads, checked like proof documents.

``presign`` gives the claimant a presigned POST for one material the claim needs: key
``births/<birth id>/<document>/<upload id>`` in the Uploads bucket (the same form, type and
size limits as ``services/citizen/uploads.py``). CheckUpload (``functions/check_upload.py``)
sends the ``births/`` keys here: the upload must be one this record issued and still pending;
the file is checked with the same ``inspect_object`` (size, magic bytes against the declared
type); accepted bytes are copied to ``accepted/births/...`` and the upload object deleted; the
decision is written once per upload id.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from chalicelib import config
from chalicelib.domain import births as rules
from chalicelib.domain import errors
from chalicelib.services.births import claims, records
from chalicelib.services.citizen import uploads
from chalicelib.store import births as store

log = logging.getLogger("birthreg.births")

PREFIX = "births/"
KEY_RE = re.compile(r"births/(?P<birth_id>B[0-9A-Z]{19})/(?P<document>[A-Z][A-Z0-9_]{1,39})/(?P<upload_id>[0-9a-f]{32})")
MAX_UPLOADS = 20
# Materials are taken from the claim until the e-licence is issued.
OPEN = (rules.CLAIMED,)


def presign(birth_id: str, body: dict[str, Any], *, token: str | None) -> dict[str, Any]:
    item = claims.claimed_by(birth_id, token)
    records.require_status(item, *OPEN, message="证件已签发，不能再上传材料")
    document, content_type, filename = uploads.requested_document(body, rules.uploadable(records.required(item)))
    return presign_for(item, document, content_type, filename, statuses=OPEN, closed="证件已签发，不能再上传材料")


def presign_for(
    item: store.BirthItem, document: str, content_type: str, filename: str, *, statuses: tuple[str, ...], closed: str, **extra: str
) -> dict[str, Any]:
    """One upload entry on the record (while its status is one of ``statuses``) and its presigned
    POST; ``extra``: what else the entry records (a reissue's scans: purpose, e-licence, staff)."""
    if len(item.material_entries()) >= MAX_UPLOADS:
        raise errors.Conflict("上传次数已达上限，请联系签发机构", code="UPLOAD_LIMIT_REACHED")
    upload_id = uuid.uuid4().hex
    entry = {
        "upload_id": upload_id,
        "document": document,
        "status": uploads.PENDING,
        "content_type": content_type,
        "filename": filename,
        "at": records.now_iso(),
        **extra,
    }
    if not store.add_material(item, upload_id, entry, statuses=statuses):
        raise records.WrongStatus(closed)
    return uploads.presigned_post(f"{PREFIX}{item.birth_id}/{document}/{upload_id}", upload_id, document, content_type)


def check_object(bucket: str, key: str) -> dict[str, Any]:
    client = config.client("s3")
    match = KEY_RE.fullmatch(key)
    try:
        item = store.get(match["birth_id"]) if match else None
    except store.NotFound:
        item = None
    issued = item.material_entries().get(match["upload_id"]) if item is not None else None
    if issued is None or issued.get("document") != match["document"]:
        uploads.delete_object(bucket, key)
        return {"key": key, "status": "deleted", "reason": "UNKNOWN_UPLOAD"}
    if issued.get("status") != uploads.PENDING:
        uploads.delete_object(bucket, key)
        return {"key": key, "status": "deleted", "reason": "ALREADY_DECIDED"}
    inspected = uploads.inspect_object(bucket, key, issued["content_type"])
    if inspected is None:
        return {"key": key, "status": "gone"}
    reason, size, data, digest = inspected
    entry = {**issued, "size": size, "at": records.now_iso()}
    kept = None
    if reason:
        entry.update(status=uploads.REJECTED, reason=reason, message=uploads.REJECTION_MESSAGES[reason])
    else:
        kept = f"{uploads.ACCEPTED_PREFIX}{key[: key.rindex('/')]}/{digest[:16]}"
        client.put_object(Bucket=bucket, Key=kept, Body=data, ContentType=issued["content_type"])
        entry.update(status=uploads.ACCEPTED, key=kept, sha256=digest)
    uploads.delete_object(bucket, key)
    if not store.decide_material(item.birth_id, match["upload_id"], entry, pending=uploads.PENDING):
        if kept:
            uploads.delete_object(bucket, kept)
        return {"key": key, "status": "deleted", "reason": "ALREADY_DECIDED"}
    return {"key": key, "status": entry["status"], "reason": reason}

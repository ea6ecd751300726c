"""Proof documents (000 §2.3.5 "此时需上传相关证明材料（上传的附件不超过2M）").

A case asks for documents in two ways: up front, when the evaluation's ``proofs_required``
is not empty (Sichuan, both spouses' hukou outside the province, 000 §2.3.5), and when a
registry check fails (the workflow puts codes such as ``ID_CARD``, ``MARRIAGE_PROOF`` into
``proofs_requested`` and waits).

``presign`` hands the citizen a presigned S3 POST for one requested document: key
``uploads/<case id>/<document>/<upload id>``, ``Content-Type`` fixed to the declared PDF,
JPEG or PNG, ``content-length-range`` 1 byte–2 MB, valid 5 minutes. The browser uploads
straight to the Uploads bucket. The case records the upload as ``pending`` with the
declared type and file name.

``check_uploaded_objects`` runs as ``CheckUpload`` on every S3 ObjectCreated event and
trusts neither the policy nor the object's metadata: the upload must be one the case issued
(its pending entry gives the declared type), the size must be 1 byte–2 MB and the file's
magic bytes must be those of the declared type. Anything else is deleted and the rejection
recorded on the case; accepted files are attached with their SHA-256. When the accepted
files cover every document the workflow asked for, it tells the workflow
(``review.proofs_received``).

Replay (issue 12): a presigned POST stays usable for its 5 minutes, so the same form can be
posted again after the first file was accepted. The decision is therefore made once per
upload id: the accepted bytes -- exactly the ones checked -- are copied to
``accepted/<case id>/<document>/<upload id>``, which no presigned form can write (each policy
names one exact ``uploads/...`` key), and the ``uploads/`` object is deleted; any later object
for an upload id already decided is deleted without touching the decision, and the decision
itself is a conditional write on the entry still being ``pending``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import urllib.parse
import uuid
from datetime import timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.services.citizen.access import authorize
from chalicelib.store.repositories import cases as case_store

log = logging.getLogger("birthreg.uploads")

# 000 §2.3.5 "上传的附件不超过2M"
MAX_BYTES = 2 * 1024 * 1024
CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
_MAGIC = (
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
)
MAX_UPLOADS_PER_CASE = 30
PRESIGN_SECONDS = 300
DOCUMENT_RE = re.compile(r"[A-Z][A-Z0-9_]{1,39}")
ACCEPTED_PREFIX = "accepted/"
KEY_RE = re.compile(r"uploads/(?P<case_id>[0-9A-Z]{8,40})/(?P<document>[A-Z][A-Z0-9_]{1,39})/(?P<upload_id>[0-9a-f]{32})")
# Uploads are taken while the case is still being handled; never once it is closed.
OPEN_STATUSES = frozenset(
    {
        case_store.SUBMITTED,
        case_store.CHECKING,
        case_store.AWAITING_PROOFS,
        case_store.AWAITING_REVIEW,
        case_store.NEEDS_ATTENTION,
    }
)
PENDING = "pending"
ACCEPTED = "accepted"
REJECTED = "rejected"

REJECTION_MESSAGES = {
    "EMPTY_FILE": "文件为空",
    "FILE_TOO_LARGE": "文件超过2MB",
    "UNSUPPORTED_TYPE": "文件内容不是PDF、JPEG或PNG",
    "TYPE_MISMATCH": "文件内容与声明的类型不符",
    "UNKNOWN_UPLOAD": "未经申请的上传",
}


# -- what a case asks for ------------------------------------------------------------
def requested_documents(case: case_store.Case) -> list[str]:
    codes = list(case.proofs_requested or [])
    codes += [p["code"] for p in case.evaluation.get("proofs_required", [])]
    return list(dict.fromkeys(codes))


def _entries(case: case_store.Case) -> list[dict[str, Any]]:
    return [e.as_dict() if hasattr(e, "as_dict") else dict(e) for e in (case.uploads or [])]


def accepted_documents(case: case_store.Case) -> set[str]:
    return {e["document"] for e in _entries(case) if e.get("status") == ACCEPTED}


def uploads_open(case: case_store.Case) -> bool:
    return case.status in OPEN_STATUSES


def outstanding_documents(case: case_store.Case) -> list[str]:
    if not uploads_open(case):
        return []
    done = accepted_documents(case)
    return [d for d in requested_documents(case) if d not in done]


def citizen_uploads(case: case_store.Case) -> list[dict[str, Any]]:
    """Uploads as the citizen sees them (no file names: they may carry personal data)."""
    keep = ("upload_id", "document", "status", "reason", "message", "content_type", "size", "sha256", "at")
    now = config.now().isoformat(timespec="seconds")
    out = []
    for e in _entries(case):
        view = {k: e[k] for k in keep if k in e}
        if e.get("status") == PENDING and e.get("expires_at", now) < now:
            view["status"] = "expired"
        out.append(view)
    return out


def sniff(data: bytes) -> str | None:
    """The content type the file's first bytes show, or None."""
    for content_type, magic in _MAGIC:
        if data.startswith(magic):
            return content_type
    return None


# -- presign -------------------------------------------------------------------------
class DocumentNotRequested(errors.DomainError):
    code = "DOCUMENT_NOT_REQUESTED"
    status = 422
    default_message = "该办件未要求上传此证明材料"


def requested_document(body: dict[str, str], requested: list[str]) -> tuple[str, str, str]:
    """``body``: validated by ``api/models.UploadRequest`` (document code, type, file name); here:
    was that document asked (of this case, or of a birth claim: services/births/materials.py)."""
    document = body["document"]
    if document not in requested:
        raise DocumentNotRequested(
            details=[errors.FieldError("document", "DOCUMENT_NOT_REQUESTED", f"可上传：{'、'.join(requested) or '无'}")]
        )
    return document, body["content_type"], body["filename"]


class UploadsClosed(errors.Conflict):
    code = "UPLOADS_CLOSED"
    default_message = "该办件已办结，不能再上传证明材料"


def presign(case_id: str, body: dict[str, str], *, query_code: str | None = None, token: str | None = None) -> dict[str, Any]:
    case = authorize(case_id, query_code=query_code, token=token)
    if not uploads_open(case):
        raise UploadsClosed()
    document, content_type, filename = requested_document(body, requested_documents(case))
    upload_id = uuid.uuid4().hex
    now = config.now()
    pending = {
        "upload_id": upload_id,
        "document": document,
        "status": PENDING,
        "content_type": content_type,
        "filename": filename,
        "at": now.isoformat(timespec="seconds"),
        "expires_at": (now + timedelta(seconds=PRESIGN_SECONDS)).isoformat(timespec="seconds"),
    }
    _append(case, pending)
    return presigned_post(f"uploads/{case.case_id}/{document}/{upload_id}", upload_id, document, content_type)


def presigned_post(key: str, upload_id: str, document: str, content_type: str) -> dict[str, Any]:
    """The browser's form for one exact key: the declared type, 1 byte to 2 MB, 5 minutes."""
    post = config.client("s3").generate_presigned_post(
        Bucket=config.uploads_bucket(),
        Key=key,
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, MAX_BYTES]],
        ExpiresIn=PRESIGN_SECONDS,
    )
    return {
        "upload_id": upload_id,
        "document": document,
        "url": post["url"],
        "fields": post["fields"],
        "content_type": content_type,
        "max_bytes": MAX_BYTES,
        "expires_in": PRESIGN_SECONDS,
    }


# -- CheckUpload ------------------------------------------------------------------------
def check_uploaded_objects(event: dict[str, Any]) -> dict[str, Any]:
    results = []
    for record in event.get("Records", []):
        s3 = record.get("s3", {})
        bucket = s3.get("bucket", {}).get("name")
        key = urllib.parse.unquote_plus(s3.get("object", {}).get("key", ""))
        if bucket and key:
            results.append(check_object(bucket, key))
    return {"results": results}


def delete_object(bucket: str, key: str) -> None:
    config.client("s3").delete_object(Bucket=bucket, Key=key)


def inspect_object(bucket: str, key: str, declared: str) -> tuple[str | None, int, bytes, str | None] | None:
    """(rejection reason or None, size, bytes, SHA-256) of an uploaded object checked against the
    declared type -- size 1 byte to 2 MB, magic bytes -- or None if the object is gone already."""
    client = config.client("s3")
    try:
        head = client.head_object(Bucket=bucket, Key=key)
    except client.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    size = int(head.get("ContentLength", 0))
    if size == 0:
        return "EMPTY_FILE", size, b"", None
    if size > MAX_BYTES:
        return "FILE_TOO_LARGE", size, b"", None
    data = client.get_object(Bucket=bucket, Key=key)["Body"].read(MAX_BYTES + 1)
    actual = sniff(data)
    if len(data) > MAX_BYTES:
        return "FILE_TOO_LARGE", size, b"", None
    if actual is None:
        return "UNSUPPORTED_TYPE", size, b"", None
    if actual != declared:
        return "TYPE_MISMATCH", size, b"", None
    return None, len(data), data, hashlib.sha256(data).hexdigest()


def check_object(bucket: str, key: str) -> dict[str, Any]:
    client = config.client("s3")
    if key.startswith(ACCEPTED_PREFIX):
        return {"key": key, "status": "kept"}  # our own copy of an accepted file (below)
    match = KEY_RE.fullmatch(key)
    if match is None:
        delete_object(bucket, key)
        log.warning("deleted an upload with an unexpected key")
        return {"key": key, "status": "deleted", "reason": "UNEXPECTED_KEY"}
    case_id, document, upload_id = match["case_id"], match["document"], match["upload_id"]
    try:
        case = case_store.get(case_id)
    except case_store.CaseNotFound:
        delete_object(bucket, key)
        return {"key": key, "status": "deleted", "reason": "CASE_NOT_FOUND"}
    issued = next((e for e in _entries(case) if e.get("upload_id") == upload_id and e.get("document") == document), None)
    if issued is None:
        delete_object(bucket, key)
        log.warning("deleted an upload the case did not issue")
        return {"key": key, "status": "deleted", "reason": "UNKNOWN_UPLOAD"}
    if issued.get("status") != PENDING:
        # The form was posted again after its upload was decided: the decision stands.
        delete_object(bucket, key)
        log.warning("deleted a replayed upload of a decided upload id")
        return {"key": key, "status": "deleted", "reason": "ALREADY_DECIDED"}
    # The type the citizen declared when asking for the form, from our own record: the
    # object's metadata is whatever the uploader sent.
    declared = issued["content_type"]
    inspected = inspect_object(bucket, key, declared)
    if inspected is None:
        return {"key": key, "status": "gone"}  # a repeated event for a file already deleted
    reason, size, data, digest = inspected
    at = config.now().isoformat(timespec="seconds")
    entry: dict[str, Any] = {
        "upload_id": upload_id,
        "document": document,
        "content_type": declared,
        "size": size,
        "filename": issued.get("filename", ""),
        "at": at,
    }
    if issued.get("by"):
        entry["by"] = issued["by"]  # staff who asked for the form (services/staff/registration_forms.py)
    kept = None
    if reason:
        entry.update(status=REJECTED, reason=reason, message=REJECTION_MESSAGES[reason])
    else:
        kept = f"{ACCEPTED_PREFIX}{case_id}/{document}/{upload_id}/{digest[:16]}"
        client.put_object(Bucket=bucket, Key=kept, Body=data, ContentType=declared)
        entry.update(status=ACCEPTED, key=kept, sha256=digest)
    delete_object(bucket, key)
    try:
        case = _replace(case, entry)
    except AlreadyDecided:
        # A concurrent event of the same upload id decided first; keep its copy, drop ours.
        if kept and kept != _decided_key(case_id, upload_id):
            delete_object(bucket, kept)
        return {"key": key, "status": "deleted", "reason": "ALREADY_DECIDED"}
    result = {"key": key, "status": entry["status"], "reason": reason}
    if not reason:
        _maybe_resume(case)
    return result


def _append(case: case_store.Case, entry: dict[str, Any]) -> None:
    """Append a pending upload atomically (list_append, at most ``MAX_UPLOADS_PER_CASE``)."""
    if not case_store.append_upload(case.case_id, entry, open_statuses=OPEN_STATUSES, max_uploads=MAX_UPLOADS_PER_CASE):
        current = case_store.get(case.case_id)
        if not uploads_open(current):
            raise UploadsClosed() from None
        raise errors.Conflict("该办件上传次数已达上限，请联系登记机构", code="UPLOAD_LIMIT_REACHED") from None


class AlreadyDecided(Exception):
    """The upload's entry is no longer pending: another event decided it first."""


def _decided_key(case_id: str, upload_id: str) -> str | None:
    entry = next((e for e in _entries(case_store.get(case_id)) if e.get("upload_id") == upload_id), {})
    return entry.get("key")


def _replace(case: case_store.Case, entry: dict[str, Any]) -> case_store.Case:
    """Decide a pending upload: replace its entry in place, on the condition that it is still
    pending (one decision per upload id). Entries are only ever appended, so an index stays
    valid; the condition re-checks it anyway."""
    for _ in range(3):
        index = next((i for i, e in enumerate(_entries(case)) if e.get("upload_id") == entry["upload_id"]), None)
        if index is None:
            break
        if _entries(case)[index].get("status") != PENDING:
            raise AlreadyDecided(entry["upload_id"])
        if case_store.decide_upload(case.case_id, index, entry, pending=PENDING):
            return case_store.get(case.case_id)
        case = case_store.get(case.case_id)
    raise case_store.ConcurrentChange(case.case_id)


def _maybe_resume(case: case_store.Case) -> None:
    asked = list(case.proofs_requested or [])
    if not asked or not set(asked) <= accepted_documents(case) or not uploads_open(case):
        return
    # Only CheckUpload (the S3 event) gets here: the API's upload and case-view routes do not load
    # the workflow's review module on their first request.
    from chalicelib.services.workflow import review

    review.proofs_received(case.case_id)

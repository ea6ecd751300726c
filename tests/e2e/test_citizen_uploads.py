"""Proof uploads (000 §2.3.5): presigned S3 POST, real uploads to the local S3, CheckUpload.

The files are posted exactly as a browser posts them (multipart/form-data with the presigned
fields, the file last) to the moto S3 endpoint; its ObjectCreated notification runs the real
CheckUpload handler in process.
"""

from __future__ import annotations

import hashlib
import time
import uuid

import boto3
import pytest

from tests.e2e.conftest import PDF_BYTES as PDF
from tests.e2e.conftest import Api, citizen_token, post_file, register, wait_for_status

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100)
OPEN = {"awaiting_proofs", "awaiting_review"}


def _case(api: Api, body: dict) -> dict:
    r = register(api, body)
    assert r.status == 201, r.body
    return {"case_id": r.body["case_id"], "code": r.body["query_code"], "body": body}


@pytest.fixture
def out_of_province(api, couple) -> dict:
    """Sichuan, both hukou outside the province, living in it: ID card and residence proof
    are asked for up front (000 §2.3.5); the records do not match, so the case stays open."""
    body = couple("sichuan", matched=False)
    for role in ("woman", "man"):
        body[role]["hukou"]["region_code"] = "500103003"  # 重庆市渝中区解放碑街道
    case = _case(api, body)
    case["view"] = wait_for_status(api, case["case_id"], case["code"], OPEN)
    return case


def _presign(api: Api, case: dict, document: str, content_type: str, filename: str = "证明.png", **headers):
    return api.post(
        f"/v1/registrations/{case['case_id']}/uploads",
        {"document": document, "content_type": content_type, "filename": filename},
        headers=headers or {"X-Query-Code": case["code"]},
    )


def _upload(api: Api, case: dict, document: str, content_type: str, content: bytes) -> dict:
    p = _presign(api, case, document, content_type)
    assert p.status == 201, p.body
    status = post_file(p.body["url"], p.body["fields"], content, content_type)
    assert status in (200, 201, 204, 400), status
    return {"presign": p.body, "post_status": status}


def _entry(api: Api, case: dict, upload_id: str) -> dict:
    deadline = time.monotonic() + 10
    while True:
        view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
        found = [u for u in view["proofs"]["uploads"] if u["upload_id"] == upload_id]
        if (found and found[0]["status"] != "pending") or time.monotonic() > deadline:
            return found[0] if found else {}
        time.sleep(0.1)


def _exists(stack, key: str) -> bool:
    objects = boto3.client("s3").list_objects_v2(Bucket=stack.names["Uploads"], Prefix=key).get("Contents", [])
    return any(o["Key"] == key for o in objects)


def _kept(stack, case: dict, upload_id: str) -> bytes | None:
    """The bytes of the accepted copy of ``upload_id`` (``accepted/...``), or None."""
    s3 = boto3.client("s3")
    prefix = f"accepted/{case['case_id']}/"
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=stack.names["Uploads"], Prefix=prefix).get("Contents", [])
            if f"/{upload_id}/" in o["Key"]]
    assert len(keys) <= 1, keys
    return s3.get_object(Bucket=stack.names["Uploads"], Key=keys[0])["Body"].read() if keys else None


def test_a_replayed_presigned_post_cannot_replace_an_accepted_proof(api, stack, out_of_province):
    """Issue 12: the same presigned form posted again within its 5 minutes replaced an accepted
    proof with a rejected file. The first decision stands; the replayed objects are deleted."""
    case = out_of_province
    up = _upload(api, case, "ID_CARD", "image/png", PNG)
    presign = up["presign"]
    accepted = _entry(api, case, presign["upload_id"])
    assert accepted["status"] == "accepted"
    other_png = b"\x89PNG\r\n\x1a\n" + b"another picture" * 10
    for replay in (b"<html>not an image</html>", other_png):
        assert post_file(presign["url"], presign["fields"], replay, "image/png") in (200, 201, 204)
        # CheckUpload ran in process on the ObjectCreated event: the replayed object is gone ...
        assert not _exists(stack, presign["fields"]["key"])
        # ... and the entry, its checksum and the kept bytes are the first upload's
        assert _entry(api, case, presign["upload_id"]) == accepted
        assert _kept(stack, case, presign["upload_id"]) == PNG
    view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert "ID_CARD" not in view["actions"]["upload"]
    assert [u["status"] for u in view["proofs"]["uploads"]] == ["accepted"]


def test_accepted_upload_is_attached_with_its_checksum(api, stack, out_of_province):
    case = out_of_province
    requested = [d["document"] for d in case["view"]["proofs"]["requested"]]
    assert {"ID_CARD", "RESIDENCE_PROOF"} <= set(requested), "000 §2.3.5 up front, plus what the failed check asks for"
    assert case["view"]["actions"]["upload"] == requested
    up = _upload(api, case, "ID_CARD", "image/png", PNG)
    presign = up["presign"]
    key = presign["fields"]["key"]
    assert key == f"uploads/{case['case_id']}/ID_CARD/{presign['upload_id']}"
    assert presign["max_bytes"] == 2 * 1024 * 1024 and presign["expires_in"] <= 300
    assert presign["fields"]["Content-Type"] == "image/png" and "policy" in presign["fields"]
    entry = _entry(api, case, presign["upload_id"])
    assert entry["status"] == "accepted", entry
    assert entry["sha256"] == hashlib.sha256(PNG).hexdigest() and entry["size"] == len(PNG)
    assert "filename" not in entry, "file names may carry personal data"
    # the checked bytes are kept where no presigned form can write; the upload key is emptied
    assert not _exists(stack, key)
    assert _kept(stack, case, presign["upload_id"]) == PNG
    view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert "ID_CARD" not in view["actions"]["upload"] and "RESIDENCE_PROOF" in view["actions"]["upload"]
    pdf = _upload(api, case, "RESIDENCE_PROOF", "application/pdf", PDF)
    assert _entry(api, case, pdf["presign"]["upload_id"])["status"] == "accepted"
    jpeg = _upload(api, case, "RESIDENCE_PROOF", "image/jpeg", JPEG)
    assert _entry(api, case, jpeg["presign"]["upload_id"])["status"] == "accepted"


@pytest.mark.parametrize(
    ("declared", "content", "reason"),
    [
        ("image/png", PDF, "TYPE_MISMATCH"),  # the magic bytes lie about the declared type
        ("application/pdf", b"MZ\x90\x00 not a document", "UNSUPPORTED_TYPE"),
        ("image/jpeg", b"<html><script>alert(1)</script></html>", "UNSUPPORTED_TYPE"),
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024), "FILE_TOO_LARGE"),
    ],
)
def test_bad_files_are_deleted_and_the_rejection_recorded(api, stack, out_of_province, declared, content, reason):
    case = out_of_province
    up = _upload(api, case, "ID_CARD", declared, content)
    key = up["presign"]["fields"]["key"]
    if up["post_status"] == 400:  # S3 itself refused the upload (policy enforced): nothing stored
        assert not _exists(stack, key)
        return
    entry = _entry(api, case, up["presign"]["upload_id"])
    assert entry["status"] == "rejected" and entry["reason"] == reason, entry
    assert entry["message"]
    assert not _exists(stack, key)
    view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert "ID_CARD" in view["actions"]["upload"], "still outstanding"


def test_presign_refusals_change_nothing(api, out_of_province, couple):
    case = out_of_province
    cases = [
        (_presign(api, case, "BIRTH_CERTIFICATE", "application/pdf"), 422, "DOCUMENT_NOT_REQUESTED"),
        (_presign(api, case, "ID_CARD", "image/gif"), 400, "VALIDATION_FAILED"),
        (_presign(api, case, "ID_CARD", "image/png", filename="../../etc/passwd"), 400, "VALIDATION_FAILED"),
        (_presign(api, case, "ID_CARD", "image/png", **{"X-Query-Code": "AAAAAAAA"}), 404, "NOT_FOUND"),
        (_presign(api, case, "ID_CARD", "image/png", **{"X-Other": "x"}), 401, "CREDENTIALS_REQUIRED"),
    ]
    for r, status, code in cases:
        assert r.status == status and r.body["error"]["code"] == code, r.body
    other = couple("guizhou")
    other_token = citizen_token(api, other["woman"]["phone"], "query")
    r = _presign(api, case, "ID_CARD", "image/png", **{"X-Citizen-Token": other_token})
    assert r.status == 404, "another couple's token does not reach this case"
    view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert view["proofs"]["uploads"] == []


def test_objects_the_case_did_not_issue_are_deleted(api, stack, out_of_province):
    case = out_of_province
    s3 = boto3.client("s3")
    forged = f"uploads/{case['case_id']}/ID_CARD/{uuid.uuid4().hex}"
    s3.put_object(Bucket=stack.names["Uploads"], Key=forged, Body=PNG, ContentType="image/png")
    stray = "somewhere/else.png"
    s3.put_object(Bucket=stack.names["Uploads"], Key=stray, Body=PNG, ContentType="image/png")
    assert not _exists(stack, forged) and not _exists(stack, stray)
    view = api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body
    assert view["proofs"]["uploads"] == []


def test_covering_the_requested_documents_resumes_the_workflow(api, couple):
    """The failed check asks for documents (awaiting_proofs); once every one is accepted the
    workflow goes on to manual review (review.proofs_received)."""
    case = _case(api, couple("sichuan", matched=False))
    view = wait_for_status(api, case["case_id"], case["code"], {"awaiting_proofs"})
    asked = view["actions"]["upload"]
    assert asked, view["proofs"]
    bad = _upload(api, case, asked[0], "application/pdf", b"not a pdf")
    assert _entry(api, case, bad["presign"]["upload_id"])["status"] == "rejected"
    assert api.get(f"/v1/registrations/{case['case_id']}", headers={"X-Query-Code": case["code"]}).body["status"] == "awaiting_proofs"
    for document in asked:
        good = _upload(api, case, document, "application/pdf", PDF)
        assert _entry(api, case, good["presign"]["upload_id"])["status"] == "accepted"
    view = wait_for_status(api, case["case_id"], case["code"], {"awaiting_review"})
    assert view["actions"]["upload"] == []
    assert {u["document"] for u in view["proofs"]["uploads"] if u["status"] == "accepted"} >= set(asked)


def test_no_uploads_once_the_case_is_completed(api, couple):
    case = _case(api, couple("chongqing"))
    wait_for_status(api, case["case_id"], case["code"], {"registered"})
    r = _presign(api, case, "ID_CARD", "image/png")
    assert r.status == 409 and r.body["error"]["code"] == "UPLOADS_CLOSED"

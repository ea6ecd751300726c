"""A case at the office (issue 14 item 3): printing an online case's certificate for the couple, and
the scanned, signed 《登记表》 of an on-site case.

Seeds: 001 三(一)3 "群众在…网上登记平台成功进行生育登记的，业务人员可帮助打印…“电子生育服务证”";
002 五(二)1 "现场填写…《登记表》…并承诺签字", 五(二)5 "工作人员扫描上传《登记表》图片进行电子档案存档";
002 六 "网上登记…登记机构不需要提交证件材料。现场登记带上夫妻双方身份证、结婚证原件".
"""

from __future__ import annotations

import time
import urllib.request

import pytest

from tests.e2e.conftest import PDF_BYTES, post_file
from tests.e2e.workflow_support import (
    Submitted,
    audit_actions,
    bearer,
    find_task,
    scenario_body,
    staff_token,
    submit_scenario,
    wait_status,
)

pytestmark = pytest.mark.e2e

GZ_OP = "gz-op-520102016"
CQ_OP = "cq-op-500103003"
SC_OP = "sc-op-510104022"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


# -- print -------------------------------------------------------------------------------------
def test_staff_print_the_couples_own_certificate_and_every_print_is_audited(api):
    case = submit_scenario(api, "guizhou", "instant")
    citizen = wait_status(api, case, "registered")
    op = bearer(staff_token(api, GZ_OP))

    r = api.post(f"/v1/staff/cases/{case.case_id}/certificate-prints", headers=op)
    assert r.status == 201, r.body
    assert r.body["registration_number"] == citizen["certificate"]["registration_number"]
    # the same document the citizen prints: the same bytes
    assert _get(r.body["download_url"]) == _get(citizen["certificate"]["download_url"])
    assert _get(r.body["download_url"]).startswith(b"%PDF-")

    # a second print is a second audit entry
    assert api.post(f"/v1/staff/cases/{case.case_id}/certificate-prints", headers=op).status == 201
    printed = [e for e in audit_actions(case.case_id) if e["action"] == "certificate.printed"]
    assert len(printed) == 2 and {e["actor"] for e in printed} == {GZ_OP}
    assert printed[0]["detail"]["registration_number"] == r.body["registration_number"]

    # citizens read the office's name, never the staff member's
    notes = [h["note"] for h in wait_status(api, case, "registered")["history"]]
    assert notes.count(f"{r.body['office_name']}为登记对象打印(电子)生育服务证") == 2
    assert "新华路街道" in r.body["office_name"]


def test_staff_see_who_printed_by_their_real_name(api):
    case = submit_scenario(api, "guizhou", "registry_has_more")
    op = staff_token(api, GZ_OP)
    task = None
    for stage in ("initial_review", "registration"):
        deadline = time.monotonic() + 30
        while True:
            task = find_task(api, op, case.case_id)
            if task["stage"] == stage or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert task["stage"] == stage
        assert api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(op)).status == 200
    wait_status(api, case, "registered")
    assert api.post(f"/v1/staff/cases/{case.case_id}/certificate-prints", headers=bearer(op)).status == 201
    history = api.get(f"/v1/staff/tasks/{task['task_id']}", headers=bearer(op)).body["case"]["history"]
    printed = [h for h in history if h["note"] and "打印" in h["note"]]
    assert len(printed) == 1 and printed[0]["by"] == GZ_OP and printed[0]["by_name"]


def test_printing_needs_a_registered_case_in_reach(api):
    waiting = submit_scenario(api, "guizhou", "registry_has_more")
    wait_status(api, waiting, "awaiting_review")
    op = bearer(staff_token(api, GZ_OP))
    r = api.post(f"/v1/staff/cases/{waiting.case_id}/certificate-prints", headers=op)
    assert r.status == 409 and r.body["error"]["code"] == "NOT_REGISTERED"
    r = api.post("/v1/staff/cases/20260101ABCDEF0123/certificate-prints", headers=op)
    assert r.status == 404 and r.body["error"]["code"] == "CASE_NOT_FOUND"

    registered = submit_scenario(api, "guizhou", "instant")
    wait_status(api, registered, "registered")
    for username, status in (("sc-op-510104022", 403), ("gz-admin", 403), ("gz-hospital-520102", 403)):
        r = api.post(f"/v1/staff/cases/{registered.case_id}/certificate-prints", headers=bearer(staff_token(api, username)))
        assert r.status == status, (username, r.body)
    assert not [e for e in audit_actions(registered.case_id) if e["action"] == "certificate.printed"]
    assert api.post(f"/v1/staff/cases/{registered.case_id}/certificate-prints").status == 401


# -- the signed 登记表 of an on-site case --------------------------------------------------------
def _onsite(api, profile: str, operator: str, scenario: str = "instant") -> Submitted:
    body = scenario_body(profile, scenario)
    r = api.post("/v1/staff/registrations", body, headers=bearer(staff_token(api, operator)))
    assert r.status == 201, r.body
    return Submitted(r.body["case_id"], r.body["query_code"], body)


def _scans(api, case_id: str, operator: str, *, until: str, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        r = api.get(f"/v1/staff/cases/{case_id}/registration-form", headers=bearer(staff_token(api, operator)))
        assert r.status == 200, r.body
        if r.body["scans"] and r.body["scans"][-1]["status"] == until:
            return r.body["scans"]
        assert time.monotonic() < deadline, r.body
        time.sleep(0.2)


def test_the_signed_form_is_scanned_checked_and_kept_in_the_case_archive(api):
    case = _onsite(api, "chongqing", CQ_OP)
    wait_status(api, case, "registered")  # 五(二)5: filed after the case is completed
    op = bearer(staff_token(api, CQ_OP))
    p = api.post(f"/v1/staff/cases/{case.case_id}/registration-form", {"content_type": "application/pdf", "filename": "登记表.pdf"}, headers=op)
    assert p.status == 201, p.body
    assert p.body["document"] == "REGISTRATION_FORM" and p.body["max_bytes"] == 2 * 1024 * 1024
    assert post_file(p.body["url"], p.body["fields"], PDF_BYTES, "application/pdf") in (200, 201, 204)
    scans = _scans(api, case.case_id, CQ_OP, until="accepted")
    assert scans[-1]["by"] == CQ_OP and scans[-1]["view_expires_in"] > 0
    assert _get(scans[-1]["view_url"]) == PDF_BYTES

    # type by magic bytes: a PNG declared as JPEG is rejected and not kept
    p = api.post(f"/v1/staff/cases/{case.case_id}/registration-form", {"content_type": "image/jpeg", "filename": "scan.jpg"}, headers=op)
    assert post_file(p.body["url"], p.body["fields"], PNG_BYTES, "image/jpeg") in (200, 201, 204)
    rejected = _scans(api, case.case_id, CQ_OP, until="rejected")[-1]
    assert rejected["reason"] == "TYPE_MISMATCH" and "view_url" not in rejected
    # a real JPEG is accepted
    p = api.post(f"/v1/staff/cases/{case.case_id}/registration-form", {"content_type": "image/jpeg", "filename": "scan.jpg"}, headers=op)
    assert post_file(p.body["url"], p.body["fields"], JPEG_BYTES, "image/jpeg") in (200, 201, 204)
    assert _scans(api, case.case_id, CQ_OP, until="accepted")[-1]["content_type"] == "image/jpeg"
    assert [e["action"] for e in audit_actions(case.case_id)].count("registration_form.upload") == 3


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"content_type": "image/png", "filename": "a.png"}, "INVALID_ENUM"),  # a scan: PDF or JPEG
        ({"content_type": "application/pdf"}, "MISSING"),
        ({"content_type": "application/pdf", "filename": "../x.pdf"}, "INVALID_FORMAT"),
    ],
)
def test_a_bad_scan_request_is_400_and_adds_nothing(api, body, code):
    case = _onsite(api, "chongqing", CQ_OP)
    r = api.post(f"/v1/staff/cases/{case.case_id}/registration-form", body, headers=bearer(staff_token(api, CQ_OP)))
    assert r.status == 400, r.body
    assert code in {d["code"] for d in r.body["error"]["details"]}
    assert api.get(f"/v1/staff/cases/{case.case_id}/registration-form", headers=bearer(staff_token(api, CQ_OP))).body["scans"] == []


def test_only_on_site_cases_take_a_form_and_only_at_a_counter_in_reach(api):
    online = submit_scenario(api, "chongqing", "instant")
    op = bearer(staff_token(api, CQ_OP))
    body = {"content_type": "application/pdf", "filename": "登记表.pdf"}
    r = api.post(f"/v1/staff/cases/{online.case_id}/registration-form", body, headers=op)
    assert r.status == 409 and r.body["error"]["code"] == "NOT_ONSITE_CASE"
    onsite = _onsite(api, "chongqing", CQ_OP)
    for username in ("cq-county-500103", GZ_OP):  # no on-site grant / another province
        r = api.post(f"/v1/staff/cases/{onsite.case_id}/registration-form", body, headers=bearer(staff_token(api, username)))
        assert r.status == 403, (username, r.body)
    assert api.get(f"/v1/staff/cases/{onsite.case_id}/registration-form", headers=bearer(staff_token(api, GZ_OP))).status == 403


def test_a_chongqing_on_site_case_with_a_failed_check_asks_the_couple_for_no_uploads(api):
    """002 六: the originals are seen at the counter; the failed check goes to the reviewer."""
    case = _onsite(api, "chongqing", CQ_OP, "identity_mismatch")
    view = wait_status(api, case, "awaiting_review", "awaiting_proofs")
    assert view["status"] == "awaiting_review"
    assert view["proofs"]["requested"] == [] and view["actions"]["upload"] == []
    # the same failure online in Sichuan still asks for the document (000 §2.3.5)
    sichuan = _onsite(api, "sichuan", SC_OP, "identity_mismatch")
    assert wait_status(api, sichuan, "awaiting_review", "awaiting_proofs")["status"] == "awaiting_proofs"

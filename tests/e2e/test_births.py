"""The birth medical certificate e-licence (出生医学证明电子证照), end to end through the local stack
(issue 16; seed 003 parts 一 to 四): entry, claim, materials, review, issue, stamp check, public
QR verification, reissue. Each test cites the 003 sentence it checks."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest

from tests.e2e.conftest import PDF_BYTES, citizen_token, post_file, unique_phone
from tests.e2e.test_certificate_staff_routes import bearer, staff_token

pytestmark = pytest.mark.e2e

COUNTY = "520102"
INSTITUTION = "H520102001"
_n = iter(range(100, 1000))


def _ids() -> tuple[str, str]:
    from chalicelib.domain import idcard

    n = next(_n)
    mother = idcard.make_id("520102", date(1994, 3, 8), (2 * n) % 1000)
    father = idcard.make_id("520103", date(1992, 7, 1), (2 * n + 1) % 1000)
    return mother, father


@pytest.fixture(scope="module")
def hospital(stack):
    return bearer(staff_token("medical_institution", COUNTY, INSTITUTION)[1])


@pytest.fixture(scope="module")
def other_hospital(stack):
    return bearer(staff_token("medical_institution", "520103", "H520103001")[1])


def entry_body(*, hours_ago: float = 2, father: bool = True, outside: bool = False, institution: str = INSTITUTION) -> dict:
    from chalicelib import config

    mother, father_id = _ids()
    born = (config.now() - timedelta(hours=hours_ago)).isoformat(timespec="seconds")
    body = {
        "institution_code": institution,
        "newborn": {"sex": "female", "born_at": born, "weight_grams": 3250},
        "mother": {"name": "王芳", "id_number": mother},
    }
    if father:
        body["father"] = {"name": "李强", "id_number": father_id}
    if outside:
        body["outside_institution"] = True
    return body


def enter(api, hospital, **kw) -> tuple[dict, dict]:
    body = entry_body(**kw)
    r = api.post("/v1/staff/births", body, headers=hospital)
    assert r.status == 201, r.body
    return body, r.body


def claim(api, birth_id: str, body: dict, *, claimant: str = "mother", phone: str | None = None, **extra) -> tuple[object, str]:
    token = citizen_token(api, phone or unique_phone(), "birth")
    claim_body = {
        "claimant": claimant,
        "mother_id_number": body["mother"]["id_number"],
        "newborn_name": "李小满",
        "confirm": True,
        **extra,
    }
    if claimant == "father":
        claim_body["claimant_id_number"] = body["father"]["id_number"]
    return api.post(f"/v1/births/{birth_id}/claim", claim_body, headers={"X-Citizen-Token": token}), token


def upload(api, birth_id: str, token: str, documents: list[str]) -> None:
    for document in documents:
        p = api.post(
            f"/v1/births/{birth_id}/uploads",
            {"document": document, "content_type": "application/pdf", "filename": f"{document}.pdf"},
            headers={"X-Citizen-Token": token},
        )
        assert p.status == 201, p.body
        assert post_file(p.body["url"], p.body["fields"], PDF_BYTES, "application/pdf") in (200, 201, 204)


def wait_for(fetch, done, timeout: float = 60):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fetch()
        if done(last):
            return last
        time.sleep(0.2)
    raise AssertionError(f"condition not reached: {getattr(last, 'body', last)}")


def reissue_scans(api, birth_id: str, number: str, headers: dict, hospital: dict, documents=("REISSUE_APPLICATION",)) -> None:
    """Scans of the written application (003 四(二)1 "photographic (scanned) pieces"), presigned
    and checked by CheckUpload; waits until each is decided (seen from the issuer's record)."""
    ids = []
    for document in documents:
        p = api.post(f"/v1/staff/birth-certificates/{number}/reissue-scans",
                     {"document": document, "content_type": "application/pdf", "filename": f"{document}.pdf"}, headers=headers)
        assert p.status == 201, p.body
        assert post_file(p.body["url"], p.body["fields"], PDF_BYTES, "application/pdf") in (200, 201, 204)
        ids.append(p.body["upload_id"])
    wait_for(lambda: api.get(f"/v1/staff/births/{birth_id}", headers=hospital),
             lambda v: {m["upload_id"]: m["status"] for m in v.body["materials"] if m["upload_id"] in ids}
             == dict.fromkeys(ids, "accepted"))


def reissue(api, done: dict, headers: dict, hospital: dict, channel: str = "online"):
    """A reissue of ``done``'s current e-licence: the application's scan, then the request."""
    number = done["view"]["certificate"]["number"]
    reissue_scans(api, done["birth_id"], number, headers, hospital)
    return api.post(f"/v1/staff/birth-certificates/{number}/reissue",
                    {"application": "原证遗失，申请补发", "channel": channel}, headers=headers)


def revoked_numbers(api, *, limit: int = 2) -> list[str]:
    """The whole published revocation list, read page by page (003 四(二)2)."""
    numbers, cursor = [], ""
    for _ in range(1000):
        r = api.get(f"/v1/births/revocations?limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200, r.body
        assert len(r.body["items"]) <= limit
        numbers += [i["number"] for i in r.body["items"]]
        cursor = r.body["next_cursor"]
        if not cursor:
            return numbers
    raise AssertionError("the revocation list does not end")


def citizen_view(api, birth_id: str, token: str):
    return api.get(f"/v1/births/{birth_id}", headers={"X-Citizen-Token": token})


def claimed(api, hospital, **kw) -> dict:
    """A birth entered and claimed by its mother, no materials yet."""
    body, entered = enter(api, hospital, **kw)
    r, token = claim(api, entered["birth_id"], body)
    assert r.status == 201, r.body
    return {"birth_id": entered["birth_id"], "token": token, "body": body, "view": r.body}


def issued(api, hospital, *, outside: bool = False, father: bool = True, institution: str = INSTITUTION) -> dict:
    """A birth taken to an issued e-licence (entry, claim, materials, review)."""
    body, entered = enter(api, hospital, outside=outside, father=father, institution=institution)
    birth_id = entered["birth_id"]
    r, token = claim(api, birth_id, body)
    assert r.status == 201, r.body
    upload(api, birth_id, token, [g["any_of"][0] for g in r.body["missing_materials"]])
    wait_for(lambda: citizen_view(api, birth_id, token), lambda v: not v.body["missing_materials"])
    review = api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital)
    assert review.status == 202, review.body
    view = wait_for(lambda: citizen_view(api, birth_id, token), lambda v: v.body["status"] == "issued").body
    return {"birth_id": birth_id, "token": token, "body": body, "view": view}


# -- 1. entry (003 一(一)1) ---------------------------------------------------------------------
def test_entry_is_signed_and_corrections_are_new_versions(api, hospital):
    """003 一(一)1: "sign (electronic signature) confirmation and submit": the signed version is
    immutable; a correction is version 2 and version 1 stays as it was signed."""
    body, entered = enter(api, hospital)
    assert entered["status"] == "entered" and entered["late"] is False
    assert entered["mother"]["id_number"].count("*") == 8
    (v1,) = entered["versions"]
    assert v1["version"] == 1 and len(v1["record_hash"]) == 64 and v1["signed_by"].startswith("medical_institution-")
    corrected = api.put(
        f"/v1/staff/births/{entered['birth_id']}",
        {**body, "newborn": {**body["newborn"], "weight_grams": 3300}, "reason": "体重录入有误"},
        headers=hospital,
    )
    assert corrected.status == 200, corrected.body
    versions = corrected.body["versions"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0] == v1  # unchanged
    assert versions[1]["record_hash"] != v1["record_hash"]
    assert corrected.body["newborn"]["weight_grams"] == 3300
    assert [h["action"] for h in corrected.body["history"]] == ["birth.entered", "birth.corrected"]


def test_late_entry_is_allowed_but_flagged(api, hospital):
    """003 一(一)1 "within 24 hours after the birth": later is accepted, flagged and listed."""
    _, entered = enter(api, hospital, hours_ago=30)
    assert entered["late"] is True
    listed = api.get("/v1/staff/births?status=entered", headers=hospital)
    row = next(r for r in listed.body["items"] if r["birth_id"] == entered["birth_id"])
    assert row["late"] is True and row["status"] == "entered"


def test_entry_bad_input_and_jurisdiction(api, hospital, other_hospital):
    """An entry for another institution, a future birth, a man's ID as the mother's: 4xx, nothing stored."""
    before = len(api.get("/v1/staff/births", headers=hospital).body["items"])
    body = entry_body()
    r = api.post("/v1/staff/births", {**body, "institution_code": "H520103001"}, headers=hospital)
    assert r.status == 403 and r.body["error"]["code"] == "OUTSIDE_JURISDICTION"
    assert r.body["error"]["details"][0]["path"] == "institution_code"
    future = {**body, "newborn": {**body["newborn"], "born_at": "2099-01-01T08:00:00+08:00"}}
    r = api.post("/v1/staff/births", future, headers=hospital)
    assert r.status == 400 and r.body["error"]["details"][0]["path"] == "newborn.born_at"
    r = api.post("/v1/staff/births", {**body, "mother": {"name": "王芳", "id_number": body["father"]["id_number"]}}, headers=hospital)
    assert r.status == 400 and r.body["error"]["details"][0]["code"] == "ID_SEX_MISMATCH"
    assert len(api.get("/v1/staff/births", headers=hospital).body["items"]) == before
    # another institution neither sees nor writes this one's births
    _, entered = enter(api, hospital)
    assert api.get(f"/v1/staff/births/{entered['birth_id']}", headers=other_hospital).status == 404
    r = api.put(f"/v1/staff/births/{entered['birth_id']}", {**body, "reason": "x"}, headers=other_hospital)
    assert r.status in (403, 404)


# -- 2. claim (003 一(一)2, 一(二)) --------------------------------------------------------------
def test_claim_with_wrong_mother_id_is_refused_and_changes_nothing(api, hospital):
    _body, entered = enter(api, hospital)
    other_mother, _ = _ids()
    token = citizen_token(api, unique_phone(), "birth")
    r = api.post(
        f"/v1/births/{entered['birth_id']}/claim",
        {"claimant": "mother", "mother_id_number": other_mother, "newborn_name": "李小满", "confirm": True},
        headers={"X-Citizen-Token": token},
    )
    assert r.status == 403 and r.body["error"]["code"] == "BIRTH_ID_MISMATCH"
    assert r.body["error"]["details"][0]["path"] == "mother_id_number"
    assert api.get(f"/v1/staff/births/{entered['birth_id']}", headers=hospital).body["status"] == "entered"


def test_second_claim_is_409_and_two_concurrent_claims_one_wins(api, hospital):
    body, entered = enter(api, hospital)
    birth_id = entered["birth_id"]
    tokens = [citizen_token(api, unique_phone(), "birth") for _ in range(4)]
    claim_body = {"claimant": "mother", "mother_id_number": body["mother"]["id_number"], "newborn_name": "李小满", "confirm": True}
    results: list[int] = []
    barrier = threading.Barrier(len(tokens))

    def go(token: str) -> None:
        barrier.wait()
        results.append(api.post(f"/v1/births/{birth_id}/claim", claim_body, headers={"X-Citizen-Token": token}).status)

    threads = [threading.Thread(target=go, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409, 409, 409]
    winner = tokens[next(i for i, t in enumerate(tokens) if citizen_view(api, birth_id, t).status == 200)]
    assert sum(citizen_view(api, birth_id, t).status == 200 for t in tokens) == 1
    again = api.post(f"/v1/births/{birth_id}/claim", claim_body, headers={"X-Citizen-Token": winner})
    assert again.status == 409 and again.body["error"]["code"] == "BIRTH_ALREADY_CLAIMED"


def test_required_materials_follow_003(api, hospital):
    """003 一(二)2: the father claims -> the mother's power of attorney; 一(二)3: no father's
    information -> the mother's written statement."""
    body, entered = enter(api, hospital)
    r, _ = claim(api, entered["birth_id"], body, claimant="father")
    assert r.status == 201, r.body
    assert [g["any_of"] for g in r.body["missing_materials"]] == [["MOTHER_ID"], ["FATHER_ID"], ["MOTHER_AUTHORIZATION"]]
    body, entered = enter(api, hospital, father=False)
    r, _ = claim(api, entered["birth_id"], body)
    assert [g["any_of"] for g in r.body["missing_materials"]] == [["MOTHER_ID"], ["MOTHER_STATEMENT"]]


def texts_to(phone: str) -> list[str]:
    from local import outbox

    return [m["message"] for m in outbox.messages() if m["phone"] == "+86" + phone and "验证码" not in m["message"]]


def test_missing_materials_are_listed_in_one_notice_once(api, hospital):
    """003 三(三): "the issuing agency to inform the one-time need to make up for the material":
    one notice, and one SMS telling the parent of it; at issue an SMS with the e-licence number."""
    body, entered = enter(api, hospital)
    birth_id = entered["birth_id"]
    phone = unique_phone()
    _r, token = claim(api, birth_id, body, claimant="father", phone=phone)
    upload(api, birth_id, token, ["FATHER_ID"])
    wait_for(lambda: citizen_view(api, birth_id, token), lambda v: len(v.body["missing_materials"]) == 2)
    first = api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital)
    assert first.status == 200 and first.body["result"] == "materials_missing"
    assert first.body["notice"]["missing"] == [["MOTHER_ID"], ["MOTHER_AUTHORIZATION"]]
    assert "母亲有效身份证件" in first.body["notice"]["text"] and "委托书" in first.body["notice"]["text"]
    second = api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital)
    assert second.body["notice"] == first.body["notice"]
    history = api.get(f"/v1/staff/births/{birth_id}", headers=hospital).body["history"]
    assert [h["action"] for h in history].count("birth.materials_notice") == 1
    assert citizen_view(api, birth_id, token).body["notice"] == first.body["notice"]
    notices = [t for t in texts_to(phone) if "一次性告知" in t]
    assert len(notices) == 1, texts_to(phone)
    # made up: issued on the spot (003 三(三) "make up for the complete on-the-spot closure")
    upload(api, birth_id, token, ["MOTHER_ID", "MOTHER_AUTHORIZATION"])
    wait_for(lambda: citizen_view(api, birth_id, token), lambda v: not v.body["missing_materials"])
    assert api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital).status == 202
    view = wait_for(lambda: citizen_view(api, birth_id, token), lambda v: v.body["status"] == "issued").body
    # 003 一(一)3: issued -- the number and where to download it, by SMS, once
    number = view["certificate"]["number"]
    issued_texts = wait_for(lambda: [t for t in texts_to(phone) if number in t], bool)
    assert len(issued_texts) == 1 and "下载" in issued_texts[0] and "凭申领手机号" in issued_texts[0]
    assert len([t for t in texts_to(phone) if "一次性告知" in t]) == 1


def test_a_material_of_the_wrong_type_is_rejected(api, hospital):
    body, entered = enter(api, hospital)
    birth_id = entered["birth_id"]
    _, token = claim(api, birth_id, body)
    p = api.post(f"/v1/births/{birth_id}/uploads",
                 {"document": "MOTHER_ID", "content_type": "image/png", "filename": "id.png"},
                 headers={"X-Citizen-Token": token})
    assert p.status == 201
    post_file(p.body["url"], p.body["fields"], PDF_BYTES, "image/png")
    view = wait_for(lambda: citizen_view(api, birth_id, token),
                    lambda v: any(m["status"] == "rejected" for m in v.body["materials"])).body
    assert view["materials"][0]["reason"] == "TYPE_MISMATCH"
    assert ["MOTHER_ID"] in [g["any_of"] for g in view["missing_materials"]]
    r = api.post(f"/v1/births/{birth_id}/uploads",
                 {"document": "PATERNITY_APPRAISAL", "content_type": "application/pdf", "filename": "a.pdf"},
                 headers={"X-Citizen-Token": token})
    assert r.status == 422 and r.body["error"]["code"] == "DOCUMENT_NOT_REQUESTED"


# -- 3. review and print, 4. stamp check and public QR verification ----------------------------------
def test_issue_print_stamp_check_and_public_verification(api, hospital):
    """003 一(一)3 print after the completeness review; 一(一)4 check the printed QR against the record
    before stamping, recorded; anyone scanning the QR sees valid, without personal data."""
    done = issued(api, hospital)
    birth_id, cert = done["birth_id"], done["view"]["certificate"]
    assert cert["number"].startswith(f"Q{COUNTY}") and cert["status"] == "valid"
    import urllib.request

    with urllib.request.urlopen(cert["download_url"], timeout=10) as pdf:
        assert pdf.read(5) == b"%PDF-"
    printed = api.get(f"/v1/staff/births/{birth_id}/certificate", headers=hospital).body
    assert printed["number"] == cert["number"]
    token = cert["verify_url"].rsplit("/vb/", 1)[1]
    public = api.get(f"/v1/births/verify/{token}")
    assert public.status == 200 and public.body["result"] == "valid" and public.body["number"] == cert["number"]
    text = str(public.body)
    assert "王芳" not in text and "李小满" not in text and done["body"]["mother"]["id_number"][:10] not in text
    assert api.get(f"/vb/{token}").body["result"] == "valid"
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert api.get(f"/v1/births/verify/{tampered}").body["result"] == "invalid"

    # a QR of another birth's e-licence does not match this record
    other = issued(api, hospital)
    wrong = api.post(f"/v1/staff/births/{birth_id}/stamp-check", {"scanned": other["view"]["certificate"]["verify_url"]}, headers=hospital)
    assert wrong.status == 200 and wrong.body["matches"] is False
    ok = api.post(f"/v1/staff/births/{birth_id}/stamp-check", {"scanned": cert["verify_url"]}, headers=hospital)
    assert ok.status == 200 and ok.body["matches"] is True and ok.body["number"] == cert["number"]
    staff_view = api.get(f"/v1/staff/births/{birth_id}", headers=hospital).body
    assert staff_view["status"] == "stamped"
    checks = [h for h in staff_view["history"] if h["action"] == "birth.stamp_check"]
    assert [c["detail"]["result"] for c in checks] == ["valid", "valid"] and len(checks) == 2
    assert api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital).status == 409


# -- 5. outside an institution (003 二) ----------------------------------------------------------
def test_birth_outside_an_institution_needs_a_paternity_declaration_or_appraisal(api, hospital):
    """003 二(二)2, 3: a declaration of paternity, or a paternity appraisal; then the same review,
    print and stamp check (二(一)2, 3)."""
    body, entered = enter(api, hospital, outside=True)
    r, token = claim(api, entered["birth_id"], body)
    assert ["PATERNITY_DECLARATION", "PATERNITY_APPRAISAL"] in [g["any_of"] for g in r.body["missing_materials"]]
    upload(api, entered["birth_id"], token, ["MOTHER_ID", "FATHER_ID", "PATERNITY_APPRAISAL"])
    wait_for(lambda: citizen_view(api, entered["birth_id"], token), lambda v: not v.body["missing_materials"])
    assert api.post(f"/v1/staff/births/{entered['birth_id']}/review", headers=hospital).status == 202
    view = wait_for(lambda: citizen_view(api, entered["birth_id"], token), lambda v: v.body["status"] == "issued").body
    ok = api.post(f"/v1/staff/births/{entered['birth_id']}/stamp-check", {"scanned": view["certificate"]["verify_url"]}, headers=hospital)
    assert ok.body["matches"] is True


def declaration_body(*, claimant: str = "mother", father: bool = True, institution: str = INSTITUTION, hours_ago: float = 30) -> dict:
    body = entry_body(father=father, institution=institution, hours_ago=hours_ago)
    del body["institution_code"]
    body["newborn"]["name"] = "李小禾"
    out = {"institution_code": institution, "place": "贵阳市南明区某小区家中", "claimant": claimant, "confirm": True, **body}
    if claimant == "father":
        out["claimant_id_number"] = body["father"]["id_number"]
    return out


def declare(api, body: dict, phone: str | None = None):
    token = citizen_token(api, phone or unique_phone(), "birth")
    return api.post("/v1/births", body, headers={"X-Citizen-Token": token}), token


def test_parent_declares_a_birth_outside_an_institution(api, hospital):
    """003 二(一)1: the parent "supplement[s] the baby's name and its parents relevant
    information, photographs and upload[s] a valid ID card, and then sign[s] and authorize[s]";
    二(二)2-4: the paternity declaration or appraisal, the mother's power of attorney when the
    father declares; 二(一)2, 3: the issuing institution reviews, prints, checks before stamping."""
    issuers = api.get(f"/v1/births/issuers?county={COUNTY}")
    assert issuers.status == 200 and INSTITUTION in [i["institution_code"] for i in issuers.body["items"]]
    phone = unique_phone()
    body = declaration_body(claimant="father")
    r, token = declare(api, body, phone)
    assert r.status == 201, r.body
    view = r.body
    birth_id = view["birth_id"]
    assert view["status"] == "claimed" and view["started_by"] == "parent" and view["outside_institution"] is True
    assert view["claimant"] == "father" and view["newborn"]["name"] == "李小禾" and view["place"] == body["place"]
    assert [g["any_of"] for g in view["missing_materials"]] == [
        ["MOTHER_ID"], ["FATHER_ID"], ["MOTHER_AUTHORIZATION"], ["PATERNITY_DECLARATION", "PATERNITY_APPRAISAL"]]
    # the issuing institution sees it among the births awaiting its review, signed by the parent
    listed = api.get("/v1/staff/births?status=claimed", headers=hospital).body["items"]
    row = next(b for b in listed if b["birth_id"] == birth_id)
    assert row["started_by"] == "parent" and row["outside_institution"] is True
    staff_view = api.get(f"/v1/staff/births/{birth_id}", headers=hospital).body
    assert staff_view["versions"][0]["signed_by"].startswith("citizen:") and staff_view["late"] is False
    assert [h["action"] for h in staff_view["history"]] == ["birth.declared"]
    # a second claim of the declared record is refused
    again, _ = claim(api, birth_id, {"mother": body["mother"]})
    assert again.status == 409 and again.body["error"]["code"] == "BIRTH_ALREADY_CLAIMED"
    # one notice (and one SMS) of what is missing, then the materials, review, print, stamp check
    first = api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital)
    assert first.body["result"] == "materials_missing" and len(first.body["notice"]["missing"]) == 4
    upload(api, birth_id, token, ["MOTHER_ID", "FATHER_ID", "MOTHER_AUTHORIZATION", "PATERNITY_DECLARATION"])
    wait_for(lambda: citizen_view(api, birth_id, token), lambda v: not v.body["missing_materials"])
    assert api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital).status == 202
    issued_view = wait_for(lambda: citizen_view(api, birth_id, token), lambda v: v.body["status"] == "issued").body
    number = issued_view["certificate"]["number"]
    assert wait_for(lambda: [t for t in texts_to(phone) if number in t], bool)
    ok = api.post(f"/v1/staff/births/{birth_id}/stamp-check", {"scanned": issued_view["certificate"]["verify_url"]}, headers=hospital)
    assert ok.body["matches"] is True


def test_a_declaration_with_bad_input_changes_nothing(api, hospital):
    """Clear 4xx, nothing stored: an unknown or other-county issuer, an institution of a province
    without the process (003 is Guizhou's), a future birth, the father declaring with another ID
    number, the mother's ID a man's, no token."""
    before = len(api.get("/v1/staff/births", headers=hospital).body["items"])
    cases = [
        ({"institution_code": "H520102999"}, 400, "institution_code", "UNKNOWN_ISSUER"),
        ({"institution_code": "H510104001"}, 403, "institution_code", "NOT_OFFERED"),
        ({"institution_code": "X1"}, 400, "institution_code", None),
    ]
    for change, status, path, code in cases:
        r, _ = declare(api, {**declaration_body(), **change})
        assert r.status == status, (change, r.body)
        detail = r.body["error"]["details"][0]
        assert detail["path"] == path and (code is None or detail["code"] == code), r.body
    body = declaration_body()
    future = {**body, "newborn": {**body["newborn"], "born_at": "2099-01-01T08:00:00+08:00"}}
    r, _ = declare(api, future)
    assert r.status == 400 and r.body["error"]["details"][0]["path"] == "newborn.born_at"
    r, _ = declare(api, {**declaration_body(claimant="father"), "claimant_id_number": _ids()[1]})
    assert r.status == 403 and r.body["error"]["details"][0]["path"] == "claimant_id_number"
    r, _ = declare(api, {**body, "mother": {"name": "王芳", "id_number": body["father"]["id_number"]}})
    assert r.status == 400 and r.body["error"]["details"][0]["code"] == "ID_SEX_MISMATCH"
    assert api.post("/v1/births", declaration_body()).status == 401
    assert api.get("/v1/births/issuers?county=510104").status == 403
    assert api.get("/v1/births/issuers?county=abc").body["error"]["details"][0]["path"] == "county"
    assert len(api.get("/v1/staff/births", headers=hospital).body["items"]) == before


# -- 6. reissue (003 四) -------------------------------------------------------------------------
def test_reissue_invalidates_the_original(api, hospital, other_hospital):
    """003 四(二)2: the original e-licence "need to be invalidated in the system, and do a good job
    of reissuing the registration"."""
    done = issued(api, hospital)
    birth_id, original = done["birth_id"], done["view"]["certificate"]
    assert api.post("/v1/staff/birth-certificates/Q520102209900000001/reissue",
                    {"application": "原证遗失", "channel": "online"}, headers=hospital).status == 404
    assert api.post(f"/v1/staff/birth-certificates/{original['number']}/reissue",
                    {"application": "原证遗失", "channel": "online"}, headers=other_hospital).status == 404
    # 003 四(一)1: no reissue without the written application's scan
    r = api.post(f"/v1/staff/birth-certificates/{original['number']}/reissue",
                 {"application": "原证遗失，申请补发", "channel": "online"}, headers=hospital)
    assert r.status == 409 and r.body["error"]["code"] == "REISSUE_APPLICATION_MISSING"
    assert r.body["error"]["details"][0]["path"] == "scans"
    r = reissue(api, done, hospital, hospital)
    assert r.status == 202, r.body
    view = wait_for(lambda: citizen_view(api, birth_id, done["token"]),
                    lambda v: v.body["certificate"]["number"] != original["number"]).body
    assert view["certificate"]["status"] == "valid"
    old_token = original["verify_url"].rsplit("/vb/", 1)[1]
    assert api.get(f"/v1/births/verify/{old_token}").body["result"] == "revoked"
    assert original["number"] in revoked_numbers(api)
    again = api.post(f"/v1/staff/birth-certificates/{original['number']}/reissue",
                     {"application": "再次", "channel": "onsite"}, headers=hospital)
    assert again.status == 409
    # the old QR no longer matches the record at the stamp check
    stale = api.post(f"/v1/staff/births/{birth_id}/stamp-check", {"scanned": original["verify_url"]}, headers=hospital)
    assert stale.body["matches"] is False
    actions = [h["action"] for h in api.get(f"/v1/staff/births/{birth_id}", headers=hospital).body["history"]]
    assert "birth.reissue_requested" in actions and "birth.reissued" in actions


def test_the_county_department_reissues_its_countys_certificates(api, hospital):
    """003 四(二)1 "to the original issuing agency county (district) level health administrative
    department to apply for reissue ... the photographic (scanned) pieces"; 四(二)2 the original
    "need to be invalidated in the system". The county department (birth_reissue) of the issuer's
    county reissues; another county's department does not see it; a scan of the wrong type is
    rejected and does not count."""
    county = bearer(staff_token("county_monitor", COUNTY)[1])
    other_county = bearer(staff_token("county_monitor", "520103")[1])
    sichuan_county = bearer(staff_token("county_monitor", "510104")[1])
    done = issued(api, hospital)
    birth_id, number = done["birth_id"], done["view"]["certificate"]["number"]
    scan = {"document": "REISSUE_APPLICATION", "content_type": "application/pdf", "filename": "申请.pdf"}
    r = api.post(f"/v1/staff/birth-certificates/{number}/reissue-scans", scan, headers=other_county)
    assert r.status == 404 and r.body["error"]["code"] == "BIRTH_CERTIFICATE_NOT_FOUND"
    r = api.post(f"/v1/staff/birth-certificates/{number}/reissue-scans", scan, headers=sichuan_county)
    assert r.status == 403 and r.body["error"]["code"] == "BIRTH_CERTIFICATES_NOT_OFFERED"
    r = api.post(f"/v1/staff/birth-certificates/{number}/reissue-scans", {**scan, "document": "MOTHER_ID"}, headers=county)
    assert r.status == 422 and r.body["error"]["code"] == "DOCUMENT_NOT_REQUESTED"
    # a PNG that is a PDF: rejected by the check, the reissue still lacks its application
    p = api.post(f"/v1/staff/birth-certificates/{number}/reissue-scans", {**scan, "content_type": "image/png", "filename": "a.png"}, headers=county)
    assert p.status == 201, p.body
    post_file(p.body["url"], p.body["fields"], PDF_BYTES, "image/png")
    wait_for(lambda: api.get(f"/v1/staff/births/{birth_id}", headers=hospital),
             lambda v: any(m["upload_id"] == p.body["upload_id"] and m["status"] == "rejected" for m in v.body["materials"]))
    r = api.post(f"/v1/staff/birth-certificates/{number}/reissue", {"application": "原证遗失", "channel": "onsite"}, headers=county)
    assert r.status == 409 and r.body["error"]["code"] == "REISSUE_APPLICATION_MISSING"
    assert api.post(f"/v1/staff/birth-certificates/{number}/reissue", {"application": "原证遗失", "channel": "onsite"},
                    headers=other_county).status == 404
    r = reissue(api, done, county, hospital, channel="onsite")
    assert r.status == 202, r.body
    view = wait_for(lambda: citizen_view(api, birth_id, done["token"]), lambda v: v.body["certificate"]["number"] != number).body
    assert view["certificate"]["status"] == "valid"
    assert api.get(f"/v1/births/verify/{done['view']['certificate']['verify_url'].rsplit('/vb/', 1)[1]}").body["result"] == "revoked"
    history = api.get(f"/v1/staff/births/{birth_id}", headers=hospital).body["history"]
    requested = next(h for h in history if h["action"] == "birth.reissue_requested")
    assert requested["detail"]["by_role"] == "county_monitor" and requested["detail"]["channel"] == "onsite"
    assert len(requested["detail"]["scans"]) == 1


# -- 7. link to the birth-service registration -----------------------------------------------------
def test_issue_annotates_the_couples_registration(api, hospital, couple):
    """Issue item 7 (001 三(三)2 through record_birth): the couple's 生育服务证 gets the child's birth
    date and sex; the case history shows it."""
    from tests.e2e.conftest import register, wait_for_status

    reg = couple("guizhou")
    r = register(api, reg)
    assert r.status == 201, r.body
    case = wait_for_status(api, r.body["case_id"], r.body["query_code"], {"registered"})
    number = case["certificate"]["registration_number"]
    body = entry_body()
    body["mother"] = {"name": reg["woman"]["name"], "id_number": reg["woman"]["id_number"]}
    body["father"] = {"name": reg["man"]["name"], "id_number": reg["man"]["id_number"]}
    entered = api.post("/v1/staff/births", body, headers=hospital)
    assert entered.status == 201, entered.body
    birth_id = entered.body["birth_id"]
    claimed, token = claim(api, birth_id, body)
    upload(api, birth_id, token, [g["any_of"][0] for g in claimed.body["missing_materials"]])
    wait_for(lambda: citizen_view(api, birth_id, token), lambda v: not v.body["missing_materials"])
    assert api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital).status == 202
    wait_for(lambda: citizen_view(api, birth_id, token), lambda v: v.body["status"] == "issued")
    view = wait_for(
        lambda: api.get(f"/v1/registrations/{r.body['case_id']}", headers={"X-Query-Code": r.body["query_code"]}),
        lambda v: any("出生医学证明" in (h["note"] or "") for h in v.body["history"]),
    ).body
    note = next(h["note"] for h in view["history"] if "出生医学证明" in (h["note"] or ""))
    assert "性别女" in note
    staff = api.get(f"/v1/staff/certificates/{number}", headers=hospital).body
    assert staff["certificate"]["birth_record"]["sex"] == "female"
    history = api.get(f"/v1/staff/births/{birth_id}", headers=hospital).body["history"]
    linked = [h["after"] for h in history if h["action"] == "birth.registration_annotated"]
    assert linked == [{"registration_number": number}]


# -- 8. statistics ----------------------------------------------------------------------------
def test_statistics_count_entered_late_claimed_issued_reissued_declared(api, hospital):
    """Issue 16: "statistics include births entered, claimed, issued, late entries"; and the
    reissues (003 四) and the births parents declared outside an institution (003 二(一)1)."""
    county = bearer(staff_token("county_monitor", COUNTY)[1])

    def births() -> dict:
        r = api.get(f"/v1/staff/statistics?region={COUNTY}", headers=county)
        assert r.status == 200, r.body
        return r.body["totals"].get("births", {})

    before = births()
    enter(api, hospital, hours_ago=40)
    done = issued(api, hospital)
    assert reissue(api, done, hospital, hospital).status == 202
    wait_for(lambda: citizen_view(api, done["birth_id"], done["token"]),
             lambda v: v.body["certificate"]["number"] != done["view"]["certificate"]["number"])
    r, _ = declare(api, declaration_body())
    assert r.status == 201, r.body
    after = births()
    for name, added in (("entered", 2), ("late", 1), ("claimed", 2), ("issued", 1), ("reissued", 1), ("declared", 1)):
        assert after.get(name, 0) - before.get(name, 0) == added, (name, before, after)


def test_revocation_list_is_paged(api, hospital):
    """003 四(二)2 "invalidated in the system": the published list, a page (limit) at a time with
    a cursor; each revoked e-licence once; bad paging parameters are 400 with the field."""
    revoked = []
    for _ in range(3):
        done = issued(api, hospital)
        number = done["view"]["certificate"]["number"]
        r = reissue(api, done, hospital, hospital)
        assert r.status == 202, r.body
        wait_for(lambda d=done, n=number: citizen_view(api, d["birth_id"], d["token"]),
                 lambda v, n=number: v.body["certificate"]["number"] != n)
        revoked.append(number)
    paged = revoked_numbers(api, limit=2)
    assert len(paged) == len(set(paged))
    assert set(revoked) <= set(paged)
    assert revoked_numbers(api, limit=100) == paged
    for query, path, code in (("limit=0", "limit", "OUT_OF_RANGE"), ("limit=abc", "limit", "OUT_OF_RANGE"),
                              ("limit=101", "limit", "OUT_OF_RANGE"), ("cursor=bm90LWEta2V5", "cursor", "INVALID_CURSOR"),
                              ("cursor=%%%", "cursor", "INVALID_CURSOR")):
        r = api.get(f"/v1/births/revocations?{query}")
        assert r.status == 400, (query, r.body)
        assert (r.body["error"]["details"][0]["path"], r.body["error"]["details"][0]["code"]) == (path, code)

"""Certificates and verification on the local stack (issue 6).

A real registration is issued by the real workflow; its real PDF is rasterised (pdftoppm), the
QR code decoded (zbar), and the decoded URL verified through the public API. Revocation, the
full view, the revocation list, the couple's verification log and bad tokens go through HTTP.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chalicelib.auth import StaffPrincipal
from tests.e2e.conftest import citizen_token, register, unique_phone, wait_for_status
from tests.e2e.stock_support import blanks_for_case

pytestmark = pytest.mark.e2e

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


# ------------------------------------------------------------------------------------- helpers
def registered(api, couple, profile: str = "sichuan") -> dict:
    """A registration submitted the citizen's way (SMS code, submit token) and issued at once."""
    body = couple(profile)
    r = register(api, body)
    assert r.status == 201, r.body
    case_id, code = r.body["case_id"], r.body["query_code"]
    view = wait_for_status(api, case_id, code, {"registered"})
    return {"body": body, "case_id": case_id, "code": code, "view": view, "number": view["certificate"]["registration_number"]}


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed (apt-get install poppler-utils)")
    return path


def decode_qr(png: Path) -> list[str]:
    from PIL import Image

    from tests.qrcodes import decode_qr

    with Image.open(png) as image:
        return decode_qr(image)


def record_of(number: str):
    from chalicelib.store import certificates as store

    return store.get(number)


def audit_actions(number: str) -> list[tuple[str, str]]:
    from chalicelib.store import audit

    return [(e.actor, e.action) for e in audit.for_subject(f"CERT#{number}", newest_first=False)]


def personal_strings(body: dict) -> list[str]:
    return [
        body["woman"]["name"], body["man"]["name"],
        body["woman"]["id_number"], body["man"]["id_number"],
        body["woman"]["phone"], body["man"]["phone"],
    ]


def token_of(number: str) -> str:
    return record_of(number).token


def verify_token(api, token: str):
    return api.get(f"/v1/verify/{urllib.parse.quote(token, safe='')}")


def full(api, token: str, body: dict, sms_token: str, *, woman: str | None = None, man: str | None = None):
    return api.post(
        f"/v1/verify/{token}/full",
        {"woman_id_number": woman or body["woman"]["id_number"], "man_id_number": man or body["man"]["id_number"]},
        headers={"X-Citizen-Token": sms_token} if sms_token else {},
    )


# ------------------------------------------------------------------------------------- the QR code
def test_qr_code_of_the_rendered_pdf_verifies_through_the_public_endpoint(api, stack, couple, tmp_path):
    from joserfc import jws
    from joserfc.jwk import KeySet

    reg = registered(api, couple, "chongqing")
    cert = reg["view"]["certificate"]
    with urllib.request.urlopen(cert["download_url"], timeout=10) as resp:
        pdf = resp.read()
    (tmp_path / "c.pdf").write_bytes(pdf)

    # fonts embedded, page 1 rendered and not blank
    fonts = subprocess.run([tool("pdffonts"), str(tmp_path / "c.pdf")], capture_output=True, text=True, check=True).stdout
    assert all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts.splitlines()[2:] if line.strip()), fonts
    subprocess.run([tool("pdftoppm"), "-r", "150", "-png", "-f", "1", "-l", "1", str(tmp_path / "c.pdf"), str(tmp_path / "p")], check=True)
    (png,) = sorted(tmp_path.glob("p*.png"))
    from PIL import Image

    with Image.open(png) as image:
        lo, hi = image.convert("L").getextrema()
    assert lo < 64 and hi > 192, "page 1 is blank"

    (url,) = decode_qr(png)
    parsed = urllib.parse.urlparse(url)
    assert url.startswith(f"{stack.api_url}/v/"), url
    token = parsed.path.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token)
    for secret in personal_strings(reg["body"]):
        assert secret not in url

    r = verify_token(api, token)
    assert r.status == 200, r.body
    assert r.body["result"] == "valid"
    shown = r.body["certificate"]
    assert shown["registration_number"] == reg["number"] == cert["registration_number"]
    assert shown["version"] == 1 and shown["status"] == "valid"
    assert shown["child_order_label"] == reg["view"]["evaluation"]["child_order"]["registration_label"]
    assert shown["office_name"] == reg["view"]["evaluation"]["jurisdiction"]["office_name"]
    assert shown["registration_date"] == cert["issued_at"][:10]
    # the province (profile) brands the verify page (issue 17); it identifies no one
    assert set(shown) == {"registration_number", "version", "title", "office_name", "registration_date", "child_order_label", "status", "profile"}
    for secret in personal_strings(reg["body"]):
        assert secret not in r.raw.decode(), "the public view identifies nobody"

    # the URL in the QR code itself answers too
    assert api.get(parsed.path).body["result"] == "valid"

    # offline: the published JWK checks the signature without asking the API
    jwks = api.get("/.well-known/jwks.json")
    assert jwks.status == 200 and "max-age" in jwks.headers.get("Cache-Control", "")
    # (an independent verifier: joserfc picks the key by the token's kid from the published set)
    verified = jws.deserialize_compact(token, KeySet.import_key_set(jwks.body), algorithms=["ES256"])
    assert verified.headers()["kid"] in [k["kid"] for k in jwks.body["keys"]]
    assert json.loads(verified.payload)["sub"] == reg["number"]

    # the verification is logged as a public one
    assert ("public", "verify.public") in audit_actions(reg["number"])


def test_registration_numbers_carry_county_and_year_and_are_unique(api, couple):
    numbers = set()
    for profile in ("sichuan", "guizhou"):
        reg = registered(api, couple, profile)
        office = reg["view"]["evaluation"]["jurisdiction"]["office_code"]
        year = reg["view"]["certificate"]["issued_at"][:4]
        assert re.fullmatch(rf"{office[:6]}{year}\d{{6}}", reg["number"]), reg["number"]
        numbers.add(reg["number"])
    assert len(numbers) == 2


def test_regeneration_is_byte_for_byte_and_a_retried_task_issues_nothing_new(api, couple):
    from chalicelib.adapters import storage
    from chalicelib.services.certificates import issuance as certificates

    reg = registered(api, couple)
    record = record_of(reg["number"])
    assert certificates.regenerate(reg["number"]) == storage.get_pdf(record.pdf_key)
    again = certificates.issue_certificate(reg["case_id"])
    assert again == {"registration_number": reg["number"], "pdf_key": record.pdf_key}
    assert record_of(reg["number"]).token == record.token


# ------------------------------------------------------------------------------------- revocation
def test_revoked_certificate_is_reported_revoked_and_listed(api, couple, clock):
    from chalicelib.services.certificates import issuance as certificates

    reg = registered(api, couple)
    number, token = reg["number"], token_of(reg["number"])
    status_path = f"/v1/certificates/{number}/status?token={urllib.parse.quote(token, safe='')}"
    assert api.get(status_path).body["status"] == "valid"

    certificates.revoke(number, reason="工作人员注销", actor="staff-510104")
    certificates.revoke(number, reason="工作人员注销", actor="staff-510104")  # idempotent
    assert [a for a in audit_actions(number) if a[1] == "certificate.revoked"] == [("staff-510104", "certificate.revoked")]

    r = verify_token(api, token)
    assert r.status == 200 and r.body["result"] == "revoked"
    assert r.body["certificate"]["revoked_at"]
    status = api.get(status_path)
    assert status.status == 200 and status.body["status"] == "revoked"

    listed = api.get("/v1/certificates/revocations")
    assert listed.status == 200
    (entry,) = [e for e in listed.body["revocations"] if e["registration_number"] == number]
    assert set(entry) == {"registration_number", "version", "revoked_at"} and entry["version"] == 1
    for secret in [*personal_strings(reg["body"]), "工作人员注销", "staff-510104"]:
        assert secret not in listed.raw.decode()
    since = api.get("/v1/certificates/revocations?since=" + urllib.parse.quote(entry["revoked_at"]))
    assert number in [e["registration_number"] for e in since.body["revocations"]]
    later = (datetime.fromisoformat(entry["revoked_at"]) + timedelta(seconds=1)).astimezone(UTC)
    after = api.get("/v1/certificates/revocations?since=" + urllib.parse.quote(later.isoformat()))
    assert after.status == 200 and number not in [e["registration_number"] for e in after.body["revocations"]]
    assert api.get("/v1/certificates/revocations?since=yesterday").status == 400

    # the full view of a revoked certificate: revoked, no details
    r = full(api, token, reg["body"], citizen_token(api, reg["body"]["woman"]["phone"], "verify", clock=clock))
    assert r.status == 410 and r.body["error"]["code"] == "CERTIFICATE_REVOKED"


def test_reissue_revokes_the_replaced_certificate(api, couple):
    from chalicelib import config
    from chalicelib.services.certificates import issuance as certificates
    from chalicelib.store import cases

    reg = registered(api, couple)
    old_token = token_of(reg["number"])
    # What a modification does to the case before the workflow runs again (000 §2.4.2 注).
    case = cases.get(reg["case_id"])
    cases.transition(case, cases.SUBMITTED, at=config.now().isoformat(timespec="seconds"), by="citizen")
    issued = certificates.issue_certificate(reg["case_id"])
    assert issued["registration_number"] != reg["number"]
    assert issued["pdf_key"].endswith("/v2.pdf")

    assert verify_token(api, old_token).body["result"] == "revoked"
    new = verify_token(api, token_of(issued["registration_number"])).body
    assert new["result"] == "valid" and new["certificate"]["version"] == 2
    assert record_of(reg["number"]).revoked_reason == certificates.REISSUED


# ------------------------------------------------------------------------------------- full view
def test_full_view_with_the_couples_id_numbers_and_sms_token(api, couple, clock):
    from chalicelib.domain.idcard import mask_id

    reg = registered(api, couple)
    body, token = reg["body"], token_of(reg["number"])

    man_token = citizen_token(api, body["man"]["phone"], "verify", clock=clock)
    ok = full(api, token, body, man_token, woman=body["woman"]["id_number"].lower())
    assert ok.status == 200, ok.body
    cert = ok.body["certificate"]
    assert ok.body["result"] == "valid" and cert["registration_number"] == reg["number"]
    assert cert["woman"]["id_number"] == mask_id(body["woman"]["id_number"])
    assert cert["woman"]["name"].startswith(body["woman"]["name"][0]) and "*" in cert["woman"]["name"]
    for secret in personal_strings(body):
        assert secret not in ok.raw.decode()
    assert cert["expires_in"] <= 300
    with urllib.request.urlopen(cert["download_url"], timeout=10) as resp:
        assert resp.read().startswith(b"%PDF")

    wrong_id = full(api, token, body, man_token, man=body["woman"]["id_number"])
    assert wrong_id.status == 403 and wrong_id.body["error"]["code"] == "NOT_MATCHED"
    stranger = full(api, token, body, citizen_token(api, unique_phone(), "verify", clock=clock))
    assert stranger.status == 403 and stranger.body["error"]["code"] == "NOT_MATCHED"
    for r in (wrong_id, stranger):
        assert "certificate" not in r.body
        for secret in personal_strings(body):
            assert secret not in r.raw.decode()

    no_sms = full(api, token, body, "")
    assert no_sms.status == 401
    wrong_purpose = full(api, token, body, citizen_token(api, body["woman"]["phone"], "query", clock=clock))
    assert wrong_purpose.status == 401 and wrong_purpose.body["error"]["code"] == "TOKEN_WRONG_PURPOSE"
    forged = full(api, token, body, man_token[:-2] + ("AA" if not man_token.endswith("AA") else "BB"))
    assert forged.status == 401

    missing = api.post(f"/v1/verify/{token}/full", {"woman_id_number": body["woman"]["id_number"]},
                       headers={"X-Citizen-Token": man_token})
    assert missing.status == 400 and missing.body["error"]["details"][0]["path"] == "man_id_number"

    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    bad = full(api, tampered, body, man_token)
    assert bad.status == 400 and bad.body["error"]["code"] == "CERTIFICATE_INVALID"

    # the couple sees who verified, and when
    seen = api.get(f"/v1/registrations/{reg['case_id']}/verifications", headers={"X-Query-Code": reg["code"]})
    assert seen.status == 200, seen.body
    entries = seen.body["verifications"]
    masked_man = body["man"]["phone"][:3] + "****" + body["man"]["phone"][7:]
    assert {"who": masked_man, "view": "full", "outcome": "shown"} .items() <= next(
        e for e in entries if e["view"] == "full" and e["outcome"] == "shown").items()
    assert sum(e["outcome"] == "not_matched" for e in entries) == 2
    assert all(e["at"] and e["registration_number"] == reg["number"] for e in entries)
    wrong_code = api.get(f"/v1/registrations/{reg['case_id']}/verifications", headers={"X-Query-Code": "AAAAAAAA"})
    assert wrong_code.status == 404
    assert api.get(f"/v1/registrations/{reg['case_id']}/verifications").status == 401
    # the registered phone's query token works too (as for reading the case); another phone's does not
    query = citizen_token(api, body["woman"]["phone"], "query", clock=clock)
    by_token = api.get(f"/v1/registrations/{reg['case_id']}/verifications", headers={"X-Citizen-Token": query})
    assert by_token.status == 200 and by_token.body["verifications"] == seen.body["verifications"]
    other = citizen_token(api, unique_phone(), "query", clock=clock)
    assert api.get(f"/v1/registrations/{reg['case_id']}/verifications", headers={"X-Citizen-Token": other}).status == 404


def test_repeated_wrong_id_numbers_lock_the_certificate_not_the_phone(api, couple, clock):
    """Issue 12: the budget is the certificate's (whatever phone tries), and a phone that is not
    the case's tests nothing and costs nothing (so a stranger cannot lock the couple out)."""
    from chalicelib.services.certificates import verification

    reg = registered(api, couple)
    body, token = reg["body"], token_of(reg["number"])
    stranger = citizen_token(api, unique_phone(), "verify", clock=clock)
    for _ in range(verification.MAX_FULL_VIEW_FAILURES + 3):
        assert full(api, token, body, stranger, man="510104199001011234").status == 403
    woman_token = citizen_token(api, body["woman"]["phone"], "verify", clock=clock)
    for _ in range(verification.MAX_FULL_VIEW_FAILURES):
        assert full(api, token, body, woman_token, man="510104199001011234").status == 403
    blocked = full(api, token, body, woman_token)
    assert blocked.status == 429 and "Retry-After" in blocked.headers
    assert blocked.body["error"]["code"] == "FULL_VIEW_LOCKED"
    # the man's phone guesses against the same certificate: the same budget
    man_token = citizen_token(api, body["man"]["phone"], "verify", clock=clock)
    assert full(api, token, body, man_token).status == 429
    # after the window the couple may try again; a correct answer does not use up the budget
    clock.advance(verification.FULL_VIEW_FAILURE_WINDOW.total_seconds() + 1)
    woman_token = citizen_token(api, body["woman"]["phone"], "verify", clock=clock)
    for _ in range(verification.MAX_FULL_VIEW_FAILURES + 2):
        assert full(api, token, body, woman_token).status == 200


def test_concurrent_wrong_id_numbers_evaluate_exactly_the_limit(api, couple, clock):
    """Issue 12: 20 simultaneous wrong attempts, a limit of 5 -> exactly 5 compared, 15 refused."""
    from chalicelib.services.certificates import verification

    reg = registered(api, couple)
    body, token = reg["body"], token_of(reg["number"])
    woman_token = citizen_token(api, body["woman"]["phone"], "verify", clock=clock)
    wrong = [f"51010419900101{n:04d}" for n in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = sorted(pool.map(lambda man: full(api, token, body, woman_token, man=man).status, wrong))
    assert statuses == [403] * verification.MAX_FULL_VIEW_FAILURES + [429] * (20 - verification.MAX_FULL_VIEW_FAILURES)
    denied = [a for a in audit_actions(reg["number"]) if a[1] == "verify.full.not_matched"]
    assert len(denied) == verification.MAX_FULL_VIEW_FAILURES


# ------------------------------------------------------------------------------------- bad tokens
def test_every_mutation_and_truncation_of_a_real_token_is_rejected_over_http(api, couple):
    reg = registered(api, couple)
    token = token_of(reg["number"])
    assert verify_token(api, token).body["result"] == "valid"

    variants = set()
    for i, ch in enumerate(token):
        variants.add(token[:i] + ALPHABET[(ALPHABET.find(ch) + 1) % len(ALPHABET)] + token[i + 1 :])
    variants.update(token[:n] for n in range(1, len(token)))
    variants.update({token + "A", token + ".", token.replace(".", "", 1), "not-a-token", "a.b.c"})

    def check(variant: str):
        r = verify_token(api, variant)
        return variant, r.status, (r.body or {}).get("result"), r.raw.decode(errors="replace")

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(check, sorted(variants)))
    secrets = personal_strings(reg["body"])
    for variant, status, result, raw in results:
        assert status == 200 and result == "invalid", (variant, status, raw)
        assert not any(s in raw for s in secrets)
        assert reg["number"] not in raw, "an invalid token says nothing about the certificate it imitates"


def test_unknown_certificate_and_foreign_keys(api):
    from chalicelib import config
    from chalicelib.adapters import signing

    ours = signing.sign(signing.Claims("5101042099999999", 1, 1767225600))  # the real key, no such number
    r = verify_token(api, ours)
    assert r.status == 200 and r.body["result"] == "unknown" and r.body["certificate"] is None
    impostor = signing.LocalSigner(config.signing_key_id())  # the right kid, another private key
    assert verify_token(api, signing.sign(signing.Claims("5101042099999999", 1, 0), impostor)).body["result"] == "invalid"
    stranger = signing.LocalSigner("another-deployment")
    assert verify_token(api, signing.sign(signing.Claims("5101042099999999", 1, 0), stranger)).body["result"] == "invalid"


def test_status_by_number_needs_the_certificates_own_token(api, couple):
    """Issue 12: numbers are sequential; the status route must not let anyone walk them."""
    first, second = registered(api, couple), registered(api, couple)
    number, token = first["number"], token_of(first["number"])
    assert api.get(f"/v1/certificates/{number}/status?token={token}").status == 200
    bare = api.get(f"/v1/certificates/{number}/status")
    assert bare.status == 400 and bare.body["error"]["details"][0]["path"] == "query.token"
    # another certificate's (valid) token does not open this one: the same answer as an unknown number
    other = api.get(f"/v1/certificates/{number}/status?token={token_of(second['number'])}")
    unknown = api.get(f"/v1/certificates/5101042099999999/status?token={token}")
    assert other.status == unknown.status == 404
    assert other.body["error"]["code"] == unknown.body["error"]["code"] == "CERTIFICATE_UNKNOWN"
    # walking the neighbouring numbers with a token in hand learns nothing
    walk = {api.get(f"/v1/certificates/{number[:-4]}{n:04d}/status?token={token}").status
            for n in range(max(0, int(number[-4:]) - 5), int(number[-4:]) + 5) if f"{n:04d}" != number[-4:]}
    assert walk == {404}


def test_unknown_registration_number_and_junk_paths(api):
    assert api.get("/v1/certificates/5101042099999999/status").status == 400
    assert api.get("/v1/certificates/5101042099999999/status?token=abc").status == 404
    assert api.get("/v1/certificates/..%2F..%2Fetc/status").status in {400, 404}
    r = api.get("/v1/verify/" + "A" * 3000)
    assert r.status in {200, 400, 414} and (r.body or {}).get("result", "invalid") == "invalid"
    r = api.post("/v1/verify/abc/full", raw=b"not json")
    assert r.status == 400


# ------------------------------------------------------------------------------------- staff records
# The services, called with the principal chalicelib/auth.py hands the routes; the HTTP routes,
# with real staff sign-in and their role checks, are tested in test_certificate_staff_routes.py.


def test_medical_institution_records_birth_date_and_sex_once(api, couple, clock):
    from chalicelib import config
    from chalicelib.api import models
    from chalicelib.domain import errors
    from chalicelib.services.certificates import issuance as certificates
    from chalicelib.services.certificates import verification

    reg = registered(api, couple)
    number, body = reg["number"], reg["body"]
    hospital = StaffPrincipal("staff-hosp-1", "华西妇产", "medical_institution", "510104", "510104022")
    today = config.today().isoformat()

    looked_up = verification.staff_view(number, staff=hospital)
    assert looked_up["result"] == "valid" and looked_up["certificate"]["birth_record"] is None
    assert body["woman"]["id_number"] not in json.dumps(looked_up, ensure_ascii=False)

    with pytest.raises(errors.ValidationFailed) as future:
        certificates.record_birth(number, {"birth_date": "2999-01-01", "sex": "female"}, staff=hospital)
    assert [(d.path, d.code) for d in future.value.details] == [("birth_date", "DATE_IN_FUTURE")]
    with pytest.raises(errors.ValidationFailed):  # the body's shape: its model, before the service runs
        models.parse(models.BirthRecord, {"birth_date": today, "sex": "x"})
    recorded = certificates.record_birth(number, {"birth_date": today, "sex": "female"}, staff=hospital)
    assert recorded["birth_date"] == today and recorded["sex_label"] == "女"
    assert certificates.record_birth(number, {"birth_date": today, "sex": "female"}, staff=hospital) == recorded
    with pytest.raises(errors.Conflict):
        certificates.record_birth(number, {"birth_date": today, "sex": "male"}, staff=hospital)
    assert [a for a in audit_actions(number) if a[1] == "certificate.birth_recorded"] == [
        ("staff-hosp-1", "certificate.birth_recorded")
    ]

    # the couple's full view shows it; their verification log shows the institution's lookup
    sms = citizen_token(api, body["woman"]["phone"], "verify", clock=clock)
    shown = full(api, token_of(number), body, sms).body["certificate"]["birth_record"]
    assert shown["birth_date"] == today and shown["sex"] == "female"
    log = api.get(f"/v1/registrations/{reg['case_id']}/verifications", headers={"X-Query-Code": reg["code"]}).body
    assert any(e["who"] == "staff-hosp-1" and e["who_type"] == "staff" for e in log["verifications"])

    certificates.revoke(number, reason="注销", actor="staff-510104")
    other = registered(api, couple)
    certificates.revoke(other["number"], reason="注销", actor="staff-510104")
    with pytest.raises(certificates.CertificateRevoked):
        certificates.record_birth(other["number"], {"birth_date": today, "sex": "male"}, staff=hospital)


def test_township_office_records_the_paper_certificate_once(api, couple):
    from chalicelib import config
    from chalicelib.api import models
    from chalicelib.domain import errors
    from chalicelib.services.certificates import issuance as certificates
    from chalicelib.store import audit

    reg = registered(api, couple)  # Sichuan demo: office 510104022
    office = reg["view"]["evaluation"]["jurisdiction"]["office_code"]
    own = StaffPrincipal("staff-own", "王", "township_operator", office[:6], office)
    # another township of the province hands it out (001 三(一)3), from the blanks it received (三(二)2)
    same_province = StaffPrincipal("staff-prov", "李", "township_operator", "510104", "510104023")
    other_province = StaffPrincipal("staff-gz", "张", "township_operator", "520102", "520102016")
    today = config.today().isoformat()
    serial, second = blanks_for_case(api, "510104023", reg["case_id"], 2)

    with pytest.raises(errors.Forbidden):
        certificates.record_paper_certificate(reg["case_id"], {"number": serial, "issued_on": today}, staff=other_province)
    with pytest.raises(errors.ValidationFailed):  # the body's shape: its model, before the service runs
        models.parse(models.PaperCertificate, {"number": "x", "issued_on": today})
    with pytest.raises(errors.ValidationFailed) as early:
        certificates.record_paper_certificate(reg["case_id"], {"number": serial, "issued_on": "2000-01-01"}, staff=own)
    assert [(d.path, d.code) for d in early.value.details] == [("issued_on", "BEFORE_REGISTRATION")]

    view = certificates.record_paper_certificate(reg["case_id"], {"number": serial, "issued_on": today}, staff=same_province)
    assert view["number"] == serial and view["issued_on"] == today and view["office_code"] == "510104023"
    with pytest.raises(errors.Conflict):  # 001 三(一)3: only couples who have not received one
        certificates.record_paper_certificate(reg["case_id"], {"number": second, "issued_on": today}, staff=same_province)
    other = registered(api, couple)
    with pytest.raises(errors.Conflict):  # one serial number, one case
        certificates.record_paper_certificate(other["case_id"], {"number": serial, "issued_on": today}, staff=own)
    entries = [e for e in audit.for_subject(f"CASE#{reg['case_id']}") if e.action == "paper_certificate.recorded"]
    assert len(entries) == 1 and entries[0].actor == "staff-prov"


# ------------------------------------------------------------------ 证件核验 by registration number (issue 17)
def _by_number(api, number: str, woman: str, man: str):
    return api.post(
        "/v1/certificates/verification",
        {"registration_number": number, "woman_id_number": woman, "man_id_number": man},
    )


def test_a_certificate_is_verified_by_its_number_and_both_id_numbers(api, couple):
    case = registered(api, couple, "chongqing")
    body = case["body"]
    r = _by_number(api, case["number"].lower(), body["woman"]["id_number"], body["man"]["id_number"].lower())
    assert r.status == 200, r.body
    cert = r.body["certificate"]
    assert r.body["result"] == "valid" and cert["registration_number"] == case["number"]
    assert cert["profile"] == "chongqing" and cert["title"]
    assert cert["woman"]["name"].startswith(body["woman"]["name"][0]) and "*" in cert["woman"]["name"]
    assert body["woman"]["id_number"] not in json.dumps(r.body, ensure_ascii=False)
    assert "download_url" not in cert, "no PDF without an SMS-verified phone"


def test_a_wrong_id_number_and_an_unknown_number_are_the_same_404(api, couple):
    case = registered(api, couple)
    body = case["body"]
    wrong = _by_number(api, case["number"], body["woman"]["id_number"], body["woman"]["id_number"])
    unknown = _by_number(api, "5101049999000001", body["woman"]["id_number"], body["man"]["id_number"])
    assert wrong.status == unknown.status == 404
    assert wrong.body["error"]["code"] == unknown.body["error"]["code"] == "CERTIFICATE_NOT_MATCHED"
    assert wrong.body["error"]["message"] == unknown.body["error"]["message"]


def test_verification_by_number_rejects_bad_bodies_with_every_field(api):
    r = api.post("/v1/certificates/verification", {"registration_number": "", "woman_id_number": 5})
    assert r.status == 400
    paths = {d["path"]: d["code"] for d in r.body["error"]["details"]}
    # the body model's codes, as on every route: an empty string is missing, a number the wrong type
    assert paths == {"registration_number": "MISSING", "woman_id_number": "WRONG_TYPE", "man_id_number": "MISSING"}
    assert api.post("/v1/certificates/verification", [1, 2]).status == 400


def test_repeated_wrong_id_numbers_by_number_are_refused_for_a_day(api, couple):
    case = registered(api, couple)
    body = case["body"]
    for _ in range(5):
        assert _by_number(api, case["number"], body["man"]["id_number"], body["woman"]["id_number"]).status == 404
    refused = _by_number(api, case["number"], body["woman"]["id_number"], body["man"]["id_number"])
    # the certificate's wrong-ID budget, shared with the full view (even the right IDs wait a day)
    assert refused.status == 429 and refused.body["error"]["code"] == "FULL_VIEW_LOCKED"
    assert int(refused.headers["Retry-After"]) > 0

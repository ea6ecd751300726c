"""Staff routes on certificates (issue 6), with real staff sign-in.

Staff accounts are created in the local stack's StaffPool (moto's Cognito) with their role and
jurisdiction as custom attributes, and sign in with USER_PASSWORD_AUTH; the ID token goes in
``Authorization: Bearer`` and ``chalicelib/auth.py`` verifies it like on AWS.
"""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import register, wait_for_status
from tests.e2e.stock_support import blanks_for_case

pytestmark = pytest.mark.e2e


def staff_token(role: str, region_code: str, office_code: str | None = None) -> tuple[str, str]:
    """(username, ID token) of a new staff account."""
    import boto3

    from chalicelib import config

    idp = boto3.client("cognito-idp", region_name=config.region())
    pool, client = config.staff_user_pool_id(), config.staff_user_pool_client_id()
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    password = f"Pw-{uuid.uuid4().hex}-9a"
    attributes = [{"Name": "custom:role", "Value": role}, {"Name": "custom:region_code", "Value": region_code}]
    if office_code:
        attributes.append({"Name": "custom:office_code", "Value": office_code})
    idp.admin_create_user(UserPoolId=pool, Username=username, UserAttributes=attributes, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
    auth = idp.initiate_auth(
        ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
    )
    return username, auth["AuthenticationResult"]["IdToken"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def certificate(api, couple):
    body = couple("sichuan")
    r = register(api, body)
    assert r.status == 201, r.body
    view = wait_for_status(api, r.body["case_id"], r.body["query_code"], {"registered"})
    return {"body": body, "case_id": r.body["case_id"], "code": r.body["query_code"], "view": view,
            "number": view["certificate"]["registration_number"],
            "office": view["evaluation"]["jurisdiction"]["office_code"]}


def test_staff_routes_need_a_signed_in_staff_member(api, certificate):
    number, case_id = certificate["number"], certificate["case_id"]
    calls = [
        ("GET", f"/v1/staff/certificates/{number}", None),
        ("POST", f"/v1/staff/certificates/{number}/birth", {"birth_date": "2026-01-01", "sex": "male"}),
        ("POST", f"/v1/staff/cases/{case_id}/paper-certificate", {"number": "P123456", "issued_on": "2026-01-01"}),
    ]
    for method, path, body in calls:
        assert api.request(method, path, body).status == 401
        assert api.request(method, path, body, headers=bearer("a.b.c")).status == 401
    _, monitor = staff_token("county_monitor", certificate["office"][:6])
    for method, path, body in calls:
        r = api.request(method, path, body, headers=bearer(monitor))
        assert r.status == 403 and r.body["error"]["code"] == "ROLE_NOT_ALLOWED", (path, r.body)


def test_medical_institution_looks_up_and_records_the_birth(api, certificate):
    from chalicelib import config

    number, body = certificate["number"], certificate["body"]
    hospital_id, hospital = staff_token("medical_institution", "510104", "H510104001")
    today = config.today().isoformat()

    looked = api.get(f"/v1/staff/certificates/{number}", headers=bearer(hospital))
    assert looked.status == 200, looked.body
    assert looked.body["result"] == "valid" and looked.body["certificate"]["registration_number"] == number
    for secret in (body["woman"]["id_number"], body["man"]["id_number"], body["woman"]["phone"]):
        assert secret not in looked.raw.decode()

    path = f"/v1/staff/certificates/{number}/birth"
    bad = api.post(path, {"birth_date": "01/02/2026", "sex": "female"}, headers=bearer(hospital))
    assert bad.status == 400 and bad.body["error"]["details"][0]["path"] == "birth_date"
    ok = api.post(path, {"birth_date": today, "sex": "female"}, headers=bearer(hospital))
    assert ok.status == 200, ok.body
    assert ok.body == {**ok.body, "birth_date": today, "sex": "female", "sex_label": "女"}
    assert api.post(path, {"birth_date": today, "sex": "female"}, headers=bearer(hospital)).status == 200
    again = api.post(path, {"birth_date": today, "sex": "male"}, headers=bearer(hospital))
    assert again.status == 409 and again.body["error"]["code"] == "BIRTH_ALREADY_RECORDED"

    _, operator = staff_token("township_operator", certificate["office"][:6], certificate["office"])
    forbidden = api.post(path, {"birth_date": today, "sex": "female"}, headers=bearer(operator))
    assert forbidden.status == 403

    log = api.get(f"/v1/registrations/{certificate['case_id']}/verifications", headers={"X-Query-Code": certificate["code"]})
    assert any(e["who"] == hospital_id and e["role"] == "medical_institution" for e in log.body["verifications"])

    assert api.get("/v1/staff/certificates/5101042099999999", headers=bearer(hospital)).status == 404


def test_birth_cannot_be_recorded_on_a_revoked_certificate(api, certificate):
    from chalicelib import config
    from chalicelib.services.certificates import issuance as certificates

    certificates.revoke(certificate["number"], reason="注销", actor="staff-test")
    _, hospital = staff_token("medical_institution", "510104", "H510104001")
    r = api.post(f"/v1/staff/certificates/{certificate['number']}/birth",
                 {"birth_date": config.today().isoformat(), "sex": "male"}, headers=bearer(hospital))
    assert r.status == 410 and r.body["error"]["code"] == "CERTIFICATE_REVOKED"
    looked = api.get(f"/v1/staff/certificates/{certificate['number']}", headers=bearer(hospital))
    assert looked.status == 200 and looked.body["result"] == "revoked"


def test_township_office_records_the_paper_certificate(api, certificate):
    from chalicelib import config

    office = certificate["office"]
    path = f"/v1/staff/cases/{certificate['case_id']}/paper-certificate"
    today = config.today().isoformat()
    serial, second = blanks_for_case(api, office, certificate["case_id"], 2)  # blanks the office received (001 三(二)2)

    _, elsewhere = staff_token("township_operator", "520102", "520102016")
    r = api.post(path, {"number": serial, "issued_on": today}, headers=bearer(elsewhere))
    assert r.status == 403

    _, hospital = staff_token("medical_institution", "510104", "H510104001")
    assert api.post(path, {"number": serial, "issued_on": today}, headers=bearer(hospital)).status == 403

    operator_id, operator = staff_token("township_operator", office[:6], office)
    r = api.post(path, {"number": serial, "issued_on": today}, headers=bearer(operator))
    assert r.status == 201, r.body
    assert r.body["number"] == serial and r.body["issued_on"] == today and r.body["office_code"] == office
    again = api.post(path, {"number": second, "issued_on": today}, headers=bearer(operator))
    assert again.status == 409 and again.body["error"]["code"] == "PAPER_CERTIFICATE_EXISTS"
    missing = api.post("/v1/staff/cases/20260101ABCDEF1234/paper-certificate", {"number": serial, "issued_on": today},
                       headers=bearer(operator))
    assert missing.status == 404

    from chalicelib.store import audit

    entries = [e for e in audit.for_subject(f"CASE#{certificate['case_id']}") if e.action == "paper_certificate.recorded"]
    assert [e.actor for e in entries] == [operator_id]

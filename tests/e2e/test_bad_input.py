"""Bad input: a clear 400/404 with a stable code and field path; nothing written, nothing started.

Submissions carry a valid submit token and idempotency key, so what is tested is the body.
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest

from tests.e2e.conftest import citizen_token, unique_phone

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def auth(api) -> dict[str, str]:
    token = citizen_token(api, unique_phone(), "submit")
    return {"X-Citizen-Token": token}


def _headers(auth: dict[str, str], **more: str) -> dict[str, str]:
    return {**auth, "Idempotency-Key": uuid.uuid4().hex, **more}


def _counts(stack) -> tuple[int, int]:
    ddb = boto3.client("dynamodb")
    cases = ddb.scan(TableName=stack.names["Cases"], Select="COUNT")["Count"]
    executions = len(boto3.client("stepfunctions").list_executions(stateMachineArn=stack.names["Registration"])["executions"])
    return cases, executions


def _error(r) -> dict:
    assert r.body and set(r.body) == {"error"}, r.raw
    return r.body["error"]


@pytest.mark.parametrize(
    ("raw", "headers", "code"),
    [
        (b'{"profile": "sichuan",', {}, "MALFORMED_JSON"),
        (b"", {}, "EMPTY_BODY"),
        (b"\xff\xfe", {}, "INVALID_ENCODING"),
        (b"[1, 2]", {}, "INVALID_BODY"),
        (b"profile=sichuan", {"Content-Type": "application/x-www-form-urlencoded"}, "UNSUPPORTED_CONTENT_TYPE"),
        (b'{"a":1}', {"Content-Type": "text/plain"}, "UNSUPPORTED_CONTENT_TYPE"),
    ],
)
def test_unreadable_bodies(api, stack, auth, raw, headers, code):
    before = _counts(stack)
    r = api.request("POST", "/v1/registrations", raw=raw, headers=_headers(auth, **headers))
    assert r.status == 400
    err = _error(r)
    codes = {err["code"]} | {d["code"] for d in err["details"]}
    assert code in codes
    assert _counts(stack) == before


def test_missing_and_mistyped_fields_are_listed_by_path(api, stack, auth, couple):
    body = couple("sichuan")
    del body["woman"]["name"]
    body["pregnancy"]["weeks"] = "12"
    body["man"]["id_number"] = body["man"]["id_number"][:-1] + ("0" if body["man"]["id_number"][-1] != "0" else "1")
    before = _counts(stack)
    r = api.post("/v1/registrations", body, headers=_headers(auth))
    assert r.status == 400
    err = _error(r)
    assert err["code"] == "VALIDATION_FAILED"
    paths = {d["path"] for d in err["details"]}
    assert "woman.name" in paths
    assert "pregnancy.weeks" in paths
    assert all(d["message"] for d in err["details"])
    assert _counts(stack) == before


def test_invalid_id_number_is_rejected_before_anything_is_stored(api, stack, auth, couple):
    body = couple("sichuan")
    body["woman"]["id_number"] = "11010519491231002X"[:-1] + "3"
    before = _counts(stack)
    r = api.post("/v1/registrations", body, headers=_headers(auth))
    assert r.status == 400
    assert any(d["path"] == "woman.id_number" for d in _error(r)["details"])
    assert _counts(stack) == before


def test_unknown_route_is_a_json_404(api):
    r = api.get("/v1/nothing-here")
    assert r.status == 404
    assert _error(r)["code"] == "NOT_FOUND"


def test_wrong_method_is_a_json_405(api):
    r = api.request("DELETE", "/v1/registrations")
    assert r.status == 405
    assert _error(r)["code"] == "METHOD_NOT_ALLOWED"


def test_missing_query_code_header(api):
    r = api.get("/v1/registrations/20260101ABCDEF1234")
    assert r.status == 401
    assert _error(r)["code"] == "CREDENTIALS_REQUIRED"
    assert _error(r)["details"][0]["path"] == "headers.x-query-code"


def test_submission_without_token_or_key_changes_nothing(api, stack, auth, couple):
    body = couple("sichuan")
    before = _counts(stack)
    r = api.post("/v1/registrations", body)
    assert r.status == 401 and _error(r)["code"] == "TOKEN_REQUIRED"
    r = api.post("/v1/registrations", body, headers={"X-Citizen-Token": "abc.def"})
    assert r.status == 401 and _error(r)["code"] == "INVALID_TOKEN"
    r = api.post("/v1/registrations", body, headers=auth)
    assert r.status == 400 and _error(r)["details"][0]["path"] == "headers.idempotency-key"
    r = api.post("/v1/registrations", body, headers={**auth, "Idempotency-Key": "short"})
    assert r.status == 400 and _error(r)["details"][0]["code"] == "INVALID_FORMAT"
    assert _counts(stack) == before


# ---------------------------------------------------------------------------------------------
# Issue 12: the five causes of 500s from client input, each now a 400 with a code and a path
# ---------------------------------------------------------------------------------------------
def _details(r) -> set[tuple[str, str]]:
    assert r.status == 400, (r.status, r.raw)
    err = _error(r)
    assert err["code"] == "VALIDATION_FAILED"
    assert all(d["message"] for d in err["details"])
    return {(d["path"], d["code"]) for d in err["details"]}


@pytest.mark.parametrize("route", ["/v1/precheck", "/v1/registrations", "/v1/sms-codes"])
def test_deeply_nested_json_is_refused_before_parsing(api, stack, auth, route):
    before = _counts(stack)
    r = api.post(route, raw=b'{"profile":' + b"[" * 5000 + b"]" * 5000 + b"}", headers=_headers(auth))
    assert _details(r) == {("", "TOO_DEEP")}
    # 32 levels are fine for the parser (the form then says what is wrong with the fields)
    r = api.post("/v1/precheck", raw=b'{"profile":' + b"[" * 30 + b"]" * 30 + b"}")
    assert ("", "TOO_DEEP") not in _details(r)
    assert _counts(stack) == before


def test_a_5000_digit_number_is_refused_with_its_path(api, stack, auth, couple):
    body = json.dumps(couple("sichuan")).replace('"weeks": 12', '"weeks": ' + "9" * 5000).encode()
    assert b"9" * 5000 in body
    before = _counts(stack)
    r = api.post("/v1/registrations", raw=body, headers=_headers(auth))
    assert _details(r) == {("pregnancy.weeks", "INVALID_NUMBER")}
    assert _details(api.post("/v1/precheck", raw=b'{"profile": 1e99999}')) == {("profile", "INVALID_NUMBER")}
    assert _details(api.post("/v1/precheck", raw=b'{"profile": NaN}')) == {("profile", "INVALID_NUMBER")}
    assert _counts(stack) == before


def test_a_lone_surrogate_with_an_idempotency_key_is_a_400(api, stack, auth, couple):
    body = json.dumps(couple("sichuan")).replace('"detail": "', '"detail": "\\ud800', 1).encode()
    before = _counts(stack)
    r = api.post("/v1/registrations", raw=body, headers=_headers(auth))
    assert _details(r) == {("woman.hukou.detail", "INVALID_CHARACTERS")}
    assert _counts(stack) == before


def test_a_request_without_content_type_is_refused(api):
    import http.client
    from urllib.parse import urlsplit

    url = urlsplit(api.base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.putrequest("POST", "/v1/precheck", skip_accept_encoding=True)
    conn.putheader("Content-Length", "2")
    conn.endheaders(b"{}")
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    assert response.status == 400
    assert {(d["path"], d["code"]) for d in body["error"]["details"]} == {("headers.content-type", "UNSUPPORTED_CONTENT_TYPE")}


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"phone": "13800001111", "purpose": ["submit"]}, "purpose"),
        ({"phone": ["13800001111"], "purpose": "submit"}, "phone"),
        ({"phone": "13800001111", "purpose": {"a": 1}}, "purpose"),
    ],
)
def test_wrong_types_in_the_sms_code_request(api, body, path):
    codes = _details(api.post("/v1/sms-codes", body))
    assert {p for p, _ in codes} == {path}
    assert codes <= {(path, "WRONG_TYPE"), (path, "INVALID_ENUM")}


@pytest.fixture(scope="module")
def staff(stack):
    from chalicelib.domain.demo import demo_registration
    from tests.e2e.test_certificate_staff_routes import staff_token

    office = demo_registration("sichuan")["application"]["office_code"]
    return {
        "office": office,
        "operator": {"Authorization": "Bearer " + staff_token("township_operator", office[:6], office)[1]},
        "hospital": {"Authorization": "Bearer " + staff_token("medical_institution", office[:6], f"H{office}")[1]},
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"decision": ["accept"]}, {("decision", "INVALID_ENUM")}),
        ({"decision": "reject", "reason": ["不符合"]}, {("reason", "WRONG_TYPE")}),
        ({"decision": "request_documents", "reason": "补充", "documents": "ID_CARD"}, {("documents", "WRONG_TYPE")}),
        ({"decision": "accept", "reason": "好\u202e"}, {("reason", "TEXT_CHARACTERS")}),
    ],
)
def test_wrong_types_in_a_review_decision(api, staff, body, expected):
    assert _details(api.post("/v1/staff/tasks/no-such-task", body, headers=staff["operator"])) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"birth_date": "2026-01-01", "sex": ["male"]}, {("sex", "INVALID_ENUM")}),
        ({"birth_date": ["2026-01-01"], "sex": "male"}, {("birth_date", "WRONG_TYPE")}),
        ({"birth_date": "2026-02-30", "sex": "male"}, {("birth_date", "INVALID_DATE")}),
    ],
)
def test_wrong_types_in_a_birth_record(api, staff, body, expected):
    r = api.post("/v1/staff/certificates/5101042026999999/birth", body, headers=staff["hospital"])
    assert _details(r) == expected


def _cursor(value) -> str:
    import base64

    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_malformed_queue_cursors_are_a_400(api, staff):
    office = staff["office"]
    cursors = [
        "!!!not-base64",
        _cursor([1, 2]),
        _cursor({"office_code": office}),  # was an AttributeError
        _cursor({"office_code": {"S": office}}),  # an incomplete key: was an unmapped DynamoDB error
        _cursor({"office_code": {"S": office}, "due_at": {"S": "x"}, "task_id": {"N": "1"}}),
        _cursor({"office_code": {"S": office}, "due_at": {"S": "x"}, "task_id": {"S": "t"}, "extra": {"S": "y"}}),
    ]
    for cursor in cursors:
        r = api.get(f"/v1/staff/tasks?cursor={cursor}", headers=staff["operator"])
        assert _details(r) == {("cursor", "INVALID_CURSOR")}, cursor
    ok = _cursor({"office_code": {"S": office}, "due_at": {"S": "2026-01-01T00:00:00+08:00"}, "task_id": {"S": "t"}})
    assert api.get(f"/v1/staff/tasks?cursor={ok}", headers=staff["operator"]).status == 200


# ---------------------------------------------------------------------------------------------
# Issue 12: names and addresses follow the character policy (domain/text.py)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("where", "value", "code"),
    [
        (("woman", "name"), "陈\x00静", "NAME_CHARACTERS"),
        (("man", "name"), "刘\u202e洋", "NAME_CHARACTERS"),
        (("woman", "name"), "陈\u200b静", "NAME_CHARACTERS"),
        (("man", "name"), "刘洋😀", "NAME_CHARACTERS"),
        (("woman", "hukou", "detail"), "<script>alert(1)</script>", "TEXT_CHARACTERS"),
        (("man", "residence", "detail"), "人民路\x0712号", "TEXT_CHARACTERS"),
    ],
)
def test_names_and_addresses_follow_the_character_policy(api, stack, auth, couple, where, value, code):
    body = couple("sichuan")
    target = body
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    before = _counts(stack)
    assert _details(api.post("/v1/registrations", body, headers=_headers(auth))) == {(".".join(where), code)}
    assert _counts(stack) == before


def test_case_views_with_links_are_not_cached(api, couple):
    from tests.e2e.conftest import register

    body = couple("sichuan")
    r = register(api, body)
    assert r.status == 201, r.body
    views = [
        api.get(f"/v1/registrations/{r.body['case_id']}", headers={"X-Query-Code": r.body["query_code"]}),
        api.post("/v1/case-queries/by-query-code", {"query_code": r.body["query_code"], "name": body["woman"]["name"]}),
    ]
    for view in views:
        assert view.status == 200, view.body
        assert view.headers["Cache-Control"] == "no-store"
        assert view.headers["Content-Type"].startswith("application/json")

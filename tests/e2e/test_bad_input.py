"""Bad input: a clear 400/404 with a stable code and field path; nothing written, nothing started.

Submissions carry a valid submit token and idempotency key, so what is tested is the body.
"""

from __future__ import annotations

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

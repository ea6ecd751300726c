"""Staff sign-in with the second factor the pool requires (infra/stack.py ``_user_pool``: TOTP MFA
required): a new account sets its password, adds an authenticator app (MFA_SETUP) and signs in;
every later sign-in asks the app's code (SOFTWARE_TOKEN_MFA). The local pool is created as the
template's (MFA on, TOTP only) and moto checks the codes (local/stack.py)."""

from __future__ import annotations

import itertools
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.e2e.workflow_support import NEW_PASSWORD, bearer, staff_token, totp_code

pytestmark = pytest.mark.e2e

_n = itertools.count(1)


def _new_account(api) -> tuple[str, str]:
    username = f"mfa-monitor-{next(_n)}-e2e"
    r = api.post(
        "/v1/staff/accounts",
        {"username": username, "name": "省监测员", "role": "province_monitor", "region_code": "51",
         "id_number": "510104198503011017", "phone": "13800001111"},
        headers=bearer(staff_token(api, "sc-admin")),
    )
    assert r.status == 201, r.body
    return username, r.body["temporary_password"]


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _mfa_setup_challenge(api, username: str, temporary: str) -> dict:
    r = api.post("/v1/staff/login", {"username": username, "password": temporary})
    assert r.status == 200 and r.body["challenge"] == "NEW_PASSWORD_REQUIRED", r.body
    r = api.post("/v1/staff/login/new-password", {"username": username, "session": r.body["session"], "new_password": NEW_PASSWORD})
    assert r.status == 200 and r.body["challenge"] == "MFA_SETUP", r.body
    assert "id_token" not in r.body  # no tokens before the second factor
    return r.body


def test_a_new_account_sets_up_an_authenticator_app_and_signs_in_with_it(api):
    from chalicelib.store import audit

    username, temporary = _new_account(api)
    setup = _mfa_setup_challenge(api, username, temporary)

    uri = urlsplit(setup["otpauth_uri"])
    query = parse_qs(uri.query)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert unquote(uri.path) == f"/生育登记:{username}"
    assert query == {"secret": [setup["secret_code"]], "issuer": ["生育登记"]}

    code = totp_code(setup["secret_code"])
    wrong = api.post("/v1/staff/login/mfa-setup", {"username": username, "session": setup["session"], "code": _wrong(code)})
    assert wrong.status == 401 and wrong.body["error"]["code"] == "MFA_CODE_MISMATCH", wrong.body
    done = api.post("/v1/staff/login/mfa-setup", {"username": username, "session": setup["session"], "code": totp_code(setup["secret_code"])})
    assert done.status == 200, done.body
    assert done.headers.get("Cache-Control") == "no-store"
    me = api.get("/v1/staff/me", headers=bearer(done.body["id_token"]))
    assert me.status == 200 and (me.body["staff_id"], me.body["role"]) == (username, "province_monitor")

    # Every later sign-in: password, then the app's current code.
    r = api.post("/v1/staff/login", {"username": username, "password": NEW_PASSWORD})
    assert r.status == 200 and r.body["challenge"] == "SOFTWARE_TOKEN_MFA" and "id_token" not in r.body, r.body
    code = totp_code(setup["secret_code"])
    wrong = api.post("/v1/staff/login/mfa", {"username": username, "session": r.body["session"], "code": _wrong(code)})
    assert wrong.status == 401 and wrong.body["error"]["code"] == "MFA_CODE_MISMATCH", wrong.body
    assert "动态验证码" in wrong.body["error"]["message"]
    signed_in = api.post("/v1/staff/login/mfa", {"username": username, "session": r.body["session"], "code": totp_code(setup["secret_code"])})
    assert signed_in.status == 200, signed_in.body
    assert api.get("/v1/staff/me", headers=bearer(signed_in.body["id_token"])).body["staff_id"] == username

    actions = sorted((e.action, e.actor) for e in audit.for_subject(f"STAFF#{username}"))
    assert actions == sorted(
        [("staff.create", "sc-admin"), ("staff.password_set", username), ("staff.mfa_enabled", username), ("staff.login", username)]
    )


@pytest.mark.parametrize("path", ["/v1/staff/login/mfa-setup", "/v1/staff/login/mfa"])
def test_an_unknown_or_expired_session_is_401(api, path):
    r = api.post(path, {"username": "sc-admin", "session": "0" * 36, "code": "123456"})
    assert r.status == 401 and r.body["error"]["code"] == "LOGIN_SESSION_EXPIRED", r.body
    assert r.body["error"]["message"] == "登录会话已失效，请重新登录"


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({"code": "12345"}, "code", "INVALID_FORMAT"),
        ({"code": "12a456"}, "code", "INVALID_FORMAT"),
        ({"code": 123456}, "code", "WRONG_TYPE"),
        ({"code": None}, "code", "MISSING"),
        ({"session": "short"}, "session", "TOO_SHORT"),
        ({"secret_code": "X"}, "secret_code", "EXTRA_FIELD"),
    ],
)
@pytest.mark.parametrize("route", ["/v1/staff/login/mfa-setup", "/v1/staff/login/mfa"])
def test_a_malformed_code_is_400_with_its_field(api, route, body, path, code):
    document = {"username": "sc-admin", "session": "0" * 36, "code": "123456", **body}
    document = {k: v for k, v in document.items() if v is not None}
    r = api.post(route, document)
    assert r.status == 400, r.body
    assert (path, code) in {(d["path"], d["code"]) for d in r.body["error"]["details"]}, r.body

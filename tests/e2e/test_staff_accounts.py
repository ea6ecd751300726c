"""Staff accounts: administrators create the next level's administrators and their own level's
operators (001 一(二)1, 三(二)3); first sign-in sets a password; disabled accounts cannot sign in;
every action is audited."""

from __future__ import annotations

import itertools

import pytest

from tests.e2e.workflow_support import NEW_PASSWORD, bearer, first_sign_in, staff_token

pytestmark = pytest.mark.e2e

_n = itertools.count(1)


# 附件2: every account has its holder's ID number and mobile phone
PERSON = {"id_number": "510104198503011017", "phone": "13800001111"}


def _name(prefix: str) -> str:
    return f"{prefix}-{next(_n)}-e2e"


def _first_sign_in(api, username: str, temporary: str) -> str:
    return first_sign_in(api, username, temporary)["id_token"]


def test_a_chain_of_administrators_down_to_a_township_operator(api):
    from chalicelib.store import audit

    province = staff_token(api, "sc-admin")
    city_admin = _name("chengdu-admin")
    r = api.post("/v1/staff/accounts", {"username": city_admin, "name": "成都市管理员", "role": "admin", "region_code": "510100", **PERSON}, headers=bearer(province))
    assert r.status == 201, r.body
    assert r.body["region_code"] == "5101" and r.body["must_change_password"] is True
    city = _first_sign_in(api, city_admin, r.body["temporary_password"])

    county_admin = _name("jinjiang-admin")
    r = api.post("/v1/staff/accounts", {"username": county_admin, "name": "锦江区管理员", "role": "admin", "region_code": "510104", **PERSON}, headers=bearer(city))
    assert r.status == 201, r.body
    county = _first_sign_in(api, county_admin, r.body["temporary_password"])

    township_admin = _name("chunxi-admin")
    r = api.post("/v1/staff/accounts", {"username": township_admin, "name": "春熙路街道管理员", "role": "admin", "region_code": "510104022", **PERSON}, headers=bearer(county))
    assert r.status == 201, r.body
    township = _first_sign_in(api, township_admin, r.body["temporary_password"])

    operator = _name("chunxi-op")
    r = api.post("/v1/staff/accounts", {"username": operator, "name": "操作员", "role": "township_operator", "region_code": "510104022", **PERSON}, headers=bearer(township))
    assert r.status == 201 and r.body["office_code"] == "510104022", r.body
    me = api.get("/v1/staff/me", headers=bearer(_first_sign_in(api, operator, r.body["temporary_password"])))
    assert (me.body["role"], me.body["unit_code"]) == ("township_operator", "510104022")

    entries = {e.action: e.actor for e in audit.for_subject(f"STAFF#{operator}")}
    assert entries["staff.create"] == township_admin and entries["staff.password_set"] == operator


@pytest.mark.parametrize(
    ("admin", "body"),
    [
        ("sc-admin", {"role": "admin", "region_code": "510104"}),  # two levels down
        ("sc-admin", {"role": "admin", "region_code": "5201"}),  # another province
        ("sc-admin", {"role": "city_monitor", "region_code": "5101"}),  # the city's own admin does that
        ("sc-admin", {"role": "township_operator", "region_code": "510104022"}),
        ("cq-admin", {"role": "admin", "region_code": "5101"}),
    ],
)
def test_administrators_cannot_create_outside_their_remit(api, admin, body):
    r = api.post("/v1/staff/accounts", {"username": _name("x"), "name": "某人", **PERSON, **body}, headers=bearer(staff_token(api, admin)))
    assert r.status == 403 and r.body["error"]["code"] == "OUTSIDE_ADMINISTRATION"


def test_only_administrators_manage_accounts(api):
    r = api.post(
        "/v1/staff/accounts",
        {"username": _name("x"), "name": "某人", "role": "county_monitor", "region_code": "510104", **PERSON},
        headers=bearer(staff_token(api, "sc-county-510104")),
    )
    assert r.status == 403 and r.body["error"]["code"] == "ROLE_NOT_ALLOWED"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"username": "a", "name": "某人", "role": "admin", "region_code": "5101"}, "INVALID_FORMAT"),
        ({"username": "valid-name", "name": "某人", "role": "superuser", "region_code": "5101"}, "INVALID_ENUM"),
        ({"username": "valid-name", "name": "某人", "role": "admin", "region_code": "5199"}, "UNKNOWN_REGION"),
        ({"username": "valid-name", "role": "admin", "region_code": "5101"}, "MISSING"),
        ({"username": "valid-name", "name": "某人", "role": "admin", "region_code": "5101", "password": "x"}, "EXTRA_FIELD"),
    ],
)
def test_invalid_accounts_are_400(api, body, code):
    r = api.post("/v1/staff/accounts", {**PERSON, **body}, headers=bearer(staff_token(api, "sc-admin")))
    assert r.status == 400 and code in {d["code"] for d in r.body["error"]["details"]}


def test_a_username_is_unique(api):
    token = staff_token(api, "sc-admin")
    body = {"username": _name("dup"), "name": "省监测", "role": "province_monitor", "region_code": "51", **PERSON}
    assert api.post("/v1/staff/accounts", body, headers=bearer(token)).status == 201
    again = api.post("/v1/staff/accounts", body, headers=bearer(token))
    assert again.status == 409 and again.body["error"]["code"] == "STAFF_EXISTS"


def test_a_disabled_account_cannot_sign_in(api):
    token = staff_token(api, "sc-admin")
    username = _name("monitor")
    r = api.post("/v1/staff/accounts", {"username": username, "name": "省监测", "role": "province_monitor", "region_code": "51", **PERSON}, headers=bearer(token))
    _first_sign_in(api, username, r.body["temporary_password"])
    assert api.post(f"/v1/staff/accounts/{username}/disable", headers=bearer(token)).status == 200
    refused = api.post("/v1/staff/login", {"username": username, "password": NEW_PASSWORD})
    assert refused.status == 401
    assert api.get(f"/v1/staff/accounts/{username}", headers=bearer(token)).body["enabled"] is False
    # another province's administrator does not even see it
    assert api.post(f"/v1/staff/accounts/{username}/enable", headers=bearer(staff_token(api, "gz-admin"))).status == 404

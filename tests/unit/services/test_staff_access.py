"""The revocation marker and operation grants (chalicelib/auth.py ``with_access``) and the
administrators' grant rules (services/staff/accounts.py ``_grants``), on profiles as the Offices
table holds them -- no AWS: the profile read is replaced by the item it would return."""

from __future__ import annotations

import time

import pytest

from chalicelib import auth
from chalicelib.domain import errors
from chalicelib.services.staff import accounts
from chalicelib.store.offices import Holding, OfficeItem


def _principal(role: str = auth.TOWNSHIP_OPERATOR, grants: tuple[str, ...] = ()) -> auth.StaffPrincipal:
    return auth.StaffPrincipal("op-1", "陈静", role, "510104022", "510104022", grants)


@pytest.fixture
def profile(monkeypatch):
    items: dict[str, OfficeItem | None] = {}
    monkeypatch.setattr(auth._access, "get", lambda username: items.get(username))
    return items


def test_an_account_without_a_profile_holds_its_roles_operations(profile):
    p = auth.with_access(_principal(), {"iat": int(time.time())})
    assert p.grants == auth.ROLE_OPERATIONS[auth.TOWNSHIP_OPERATOR]


def test_grants_are_narrowed_to_the_role(profile):
    profile["op-1"] = OfficeItem("STAFF#op-1", "PROFILE", grants=["review", "birth_records"])
    p = auth.with_access(_principal(), {"iat": int(time.time())})
    assert p.grants == ("review",)  # birth_records is not a township operator's
    auth.require(p, auth.REVIEW)
    with pytest.raises(errors.Forbidden) as refused:
        auth.require(p, auth.ONSITE)
    assert refused.value.code == "OPERATION_NOT_GRANTED"


def test_a_disabled_account_and_older_tokens_are_refused(profile):
    now = int(time.time())
    profile["op-1"] = OfficeItem("STAFF#op-1", "PROFILE", disabled=True, valid_after=now)
    with pytest.raises(errors.Unauthorized) as disabled:
        auth.with_access(_principal(), {"iat": now + 10})
    assert disabled.value.code == "STAFF_ACCOUNT_DISABLED"
    profile["op-1"] = OfficeItem("STAFF#op-1", "PROFILE", disabled=False, valid_after=now)
    with pytest.raises(errors.Unauthorized) as revoked:
        auth.with_access(_principal(), {"iat": now - 1})
    assert revoked.value.code == "STAFF_TOKEN_REVOKED"
    assert auth.with_access(_principal(), {"iat": now}).grants  # issued after: accepted


def test_the_cache_is_short():
    assert 0 < auth.ACCESS_CACHE_SECONDS <= 5


def test_an_administrator_hands_on_only_what_it_holds_and_what_the_role_allows():
    admin = _principal(auth.ADMIN, (auth.STATISTICS, auth.REVIEW))
    assert accounts._grants(admin, auth.COUNTY_MONITOR, None) == [auth.REVIEW, auth.STATISTICS]
    with pytest.raises(errors.Forbidden) as lacking:
        accounts._grants(admin, auth.TOWNSHIP_OPERATOR, [auth.ONSITE])
    assert lacking.value.code == "GRANT_NOT_HELD"
    with pytest.raises(errors.ValidationFailed) as wrong:
        accounts._grants(admin, auth.PROVINCE_MONITOR, [auth.ONSITE])
    assert [(d.path, d.code) for d in wrong.value.details] == [("grants.0", "GRANT_NOT_FOR_ROLE")]


def test_managers_of_accounts():
    assert accounts.manager_of(auth.ADMIN, "510104") == "5101"
    assert accounts.manager_of(auth.ADMIN, "51") == accounts.ROOT_MANAGER
    assert accounts.manager_of(auth.TOWNSHIP_OPERATOR, "510104022") == "510104022"


def test_a_holding_counts_its_numbers():
    assert Holding("510104", "first", "000000000001", "000000000100").count == 100

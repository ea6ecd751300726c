"""Citizen tokens (chalicelib/services/shared/tokens.py): an HS256 JWT made and checked by joserfc, keyed
by a key derived from the deployment secret; each way a token can be wrong has its 401 code."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.services.shared import tokens

PHONE = "13800001111"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture
def moved(monkeypatch):
    """Moves ``config.clock`` forward (what the e2e ``clock`` fixture does to the stack)."""

    def advance(seconds: int) -> None:
        monkeypatch.setattr(config.clock, "offset", config.clock.offset + timedelta(seconds=seconds))

    monkeypatch.setattr(config.clock, "offset", timedelta(0))
    return advance


def refusal(token: str | None, purpose: str = "submit") -> str:
    with pytest.raises(errors.Unauthorized) as refused:
        tokens.verify(token, purpose)
    return refused.value.code


def claims_of(token: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))


def test_a_token_names_its_phone_and_purpose_and_expires_in_30_minutes():
    token = tokens.issue(PHONE, "query")
    assert tokens.verify(token, "query") == PHONE
    claims = claims_of(token)
    assert set(claims) == {"phone", "purpose", "exp", "jti"} and claims["purpose"] == "query"
    assert claims["exp"] == int(config.now().timestamp()) + tokens.DEFAULT_TTL_SECONDS
    assert json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "==")) == {"typ": "JWT", "alg": "HS256"}
    assert tokens.issue(PHONE, "query") != token  # a fresh jti each time


def test_another_purpose_is_its_own_refusal():
    assert refusal(tokens.issue(PHONE, "query"), "submit") == "TOKEN_WRONG_PURPOSE"


def test_expiry_follows_the_moved_clock(moved):
    token = tokens.issue(PHONE, "submit")
    moved(tokens.DEFAULT_TTL_SECONDS - 5)
    assert tokens.verify(token, "submit") == PHONE
    moved(10)
    assert refusal(token) == "TOKEN_EXPIRED"
    # a wrong purpose is said first, as before
    assert refusal(token, "verify") == "TOKEN_WRONG_PURPOSE"


def test_every_character_changed_is_refused():
    token = tokens.issue(PHONE, "submit")
    accepted = []
    for i, original in enumerate(token):
        for replacement in ALPHABET + ".=":
            if replacement != original:
                try:
                    tokens.verify(token[:i] + replacement + token[i + 1 :], "submit")
                except errors.Unauthorized as refused:
                    assert refused.code == "INVALID_TOKEN"
                else:
                    accepted.append((i, replacement))
    assert accepted == []


@pytest.mark.parametrize(
    "key",
    [
        b"unit-test-token-key-" + b"0" * 24,  # the secret itself, not the key derived for tokens
        b"k" * 32,
    ],
    ids=["underived-secret", "another-key"],
)
def test_a_token_signed_with_another_key_is_refused(key):
    forged = jwt.encode({"alg": "HS256"}, {"phone": PHONE, "purpose": "submit", "exp": 2**40}, OctKey.import_key(key))
    assert refusal(forged) == "INVALID_TOKEN"


@pytest.mark.parametrize(
    "claims",
    [
        {"purpose": "submit", "exp": 2**40},  # no phone
        {"phone": PHONE, "exp": 2**40},  # no purpose
        {"phone": PHONE, "purpose": "submit"},  # never expires
        {"phone": 13800001111, "purpose": "submit", "exp": 2**40},
        {"phone": PHONE, "purpose": "submit", "exp": "never"},
    ],
)
def test_a_well_signed_token_without_its_claims_is_refused(claims):
    forged = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(config.derived_key("citizen-token")))
    assert refusal(forged) == "INVALID_TOKEN"


def test_other_algorithms_are_refused():
    key = OctKey.import_key(config.derived_key("citizen-token"))
    hs512 = jwt.encode({"alg": "HS512"}, {"phone": PHONE, "purpose": "submit", "exp": 2**40}, key, algorithms=["HS512"])
    assert refusal(hs512) == "INVALID_TOKEN"
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    body = tokens.issue(PHONE, "submit").split(".")[1]
    assert refusal(f"{header}.{body}.") == "INVALID_TOKEN"


@pytest.mark.parametrize("garbage", [None, "", ".", "a.b", "a.b.c", "x" * 5000, "é.é.é"])
def test_garbage_is_refused(garbage):
    assert refusal(garbage) == "INVALID_TOKEN"

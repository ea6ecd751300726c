"""The staff ID-token check (chalicelib/auth.py) against a key made here."""

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from chalicelib import auth
from chalicelib.domain import errors

POOL, CLIENT = "us-east-1_TESTPOOL", "testclient"


@pytest.fixture
def key(monkeypatch):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setenv("STAFF_USER_POOL_ID", POOL)
    monkeypatch.setenv("STAFF_USER_POOL_CLIENT_ID", CLIENT)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setattr(auth._keys, "get", lambda kid: private.public_key() if kid == "k1" else None)
    return private


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(private, **overrides) -> str:
    header = {"alg": "RS256", "kid": "k1", **overrides.pop("header", {})}
    claims = {
        "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{POOL}",
        "aud": CLIENT,
        "token_use": "id",
        "exp": int(time.time()) + 600,
        "cognito:username": "sc-op-510104022",
        "custom:role": "township_operator",
        "custom:region_code": "510104022",
        "custom:office_code": "510104022",
        **overrides,
    }
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def test_a_valid_token_gives_the_principal(key):
    p = auth.principal_from_claims(auth.verify_token(token(key)))
    assert (p.staff_id, p.role, p.unit_code) == ("sc-op-510104022", "township_operator", "510104022")


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "another-client"},
        {"iss": "https://cognito-idp.us-east-1.amazonaws.com/another-pool"},
        {"token_use": "access"},
        {"header": {"kid": "unknown"}},
        {"header": {"alg": "none"}},
    ],
)
def test_tokens_of_another_pool_client_or_kind_are_refused(key, overrides):
    with pytest.raises(errors.Unauthorized):
        auth.verify_token(token(key, **overrides))


def test_an_expired_token_is_refused(key):
    with pytest.raises(errors.Unauthorized) as e:
        auth.verify_token(token(key, exp=int(time.time()) - 3600))
    assert e.value.code == "STAFF_TOKEN_EXPIRED"


def test_a_tampered_token_is_refused(key):
    good = token(key)
    header, claims, signature = good.split(".")
    forged = json.loads(base64.urlsafe_b64decode(claims + "=="))
    forged["custom:role"] = "admin"
    with pytest.raises(errors.Unauthorized):
        auth.verify_token(f"{header}.{b64(json.dumps(forged).encode())}.{signature}")


def test_a_token_signed_by_another_key_is_refused(key):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(errors.Unauthorized):
        auth.verify_token(token(other))


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "a.b", "....."])
def test_garbage_is_refused(key, garbage):
    with pytest.raises(errors.Unauthorized):
        auth.verify_token(garbage)


def test_an_unknown_role_is_forbidden(key):
    with pytest.raises(errors.Forbidden):
        auth.principal_from_claims(auth.verify_token(token(key, **{"custom:role": "superuser"})))

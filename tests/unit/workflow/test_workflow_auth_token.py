"""The staff ID-token check (chalicelib/auth.py) against a key made here, published as a JWKS."""

import base64
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from chalicelib import auth
from chalicelib.domain import errors

POOL, CLIENT = "us-east-1_TESTPOOL", "testclient"


def jwk(private, kid: str) -> dict:
    from joserfc.jwk import RSAKey

    return RSAKey.import_key(private.public_key()).as_dict(kid=kid, alg="RS256", use="sig")


class Pool:
    """The pool's published key set (what the JWKS URL answers), with a count of fetches, and a
    monotonic clock the key cache reads."""

    def __init__(self, *keys: dict) -> None:
        self.keys = list(keys)
        self.fetches = 0
        self.now = 1000.0

    def fetch(self, url: str) -> dict:
        self.fetches += 1
        return {"keys": [{"kty": "EC", "kid": "ec-ignored", "crv": "P-256"}, *self.keys]}


@pytest.fixture
def pool(monkeypatch):
    monkeypatch.setenv("STAFF_USER_POOL_ID", POOL)
    monkeypatch.setenv("STAFF_USER_POOL_CLIENT_ID", CLIENT)
    monkeypatch.setenv("STAFF_JWKS_URL", "https://keys.example.invalid/jwks.json")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    published = Pool()
    monkeypatch.setattr(auth, "_fetch_jwks", published.fetch)
    monkeypatch.setattr(auth, "_keys", auth._Keys(clock=lambda: published.now))
    return published


@pytest.fixture
def key(pool):
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pool.keys.append(jwk(private, "k1"))
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


# ----------------------------------------------------------------------------- the key set cache
def test_the_key_set_is_fetched_once_per_container(key, pool):
    for _ in range(5):
        auth.verify_token(token(key))
    assert pool.fetches == 1
    pool.now += auth.JWKS_TTL_SECONDS + 1  # hourly refresh
    auth.verify_token(token(key))
    assert pool.fetches == 2


def test_an_unknown_kid_refetches_at_most_once_per_floor(key, pool):
    auth.verify_token(token(key))
    assert pool.fetches == 1
    # Cognito adds a key; tokens signed with it arrive before the cache knows it
    rotated = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pool.keys.append(jwk(rotated, "k2"))
    pool.now += auth.JWKS_REFETCH_FLOOR_SECONDS + 1
    assert auth.verify_token(token(rotated, header={"kid": "k2"}))["cognito:username"] == "sc-op-510104022"
    assert pool.fetches == 2
    # made-up kids within the floor: refused without fetching again
    for n in range(20):
        with pytest.raises(errors.Unauthorized) as refused:
            auth.verify_token(token(rotated, header={"kid": f"made-up-{n}"}))
        assert refused.value.code == "INVALID_STAFF_TOKEN"
    assert pool.fetches == 2
    pool.now += auth.JWKS_REFETCH_FLOOR_SECONDS + 1
    with pytest.raises(errors.Unauthorized):
        auth.verify_token(token(rotated, header={"kid": "made-up-again"}))
    assert pool.fetches == 3


def test_expiry_has_a_small_leeway(key):
    inside = int(time.time()) - auth.CLOCK_SKEW_SECONDS // 2
    assert auth.verify_token(token(key, exp=inside))["exp"] == inside
    with pytest.raises(errors.Unauthorized) as e:
        auth.verify_token(token(key, exp=int(time.time()) - auth.CLOCK_SKEW_SECONDS - 5))
    assert e.value.code == "STAFF_TOKEN_EXPIRED"


@pytest.mark.parametrize("missing", ["iss", "aud", "token_use", "exp"])
def test_a_token_without_a_required_claim_is_refused(key, missing):
    claims = json.loads(base64.urlsafe_b64decode(token(key).split(".")[1] + "=="))
    del claims[missing]
    signing_input = f"{b64(json.dumps({'alg': 'RS256', 'kid': 'k1'}).encode())}.{b64(json.dumps(claims).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(errors.Unauthorized) as e:
        auth.verify_token(f"{signing_input}.{b64(signature)}")
    assert e.value.code == "INVALID_STAFF_TOKEN"

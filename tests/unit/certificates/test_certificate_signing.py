"""The certificate QR token (chalicelib/adapters/signing.py): compact JWS, ES256.

Most tests sign with an in-memory P-256 key (fast); ``test_kms_*`` sign through moto's KMS
(Sign / GetPublicKey with ECC_NIST_P256), the same calls the deployed functions make.
"""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.adapters import signing

CLAIMS = signing.Claims("5101040222026000", 1, 1767225600)
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@pytest.fixture(scope="module")
def signer() -> signing.LocalSigner:
    return signing.LocalSigner("key-2026")


@pytest.fixture(scope="module")
def token(signer) -> str:
    return signing.sign(signing.Claims("5101042026000123", 2, 1767225600), signer)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segments(token: str) -> list[bytes]:
    return [base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)) for s in token.split(".")]


def forge(signer, header: dict | bytes, claims: dict | bytes) -> str:
    """A token with any header/claims, correctly signed: structure checks must reject it anyway."""
    h = b64(header if isinstance(header, bytes) else json.dumps(header).encode())
    c = b64(claims if isinstance(claims, bytes) else json.dumps(claims).encode())
    sig = signing.der_to_raw(signer.sign_der(f"{h}.{c}".encode()))
    return f"{h}.{c}.{b64(sig)}"


def rejected(token: str, keys) -> bool:
    try:
        signing.verify(token, keys)
    except signing.InvalidToken:
        return True
    return False


# ----------------------------------------------------------------------------------- format
def test_token_is_compact_jws_with_kid_and_no_personal_data(signer, token):
    header, claims, signature = segments(token)
    assert json.loads(header) == {"alg": "ES256", "kid": "key-2026"}
    assert json.loads(claims) == {"sub": "5101042026000123", "ver": 2, "iat": 1767225600}
    assert len(signature) == 64  # raw r || s, not DER
    assert "=" not in token and len(token) < 260


def test_round_trip(signer, token):
    assert signing.verify(token, signer.keys()) == signing.Claims("5101042026000123", 2, 1767225600)


def test_kms_der_signatures_become_raw_low_s(signer):
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    for i in range(40):  # both halves of s occur among 40 signatures (ECDSA nonces are random)
        der = signer.sign_der(b"message %d" % i)
        r, s = decode_dss_signature(der)
        raw = signing.der_to_raw(der)
        assert len(raw) == 64
        assert (int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")) == (r, min(s, signing.CURVE_ORDER - s))


def _high_s_twin(token: str) -> str:
    """The same signature in its other valid form (r, n - s)."""
    head, payload, _ = token.split(".")
    raw = segments(token)[2]
    s = int.from_bytes(raw[32:], "big")
    return f"{head}.{payload}.{b64(raw[:32] + (signing.CURVE_ORDER - s).to_bytes(32, 'big'))}"


def test_issued_tokens_are_always_low_s_and_the_high_s_twin_is_rejected(signer):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    twins_valid_for_the_curve = 0
    for i in range(40):
        token = signing.sign(signing.Claims("5101042026000123", 1, 1767225600 + i), signer)
        raw = segments(token)[2]
        assert int.from_bytes(raw[32:], "big") <= signing.HALF_ORDER
        twin = _high_s_twin(token)
        # The twin is a mathematically valid ECDSA signature (the library accepts it) ...
        h, c, _ = twin.split(".")
        twin_raw = segments(twin)[2]
        der = encode_dss_signature(int.from_bytes(twin_raw[:32], "big"), int.from_bytes(twin_raw[32:], "big"))
        signer.public_key().verify(der, f"{h}.{c}".encode(), ec.ECDSA(hashes.SHA256()))
        twins_valid_for_the_curve += 1
        # ... and the verifier refuses it: one certificate, one token string.
        with pytest.raises(signing.InvalidToken, match="low-S"):
            signing.verify(twin, signer.keys())
        assert signing.verify(token, signer.keys()).issued_at == 1767225600 + i
    assert twins_valid_for_the_curve == 40


def test_an_independent_jws_library_accepts_the_token(signer, token):
    from joserfc import jws
    from joserfc.jwk import ECKey

    key = ECKey.import_key(signing.jwk("key-2026", signer.public_key()))
    obj = jws.deserialize_compact(token, key, algorithms=["ES256"])
    assert json.loads(obj.payload)["sub"] == "5101042026000123"


def test_published_jwk_verifies_offline(signer, token):
    from joserfc import jws
    from joserfc.jwk import KeySet

    published = json.loads(json.dumps({"keys": [signing.jwk("key-2026", signer.public_key())]}))
    assert published["keys"][0] == {**published["keys"][0], "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig"}
    assert "d" not in published["keys"][0]
    keys = {k["kid"]: signing.ec_key(k) for k in published["keys"]}
    assert signing.verify(token, keys.get).registration_number == "5101042026000123"
    # what any relying party does with the published set: pick the key by kid
    obj = jws.deserialize_compact(token, KeySet.import_key_set(published), algorithms=["ES256"])
    assert json.loads(obj.payload)["ver"] == 2


# Printed by the hand-written encoder (before joserfc) with the P-256 key whose secret is 0x5EED.
PRINTED_BEFORE = (
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImtleS0yMDI2In0.eyJzdWIiOiI1MTAxMDQyMDI2MDAwMTIzIiwidmVyIjoyLCJpYXQiOjE3NjcyMjU2MDB9."
    "NTZYnsfKt88_yaEpUKRbpWXmLd5S8wapJDTZtRGvHjosuhtmy5_81ZDKKrUMrTd_mAZvTsJzXrphGZuMQIIKow"
)


def test_certificates_printed_before_joserfc_still_verify():
    from cryptography.hazmat.primitives.asymmetric import ec

    signer = signing.LocalSigner("key-2026", ec.derive_private_key(0x5EED, ec.SECP256R1()))
    assert signing.verify(PRINTED_BEFORE, signer.keys()) == signing.Claims("5101042026000123", 2, 1767225600)
    # joserfc writes the same header and claims segments (only the ECDSA nonce differs)
    again = signing.sign(signing.Claims("5101042026000123", 2, 1767225600), signer)
    assert again.split(".")[:2] == PRINTED_BEFORE.split(".")[:2]
    assert signing.verify(again, signer.keys()) == signing.verify(PRINTED_BEFORE, signer.keys())


# ----------------------------------------------------------------------------------- bad tokens
def test_every_character_changed_at_every_position_is_rejected(signer, token):
    keys = signer.keys()
    accepted = []
    for i, original in enumerate(token):
        for replacement in ALPHABET + ".=+/ ~%":
            if replacement != original:
                mutated = token[:i] + replacement + token[i + 1 :]
                if not rejected(mutated, keys):
                    accepted.append((i, replacement))
    assert accepted == []


def test_every_byte_flipped_is_rejected(signer, token):
    raw = token.encode()
    for i in range(len(raw)):
        for bit in range(8):
            mutated = bytearray(raw)
            mutated[i] ^= 1 << bit
            try:
                text = mutated.decode()
            except UnicodeDecodeError:
                continue
            assert rejected(text, signer.keys()), (i, bit)


def test_every_truncation_and_extension_is_rejected(signer, token):
    keys = signer.keys()
    for n in range(len(token)):
        assert rejected(token[:n], keys), n
        assert rejected(token[n + 1 :], keys), n
    for extra in ("A", ".", "..", "=", "==", ".AAAA"):
        assert rejected(token + extra, keys), extra


def test_signature_by_another_key_under_the_same_kid_is_rejected(token):
    impostor = signing.LocalSigner("key-2026")
    forged = signing.sign(signing.Claims("5101042026000123", 2, 1767225600), impostor)
    assert not rejected(forged, impostor.keys())
    assert rejected(forged, signing.LocalSigner("key-2026").keys())


def test_unknown_key_id_is_rejected(signer):
    other = signing.sign(CLAIMS, signing.LocalSigner("key-unknown"))
    with pytest.raises(signing.InvalidToken, match="unknown key"):
        signing.verify(other, signer.keys())


@pytest.mark.parametrize(
    "header, claims",
    [
        ({"alg": "none", "kid": "key-2026"}, {"sub": "5101042026000123", "ver": 1, "iat": 1}),
        ({"alg": "HS256", "kid": "key-2026"}, {"sub": "5101042026000123", "ver": 1, "iat": 1}),
        ({"alg": "ES256", "kid": "key-2026", "crit": ["x"]}, {"sub": "5101042026000123", "ver": 1, "iat": 1}),
        ({"alg": "ES256"}, {"sub": "5101042026000123", "ver": 1, "iat": 1}),
        ({"alg": "ES256", "kid": 7}, {"sub": "5101042026000123", "ver": 1, "iat": 1}),
        ({"alg": "ES256", "kid": "key-2026"}, {"sub": "5101042026000123", "ver": 1}),
        ({"alg": "ES256", "kid": "key-2026"}, {"sub": "5101042026000123", "ver": 1, "iat": 1, "name": "x"}),
        ({"alg": "ES256", "kid": "key-2026"}, {"sub": 5101042026000123, "ver": 1, "iat": 1}),
        ({"alg": "ES256", "kid": "key-2026"}, {"sub": "../../etc", "ver": 1, "iat": 1}),
        ({"alg": "ES256", "kid": "key-2026"}, {"sub": "5101042026000123", "ver": 0, "iat": 1}),
        ({"alg": "ES256", "kid": "key-2026"}, {"sub": "5101042026000123", "ver": True, "iat": 1}),
        ({"alg": "ES256", "kid": "key-2026"}, {"sub": "5101042026000123", "ver": "1", "iat": 1}),
        ({"alg": "ES256", "kid": "key-2026"}, {"sub": "5101042026000123", "ver": 1, "iat": -5}),
        ({"alg": "ES256", "kid": "key-2026"}, b'{"sub":"5101042026000123","ver":1,"ver":2,"iat":1}'),
        ({"alg": "ES256", "kid": "key-2026"}, b'["5101042026000123",1,1]'),
        ({"alg": "ES256", "kid": "key-2026"}, b"\xff\xfe not json"),
        (b'{"alg":"ES256","kid":"key-2026","kid":"key-2026"}', {"sub": "5101042026000123", "ver": 1, "iat": 1}),
    ],
)
def test_well_signed_but_malformed_tokens_are_rejected(signer, header, claims):
    assert rejected(forge(signer, header, claims), signer.keys())


def test_non_canonical_base64_spelling_is_rejected(signer, token):
    head, body, sig = token.split(".")
    # 64 bytes -> 86 characters; the last carries 2 unused bits: flip them, the bytes stay the same
    last = ALPHABET.index(sig[-1])
    alias = sig[:-1] + ALPHABET[last ^ 0b0001]
    assert base64.urlsafe_b64decode(alias + "==") == base64.urlsafe_b64decode(sig + "==")
    assert rejected(f"{head}.{body}.{alias}", signer.keys())


@pytest.mark.parametrize("value", ["", ".", "..", "a.b.c", "x" * 5000, "é.é.é", None, 12])
def test_garbage_is_rejected(signer, value):
    assert rejected(value, signer.keys())


# ----------------------------------------------------------------------------------- moto KMS
@pytest.fixture
def kms(monkeypatch):
    """moto's KMS in-process, with the config's botocore clients pointed at it."""
    from moto import mock_aws

    from chalicelib import config

    for name in ("AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_PROFILE", "SIGNING_KEY_IDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    with mock_aws():
        config.reset_clients()
        signing.clear_cache()
        client = config.client("kms")

        def new_key() -> str:
            return client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]

        yield new_key
    config.reset_clients()
    signing.clear_cache()


def test_kms_signed_token_verifies_against_the_published_key(kms, monkeypatch):
    key_id = kms()
    monkeypatch.setenv("SIGNING_KEY_ID", key_id)
    token = signing.sign(CLAIMS)  # KMS Sign, ECDSA_SHA_256
    header = json.loads(segments(token)[0])
    assert header == {"alg": "ES256", "kid": key_id}
    assert signing.verify(token) == CLAIMS  # GetPublicKey once, then offline
    assert int.from_bytes(segments(token)[2][32:], "big") <= signing.HALF_ORDER
    with pytest.raises(signing.InvalidToken, match="low-S"):
        signing.verify(_high_s_twin(token))
    published = signing.jwks()["keys"]
    assert [k["kid"] for k in published] == [key_id]
    offline = signing.ec_key(published[0])
    assert signing.verify(token, lambda kid: offline if kid == key_id else None) == CLAIMS


def test_kms_rotation_keeps_old_keys_published_and_rejects_unlisted_keys(kms, monkeypatch):
    old, new, stray = kms(), kms(), kms()
    monkeypatch.setenv("SIGNING_KEY_ID", old)
    old_token = signing.sign(CLAIMS)
    monkeypatch.setenv("SIGNING_KEY_ID", new)
    monkeypatch.setenv("SIGNING_KEY_IDS", f"{new},{old}")
    new_token = signing.sign(CLAIMS)
    assert signing.verify(old_token) == signing.verify(new_token) == CLAIMS
    assert [k["kid"] for k in signing.jwks()["keys"]] == [new, old]
    # A key that exists in KMS but is not published: its tokens are invalid.
    monkeypatch.setenv("SIGNING_KEY_ID", stray)
    stray_token = signing.sign(CLAIMS)
    monkeypatch.setenv("SIGNING_KEY_ID", new)
    with pytest.raises(signing.InvalidToken, match="unknown key"):
        signing.verify(stray_token)

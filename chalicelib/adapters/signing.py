"""Signed certificate tokens: compact JWS (RFC 7515) with ES256, signed by an asymmetric KMS key.

The certificate's QR code carries ``{PUBLIC_BASE_URL}/v/{token}`` (issue 6; 003 五(四): the
certificate "contains the QR code ... so you can quickly check whether the maternity service
card is valid"; 000 §2.5.1 微信扫描证件上的二维码验真伪). The token is::

    base64url(header) "." base64url(claims) "." base64url(r || s)

    header = {"alg":"ES256","kid":"<KMS key id>"}
    claims = {"sub":"<registration number>","ver":<certificate version>,"iat":<issue time, epoch s>}

No personal data is in it. The JWS itself -- serialisation, base64url, signature verification,
the JWK Set -- is joserfc's; what is ours is the one step a library cannot do: ``sign`` asks KMS
(``Sign``, ECDSA_SHA_256), which answers a DER signature, and ``der_to_raw`` turns it into the
64-byte ``r || s`` JWS wants. ``verify`` checks offline against the public keys published at
``/.well-known/jwks.json`` (fetched from KMS ``GetPublicKey`` once per process), never with a KMS
``Verify`` call per request. Tokens printed before joserfc was used are the same bytes (the same
compact JSON header and claims), so every issued certificate keeps verifying.

Rotation: ``SIGNING_KEY_ID`` is the key that signs; ``SIGNING_KEY_IDS`` lists every key
whose tokens are still accepted (the current key and the older ones). A token whose ``kid``
is not in that list is invalid, whatever its signature: verification never fetches a key
named by the token itself.

Parsing is strict so that a changed character can never yield an accepted token: three
segments, canonical unpadded base64url only (joserfc's decoder), exactly the expected header and
claim members with the expected types, and a 64-byte signature whose ``s`` is in the low half of
the curve order (``der_to_raw`` normalises KMS's DER signature to it; the verifying algorithm
refuses the (r, n − s) twin, which the curve alone would accept).

joserfc and ``cryptography`` are imported inside the functions: the HTTP API loads this module
only on the verification routes.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from chalicelib import config

log = logging.getLogger("birthreg.signing")

ALG = "ES256"
KMS_ALGORITHM = "ECDSA_SHA_256"
KEY_SPEC = "ECC_NIST_P256"
COORDINATE_BYTES = 32
# The order of P-256. An ECDSA signature (r, s) is equally valid as (r, n - s); only the low half
# (s <= n/2) is accepted, so one certificate has exactly one token string (no malleability).
CURVE_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
HALF_ORDER = CURVE_ORDER // 2
MAX_TOKEN_LENGTH = 1024
_NUMBER = re.compile(r"[0-9A-Z]{8,32}")


class InvalidToken(Exception):
    """The token is not one we issued: malformed, truncated, unknown key or bad signature.

    ``reason`` is for logs only; callers answer every case with the same "invalid".
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class KeyUnavailable(Exception):
    """A published key could not be fetched (KMS unreachable): the answer is "try again", not "invalid"."""


@dataclass(frozen=True)
class Claims:
    registration_number: str
    version: int
    issued_at: int  # epoch seconds

    def to_json(self) -> dict[str, Any]:
        return {"sub": self.registration_number, "ver": self.version, "iat": self.issued_at}


class Signer(Protocol):
    key_id: str

    def sign_der(self, message: bytes) -> bytes:
        """ECDSA P-256 / SHA-256 signature of ``message``, DER-encoded (what KMS returns)."""
        ...


def _kid(key_id: str) -> str:
    # An ARN ("arn:aws:kms:...:key/<id>") and a bare key id name the same key; tokens carry the id.
    return key_id.rsplit("key/", 1)[-1] if key_id.startswith("arn:") else key_id


class KmsSigner:
    def __init__(self, key_id: str | None = None) -> None:
        self.key_id = _kid(key_id or config.signing_key_id())

    def sign_der(self, message: bytes) -> bytes:
        response = config.client("kms").sign(
            KeyId=self.key_id, Message=message, MessageType="RAW", SigningAlgorithm=KMS_ALGORITHM
        )
        return response["Signature"]


class LocalSigner:
    """An in-memory P-256 key (unit tests, benchmarks): same token format, no KMS."""

    def __init__(self, key_id: str = "local-test-key", private_key: Any = None) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec

        self.key_id = key_id
        self.private_key = private_key or ec.generate_private_key(ec.SECP256R1())

    def sign_der(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec

        return self.private_key.sign(message, ec.ECDSA(hashes.SHA256()))

    def public_key(self) -> Any:
        return self.private_key.public_key()

    def keys(self) -> Callable[[str], Any]:
        """A key lookup (for ``verify``) that knows only this key."""
        key = ec_key(self.public_key())
        return lambda kid: key if kid == self.key_id else None


def der_to_raw(der: bytes) -> bytes:
    """KMS's DER signature as JWS's ``r || s``, in the low-S form (KMS returns either form)."""
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    r, s = decode_dss_signature(der)
    if s > HALF_ORDER:
        s = CURVE_ORDER - s
    return r.to_bytes(COORDINATE_BYTES, "big") + s.to_bytes(COORDINATE_BYTES, "big")


def ec_key(key: Any) -> Any:
    """A joserfc ``ECKey`` of a public key given as a JWK (dict), DER bytes, a ``cryptography``
    key or already an ``ECKey``; ``ValueError`` unless it is a P-256 key."""
    from joserfc.errors import JoseError
    from joserfc.jwk import ECKey

    if not isinstance(key, ECKey):
        try:
            key = ECKey.import_key(key)
        except (JoseError, TypeError, ValueError) as exc:
            raise ValueError("not an EC key") from exc
    if key.curve_name != "P-256":
        raise ValueError("not a P-256 EC key")
    return key


# ---------------------------------------------------------------------------------- joserfc algorithms
@functools.cache
def _algorithms() -> tuple[Any, Any]:
    """(the registry ``verify`` uses: ES256 that refuses high-S; the KMS signing algorithm)."""
    from joserfc.jwa import ESAlgorithm, JWSAlgModel
    from joserfc.jws import JWSRegistry

    class LowSES256(ESAlgorithm):
        def verify(self, msg: bytes, sig: bytes, key: Any) -> bool:
            if len(sig) == 2 * COORDINATE_BYTES and int.from_bytes(sig[COORDINATE_BYTES:], "big") > HALF_ORDER:
                raise InvalidToken("signature is not in the canonical low-S form")
            return super().verify(msg, sig, key)

    class KmsES256(JWSAlgModel):
        """ES256 whose "key" is a ``Signer``: KMS signs, joserfc serialises."""

        name, description, key_type = ALG, "ECDSA P-256 / SHA-256 by KMS", "EC"

        def sign(self, msg: bytes, key: Signer) -> bytes:
            return der_to_raw(key.sign_der(msg))

        def verify(self, msg: bytes, sig: bytes, key: Any) -> bool:
            raise NotImplementedError("verify with the published keys")

    class Registry(JWSRegistry):
        # its own table: JWSRegistry.register would change the algorithm for every joserfc user
        algorithms: ClassVar[dict[str, Any]] = {ALG: LowSES256(ALG, "P-256", 256, True)}
        recommended: ClassVar[list[str]] = [ALG]
        max_header_length = 256
        max_payload_length = 256
        max_signature_length = 128

    return Registry(algorithms=[ALG]), KmsES256()


# ---------------------------------------------------------------------------------- sign / verify
def _compact(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def sign(claims: Claims, signer: Signer | None = None) -> str:
    from joserfc import jws

    signer = signer or KmsSigner()
    obj = jws.CompactSignature({"alg": ALG, "kid": signer.key_id}, _compact(claims.to_json()))
    return jws.sign_compact(obj, _algorithms()[1], signer).decode("ascii")


def _json(data: bytes) -> dict[str, Any]:
    """A JSON object with no member twice (json.loads keeps the last one silently)."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                raise InvalidToken("duplicate member")
            out[k] = v
        return out

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError):
        raise InvalidToken("segment is not JSON") from None
    if not isinstance(value, dict):
        raise InvalidToken("segment is not a JSON object")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def verify(token: str, keys: Callable[[str], Any] | None = None) -> Claims:
    """The claims of a token we issued, or ``InvalidToken``; ``KeyUnavailable`` if KMS is down."""
    from joserfc import jws
    from joserfc.errors import JoseError
    from joserfc.util import urlsafe_b64decode

    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken("empty or too long")
    registry = _algorithms()[0]
    try:
        obj = jws.extract_compact(token.encode("ascii"), registry=registry)
        # the header as sent: joserfc's parser would let a repeated member through
        header = _json(urlsafe_b64decode(obj.segments["header"]))
    except (JoseError, ValueError) as exc:  # binascii.Error, UnicodeError are ValueErrors
        raise InvalidToken(f"not a compact JWS: {exc.__class__.__name__}") from None
    if set(header) != {"alg", "kid"} or header["alg"] != ALG or not isinstance(header["kid"], str):
        raise InvalidToken("unexpected header")
    key = (keys or public_key)(header["kid"])
    if key is None:
        raise InvalidToken("unknown key")
    try:
        valid = jws.validate_compact(obj, ec_key(key), registry=registry)
    except (JoseError, ValueError) as exc:
        raise InvalidToken(f"not verifiable: {exc.__class__.__name__}") from None
    if not valid:
        raise InvalidToken("bad signature")
    claims = _json(obj.payload)
    if set(claims) != {"sub", "ver", "iat"}:
        raise InvalidToken("unexpected claims")
    number, version, issued_at = claims["sub"], claims["ver"], claims["iat"]
    if not (isinstance(number, str) and _NUMBER.fullmatch(number)):
        raise InvalidToken("bad registration number claim")
    if not (_is_int(version) and version >= 1 and _is_int(issued_at) and issued_at >= 0):
        raise InvalidToken("bad version or issue time claim")
    return Claims(number, version, issued_at)


# ---------------------------------------------------------------------------------- published keys
def published_key_ids() -> list[str]:
    """The signing key first, then every older key still accepted (SIGNING_KEY_IDS)."""
    ids: list[str] = []
    for kid in map(_kid, config.signing_key_ids()):
        if kid not in ids:
            ids.append(kid)
    return ids


_cache: dict[str, Any] = {}
_cache_lock = threading.Lock()
# KMS answers for a key that is gone or unusable: its tokens are then invalid.
_KEY_GONE = {"NotFoundException", "DisabledException", "KMSInvalidStateException", "InvalidKeyUsageException"}


def _fetch_public_key(kid: str) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        response = config.client("kms").get_public_key(KeyId=kid)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in _KEY_GONE:
            log.warning("published signing key %s is not usable: %s", kid, code)
            return None
        raise KeyUnavailable(kid) from exc
    except BotoCoreError as exc:
        raise KeyUnavailable(kid) from exc
    spec = response.get("KeySpec") or response.get("CustomerMasterKeySpec")
    try:
        key = ec_key(response["PublicKey"])  # DER SubjectPublicKeyInfo
    except ValueError:
        key = None
    if spec != KEY_SPEC or key is None:
        log.warning("published signing key %s is not %s", kid, KEY_SPEC)
        return None
    return key


def public_key(kid: str) -> Any:
    """The public key (joserfc ``ECKey``) of a published key id, cached per process; None for any other id."""
    if kid not in published_key_ids():
        return None
    with _cache_lock:
        if kid in _cache:
            return _cache[kid]
    key = _fetch_public_key(kid)
    with _cache_lock:
        _cache[kid] = key
    return key


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def jwk(kid: str, key: Any) -> dict[str, str]:
    """The public JWK (RFC 7517) of a key, named ``kid``, for ES256 signatures."""
    return ec_key(key).as_dict(private=False, kid=kid, alg=ALG, use="sig")


def jwks() -> dict[str, list[dict[str, str]]]:
    """Every published key as a JWK Set (RFC 7517), current key first."""
    keys = []
    for kid in published_key_ids():
        key = public_key(kid)
        if key is not None:
            keys.append(jwk(kid, key))
    return {"keys": keys}

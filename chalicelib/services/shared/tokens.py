"""Short-lived signed citizen tokens, bound to one phone number and one purpose.

After an SMS code is confirmed (``services/shared/otp.py``) the citizen receives a JWT (compact JWS,
HS256, made and checked by joserfc) whose claims are ``phone``, ``purpose``, ``exp`` and a
``jti``; its key is derived from the deployment secret for this use only
(``config.derived_key("citizen-token")``). Routes that act for a citizen call
``verify(token, purpose)`` and get the phone number back; a token for another purpose, a tampered
or an expired token is a 401 (a token of another phone: the caller's 403).

Expiry is judged on ``config.now()`` (the clock the tests move), not on the host's time.
"""

from __future__ import annotations

import secrets

from chalicelib import config
from chalicelib.domain import errors

PURPOSES = ("submit", "query", "verify", "birth", "appointment")
DEFAULT_TTL_SECONDS = 30 * 60
ALG = "HS256"


def _key():
    from joserfc.jwk import OctKey

    return OctKey.import_key(config.derived_key("citizen-token"))


def _now() -> int:
    return int(config.now().timestamp())


def issue(phone: str, purpose: str, *, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> str:
    from joserfc import jwt

    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    # "purpose" before "exp": the claims are checked in this order (a wrong purpose is said first)
    claims = {"phone": phone, "purpose": purpose, "exp": _now() + ttl_seconds, "jti": secrets.token_hex(8)}
    return jwt.encode({"alg": ALG}, claims, _key(), algorithms=[ALG])


def verify(token: str | None, purpose: str) -> str:
    """The phone number the token was issued for, or ``Unauthorized``."""
    from joserfc import jwt
    from joserfc.errors import ExpiredTokenError, InvalidClaimError, JoseError

    invalid = errors.Unauthorized("身份验证已失效，请重新获取短信验证码", code="INVALID_TOKEN")
    if not token:
        raise invalid
    try:
        claims = jwt.decode(token, _key(), algorithms=[ALG]).claims
    except (JoseError, ValueError, TypeError):  # malformed, another algorithm, another key, tampered
        raise invalid from None
    registry = jwt.JWTClaimsRegistry(
        now=_now,
        phone={"essential": True},
        purpose={"essential": True, "value": purpose},
        exp={"essential": True},
    )
    try:
        registry.validate(claims)
    except InvalidClaimError as exc:
        if exc.claim != "purpose":
            raise invalid from None
        raise errors.Unauthorized("该验证不能用于此操作，请重新获取短信验证码", code="TOKEN_WRONG_PURPOSE") from None
    except ExpiredTokenError:
        raise errors.Unauthorized("身份验证已过期，请重新获取短信验证码", code="TOKEN_EXPIRED") from None
    except JoseError:
        raise invalid from None
    if not isinstance(claims["phone"], str):
        raise invalid
    return claims["phone"]

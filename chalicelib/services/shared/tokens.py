"""Short-lived signed citizen tokens, bound to one phone number and one purpose.

After an SMS code is confirmed (``services/shared/otp.py``) the citizen receives a token
``<payload>.<signature>`` (base64url, HMAC-SHA256 with the deployment secret). Routes that
act for a citizen call ``verify(token, purpose)`` and get the phone number back; a token
for another purpose, another phone, a tampered or an expired token is a 401.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets

from chalicelib import config
from chalicelib.domain import errors

PURPOSES = ("submit", "query", "verify", "birth")
DEFAULT_TTL_SECONDS = 30 * 60


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(payload: str) -> str:
    return _b64(hmac.new(config.secret_key(), b"citizen-token:" + payload.encode(), hashlib.sha256).digest())


def issue(phone: str, purpose: str, *, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    exp = int(config.now().timestamp()) + ttl_seconds
    payload = _b64(json.dumps({"p": phone, "u": purpose, "exp": exp, "jti": secrets.token_hex(8)}).encode())
    return f"{payload}.{_sign(payload)}"


def verify(token: str | None, purpose: str) -> str:
    """The phone number the token was issued for, or ``Unauthorized``."""
    invalid = errors.Unauthorized("身份验证已失效，请重新获取短信验证码", code="INVALID_TOKEN")
    if not token or token.count(".") != 1:
        raise invalid
    payload, signature = token.split(".")
    if not hmac.compare_digest(_sign(payload), signature):
        raise invalid
    try:
        claims = json.loads(_unb64(payload))
    except ValueError:
        raise invalid from None
    if claims.get("u") != purpose:
        raise errors.Unauthorized("该验证不能用于此操作，请重新获取短信验证码", code="TOKEN_WRONG_PURPOSE")
    if int(claims.get("exp", 0)) < config.now().timestamp():
        raise errors.Unauthorized("身份验证已过期，请重新获取短信验证码", code="TOKEN_EXPIRED")
    return str(claims["p"])

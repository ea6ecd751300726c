"""SMS verification codes (000 §2.3.6 "输入手机号码获取短信验证码", §2.4.1 办件查询, §2.5.1 证件核验).

``request_code`` sends a 6-digit code to a phone for one purpose; ``verify_code`` checks it
and returns a short-lived citizen token bound to that phone and purpose (``tokens.py``).

- The code comes from ``secrets`` and is stored only as a keyed hash (``config.keyed_hash``).
- It is valid ``SMS_CODE_TTL_SECONDS`` (300), usable once, and locked after
  ``SMS_CODE_MAX_ATTEMPTS`` (5) wrong tries; a new code replaces the previous one.
- Sending is limited per phone and purpose — one per ``SMS_SEND_INTERVAL_SECONDS`` (60) and
  ``SMS_DAILY_LIMIT`` (10) per China calendar day — and per client IP —
  ``SMS_IP_LIMIT`` (100) per ``SMS_IP_WINDOW_SECONDS`` (3600; generous: mobile carriers put
  many citizens behind one address). All limits are taken in one DynamoDB transaction
  (``store/codes.take``), answered with 429 and ``Retry-After``.
- Purposes listed in ``SMS_CAPTCHA_PURPOSES`` (default ``query``) need a graphic captcha
  for every send (000 §2.4.1 "输入图形验证码和短信验证码"); the others send the first code of
  the day to a phone without one and every further code only with a solved captcha
  (``CAPTCHA_REQUIRED``), so ten texts to someone else's phone cost nine solved captchas.
- Why the limits are per purpose: whoever fills a victim's daily budget for one purpose (paying
  a captcha per text) must not lock the owner out of the others; a registration, a case query
  and a certificate check each keep their own ten texts a day.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import datetime, time, timedelta
from typing import Any

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.domain.idcard import mask_phone
from chalicelib.domain.tz import SHANGHAI
from chalicelib.services.shared import tokens

log = logging.getLogger("birthreg.otp")

PURPOSE_LABELS = {"submit": "提交生育登记", "query": "办件查询", "verify": "证件核验", "birth": "出生医学证明申领", "appointment": "三孩预约"}
CODE_RE = re.compile(r"[0-9]{6}")


# -- settings (read per call: operators change them by environment, tests by monkeypatch) --
def code_ttl() -> int:
    return config.int_setting("SMS_CODE_TTL_SECONDS")


def max_attempts() -> int:
    return config.int_setting("SMS_CODE_MAX_ATTEMPTS")


def send_interval() -> int:
    return config.int_setting("SMS_SEND_INTERVAL_SECONDS")


def daily_limit() -> int:
    return config.int_setting("SMS_DAILY_LIMIT")


def ip_limit() -> int:
    return config.int_setting("SMS_IP_LIMIT")


def ip_window() -> int:
    return config.int_setting("SMS_IP_WINDOW_SECONDS")


def token_ttl() -> int:
    return config.int_setting("CITIZEN_TOKEN_SECONDS")


def captcha_purposes() -> set[str]:
    return {p.strip() for p in config.setting("SMS_CAPTCHA_PURPOSES").split(",") if p.strip()}


# -- errors ------------------------------------------------------------------
class SmsRateLimited(errors.TooManyRequests):
    default_message = "短信发送过于频繁，请稍后再试"


class CodeRejected(errors.ValidationFailed):
    code = "CODE_INVALID"
    default_message = "短信验证码错误或已失效"


class CodeLocked(errors.Forbidden):
    code = "CODE_LOCKED"
    default_message = "验证码错误次数过多，已失效，请重新获取"


class CaptchaRequired(errors.ValidationFailed):
    code = "CAPTCHA_REQUIRED"
    default_message = "该手机号今日已获取过验证码，请先输入图形验证码"


class SmsSendFailed(errors.DomainError):
    code = "SMS_SEND_FAILED"
    status = 503
    default_message = "短信发送失败，请稍后再试"


# -- helpers -------------------------------------------------------------------
def message(purpose: str, code: str) -> str:
    """The SMS text (one segment: at most 70 characters)."""
    return f"【生育登记】验证码{code}，用于{PURPOSE_LABELS[purpose]}，{code_ttl() // 60}分钟内有效，请勿告知他人。"


def _otp_pk(purpose: str, phone: str) -> str:
    return f"OTP#{purpose}#{config.keyed_hash('phone', phone)}"


def _code_hash(purpose: str, phone: str, code: str) -> str:
    return config.keyed_hash("sms-code", f"{purpose}:{phone}:{code}")


def _limits(phone: str, purpose: str, client_ip: str | None, *, first_free: bool) -> list:
    """The limits one send takes. ``first_free``: no captcha was solved, so this must be the
    first send of the day to this phone for this purpose (``SMS_CAPTCHA_REQUIRED`` otherwise)."""
    from chalicelib.store.repositories import codes

    now = config.now()
    tomorrow = int(datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=SHANGHAI).timestamp())
    limits: list = []
    if client_ip:
        limits.append(codes.window("SMS_IP_LIMIT", f"ip#{config.keyed_hash('ip', client_ip)}", seconds=ip_window(), limit=ip_limit()))
    # the phone's three limits are one item (one write): the gap, the day's count, the free send
    limits.append(codes.Sends(
        f"{purpose}#{config.keyed_hash('phone', phone)}", day=f"{now:%Y%m%d}", day_ends_at=tomorrow,
        per_day=daily_limit(), gap=send_interval(), free=first_free,
        gap_name="SMS_TOO_FREQUENT", day_name="SMS_DAILY_LIMIT", free_name="SMS_CAPTCHA_REQUIRED",
    ))
    return limits


_LIMIT_MESSAGES = {
    "SMS_TOO_FREQUENT": "验证码发送过于频繁，请{s}秒后再试",
    "SMS_DAILY_LIMIT": "该手机号今日获取验证码次数已达上限，请明天再试",
    "SMS_IP_LIMIT": "当前网络获取验证码过于频繁，请稍后再试",
}


# -- use cases -------------------------------------------------------------------
def request_code(body: dict[str, Any], *, client_ip: str | None) -> dict[str, Any]:
    """``body``: validated by ``api/models.SmsCodeRequest`` (phone, purpose, captcha fields)."""
    from chalicelib.adapters import sms
    from chalicelib.services.shared import captcha
    from chalicelib.store.repositories import codes

    phone, purpose = body["phone"], body["purpose"]
    solved = purpose in captcha_purposes() or body.get("captcha_id") is not None
    if solved:
        captcha.check(body.get("captcha_id"), body.get("captcha_answer"))
    try:
        codes.take(_limits(phone, purpose, client_ip, first_free=not solved))
    except codes.LimitExceeded as exc:
        if exc.name == "SMS_CAPTCHA_REQUIRED":
            raise CaptchaRequired(
                details=[errors.FieldError("captcha_id", "CAPTCHA_REQUIRED", "请先获取并输入图形验证码")]
            ) from None
        raise SmsRateLimited(
            _LIMIT_MESSAGES[exc.name].format(s=exc.retry_after), code=exc.name, retry_after=exc.retry_after
        ) from None
    code = f"{secrets.randbelow(1_000_000):06d}"
    codes.put_secret(_otp_pk(purpose, phone), _code_hash(purpose, phone, code), ttl_seconds=code_ttl())
    try:
        sms.default_sender().send(phone, message(purpose, code))
    except Exception as exc:
        log.exception("sending the verification code failed", extra={"purpose": purpose})
        raise SmsSendFailed() from exc
    return {"phone": mask_phone(phone), "purpose": purpose, "expires_in": code_ttl(), "resend_after": send_interval()}


def verify_code(body: dict[str, Any]) -> dict[str, Any]:
    """``body``: validated by ``api/models.SmsCodeVerify`` (phone, purpose, a 6-digit code)."""
    from chalicelib.store.repositories import codes

    phone, purpose, code = body["phone"], body["purpose"], body["code"]
    try:
        codes.use_secret(_otp_pk(purpose, phone), _code_hash(purpose, phone, code), max_attempts=max_attempts())
    except codes.SecretRejected as exc:
        if exc.reason == "locked":
            raise CodeLocked(details=[errors.FieldError("code", "CODE_LOCKED", "验证码错误次数过多，请重新获取")]) from None
        detail = {
            "mismatch": ("CODE_MISMATCH", f"验证码错误，还可尝试{exc.attempts_left}次"),
            "expired": ("CODE_EXPIRED", "验证码已过期，请重新获取"),
            "used": ("CODE_USED", "验证码已使用，请重新获取"),
            "missing": ("CODE_NOT_FOUND", "请先获取短信验证码"),
        }[exc.reason]
        raise CodeRejected(detail[1], code=detail[0], details=[errors.FieldError("code", *detail)]) from None
    ttl = token_ttl()
    return {"token": tokens.issue(phone, purpose, ttl_seconds=ttl), "token_type": "citizen", "purpose": purpose, "expires_in": ttl}

"""Graphic captchas for the case query (办件查询, 000 §2.4.1: "输入图形验证码和短信验证码后点击查询").

The image is drawn server-side by the maintained ``captcha`` package (PyPI, Pillow based);
the answer is drawn from ``secrets``, stored only as a keyed hash in the Codes table, is
valid for 2 minutes and is consumed by its first check, right or wrong, so one image
cannot be tried twice.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from chalicelib import config
from chalicelib.domain import errors

# No 0/O, 1/I/L: a person must be able to read them back from a distorted image.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 5


def ttl_seconds() -> int:
    return config.int_setting("CAPTCHA_TTL_SECONDS")


class CaptchaRejected(errors.ValidationFailed):
    code = "CAPTCHA_INVALID"
    default_message = "图形验证码错误或已失效，请刷新后重新输入"


def _pk(captcha_id: str) -> str:
    return f"CAPTCHA#{captcha_id}"


def _answer_hash(captcha_id: str, answer: str) -> str:
    return config.keyed_hash("captcha", f"{captcha_id}:{answer.strip().upper()}")


def new_answer() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def render(answer: str) -> bytes:
    from captcha.image import ImageCaptcha  # Pillow: loaded only by the route that draws

    return ImageCaptcha(width=160, height=60).generate(answer, format="png").getvalue()


def create() -> dict[str, Any]:
    from chalicelib.store import codes

    captcha_id = secrets.token_urlsafe(16)
    answer = new_answer()
    codes.put_secret(_pk(captcha_id), _answer_hash(captcha_id, answer), ttl_seconds=ttl_seconds())
    image = base64.b64encode(render(answer)).decode()
    return {"captcha_id": captcha_id, "image": f"data:image/png;base64,{image}", "expires_in": ttl_seconds()}


def check(captcha_id: Any, answer: Any, *, path: str = "captcha_answer") -> None:
    """Consume the captcha; ``CaptchaRejected`` (400) if it is wrong, used, expired or unknown."""
    from chalicelib.store import codes

    if not isinstance(captcha_id, str) or not captcha_id or len(captcha_id) > 64:
        raise CaptchaRejected(details=[errors.FieldError("captcha_id", "MISSING", "请先获取图形验证码")])
    if not isinstance(answer, str) or not answer.strip() or len(answer) > 16:
        raise CaptchaRejected(details=[errors.FieldError(path, "MISSING", "请输入图形验证码")])
    try:
        codes.consume_secret(_pk(captcha_id), _answer_hash(captcha_id, answer))
    except codes.SecretRejected as exc:
        messages = {
            "mismatch": "图形验证码错误，请刷新后重新输入",
            "used": "图形验证码已使用，请刷新后重新输入",
            "expired": "图形验证码已过期，请刷新后重新输入",
            "missing": "图形验证码无效，请刷新后重新输入",
        }
        raise CaptchaRejected(
            details=[errors.FieldError(path, f"CAPTCHA_{exc.reason.upper()}", messages.get(exc.reason, messages["missing"]))]
        ) from None

"""Graphic captchas for the case query (办件查询, 000 §2.4.1: "输入图形验证码和短信验证码后点击查询").

The image is drawn server-side by the maintained ``captcha`` package (PyPI, Pillow based);
the answer is drawn from ``secrets``, stored only as a keyed hash in the Codes table, is
valid for 2 minutes and is consumed by its first check, right or wrong, so one image
cannot be tried twice.

Readable at phone size (issue 17: the 107×40 image was misread 2 times in 7): 240×90 px, five
characters, milder rotation and warp, a dark ink on a light ground, fewer noise dots.

An accessible alternative with the same protection: ``kind: "text"`` asks an arithmetic question in
words (``七 加 五 等于多少？``) a screen reader reads aloud and a person answers with digits. Its answer
is stored, expires and is consumed exactly like the image's (same ``check``), and it guards the same
thing -- sending an SMS code, which the per-phone and per-address SMS limits cap whatever the captcha
(services/shared/otp.py). An audio captcha would need a speech engine in the API; a question in text works
with every screen reader and braille display the citizen already uses.
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


WIDTH, HEIGHT = 240, 90
KINDS = ("image", "text")
_DIGITS = "零一二三四五六七八九十"
_OPERATIONS = (("加", lambda a, b: a + b), ("减", lambda a, b: a - b))


def new_answer() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _words(n: int) -> str:
    """1..19 in Chinese numerals (十, 十二)."""
    return _DIGITS[n] if n <= 10 else f"十{_DIGITS[n - 10]}"


def new_question() -> tuple[str, str]:
    """(question, answer): two numbers 1..19 added or (larger first) subtracted."""
    a, b = secrets.randbelow(19) + 1, secrets.randbelow(9) + 1
    name, op = _OPERATIONS[secrets.randbelow(len(_OPERATIONS))]
    if name == "减" and b > a:
        a, b = b, a
    return f"{_words(a)} {name} {_words(b)} 等于多少？请填写阿拉伯数字", str(op(a, b))


def render(answer: str) -> bytes:
    from captcha.image import ImageCaptcha  # Pillow: loaded only by the route that draws

    class Readable(ImageCaptcha):
        character_rotate = (-12, 12)
        character_warp_dx = (0.05, 0.12)
        character_warp_dy = (0.05, 0.12)
        word_space_probability = 0.8

        @staticmethod
        def create_noise_dots(image, color, width=2, number=12):
            return ImageCaptcha.create_noise_dots(image, color, width=width, number=number)

    drawer = Readable(width=WIDTH, height=HEIGHT, font_sizes=(62, 66, 70))
    return drawer.generate(answer, format="png", bg_color=(250, 250, 246), fg_color=(20, 40, 90)).getvalue()


def create(body: dict[str, str] | None = None) -> dict[str, Any]:
    """``body``: validated by ``api/models.CaptchaRequest`` (``kind``: one of KINDS, default image)."""
    from chalicelib.store.repositories import codes

    kind = (body or {}).get("kind", "image")
    captcha_id = secrets.token_urlsafe(16)
    if kind == "text":
        question, answer = new_question()
    else:
        answer = new_answer()
    codes.put_secret(_pk(captcha_id), _answer_hash(captcha_id, answer), ttl_seconds=ttl_seconds())
    out: dict[str, Any] = {"captcha_id": captcha_id, "kind": kind, "expires_in": ttl_seconds()}
    if kind == "text":
        out["question"] = question
    else:
        out["image"] = f"data:image/png;base64,{base64.b64encode(render(answer)).decode()}"
        out["width"], out["height"] = WIDTH, HEIGHT
    return out


def check(captcha_id: Any, answer: Any, *, path: str = "captcha_answer") -> None:
    """Consume the captcha; ``CaptchaRejected`` (400) if it is wrong, used, expired or unknown."""
    from chalicelib.store.repositories import codes

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

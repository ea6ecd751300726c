"""Typed domain errors: a stable UPPER_SNAKE code, an HTTP status and a Chinese message.

The API layer maps a ``DomainError`` to a response once (middleware / error handler),
using ``status`` and ``to_dict()``; it never inspects the message text (STYLE.md, Anchor 1).

Response body shape (fixed)::

    {"error": {"code": "VALIDATION_FAILED", "message": "...",
               "details": [{"path": "woman.id_number", "code": "ID_CHECKSUM", "message": "..."}]}}

``OnsiteRequired`` is deliberately absent: having to go to the office is an evaluation
result (``evaluation.Evaluation.onsite_required``), not a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class FieldError:
    """One problem with one field. ``path`` is dotted: ``woman.id_number``, ``children.1.birth_date``;
    ``""`` means the whole body."""

    path: str
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message": self.message}


class DomainError(Exception):
    code: ClassVar[str] = "DOMAIN_ERROR"
    status: ClassVar[int] = 400
    default_message: ClassVar[str] = "请求无法处理"

    def __init__(
        self,
        message: str | None = None,
        *,
        details: list[FieldError] | tuple[FieldError, ...] | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.details: list[FieldError] = list(details or [])
        if code is not None:
            # A more specific stable code for this instance (e.g. "DUPLICATE_REGISTRATION").
            self.code = code  # type: ignore[misc]
        super().__init__(self.message)

    def to_dict(self) -> dict:
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "details": [d.to_dict() for d in self.details],
            }
        }

    def headers(self) -> dict[str, str]:
        """Extra HTTP headers the response should carry (none by default)."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, details={self.details!r})"


class ValidationFailed(DomainError):
    code = "VALIDATION_FAILED"
    status = 400
    default_message = "提交的信息有误，请按提示修改后重新提交"


class Unauthorized(DomainError):
    code = "UNAUTHORIZED"
    status = 401
    default_message = "身份验证失败或已过期，请重新验证"


class Forbidden(DomainError):
    code = "FORBIDDEN"
    status = 403
    default_message = "无权执行此操作"


class TokenRequired(Unauthorized):
    # A citizen route acts for a phone proven by an SMS code (``X-Citizen-Token``).
    code = "TOKEN_REQUIRED"
    default_message = "请先通过短信验证码验证手机号"


class RoleNotAllowed(Forbidden):
    code = "ROLE_NOT_ALLOWED"
    default_message = "您的账号角色不能执行此操作"


class OutsideJurisdiction(Forbidden):
    # Staff act only within their unit's area (domain/hierarchy.py; ``auth.covers``).
    code = "OUTSIDE_JURISDICTION"
    default_message = "不在您的辖区内"


class NotFound(DomainError):
    code = "NOT_FOUND"
    status = 404
    default_message = "未找到相关记录"


class Conflict(DomainError):
    code = "CONFLICT"
    status = 409
    default_message = "当前状态不允许此操作"


class DuplicateRegistration(Conflict):
    code = "DUPLICATE_REGISTRATION"
    default_message = "该夫妻已有进行中或已办结的生育登记，请勿重复登记"


class ModificationExhausted(Conflict):
    # 000 §2.4.2 注: "登记信息只允许被修改一次" (Sichuan profile: modify_once).
    code = "MODIFICATION_EXHAUSTED"
    default_message = "登记信息只允许修改一次，已无法再次修改"


class TooManyRequests(DomainError):
    code = "TOO_MANY_REQUESTS"
    status = 429
    default_message = "操作过于频繁，请稍后再试"

    def __init__(self, message: str | None = None, *, retry_after: int = 60, **kwargs) -> None:
        if retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        self.retry_after = int(retry_after)
        super().__init__(message, **kwargs)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


__all__ = [
    "Conflict",
    "DomainError",
    "DuplicateRegistration",
    "FieldError",
    "Forbidden",
    "ModificationExhausted",
    "NotFound",
    "OutsideJurisdiction",
    "RoleNotAllowed",
    "TokenRequired",
    "TooManyRequests",
    "Unauthorized",
    "ValidationFailed",
]

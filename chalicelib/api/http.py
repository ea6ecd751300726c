"""The HTTP edge shared by every blueprint: JSON parsing, error mapping, correlation ids.

Every error leaves the API in one shape (``chalicelib.domain.errors.DomainError.to_dict``)::

    {"error": {"code": "VALIDATION_FAILED", "message": "...", "details": [{"path", "code", "message"}]}}

Domain errors are mapped once, in ``route``; Chalice's own errors (unsupported media type,
method not allowed, unhandled exceptions) are rewritten into the same shape by
``error_middleware``. Nothing ever returns an exception's text to the client.
"""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chalice import Blueprint, Chalice, Response

from chalicelib import config, observability
from chalicelib.domain import errors

log = logging.getLogger("birthreg.api")

JSON_TYPES = ["application/json"]
# Chalice rejects other content types before the view runs; the middleware turns its
# 415 into our 400 so clients see one error format.
_CHALICE_ERRORS = {
    "UnsupportedMediaType": (400, "UNSUPPORTED_CONTENT_TYPE", "请求内容类型必须为 application/json", "headers.content-type"),
    "MethodNotAllowedError": (405, "METHOD_NOT_ALLOWED", "不支持该请求方法", ""),
    "BadRequestError": (400, "BAD_REQUEST", "请求格式有误", ""),
    "NotFoundError": (404, "NOT_FOUND", "未找到相关资源", ""),
    "InternalServerError": (500, "INTERNAL_ERROR", "系统繁忙，请稍后再试", ""),
}
MAX_BODY_BYTES = 256 * 1024


def error_body(code: str, message: str, details: list[dict[str, str]] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message, "details": details or []}
    body.update(extra)
    return {"error": body}


def error_response(exc: errors.DomainError, request_id: str | None = None) -> Response:
    body = exc.to_dict()
    if request_id:
        body["error"]["request_id"] = request_id
    headers = {"Content-Type": "application/json; charset=utf-8", **exc.headers()}
    return Response(body=body, status_code=exc.status, headers=headers)


# Limits of a request document (issue 12: a 5,000-digit integer and deeply nested JSON were 500s).
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 20  # digits of an integer literal (a float's literal: twice that)
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _LongNumber:
    """Stands in for a number literal that is too long, so its field path can be reported."""

    def __init__(self, literal: str) -> None:
        self.literal = literal


def _int(literal: str) -> Any:
    return int(literal) if len(literal.lstrip("-")) <= MAX_NUMBER_CHARS else _LongNumber(literal)


def _float(literal: str) -> Any:
    value = float(literal) if len(literal) <= 2 * MAX_NUMBER_CHARS else None
    return value if value is not None and math.isfinite(value) else _LongNumber(literal)


def _too_deep(raw: bytes) -> bool:
    """Nesting depth beyond ``MAX_DEPTH``, counted before parsing (the parser recurses)."""
    depth = 0
    for m in _BRACKETS.finditer(_STRINGS.sub(b'""', raw)):
        depth += 1 if m.group() in (b"[", b"{") else -1
        if depth > MAX_DEPTH:
            return True
    return False


def _problems(value: Any, path: str = "") -> list[errors.FieldError]:
    """Numbers that are too long and lone surrogates ("\\ud800" decodes but cannot be encoded,
    stored or hashed: the Idempotency-Key digest failed on it), with their field paths."""
    out: list[errors.FieldError] = []
    if isinstance(value, _LongNumber):
        out.append(errors.FieldError(path, "INVALID_NUMBER", f"数字无效或超过 {MAX_NUMBER_CHARS} 位"))
    elif isinstance(value, str):
        if _SURROGATE.search(value):
            out.append(errors.FieldError(path, "INVALID_CHARACTERS", "包含无效的字符（不成对的代理项）"))
    elif isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if _SURROGATE.search(key):
                out.append(errors.FieldError(path, "INVALID_CHARACTERS", "字段名包含无效的字符"))
                continue
            out.extend(_problems(item, sub))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_problems(item, f"{path}.{i}" if path else str(i)))
    return out


def _require_json_content_type(request: Any) -> None:
    # Chalice treats a request without Content-Type as JSON; a body route does not.
    content_type = (request.headers or {}).get("content-type") or ""
    if content_type.split(";")[0].strip().lower() != "application/json":
        code, message, path = _CHALICE_ERRORS["UnsupportedMediaType"][1:]
        raise errors.ValidationFailed(message, details=[errors.FieldError(path, code, message)])


def json_body(app: Chalice | Blueprint) -> Any:
    """The request's JSON document, or a 400 saying exactly what is wrong with it."""
    request = app.current_request
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise errors.ValidationFailed(
            "请求内容过大", details=[errors.FieldError("", "BODY_TOO_LARGE", f"请求内容不能超过 {MAX_BODY_BYTES // 1024} KB")]
        )
    _require_json_content_type(request)
    if not raw.strip():
        raise errors.ValidationFailed(details=[errors.FieldError("", "EMPTY_BODY", "请求内容不能为空")])
    if _too_deep(raw):
        raise errors.ValidationFailed(details=[errors.FieldError("", "TOO_DEEP", f"JSON 嵌套不能超过 {MAX_DEPTH} 层")])
    try:
        document = json.loads(raw.decode("utf-8"), parse_int=_int, parse_float=_float, parse_constant=_LongNumber)
    except UnicodeDecodeError:
        raise errors.ValidationFailed(details=[errors.FieldError("", "INVALID_ENCODING", "请求内容必须使用 UTF-8 编码")]) from None
    except json.JSONDecodeError as exc:
        raise errors.ValidationFailed(
            details=[errors.FieldError("", "MALFORMED_JSON", f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）")]
        ) from None
    problems = _problems(document)
    if problems:
        raise errors.ValidationFailed(details=problems)
    return document


@dataclass(frozen=True)
class Operation:
    """What a route declares for its OpenAPI description (``api/openapi.py``) and body parsing.

    ``body``: the name of its request model in ``api/models.py`` (``"RegistrationForm"``: the
    domain's form); ``status``: its success status; ``security``: the credentials it accepts (any
    one of them: ``citizen_token``, ``query_code``, ``staff``); ``headers``: other request headers or
    query parameters (``idempotency_key`` required, ``idempotency_key?`` optional; ``certificate_token``); ``statuses``: the error statuses it
    can answer besides 400 (and 401/403 with credentials, 404 with path parameters).
    """

    body: str | None = None
    status: int = 200
    security: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    statuses: tuple[int, ...] = ()
    body_optional: bool = False


_current: contextvars.ContextVar[Operation | None] = contextvars.ContextVar("operation", default=None)


def request_body(app: Chalice | Blueprint) -> dict[str, Any]:
    """The current route's JSON body validated by its declared model (``Operation.body``), as the
    plain JSON document the services read."""
    from chalicelib.api import models

    op = _current.get()
    if op is None or op.body is None:
        raise RuntimeError("route declares no request body")
    if op.body_optional and not (app.current_request.raw_body or b"").strip():
        return {}
    return models.plain(models.parse(getattr(models, op.body), json_body(app)))


def route(
    bp: Blueprint | Chalice,
    path: str,
    *,
    body: str | None = None,
    status: int = 200,
    security: tuple[str, ...] = (),
    headers: tuple[str, ...] = (),
    statuses: tuple[int, ...] = (),
    body_optional: bool = False,
    **kwargs: Any,
) -> Callable:
    """``bp.route`` whose view may raise ``DomainError``; the error becomes its JSON response."""
    kwargs.setdefault("content_types", JSON_TYPES)
    operation = Operation(body, status, tuple(security), tuple(headers), tuple(statuses), body_optional)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kw: Any) -> Any:
            reset = _current.set(operation)
            try:
                return view(*args, **kw)
            except errors.DomainError as exc:
                return error_response(exc, _request_id(bp))
            finally:
                _current.reset(reset)

        wrapped.operation = operation  # type: ignore[attr-defined]
        return bp.route(path, **kwargs)(wrapped)

    return decorator


def _request_id(app: Blueprint | Chalice) -> str | None:
    try:
        return app.current_request.context.get("requestId")
    except Exception:  # no request bound (direct calls in tests)
        return None


def install(app: Chalice) -> None:
    """Register the error/correlation middleware on the app."""

    @app.middleware("http")
    def error_middleware(event, get_response):
        request_id = (event.context or {}).get("requestId") or uuid.uuid4().hex
        # chalicelib.observability: JSON logs of this request carry its id and case id (masked
        # personal data); its business metrics are written once it is answered.
        observability.get_logger().clear_state()
        observability.correlate((event.uri_params or {}).get("case_id"), request_id=request_id, path=event.path)
        try:
            config.apply_profile_overrides()
            response = _traced(get_response, event)
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id, "path": event.path})
            response = Response(body={"Code": "InternalServerError", "Message": ""}, status_code=500)
        body = response.body
        if isinstance(body, dict) and set(body) == {"Code", "Message"} and body["Code"] in _CHALICE_ERRORS:
            status, code, message, path = _CHALICE_ERRORS[body["Code"]]
            if status == 500:
                log.error("internal error", extra={"request_id": request_id, "path": event.path})
            details = [{"path": path, "code": code, "message": message}] if path else []
            response = Response(
                body=error_body(code, message, details, request_id=request_id),
                status_code=status,
                headers={**response.headers, "Content-Type": "application/json; charset=utf-8"},
            )
        if isinstance(response.body, (dict, list)):
            # Every JSON answer says so (Chalice would otherwise leave it to the gateway's default).
            response.headers.setdefault("Content-Type", "application/json; charset=utf-8")
        response.headers["X-Request-Id"] = request_id
        observability.flush()
        return response


def _traced(get_response: Callable, event: Any) -> Any:
    """The request in an X-Ray subsegment named after its route (inside Lambda only)."""
    xray = observability.tracer()
    if xray is None:
        return get_response(event)
    with xray.provider.in_subsegment(f"## {event.method} {event.context.get('resourcePath', event.path)}"):
        return get_response(event)

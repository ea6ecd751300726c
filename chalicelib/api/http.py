"""The HTTP edge shared by every blueprint: JSON parsing, error mapping, correlation ids.

Every error leaves the API in one shape (``chalicelib.domain.errors.DomainError.to_dict``)::

    {"error": {"code": "VALIDATION_FAILED", "message": "...", "details": [{"path", "code", "message"}]}}

Domain errors are mapped once, in ``route``; Chalice's own errors (unsupported media type,
method not allowed, unhandled exceptions) are rewritten into the same shape by
``error_middleware``. Nothing ever returns an exception's text to the client.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Chalice, Response

from chalicelib import observability
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


def json_body(app: Chalice | Blueprint) -> Any:
    """The request's JSON document, or a 400 saying exactly what is wrong with it."""
    request = app.current_request
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise errors.ValidationFailed(
            "请求内容过大", details=[errors.FieldError("", "BODY_TOO_LARGE", f"请求内容不能超过 {MAX_BODY_BYTES // 1024} KB")]
        )
    if not raw.strip():
        raise errors.ValidationFailed(details=[errors.FieldError("", "EMPTY_BODY", "请求内容不能为空")])
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise errors.ValidationFailed(details=[errors.FieldError("", "INVALID_ENCODING", "请求内容必须使用 UTF-8 编码")]) from None
    except json.JSONDecodeError as exc:
        raise errors.ValidationFailed(
            details=[errors.FieldError("", "MALFORMED_JSON", f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）")]
        ) from None


def route(bp: Blueprint | Chalice, path: str, **kwargs: Any) -> Callable:
    """``bp.route`` whose view may raise ``DomainError``; the error becomes its JSON response."""
    kwargs.setdefault("content_types", JSON_TYPES)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kw: Any) -> Any:
            try:
                return view(*args, **kw)
            except errors.DomainError as exc:
                return error_response(exc, _request_id(bp))

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

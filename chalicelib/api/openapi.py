"""GET /v1/openapi.json: the OpenAPI 3.1 description the project publishes.

Paths come from the app's own route table (so no route can be left out); each operation's
summary is the first line of its view's docstring or name, and everything else from what the
route declares (``http.Operation``: body model, success status, credentials, headers, error
statuses). Request schemas are generated from the models that validate the bodies
(``api/models.py``, ``domain/form.RegistrationForm``), and so are the answers documented by schema
(``models.ANSWERS``: the error shape of ``DomainError.to_dict``, the form view, the created
registration); ``/v1/precheck`` and ``/v1/registrations`` share the ``Evaluation`` schema,
generated from the domain's ``Evaluation`` dataclass, because both run the same evaluation
(issue: registration domain, "Public contract"). No JSON schema is written here by hand.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from chalice import Blueprint

from chalicelib.api.http import route

bp = Blueprint(__name__)

_SECURITY_SCHEMES = {
    "citizen_token": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Citizen-Token",
        "description": "token from POST /v1/sms-codes/verify, bound to one phone and one purpose",
    },
    "query_code": {"type": "apiKey", "in": "header", "name": "X-Query-Code", "description": "the case's 查询码"},
    "staff": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "staff ID token (POST /v1/staff/login)"},
}
_HEADERS = {
    "idempotency_key": {
        "name": "Idempotency-Key",
        "in": "header",
        "description": "the client's key for a retried write: the same key replays the first answer",
        "schema": {"type": "string"},  # its pattern: services/shared/idempotency.KEY_RE (_parameter)
    },
    # a query parameter, declared the same way
    "certificate_token": {
        "name": "token",
        "in": "query",
        "description": "the certificate's QR token (the URL's last segment): only its holder learns the status",
        "schema": {"type": "string", "maxLength": 2048},
    },
    "county": {"name": "county", "in": "query", "description": "a county (6-digit region code)", "schema": {"type": "string"}},
    "limit": {"name": "limit", "in": "query", "description": "items per page (1-100)", "schema": {"type": "string"}},
    "cursor": {"name": "cursor", "in": "query", "description": "the previous page's next_cursor", "schema": {"type": "string"}},
}
_STATUS_TEXT = {
    200: "OK",
    201: "created",
    202: "accepted",
    400: "invalid request: the error lists each field's path and code",
    401: "credentials missing, invalid or expired",
    403: "not allowed for these credentials",
    404: "not found",
    409: "conflicts with the current state",
    410: "gone",
    422: "well-formed, but not acceptable for this record (e.g. a document it does not ask for)",
    429: "too many requests (Retry-After)",
    503: "a backing service is unavailable",
}
# Success bodies documented by schema (api/models.ANSWERS; the rest: JSON objects).
_RESPONSES = {
    ("/v1/registrations/{case_id}/form", "get"): "CaseForm",
    ("/v1/precheck", "post"): "Evaluation",
    ("/v1/registrations", "post"): "RegistrationCreated",
}


def _schemas() -> dict[str, Any]:
    """JSON schemas of every request model (api/models.py, the domain's form) and of the answers
    documented by schema (the error, the evaluation and what contains it)."""
    from pydantic.json_schema import models_json_schema

    from chalicelib.api import models
    from chalicelib.domain.form import RegistrationForm

    requests = [RegistrationForm, *(getattr(models, n) for n in models.__all__ if isinstance(getattr(models, n), type))]
    # Answers as they are written (serialisation: the evaluation's computed registrable_online).
    pairs = [(m, "validation") for m in requests] + [(m, "serialization") for m in models.ANSWERS]
    _, top = models_json_schema(pairs, ref_template=_REF)
    return top.pop("$defs", {})


_REF = "#/components/schemas/{model}"

# Success answers that are not JSON.
_MEDIA = {
    ("/v1/staff/statistics/export", "get"): {
        "description": "CSV (UTF-8 with BOM): one row per region, the figures of GET /v1/staff/statistics",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(path: str, method: str, view: Any) -> dict[str, Any]:
    from chalicelib.api.http import Operation

    spec: Operation = getattr(view, "operation", Operation())
    op: dict[str, Any] = {"operationId": f"{method}_{view.__name__}", "summary": _summary(view)}
    params: list[dict[str, Any]] = [
        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in re.findall(r"{(\w+)}", path)
    ]
    for header in spec.headers:
        params.append({**_parameter(header.rstrip("?")), "required": not header.endswith("?")})
    if params:
        op["parameters"] = params
    if spec.security:
        op["security"] = [{name: []} for name in spec.security]
    if spec.body:
        schema = {"$ref": _REF.format(model=spec.body)}
        op["requestBody"] = {"required": not spec.body_optional, "content": {"application/json": {"schema": schema}}}
    statuses = {400} if spec.body or spec.headers or spec.security else set()
    statuses |= {401, 403} if spec.security else set()
    statuses |= {404} if "{" in path else set()
    statuses |= set(spec.statuses)
    error = {"$ref": _REF.format(model="Error")}
    answer = _RESPONSES.get((path, method))
    op["responses"] = {
        str(spec.status): _MEDIA[(path, method)]
        if (path, method) in _MEDIA
        else _json({"$ref": _REF.format(model=answer)} if answer else {"type": "object"}, _STATUS_TEXT[spec.status]),
        **{str(s): _json(error, _STATUS_TEXT[s]) for s in sorted(statuses)},
    }
    return op


def _parameter(name: str) -> dict[str, Any]:
    parameter = _HEADERS[name]
    if name == "idempotency_key":
        from chalicelib.services.shared.idempotency import KEY_RE

        parameter = {**parameter, "schema": {"type": "string", "pattern": f"^{KEY_RE.pattern}$"}}
    return parameter


def _summary(view: Any) -> str:
    doc = (getattr(view, "__doc__", None) or "").strip().splitlines()
    return doc[0] if doc else view.__name__.replace("_", " ")


@functools.cache
def _document(routes_key: tuple) -> dict[str, Any]:
    paths = {path: {m.lower(): _operation(path, m.lower(), view) for m, view in methods} for path, methods in routes_key}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "生育登记 — birth-service registration API",
            "version": "1",
            "description": "Sichuan, Guizhou and Chongqing profiles. Every error has the Error shape with a stable code and field path.",
        },
        "paths": paths,
        "components": {"schemas": _schemas(), "securitySchemes": _SECURITY_SCHEMES},
    }


def document(app) -> dict[str, Any]:
    routes_key = tuple(
        (path, tuple(sorted((method, entry.view_function) for method, entry in methods.items())))
        for path, methods in sorted(app.routes.items())
    )
    return _document(routes_key)


@route(bp, "/v1/openapi.json", methods=["GET"])
def openapi():
    """The OpenAPI description of this API."""
    return document(bp.current_app)

"""GET /v1/openapi.json: the OpenAPI 3.1 description the project publishes.

Paths come from the app's own route table (so no route can be left out); each operation's
summary is the first line of its view's docstring or name. The registration body is the
JSON schema of ``chalicelib.domain.form.RegistrationForm`` (the same model that validates
it), and ``/v1/precheck`` and ``/v1/registrations`` share the ``Evaluation`` schema,
because both run the same evaluation (issue: registration domain, "Public contract").
"""

from __future__ import annotations

import functools
import re
from typing import Any

from chalice import Blueprint

from chalicelib.api.http import route

bp = Blueprint(__name__)

_REASON = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "stable code, e.g. HUKOU_IN_PROVINCE"},
        "message": {"type": "string", "description": "Chinese explanation"},
        "citation": {"type": "string", "description": "the seed sentence the rule comes from, e.g. 000 注 1"},
    },
}
EVALUATION = {
    "type": "object",
    "description": "The decision of the province profile's rules for one registration.",
    "required": ["profile", "eligible", "reasons", "jurisdiction", "child_order", "onsite_required"],
    "properties": {
        "profile": {"enum": ["sichuan", "guizhou", "chongqing"]},
        "eligible": {"type": "boolean"},
        "registrable_online": {"type": "boolean"},
        "reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
        "jurisdiction": {
            "type": "object",
            "properties": {
                "office_code": {"type": ["string", "null"], "description": "9-digit township/street code"},
                "office_name": {"type": ["string", "null"]},
                "rule": {"type": ["string", "null"], "description": "which rule chose the office"},
                "basis": {"type": ["string", "null"]},
                "reason": {"oneOf": [{"$ref": "#/components/schemas/Reason"}, {"type": "null"}]},
                "undecidable": {"type": "boolean"},
            },
        },
        "child_order": {
            "type": "object",
            "properties": {
                "registration_order": {"type": "integer", "description": "登记孩次"},
                "registration_label": {"type": "string"},
                "upbringing_order": {"type": "integer", "description": "生养孩次"},
                "upbringing_label": {"type": "string"},
                "rebirth": {"type": "boolean"},
                "subject_listed": {"type": "boolean"},
                "citation": {"type": "string"},
            },
        },
        "onsite_required": {"type": "boolean"},
        "onsite_reasons": {"type": "array", "items": {"$ref": "#/components/schemas/Reason"}},
        "proofs_required": {"type": "array", "items": {"type": "object"}},
    },
}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "request_id": {"type": "string"},
                "details": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["path", "code", "message"],
                        "properties": {
                            "path": {"type": "string", "description": "dotted field path, e.g. woman.id_number"},
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}
# Request bodies and 2xx responses that are documented by schema (the rest: JSON objects).
_BODIES = {("/v1/precheck", "post"), ("/v1/registrations", "post"), ("/v1/registrations/{case_id}", "put")}
_RESPONSES = {
    ("/v1/registrations/{case_id}/form", "get"): (
        "200",
        {
            "type": "object",
            "required": ["case_id", "profile", "status", "modifications", "form"],
            "properties": {
                "case_id": {"type": "string"},
                "profile": {"type": "string"},
                "status": {"type": "string"},
                "modifications": {"type": "integer"},
                "form": {"$ref": "#/components/schemas/RegistrationForm"},
            },
        },
    ),
    ("/v1/precheck", "post"): ("200", {"$ref": "#/components/schemas/Evaluation"}),
    ("/v1/registrations", "post"): (
        "201",
        {
            "type": "object",
            "required": ["case_id", "query_code", "status", "evaluation"],
            "properties": {
                "case_id": {"type": "string"},
                "query_code": {"type": "string", "description": "查询码 (001 附件1 一), also sent by SMS"},
                "status": {"type": "string"},
                "evaluation": {"$ref": "#/components/schemas/Evaluation"},
            },
        },
    ),
}


def _form_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    from chalicelib.domain.form import RegistrationForm

    schema = RegistrationForm.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return schema, defs


def _summary(view: Any) -> str:
    doc = (getattr(view, "__doc__", None) or "").strip().splitlines()
    return doc[0] if doc else view.__name__.replace("_", " ")


@functools.cache
def _document(routes_key: tuple) -> dict[str, Any]:
    form, defs = _form_schema()
    paths: dict[str, Any] = {}
    for path, methods in routes_key:
        item: dict[str, Any] = {}
        for method, view in methods:
            m = method.lower()
            op: dict[str, Any] = {
                "operationId": f"{m}_{view.__name__}",
                "summary": _summary(view),
                "responses": {
                    "4XX": {"description": "client error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                },
            }
            params = re.findall(r"{(\w+)}", path)
            if params:
                op["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params]
            if (path, m) in _BODIES:
                op["requestBody"] = {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RegistrationForm"}}}}
            status, schema = _RESPONSES.get((path, m), ("200", {"type": "object"}))
            op["responses"][status] = {"description": "success", "content": {"application/json": {"schema": schema}}}
            item[m] = op
        paths[path] = item
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "生育登记 — birth-service registration API",
            "version": "1",
            "description": "Sichuan, Guizhou and Chongqing profiles. Every error has the Error shape with a stable code and field path.",
        },
        "paths": paths,
        "components": {"schemas": {**defs, "RegistrationForm": form, "Evaluation": EVALUATION, "Reason": _REASON, "Error": ERROR}},
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

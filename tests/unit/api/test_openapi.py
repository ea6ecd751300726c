"""The published OpenAPI description is valid, covers every route, and documents precheck and
registration with the same evaluation schema (issue: registration domain, "Public contract")."""

from __future__ import annotations

import json

from openapi_spec_validator import validate

from app import app
from chalicelib.api.openapi import document


def test_the_description_is_valid_openapi():
    doc = document(app)
    validate(json.loads(json.dumps(doc)))
    assert doc["openapi"].startswith("3.1")


def test_every_route_and_method_is_documented():
    doc = document(app)
    for path, methods in app.routes.items():
        assert path in doc["paths"], path
        assert {m.lower() for m in methods} == set(doc["paths"][path]), path


def test_precheck_and_registration_share_the_form_and_the_evaluation():
    doc = document(app)
    precheck = doc["paths"]["/v1/precheck"]["post"]
    submit = doc["paths"]["/v1/registrations"]["post"]
    form_ref = {"$ref": "#/components/schemas/RegistrationForm"}
    assert precheck["requestBody"]["content"]["application/json"]["schema"] == form_ref
    assert submit["requestBody"]["content"]["application/json"]["schema"] == form_ref
    assert precheck["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Evaluation"}
    created = submit["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["properties"]["evaluation"] == {"$ref": "#/components/schemas/Evaluation"}
    form = doc["components"]["schemas"]["RegistrationForm"]
    assert {"woman", "man", "marriage", "children", "pregnancy"} <= set(form["properties"])

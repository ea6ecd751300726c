"""The published OpenAPI description is valid, covers every route, and documents precheck and
registration with the same evaluation schema (issue: registration domain, "Public contract")."""

from __future__ import annotations

import json
from pathlib import Path

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
    assert created == {"$ref": "#/components/schemas/RegistrationCreated"}
    created = doc["components"]["schemas"]["RegistrationCreated"]
    assert created["properties"]["evaluation"] == {"$ref": "#/components/schemas/Evaluation"}
    form = doc["components"]["schemas"]["RegistrationForm"]
    assert {"woman", "man", "marriage", "children", "pregnancy"} <= set(form["properties"])


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_every_json_body_route_declares_its_model_and_the_model_exists():
    """A route reading a body declares it (http.route(body=...)); the document then has its schema,
    generated from the model (api/models.py or the domain's form), none written by hand."""
    import inspect

    from chalicelib.api import models

    doc = document(app)
    schemas = doc["components"]["schemas"]
    with_body = set()
    for path, methods in app.routes.items():
        for method, entry in methods.items():
            source = inspect.getsource(entry.view_function.__wrapped__)
            reads = "request_body(" in source or "json_body(" in source or "_decide(" in source
            op = doc["paths"][path][method.lower()]
            assert reads == ("requestBody" in op), (method, path)
            if reads:
                with_body.add((method, path))
                ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                name = ref.rsplit("/", 1)[1]
                assert name in schemas
                if name != "RegistrationForm":
                    own = getattr(models, name).model_json_schema(ref_template="#/components/schemas/{model}")
                    # nested models (the birth entry's newborn and parents) are components of their own
                    for nested, schema in own.pop("$defs", {}).items():
                        assert schemas[nested] == schema, nested
                    assert schemas[name] == own
    assert len(with_body) >= 19


def test_credentials_are_security_schemes_and_the_idempotency_key_a_header():
    doc = document(app)
    schemes = doc["components"]["securitySchemes"]
    assert schemes["citizen_token"] == {**schemes["citizen_token"], "type": "apiKey", "in": "header", "name": "X-Citizen-Token"}
    assert schemes["query_code"]["name"] == "X-Query-Code"
    assert schemes["staff"]["scheme"] == "bearer"
    submit = doc["paths"]["/v1/registrations"]["post"]
    assert submit["security"] == [{"citizen_token": []}]
    key = [p for p in submit["parameters"] if p["name"] == "Idempotency-Key"]
    assert [(p["in"], p["required"]) for p in key] == [("header", True)]
    modify = doc["paths"]["/v1/registrations/{case_id}"]["put"]
    assert [p["required"] for p in modify["parameters"] if p["name"] == "Idempotency-Key"] == [False]
    assert modify["security"] == [{"query_code": []}, {"citizen_token": []}]
    for path, _method, op in _operations(doc):
        if path.startswith(("/v1/staff/", "/staff/")) and not path.startswith("/v1/staff/login"):
            assert op["security"] == [{"staff": []}], path


def test_success_statuses_and_errors_are_documented():
    doc = document(app)
    assert "201" in doc["paths"]["/v1/registrations"]["post"]["responses"]
    assert "202" in doc["paths"]["/v1/sms-codes"]["post"]["responses"]
    assert "201" in doc["paths"]["/v1/captchas"]["post"]["responses"]
    assert "201" in doc["paths"]["/v1/staff/accounts"]["post"]["responses"]
    assert "201" in doc["paths"]["/v1/staff/cases/{case_id}/paper-certificate"]["post"]["responses"]
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, op in _operations(doc):
        successes = [s for s in op["responses"] if s.startswith("2")]
        assert len(successes) == 1, (method, path)
        for status, response in op["responses"].items():
            if status.startswith("4") or status.startswith("5"):
                assert response["content"]["application/json"]["schema"] == error
        if "requestBody" in op or "security" in op:
            assert "400" in op["responses"]
        if "security" in op:
            assert {"401", "403"} <= set(op["responses"]), (method, path)
        if "{" in path:
            assert "404" in op["responses"]


def test_the_evaluation_schema_is_the_shape_the_domain_returns():
    from datetime import date

    from chalicelib.domain.demo import demo_registration
    from chalicelib.domain.evaluation import evaluate
    from chalicelib.domain.form import parse_registration

    today = date(2026, 5, 6)
    result = evaluate(parse_registration(demo_registration("chongqing"), today=today), today=today).to_dict()
    schema = document(app)["components"]["schemas"]["Evaluation"]
    assert set(schema["properties"]) == set(result)
    assert set(schema["required"]) == set(result)
    schemas = document(app)["components"]["schemas"]
    assert set(schemas["Jurisdiction"]["properties"]) == set(result["jurisdiction"])
    assert set(schemas["ChildOrder"]["properties"]) == set(result["child_order"])


def test_answers_documented_by_schema_are_generated_from_models():
    """The error shape, the form view and the created registration come from api/models.ANSWERS;
    an error the API really answers validates against the published Error schema."""
    from jsonschema import Draft202012Validator

    from chalicelib.api import models
    from chalicelib.domain import errors

    doc = json.loads(json.dumps(document(app)))
    schemas = doc["components"]["schemas"]
    for model in models.ANSWERS:
        generated = model.model_json_schema(mode="serialization", ref_template="#/components/schemas/{model}")
        assert schemas[model.__name__] == {k: v for k, v in generated.items() if k != "$defs"}
    error = errors.ValidationFailed(details=[errors.FieldError("woman.id_number", "ID_FORMAT", "x")]).to_dict()
    error["error"]["request_id"] = "r-1"
    resolver = {"$defs": schemas, **schemas["Error"]}
    text = json.dumps(resolver).replace("#/components/schemas/", "#/$defs/")
    Draft202012Validator(json.loads(text)).validate(error)
    assert "registrable_online" in schemas["Evaluation"]["required"]
    source = (Path(__file__).resolve().parents[3] / "chalicelib" / "api" / "openapi.py").read_text(encoding="utf-8")
    assert '"type": "object",\n' not in source and '"properties"' not in source, "no schema written by hand"

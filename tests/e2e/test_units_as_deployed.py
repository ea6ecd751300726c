"""The local stack runs each task function as deployed (issue 11, item 3): a handler sees only the
environment of its Lambda function's configuration, and every AWS call it makes is judged against
its role's policy (local/iam.py, infra/policies.py).

Each test deploys a copy of VerifyRecords (same handler) next to the real one, so the workflow's
own function is never touched: first as deployed (it works), then without one variable or one
grant (it fails, as it would in AWS). Its three registry lookups run in threads of their own: they
must see the unit's environment and be judged against its policy as the invocation's thread is.
"""

from __future__ import annotations

import json
import uuid

import boto3
import pytest

from infra import policies
from infra import resources as R
from local import iam
from local.deploy import ACCOUNT, _assume
from local.stack import REGION
from tests.e2e.conftest import register, wait_for_status

pytestmark = pytest.mark.e2e


@pytest.fixture
def case_id(api, couple) -> str:
    """A case whose workflow has ended, then marked as needing attention (as a failed step leaves
    it): the copy's run is an operator's restart of the checks, racing nothing. (A case past its
    checks, e.g. registered, the step leaves alone: tests/unit/services/test_services_verify_records.py.)"""
    from chalicelib import config
    from chalicelib.store import cases as case_store

    r = register(api, couple("sichuan"))
    assert r.status == 201, r.body
    wait_for_status(api, r.body["case_id"], r.body["query_code"], {"registered"})
    case = case_store.get(r.body["case_id"])
    case_store.transition(case, case_store.NEEDS_ATTENTION, at=config.now().isoformat(timespec="seconds"), by="system", note="测试：重新核验")
    return r.body["case_id"]


def deploy_verify_records(stack, *, grants: tuple[R.Grant, ...], environment: dict[str, str]) -> str:
    """A function running ``functions.verify_records`` with its own role; returns its name."""
    name = f"verify-records-copy-{uuid.uuid4().hex[:8]}"
    iam_client = boto3.client("iam")
    role = iam_client.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=_assume("lambda.amazonaws.com"))
    document = policies.document(grants, policies.deployed_arns(stack.names, REGION, ACCOUNT))
    iam_client.put_role_policy(RoleName=f"{name}-role", PolicyName="grants", PolicyDocument=json.dumps(document))
    boto3.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=role["Role"]["Arn"],
        Handler=R.VERIFY_RECORDS.handler,
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},  # runs in-process (local/lambdas.py)
        Environment={"Variables": environment},
    )
    return name


def invoke(name: str, case_id: str) -> tuple[bool, dict]:
    """(failed, payload) of a synchronous invocation with the workflow's input for the case."""
    out = boto3.client("lambda").invoke(FunctionName=name, Payload=json.dumps({"case_id": case_id}).encode())
    return "FunctionError" in out, json.loads(out["Payload"].read())


def deployed_environment(stack, function_id: str) -> dict[str, str]:
    config = boto3.client("lambda").get_function_configuration(FunctionName=stack.names[function_id])
    return config["Environment"]["Variables"]


def test_a_function_as_deployed_runs(stack, case_id):
    env = deployed_environment(stack, "VerifyRecords")
    name = deploy_verify_records(stack, grants=R.VERIFY_RECORDS.grants, environment=env)
    calls = iam.calls[name]
    failed, payload = invoke(name, case_id)
    assert not failed, payload
    assert payload == {"case_id": case_id, "route": "issue"}
    assert iam.calls[name] > calls  # the lookups' calls too were made (and judged) as this unit


def test_a_function_missing_a_variable_fails_although_the_process_has_it(stack, case_id):
    import os

    env = deployed_environment(stack, "VerifyRecords")
    assert os.environ["CASES_TABLE"] == env.pop("CASES_TABLE")  # the process has it; the function not
    name = deploy_verify_records(stack, grants=R.VERIFY_RECORDS.grants, environment=env)
    failed, payload = invoke(name, case_id)
    assert failed
    assert payload["errorType"] == "MissingSetting"  # a RuntimeError naming the variable
    assert "CASES_TABLE" in payload["errorMessage"]


@pytest.mark.denies_access
def test_a_function_calling_outside_its_grants_gets_access_denied(stack, case_id):
    env = deployed_environment(stack, "VerifyRecords")
    without_registry = tuple(g for g in R.VERIFY_RECORDS.grants if g.resource != "Registry")
    name = deploy_verify_records(stack, grants=without_registry, environment=env)
    denied = len(iam.denials)
    failed, payload = invoke(name, case_id)
    assert failed, payload
    assert "AccessDenied" in json.dumps(payload, ensure_ascii=False)
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{stack.names['Registry']}"
    # each of the three lookups asks its registry once, in its own thread, judged as this unit
    seen = [(d.unit, d.action, d.resource) for d in iam.denials[denied:]]
    assert seen == [(name, "dynamodb:GetItem", table_arn)] * 3


def test_a_unit_sees_only_its_own_resources(stack):
    """VerifyRecords' configuration names the tables it is granted, nothing else (as the template)."""
    env = deployed_environment(stack, "VerifyRecords")
    assert set(env) >= {"CASES_TABLE", "REGISTRY_TABLE"}
    assert not {"CODES_TABLE", "DOCUMENTS_BUCKET", "STAFF_TOPIC_ARN"} & set(env)
    assert {"CODES_TABLE", "DOCUMENTS_BUCKET", "STAFF_TOPIC_ARN"} <= iam.deployed_variables

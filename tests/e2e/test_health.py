"""``/v1/health`` is liveness without an AWS call; ``/v1/health/ready`` reads every backing resource
with the API's own grants, at most every 30 s per container (issues 11 and 18)."""

from __future__ import annotations

import json

import boto3
import pytest

from chalicelib.api import health
from infra import policies
from infra import resources as R
from local import iam
from local.deploy import ACCOUNT
from local.stack import REGION

pytestmark = pytest.mark.e2e


def test_liveness_answers_without_any_aws_call(api):
    before = iam.calls["api"]
    r = api.get("/v1/health")
    assert (r.status, r.body) == (200, {"status": "ok"})
    assert iam.calls["api"] == before


def test_readiness_checks_every_table_and_the_documents_bucket_then_caches(api, stack, clock):
    clock.advance(health.READY_CACHE_SECONDS + 1)  # whatever an earlier test left cached is stale
    before = iam.calls["api"]
    r = api.get("/v1/health/ready")
    assert r.status == 200, r.body
    assert r.body["status"] == "ok"
    names = {c["name"] for c in r.body["resources"]}
    assert names == {f"dynamodb:{stack.names[t.id]}" for t in R.TABLES} | {"s3:documents"}
    assert all(c["status"] == "ok" for c in r.body["resources"]), r.body
    assert iam.calls["api"] - before == len(names)  # one call per resource, each one the role allows

    again = api.get("/v1/health/ready")
    assert again.body == r.body and iam.calls["api"] - before == len(names)  # cached: no call

    clock.advance(health.READY_CACHE_SECONDS)
    fresh = api.get("/v1/health/ready")
    assert fresh.status == 200 and fresh.body["checked_at"] != r.body["checked_at"]
    assert iam.calls["api"] - before == 2 * len(names)


@pytest.mark.denies_access
def test_readiness_is_degraded_when_the_api_may_not_read_a_table(api, stack, clock):
    """The role loses its Cases grant: the readiness check says so (503), liveness does not care."""
    client = boto3.client("iam")
    role = stack.names["ApiRole"].rsplit("/", 1)[1]
    arns = policies.deployed_arns(stack.names, REGION, ACCOUNT)
    without_cases = tuple(g for g in R.API_GRANTS if g.resource != "Cases")
    client.put_role_policy(
        RoleName=role, PolicyName="grants", PolicyDocument=json.dumps(policies.document(without_cases, arns))
    )
    try:
        clock.advance(health.READY_CACHE_SECONDS + 1)
        denied = len(iam.denials)
        r = api.get("/v1/health/ready")
        assert r.status == 503 and r.body["status"] == "degraded", r.body
        failed = [c for c in r.body["resources"] if c["status"] != "ok"]
        assert failed == [{"name": f"dynamodb:{stack.names['Cases']}", "status": "error", "error": "QueryError"}]
        assert [(d.unit, d.action) for d in iam.denials[denied:]] == [("api", "dynamodb:Query")]
        assert api.get("/v1/health").status == 200
    finally:
        client.put_role_policy(
            RoleName=role, PolicyName="grants", PolicyDocument=json.dumps(policies.document(R.API_GRANTS, arns))
        )
        clock.advance(health.READY_CACHE_SECONDS + 1)
    assert api.get("/v1/health/ready").status == 200

"""The local fault switch (local/faults.py): what it injects is what the workflow retries."""

from __future__ import annotations

import pytest

from functions._runtime import is_transient
from local import faults


@pytest.fixture
def all_calls_fail():
    faults.injected.clear()
    faults.set_rate(1.0)
    yield
    faults.set_rate(0.0)


def _client(service: str):
    import botocore.session
    from botocore.config import Config

    return botocore.session.get_session().create_client(
        service,
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",  # nothing listens: only injected answers come back
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=1, read_timeout=1),
    )


@pytest.mark.parametrize(("service", "operation", "params"), [
    ("dynamodb", "put_item", {"TableName": "t", "Item": {"k": {"S": "v"}}}),
    ("sns", "publish", {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Message": "m"}),
    ("stepfunctions", "start_execution", {"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:s"}),
])
def test_aws_faults_are_errors_the_workflow_retries(all_calls_fail, service, operation, params):
    client = _client(service)
    for _ in range(12):
        with pytest.raises(Exception) as caught:
            getattr(client, operation)(**params)
        assert is_transient(caught.value), repr(caught.value)
    kinds = {k.split(":")[2] for k in faults.injected if k.startswith(f"aws:{service}:")}
    assert sum(faults.injected.values()) >= 12  # botocore may retry an injected error itself
    assert kinds <= {"500", "503", "throttle", "connect_timeout"}, "a write is never failed after it was applied"


def test_pynamodb_faults_are_errors_the_workflow_retries(all_calls_fail, monkeypatch):
    """The fault run's needs-attention cause (issue 12): PynamoDB re-raises an HTTP 500/503 as a
    ``PutError``/``GetError`` over a ``VerboseClientError`` without the status, which the task
    runtime took for a permanent error -- the case skipped the workflow's retries."""
    from pynamodb.attributes import UnicodeAttribute

    from chalicelib.store.connection import Model

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # only injected answers come back
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "x")

    class Thing(Model):
        class Meta:
            table_name = "things"
            region = "us-east-1"

        key = UnicodeAttribute(hash_key=True)

    codes = set()
    for _ in range(12):
        for call in (lambda: Thing("a").save(), lambda: Thing.get("a")):
            with pytest.raises(Exception) as caught:
                call()
            assert is_transient(caught.value), repr(caught.value)
            codes.add(getattr(caught.value, "cause_response_code", None))  # raises under a timeout
    assert codes & {"500", "503"}, "the 5xx answers were among them"


def test_lambda_invoke_is_not_faulted(all_calls_fail):
    from botocore.exceptions import EndpointConnectionError

    with pytest.raises(EndpointConnectionError):  # reached the (absent) endpoint: no injected answer
        _client("lambda").invoke(FunctionName="f", Payload=b"{}")
    assert sum(faults.injected.values()) == 0


def test_registry_faults_are_unavailable_or_timeouts(all_calls_fail):
    from chalicelib.adapters.population import ReferencePopulationRegistry
    from chalicelib.adapters.public_security import IdentityQuery, ReferencePublicSecurity

    for _ in range(6):
        with pytest.raises(Exception) as caught:
            ReferencePublicSecurity().verify([IdentityQuery("woman", "张三", "510104199001010000")])
        assert is_transient(caught.value)
        with pytest.raises(Exception) as caught:
            ReferencePopulationRegistry().household("510104199001010000", "510104198801010000")
        assert is_transient(caught.value)
    assert {k.rsplit(":", 1)[0] for k in faults.injected} == {"registry:public_security", "registry:population"}


def test_rate_zero_injects_nothing_and_bad_rates_are_refused():
    faults.set_rate(0.0)
    assert not any(faults._roll() for _ in range(1000))
    with pytest.raises(ValueError):
        faults.set_rate(1.5)

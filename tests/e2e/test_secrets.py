"""The deployed key is a secret of the stack (Secrets Manager, by ARN): a citizen token signed with
any other key -- the constant the code once fell back to, a random one -- is refused (issue 11,
"Bad input"), and nothing is written for it."""

from __future__ import annotations

import secrets
import uuid

import boto3
import pytest

from chalicelib import config
from chalicelib.services.shared import tokens
from infra import resources as R
from tests.e2e.conftest import citizen_token

pytestmark = pytest.mark.e2e


def forge(phone: str, purpose: str, key: bytes) -> str:
    """A token as services/shared/tokens.py makes it, but with ``key`` as the deployment secret."""
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(config, "secret_key", lambda: key)
        return tokens.issue(phone, purpose)


def test_the_key_is_the_stacks_secret(stack):
    value = boto3.client("secretsmanager").get_secret_value(SecretId=stack.names[R.TOKEN_KEY.id])["SecretString"]
    assert stack.environments["api"]["BIRTHREG_SECRET_ARN"] == stack.names[R.TOKEN_KEY.id]
    assert config.secret_key() == value.encode() and len(value) >= 32


@pytest.mark.parametrize("key", [b"local-development-secret", secrets.token_bytes(32)], ids=["old-constant", "random"])
def test_a_token_signed_with_another_key_is_refused(api, couple, clock, key):
    body = couple("sichuan")
    token = forge(body["woman"]["phone"], "submit", key)
    answer = api.post("/v1/registrations", body, headers={"X-Citizen-Token": token, "Idempotency-Key": uuid.uuid4().hex})
    assert answer.status == 401, answer.body
    assert answer.body["error"]["code"] == "INVALID_TOKEN"
    assert "短信验证码" in answer.body["error"]["message"]
    query = api.post("/v1/case-queries/by-phone", {}, headers={"X-Citizen-Token": forge(body["woman"]["phone"], "query", key)})
    assert query.status == 401 and query.body["error"]["code"] == "INVALID_TOKEN"
    # nothing was registered for it: the woman's own query (a real SMS code) finds no case
    token = citizen_token(api, body["woman"]["phone"], "query", clock=clock)
    mine = api.post("/v1/case-queries/by-phone", {}, headers={"X-Citizen-Token": token})
    assert mine.status == 200 and mine.body["cases"] == [], mine.body

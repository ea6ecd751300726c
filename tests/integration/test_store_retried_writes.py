"""A write whose answer was lost: botocore sends it again and the conditional put meets its own
first attempt (the fault run met it under load: IssueCertificate failed on its audit entry and
the case needed attention). The store treats that as done, once."""

from __future__ import annotations

import pytest


@pytest.fixture
def dynamodb(monkeypatch):
    from moto import mock_aws

    from chalicelib import config

    for name in ("AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        config.reset_clients()
        yield
    config.reset_clients()


@pytest.fixture
def first_put_answer_lost(monkeypatch):
    """The first PutItem is applied, then its answer is lost (a read timeout)."""
    from botocore.endpoint import Endpoint
    from botocore.exceptions import ReadTimeoutError

    original = Endpoint._do_get_response
    lost = []

    def do_get_response(self, request, operation_model, context):
        answer = original(self, request, operation_model, context)
        if operation_model.name == "PutItem" and not lost:
            lost.append(operation_model.name)
            return None, ReadTimeoutError(endpoint_url=request.url)
        return answer

    monkeypatch.setattr(Endpoint, "_do_get_response", do_get_response)
    return lost


def test_an_audit_entry_sent_again_is_stored_once(dynamodb, first_put_answer_lost):
    from chalicelib.store import audit

    audit.AuditEntry.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    entry = audit.append("CERT#1", actor="system", action="certificate.issued", after={"status": "valid"})

    assert first_put_answer_lost == ["PutItem"], "the answer was lost and the put sent again"
    stored = list(audit.for_subject("CERT#1"))
    assert [(e.at_id, e.action) for e in stored] == [(entry.at_id, "certificate.issued")]


def test_an_audit_key_holding_another_entry_is_an_error(dynamodb, monkeypatch):
    from chalicelib.store import audit

    audit.AuditEntry.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    from datetime import datetime

    from chalicelib.domain.tz import SHANGHAI

    # force one key twice: the same moment of writing and the same random part
    moment = datetime(2026, 12, 1, 10, 0, 0, 123456, tzinfo=SHANGHAI)
    monkeypatch.setattr(audit.config, "now", lambda: moment)
    monkeypatch.setattr(audit.secrets, "token_hex", lambda _n: "00000000")
    audit.append("CERT#2", actor="system", action="certificate.issued", at="2026-12-01T10:00:00+08:00")
    with pytest.raises(RuntimeError, match="holds another entry"):
        audit.append("CERT#2", actor="someone", action="certificate.revoked", at="2026-12-01T10:00:00+08:00")
    assert [e.action for e in audit.for_subject("CERT#2")] == ["certificate.issued"]

"""Logs carry the case id and never personal data in clear; business events become EMF metrics."""

from __future__ import annotations

import io
import json
import logging

import pytest

from chalicelib import observability
from functions._runtime import observed, task


class _Context:
    function_name = "birthreg-ci-verify-records"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:birthreg-ci-verify-records"
    aws_request_id = "req-1"


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.fixture
def output(monkeypatch) -> io.StringIO:
    """What the Powertools handlers write (Lambda sends stdout to CloudWatch Logs)."""
    stream = io.StringIO()
    for handler in observability.get_logger().handlers:
        monkeypatch.setattr(handler, "stream", stream)
    return stream


def test_mask_text_hides_phone_and_id_numbers():
    text = "申请人 13812345678 / +8613912345678, 身份证 11010119900307123X 与 110101199003071234"
    masked = observability.mask_text(text)
    assert "13812345678" not in masked and "13912345678" not in masked
    assert "11010119900307123X" not in masked and "110101199003071234" not in masked
    assert "138****5678" in masked and "+86139****5678" in masked
    assert "110101********123X" in masked


def test_mask_replaces_personal_keys_at_any_depth_and_keeps_identifiers():
    record = {
        "case_id": "202612011234567890",  # 18 digits by chance: still the case id
        "detail": {"woman": {"name": "王芳", "id_number": "11010119900307123X"}, "phone": "13812345678"},
        "people": [{"name": "李明"}],
    }
    masked = observability.mask(record)
    assert masked["case_id"] == "202612011234567890"
    assert masked["detail"] == {"woman": observability.MASK, "phone": observability.MASK}
    assert masked["people"] == [{"name": observability.MASK}]


def test_task_logs_are_json_with_case_id_and_masked(output):
    @task
    def handler(event, context):
        logging.getLogger("birthreg.sms").warning("SMS to %s failed", "13812345678", extra={"mother": {"name": "王芳"}})
        return {"ok": True}

    assert handler({"case_id": "20261201ABCDEF0123"}, _Context()) == {"ok": True}
    (line,) = [r for r in _lines(output.getvalue()) if r.get("message", "").startswith("SMS to")]
    assert line["case_id"] == "20261201ABCDEF0123"
    assert line["function_name"] == _Context.function_name
    assert line["message"] == "SMS to 138****5678 failed"
    assert line["mother"] == {"name": observability.MASK}
    out = json.dumps(line, ensure_ascii=False)
    assert "13812345678" not in out and "王芳" not in out


def test_counted_events_are_written_as_one_emf_document(capsys, monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")

    @observed
    def handler(event, context):
        observability.count("NeedsAttention")
        observability.count("Submitted", 2)
        return None

    handler({"case_id": "20261201ABCDEF0123"}, _Context())
    (emf,) = [r for r in _lines(capsys.readouterr().out) if "_aws" in r]  # EMF is printed
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == observability.NAMESPACE
    assert {m["Name"] for m in directive["Metrics"]} == {"NeedsAttention", "Submitted"}
    assert emf["NeedsAttention"] == [1.0]
    assert emf["Submitted"] == [2.0]
    assert emf["service"] == observability.SERVICE
    assert not observability.get_metrics().metric_set, "flushed metrics are reset"


def test_metrics_are_dropped_outside_lambda_unless_asked(capsys, monkeypatch):
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    observability.count("Decided")
    observability.flush()
    assert not [r for r in _lines(capsys.readouterr().out) if "_aws" in r]
    assert not observability.get_metrics().metric_set


def test_unknown_metric_names_are_refused():
    with pytest.raises(ValueError, match="Typo"):
        observability.count("Typo")


def test_no_tracer_outside_lambda(monkeypatch):
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    assert observability.tracer() is None

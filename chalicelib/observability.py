"""Logs, business metrics and traces of the API and every task function.

- ``logger``: Powertools JSON logs on the ``birthreg`` logger, so every ``birthreg.*`` logger of
  the code base (``logging.getLogger("birthreg.sms")`` ...) is written through it. Each request or
  task binds its case id (``correlate``). Personal data never leaves in clear: ``mask`` runs on
  every record just before it is serialised (phone numbers, ID numbers, names by key).
- ``count``: one CloudWatch metric (EMF, namespace ``BirthReg``) per business event; the alarms
  and the dashboard in ``infra/observability.py`` read these names. Flushed once per request /
  invocation by ``flush``.
- ``tracer``: Powertools Tracer (X-Ray), created only inside Lambda: locally and in the tests the
  X-Ray SDK is never imported.

Powertools itself is imported on first use (``get_logger``/``get_metrics``), not when the module
is: importing it costs about a quarter of the API's whole cold ``import app`` (measured with
``python -X importtime``, benchmarks/imports.py), and the API needs it only once a request
arrives. Task functions create the logger at import (``functions/_runtime.py``).
"""

from __future__ import annotations

import os
import re
from typing import Any

SERVICE = "birthreg"  # also the parent logger of every "birthreg.*" logger
NAMESPACE = "BirthReg"
# The business events (issue 11 item 5). infra/observability.py alarms on NeedsAttention.
METRICS = ("Submitted", "IssuedInstantly", "SentToReview", "Decided", "SlaEscalations", "NeedsAttention")

# Keys whose values are personal data wherever they appear in a log record (any depth).
PERSONAL_KEYS = frozenset(
    {
        "name",
        "phone",
        "contact_phone",
        "mobile",
        "id_number",
        "idcard",
        "id_card",
        "address",
        "query_code",
        "woman",
        "man",
        "children",
        "form",
        "form_json",
    }
)
# 18-digit resident ID numbers (last character may be X) and mainland mobile numbers, in any text.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(\+?86)?(1[3-9]\d)\d{4}(\d{4})(?!\d)")
MASK = "***"
# Identifiers that may look like an ID number by chance (a case id is 8 digits + 10 hex digits).
SAFE_KEYS = frozenset({"case_id", "task_id", "request_id", "xray_trace_id", "function_request_id"})


def mask_text(text: str) -> str:
    """ID numbers keep region and check digits (110101********123X), phones the first 3 and last 4."""
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)}{'*' * 8}{m.group(2)}", text)
    return _PHONE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(3)}", text)


def mask(value: Any, key: str | None = None) -> Any:
    if key is not None:
        if key.lower() in PERSONAL_KEYS and value not in (None, ""):
            return MASK
        if key in SAFE_KEYS:
            return value
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask(v) for v in value]
    return value


_logger: Any = None
_metrics: Any = None


def get_logger() -> Any:
    """The Powertools logger of the ``birthreg`` logger hierarchy, its JSON records masked."""
    global _logger
    if _logger is None:
        from aws_lambda_powertools import Logger
        from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

        class MaskingFormatter(LambdaPowertoolsFormatter):
            """Powertools' JSON formatter with ``mask`` applied to the whole record (message,
            extra keys, exception text) just before it is written."""

            def serialize(self, log: dict[str, Any]) -> str:
                return super().serialize(mask(log))

        _logger = Logger(service=SERVICE, logger_formatter=MaskingFormatter())
    return _logger


def get_metrics() -> Any:
    global _metrics
    if _metrics is None:
        from aws_lambda_powertools import Metrics

        _metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
    return _metrics


def correlate(case_id: str | None = None, **keys: Any) -> None:
    """Bind keys (the case id first) to every following log line of this request or invocation."""
    if case_id:
        keys["case_id"] = case_id
    get_logger().append_keys(**keys)


def count(name: str, value: int = 1) -> None:
    if name not in METRICS:
        raise ValueError(f"unknown business metric {name!r}; declare it in METRICS")
    from aws_lambda_powertools.metrics import MetricUnit

    get_metrics().add_metric(name=name, unit=MetricUnit.Count, value=value)


def flush() -> None:
    """Write the metrics counted so far as one EMF document (stdout -> CloudWatch) and reset them.
    Nothing is written when nothing was counted (no empty-metrics warning). Outside Lambda
    (``make run``, the tests) the counts are dropped unless POWERTOOLS_METRICS_DISABLED=false asks
    for them: the local console is for people."""
    if _metrics is None or not _metrics.metric_set:
        return
    if not os.environ.get("LAMBDA_TASK_ROOT") and os.environ.get("POWERTOOLS_METRICS_DISABLED") != "false":
        _metrics.clear_metrics()
        return
    _metrics.flush_metrics()


_tracer: Any = None


def tracer() -> Any | None:
    """The X-Ray tracer inside Lambda (patches botocore on creation), else None."""
    global _tracer
    if _tracer is None and os.environ.get("LAMBDA_TASK_ROOT") and os.environ.get("POWERTOOLS_TRACE_DISABLED") != "true":
        from aws_lambda_powertools import Tracer

        _tracer = Tracer(service=SERVICE)
    return _tracer

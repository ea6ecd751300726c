"""What every task handler shares: logs, metrics, traces, and one name for transient errors.

``@task`` wraps a handler: it binds the case id to the log lines (``chalicelib.observability``:
JSON, personal data masked), writes the business metrics the handler counted (EMF), traces the
invocation in X-Ray (inside Lambda), and turns the errors that are
worth retrying — a registry that did not answer, AWS throttling or a 5xx, a dropped connection,
an optimistic-locking conflict — into ``TransientError``, however deep they sit under PynamoDB's
or our own wrapping exceptions. The state machine retries exactly
that error name (and Lambda's own service errors) with backoff; anything else goes straight
to ``RecordFailure`` (the case needs attention).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalicelib import config
from chalicelib.observability import correlate, flush, get_logger, tracer

logger = get_logger()

__all__ = ["TransientError", "is_transient", "logger", "observed", "task"]

# The error codes botocore's standard retry mode treats as transient or throttling
# (botocore/retries/standard.py; tests/unit/workflow/test_workflow_rules.py keeps them in step),
# with the names DynamoDB, KMS and SNS give their internal errors.
_RETRYABLE_CODES = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "EC2ThrottledException",
        "TransactionConflictException",
        "InternalServerError",
        "InternalFailure",
        "KMSInternalException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)


class TransientError(Exception):
    """A failure that a later attempt may not meet (the ASL ``Retry`` names it)."""


def _transient_answer(exc) -> bool | None:
    """An AWS error answer: transient (a retryable code, a 5xx or 429), not (any other answer),
    or ``None`` when the error does not say -- PynamoDB re-raises botocore's error as a
    ``VerboseClientError`` that keeps the code but not the HTTP status, and an empty 5xx body
    gives the bare status as the code ("500", "503")."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "")
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or (int(code) if code.isdigit() else 0)
    if code in _RETRYABLE_CODES or status >= 500 or status == 429:
        return True
    return False if status else None


def is_transient(exc: BaseException | None) -> bool:
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    from chalicelib.adapters.registries import RegistryUnavailable
    from chalicelib.store.cases import ConcurrentChange

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (RegistryUnavailable, ConcurrentChange, ConnectionError, HTTPClientError, TimeoutError)):
            return True
        if isinstance(exc, ClientError):
            answer = _transient_answer(exc)
            if answer is not None:
                return answer
        elif getattr(exc, "cause_response_code", None) in _RETRYABLE_CODES:  # PynamoDB's errors
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


Handler = Callable[[dict[str, Any], Any], Any]


def observed(handler: Handler) -> Handler:
    """Logs with the Lambda context and the case id, an X-Ray subsegment (inside Lambda), and the
    business metrics the handler counted, written when it returns or fails."""

    @logger.inject_lambda_context(clear_state=True)
    @functools.wraps(handler)
    def wrapped(event: dict[str, Any], context: Any) -> Any:
        case_id = event.get("case_id") if isinstance(event, dict) else None
        correlate(case_id)
        config.apply_profile_overrides()
        xray = tracer()
        try:
            if xray is None:
                return handler(event, context)
            with xray.provider.in_subsegment(f"## {handler.__module__}") as subsegment:
                if case_id:
                    subsegment.put_annotation("case_id", str(case_id))
                return handler(event, context)
        finally:
            flush()

    return wrapped


def task(handler: Handler) -> Handler:
    """A Step Functions task: ``observed``, and retryable failures raised as ``TransientError``."""

    @functools.wraps(handler)
    def retryable(event: dict[str, Any], context: Any) -> Any:
        try:
            return handler(event, context)
        except Exception as exc:
            if is_transient(exc):
                logger.warning("transient failure, the workflow retries", exc_info=True)
                raise TransientError(f"{type(exc).__name__}: {exc}"[:500]) from exc
            raise

    return observed(retryable)

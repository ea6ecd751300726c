"""What every task handler shares: logs, metrics, traces, and one name for transient errors.

``@task`` wraps a handler: it binds the case id to the log lines (``chalicelib.observability``:
JSON, personal data masked), writes the business metrics the handler counted (EMF), traces the
invocation in X-Ray (inside Lambda), and turns the errors that are
worth retrying — a registry that did not answer, AWS throttling or a 5xx, a dropped connection,
an optimistic-locking conflict — into ``TransientError``. The state machine retries exactly
that error name (and Lambda's own service errors) with backoff; anything else goes straight
to ``RecordFailure`` (the case needs attention).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalicelib.observability import correlate, flush, get_logger, tracer

logger = get_logger()

__all__ = ["TransientError", "is_transient", "logger", "observed", "task"]

_RETRYABLE_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "InternalServerError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "TooManyRequestsException",
    }
)


class TransientError(Exception):
    """A failure that a later attempt may not meet (the ASL ``Retry`` names it)."""


def is_transient(exc: BaseException | None) -> bool:
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    from chalicelib.adapters.registries import RegistryUnavailable
    from chalicelib.store.cases import ConcurrentChange

    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, (RegistryUnavailable, ConcurrentChange, ConnectionError, HTTPClientError, TimeoutError)):
            return True
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            return error.get("Code") in _RETRYABLE_CODES or status >= 500
        code = getattr(exc, "cause_response_code", None)  # PynamoDB wraps botocore errors
        if code in _RETRYABLE_CODES:
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

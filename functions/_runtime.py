"""What every task handler shares: one structured logger, and one name for transient errors.

``@task`` wraps a handler: it binds the case id to the log lines and turns the errors that are
worth retrying — a registry that did not answer, AWS throttling or a 5xx, a dropped connection,
an optimistic-locking conflict — into ``TransientError``. The state machine retries exactly
that error name (and Lambda's own service errors) with backoff; anything else goes straight
to ``RecordFailure`` (the case needs attention).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger(service="birthreg")

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


def task(handler: Callable[[dict[str, Any], Any], Any]) -> Callable[[dict[str, Any], Any], Any]:
    @logger.inject_lambda_context(clear_state=True)
    @functools.wraps(handler)
    def wrapped(event: dict[str, Any], context: Any) -> Any:
        if isinstance(event, dict) and "case_id" in event:
            logger.append_keys(case_id=event["case_id"])
        try:
            return handler(event, context)
        except Exception as exc:
            if is_transient(exc):
                logger.warning("transient failure, the workflow retries", exc_info=True)
                raise TransientError(f"{type(exc).__name__}: {exc}"[:500]) from exc
            raise

    return wrapped

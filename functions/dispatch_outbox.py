"""Scheduled ``DispatchOutbox`` (the OutboxSweep rule): deliver the outbox messages that the
request which committed them could not, with backoff; dead-letter and alert after the last try."""

from chalicelib.services.shared.outbox import sweep
from functions._runtime import logger


@logger.inject_lambda_context
def handler(event, context):
    counts = sweep()
    if any(counts[k] for k in ("retry", "dead", "failed")):
        logger.warning("outbox sweep", extra=counts)
    return counts

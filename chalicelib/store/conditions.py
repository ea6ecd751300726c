"""Conditional writes: DynamoDB's answer to races, used by every store module.

A write with a condition either happens or fails with ConditionalCheckFailedException; the
callers want a yes/no for that one failure and every other error raised as it is. This module
is the one place that recognises that failure, for single writes and for transactions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def condition_failed(exc: BaseException) -> bool:
    """True if ``exc`` is a single write's failed condition (PynamoDB's ``cause_response_code``)."""
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def cancelled_by_condition(exc: BaseException) -> list[bool] | None:
    """For a cancelled transaction, one flag per item of the transaction: did its condition fail?
    None if ``exc`` is not a cancelled transaction (some other error). Works for PynamoDB's
    ``TransactWriteError`` and for botocore's ``TransactionCanceledException``."""
    reasons = getattr(exc, "cancellation_reasons", None)
    if reasons is not None:
        return [r is not None and r.code == "ConditionalCheckFailed" for r in reasons]
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "CancellationReasons" in response:
        return [(r or {}).get("Code") == "ConditionalCheckFailed" for r in response["CancellationReasons"]]
    return None


def conflicted(exc: BaseException) -> bool:
    """True if ``exc`` is a transaction cancelled because another one wrote the same item at the
    same moment (``TransactionConflict``, none of its conditions failed): worth running again."""
    reasons = getattr(exc, "cancellation_reasons", None)
    if reasons is None:
        response = getattr(exc, "response", None)
        codes = [(r or {}).get("Code") for r in response.get("CancellationReasons", [])] if isinstance(response, dict) else []
    else:
        codes = [r.code if r is not None else None for r in reasons]
    return "TransactionConflict" in codes and "ConditionalCheckFailed" not in codes


def applied(write: Callable[[], Any]) -> bool:
    """Run one conditional write; False if its condition did not hold (nothing changed)."""
    from pynamodb.exceptions import PynamoDBException

    try:
        write()
    except PynamoDBException as exc:
        if condition_failed(exc):
            return False
        raise
    return True


def transacted(write: Callable[[], Any]) -> list[bool] | None:
    """Run one transaction; None if it committed, else one flag per item (its condition failed).
    A cancellation for any other reason (a conflict with another transaction, throttling) and
    every other error is raised as it is."""
    try:
        write()
    except Exception as exc:
        failed = cancelled_by_condition(exc)
        if failed is None or not any(failed):
            raise
        return failed
    return None

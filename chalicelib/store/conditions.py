"""Conditional writes: DynamoDB's answer to races, used by every store module.

A write with a condition either happens or fails with ConditionalCheckFailedException; the
callers want a yes/no for that one failure and every other error raised as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def condition_failed(exc: BaseException) -> bool:
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


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

"""Make moto's DynamoDB writes atomic, as DynamoDB's are.

DynamoDB evaluates a condition expression and applies the write it guards as one atomic step
per item: of twenty concurrent "decide this open task" writes exactly one succeeds. moto serves
each request on its own thread and runs the check and the write without a lock, so two of them
can both pass the check (measured: two winners out of twenty concurrent decisions). ``install``
serialises moto's DynamoDB write operations with one lock; reads stay concurrent.
"""

from __future__ import annotations

import functools
import threading

_lock = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


def install() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_atomic", False):
            continue

        def locked(self, *args, __original=original, **kwargs):
            with _lock:
                return __original(self, *args, **kwargs)

        locked = functools.wraps(original)(locked)
        locked._atomic = True
        setattr(DynamoDBBackend, name, locked)

"""Make moto's DynamoDB writes atomic, as DynamoDB's are.

DynamoDB evaluates a condition expression and applies the write it guards as one atomic step
per item: of twenty concurrent "decide this open task" writes exactly one succeeds. moto serves
each request on its own thread and runs the check and the write without a lock, so two of them
can both pass the check (measured: two winners out of twenty concurrent decisions). ``install``
serialises moto's DynamoDB write operations with one lock; reads stay concurrent.

moto also backs up every table a transaction touches -- a deep copy of the whole table, under
that lock -- to roll back a cancelled one: with thousands of cases and outbox messages each
registration's transactions copied them all (the fault run slowed down as it went). ``install``
backs up the items the transaction names instead, and puts them back if it is cancelled.
"""

from __future__ import annotations

import copy
import functools
import threading

_lock = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items")


class _NoTableCopies:
    """moto's ``copy`` module inside ``moto.dynamodb.models``, except that a table is not copied:
    the transaction's backup is made item by item (``_transact_write_items``)."""

    def __getattr__(self, name: str):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        from moto.dynamodb.models.table import Table

        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _touched(backend, transact_items) -> list[tuple]:
    """(table, hash key, range key, a copy of the item or None) for each item the transaction names."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    touched = []
    for entry in transact_items:
        op = next(iter(entry.values()), None)
        table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
        key = (op.get("Item") or op.get("Key") or {}) if table is not None else {}
        if table is None or table.hash_key_attr not in key:
            continue  # moto refuses it before it writes anything
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr in key else None
        if table.range_key_attr and range_key is None:
            continue
        touched.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
    return touched


def _restore(touched: list[tuple]) -> None:
    for table, hash_key, range_key, item in reversed(touched):  # the first copy of a key wins
        if item is None:
            if range_key is None:
                table.items.pop(hash_key, None)
            else:
                table.items.get(hash_key, {}).pop(range_key, None)
        elif range_key is None:
            table.items[hash_key] = item
        else:
            table.items[hash_key][range_key] = item


def _transact_write_items(original):
    def transact_write_items(self, transact_items, *args, **kwargs):
        touched = _touched(self, transact_items)
        try:
            return original(self, transact_items, *args, **kwargs)
        except Exception:
            _restore(touched)
            raise

    return transact_write_items


def install() -> None:
    from moto.dynamodb import models
    from moto.dynamodb.models import DynamoDBBackend

    if not isinstance(models.copy, _NoTableCopies):
        models.copy = _NoTableCopies()
        DynamoDBBackend.transact_write_items = _transact_write_items(DynamoDBBackend.transact_write_items)

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

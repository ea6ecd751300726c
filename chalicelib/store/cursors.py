"""Page cursors of index queries: DynamoDB's ``LastEvaluatedKey`` as an opaque URL-safe string,
and back -- accepted only if it is exactly a key of the list it continues.

A cursor comes from the client, so ``decode`` checks it is exactly the index's key attributes,
each a non-empty string, and that the attributes naming the list (``fixed``: the office of a work
queue, the manager of an account list, the revocation list) are the ones asked for: a cursor
cannot be used to read another list (anything else was an AttributeError or an unmapped
DynamoDB error, issue 12).
"""

from __future__ import annotations

import base64
import json
from typing import Any


class BadCursor(ValueError):
    pass


def encode(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str | None, keys: set[str], **fixed: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise BadCursor(cursor) from None
    if (
        not isinstance(key, dict)
        or set(key) != keys
        or not all(isinstance(v, dict) and set(v) == {"S"} and isinstance(v["S"], str) and v["S"] for v in key.values())
        or any(key[name]["S"] != value for name, value in fixed.items())
    ):
        raise BadCursor(cursor)
    return key

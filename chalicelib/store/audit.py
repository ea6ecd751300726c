"""The Audit table: an append-only log (who, when, what, before/after).

Subjects: ``CASE#<case id>`` (every change of a case, with the previous version),
``STAFF#<staff id>`` (administration of accounts), ``CERT#<registration number>``
(every verification of a certificate). Entries are written with a does-not-exist
condition and nothing in the code updates or deletes them; the API role has no
DeleteItem on this table in production (see infra/stack.py).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib import config
from chalicelib.store import table_meta
from chalicelib.store.conditions import applied
from chalicelib.store.connection import Model

# The repository interface (store/repositories.py): what reads or writes the table; the fake in
# store/memory.py implements exactly these, with the same signatures.
OPERATIONS = ("append", "for_subject", "by_actor")


class ActorIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "ActorIndex"
        projection = AllProjection()

    actor = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)


class AuditEntry(Model):
    class Meta(table_meta(config.audit_table)):
        region = config.region()

    subject = UnicodeAttribute(hash_key=True)
    at_id = UnicodeAttribute(range_key=True)  # "<ISO time>#<random>": sorted by time, unique
    actor = UnicodeAttribute()
    action = UnicodeAttribute()
    at = UnicodeAttribute()
    before = UnicodeAttribute(null=True)  # JSON
    after = UnicodeAttribute(null=True)  # JSON
    detail = UnicodeAttribute(null=True)  # JSON

    actor_index = ActorIndex()

    def to_dict(self) -> dict[str, Any]:
        def load(v: str | None) -> Any:
            return json.loads(v) if v else None

        return {
            "subject": self.subject,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "before": load(self.before),
            "after": load(self.after),
            "detail": load(self.detail),
        }


def dump_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


def new_key(at: str | None = None) -> tuple[str, str]:
    """``(at, at_id)`` of a new entry: its time to the second (``at`` when the caller gives the
    moment it records), and its sort key -- that time, then the moment of writing to the
    microsecond (two entries of one second keep the order they were written in), then a random
    part (unique)."""
    now = config.now()
    at = at or now.isoformat(timespec="seconds")
    return at, f"{at}#{now.strftime('%Y%m%d%H%M%S%f')}{secrets.token_hex(4)}"


def append(
    subject: str,
    *,
    actor: str,
    action: str,
    before: Any = None,
    after: Any = None,
    detail: Any = None,
    at: str | None = None,
) -> AuditEntry:
    at, at_id = new_key(at)
    entry = AuditEntry(
        subject,
        at_id,
        actor=actor,
        action=action,
        at=at,
        before=dump_json(before),
        after=dump_json(after),
        detail=dump_json(detail),
    )
    if not applied(lambda: entry.save(condition=AuditEntry.subject.does_not_exist())):
        # The key is random: only this entry's own first attempt holds it -- a put whose answer
        # was lost (a read timeout) and that botocore sent again. Stored once; nothing to do.
        stored = AuditEntry.get(entry.subject, entry.at_id, consistent_read=True)
        if (stored.actor, stored.action, stored.after) != (entry.actor, entry.action, entry.after):
            raise RuntimeError(f"audit key {entry.at_id} of {subject} holds another entry")
    return entry


def for_subject(subject: str, *, newest_first: bool = True, limit: int = 100) -> Iterator[AuditEntry]:
    return AuditEntry.query(subject, scan_index_forward=not newest_first, limit=limit)


def by_actor(actor: str, *, newest_first: bool = True, limit: int = 100) -> Iterator[AuditEntry]:
    return AuditEntry.actor_index.query(actor, scan_index_forward=not newest_first, limit=limit)

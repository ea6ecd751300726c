"""Readiness probes of the tables (``api/health.py``): one cheap read per table, by key."""

from __future__ import annotations

from collections.abc import Callable


def table_probes(sentinel: str) -> list[tuple[str, Callable[[], object]]]:
    """``(name, read)`` per PynamoDB table: a Query for a key that never exists (one page of at
    most one item), so a probe proves the table answers the caller's role without reading data."""
    from chalicelib.store import (
        audit,
        births,
        cases,
        certificates,
        codes,
        idempotency,
        offices,
        outbox,
        registry,
        tasks,
    )

    models = (
        cases.Case,
        tasks.Task,
        registry.RegistryRecord,
        certificates.CertificateRecord,
        codes.CodeItem,
        idempotency.IdempotencyRecord,
        audit.AuditEntry,
        outbox.OutboxMessage,
        offices.OfficeItem,
        births.BirthItem,
    )
    return [(f"dynamodb:{m.Meta.table_name}", lambda m=m: list(m.query(sentinel, limit=1))) for m in models]

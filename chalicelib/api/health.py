"""GET /v1/health (liveness) and GET /v1/health/ready (readiness, cached).

Liveness makes no AWS call: a load balancer or uptime probe may call it as often as it likes.
Readiness reads each backing resource the API uses once, with calls the API's role is granted
(``infra/resources.py`` API_GRANTS: a Query for a sentinel key per table, HeadBucket on the
documents bucket; never DescribeTable or DescribeStateMachine, which the role may not call), and
keeps the answer for ``READY_CACHE_SECONDS`` per container so probes cost the tables nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from chalice import Blueprint, Response

from chalicelib import config
from chalicelib.api.http import route

bp = Blueprint(__name__)

READY_CACHE_SECONDS = 30
SENTINEL_KEY = "__readiness__"  # no item has it: the read finds nothing, and costs one read unit

_lock = threading.Lock()
_cached: tuple[datetime, dict[str, Any]] | None = None


def _probe(name: str, call: Callable[[], object]) -> dict[str, str]:
    try:
        call()
        return {"name": name, "status": "ok"}
    except Exception as exc:  # a readiness check reports, it does not raise
        return {"name": name, "status": "error", "error": type(exc).__name__}


def _probes() -> list[tuple[str, Callable[[], object]]]:
    # imported here: the liveness route and a cold container do not pay for PynamoDB
    from chalicelib.store import (
        audit,
        cases,
        certificates,
        codes,
        idempotency,
        offices,
        outbox,
        registry,
        statistics,
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
    )
    probes: list[tuple[str, Callable[[], object]]] = [
        (f"dynamodb:{m.Meta.table_name}", lambda m=m: list(m.query(SENTINEL_KEY, limit=1))) for m in models
    ]
    probes.append((f"dynamodb:{config.statistics_table()}", lambda: statistics.get(SENTINEL_KEY, SENTINEL_KEY)))
    probes.append(("s3:documents", lambda: config.client("s3").head_bucket(Bucket=config.documents_bucket())))
    return probes


def readiness() -> dict[str, Any]:
    """The last readiness answer if younger than ``READY_CACHE_SECONDS``, else a fresh one."""
    global _cached
    with _lock:
        now = config.now()
        if _cached is not None and timedelta(0) <= now - _cached[0] < timedelta(seconds=READY_CACHE_SECONDS):
            return _cached[1]
        checks = [_probe(name, call) for name, call in _probes()]
        healthy = all(c["status"] == "ok" for c in checks)
        answer = {"status": "ok" if healthy else "degraded", "checked_at": now.isoformat(), "resources": checks}
        _cached = (now, answer)
        return answer


@route(bp, "/v1/health", methods=["GET"])
def health():
    """Liveness: the API answers (no call to any backing resource)."""
    return {"status": "ok"}


@route(bp, "/v1/health/ready", methods=["GET"])
def ready():
    """Readiness: every backing resource answers the API, checked at most every 30 s per container."""
    answer = readiness()
    return Response(body=answer, status_code=200 if answer["status"] == "ok" else 503)

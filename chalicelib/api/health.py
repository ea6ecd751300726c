"""GET /v1/health: the API and each backing resource."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import config
from chalicelib.api.http import route

bp = Blueprint(__name__)


def _probe(name: str, call) -> dict[str, str]:
    try:
        call()
        return {"name": name, "status": "ok"}
    except Exception as exc:  # a health check reports, it does not raise
        return {"name": name, "status": "error", "error": type(exc).__name__}


@route(bp, "/v1/health", methods=["GET"])
def health():
    ddb = config.client("dynamodb")
    checks = [
        _probe(f"dynamodb:{t}", lambda t=t: ddb.describe_table(TableName=t))
        for t in (config.cases_table(), config.tasks_table(), config.registry_table(), config.certificates_table())
    ]
    checks.append(_probe("s3:documents", lambda: config.client("s3").head_bucket(Bucket=config.documents_bucket())))
    checks.append(
        _probe(
            "stepfunctions:registration",
            lambda: config.client("stepfunctions").describe_state_machine(
                stateMachineArn=config.registration_state_machine_arn()
            ),
        )
    )
    healthy = all(c["status"] == "ok" for c in checks)
    return Response(
        body={"status": "ok" if healthy else "degraded", "api": "ok", "resources": checks},
        status_code=200 if healthy else 503,
    )

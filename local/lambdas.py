"""Run Lambda functions in-process inside the moto server.

moto normally runs a Lambda in Docker; there is none here, so ``LambdaFunction._invoke_lambda``
is replaced by a call to the function's real handler module (``functions.<name>.handler``).
Every path that invokes a Lambda in moto (Invoke, Step Functions task states, SNS and S3
notifications) goes through it. The handler runs as the function is deployed: with the
environment of its moto function configuration only, and its AWS calls checked against its
role's policy (local/iam.py).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import threading
import traceback
import uuid
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("birthreg.local")


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def _resolve(handler: str):
    module_name, _, attr = handler.rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def _invoke_in_process(self, event: str | None = None) -> tuple[str, bool, str]:
    payload: Any = event if event is not None else {}
    if isinstance(payload, (str, bytes)):
        payload = json.loads(payload or "{}")
    context = LambdaContext(
        function_name=self.function_name,
        memory_limit_in_mb=int(self.memory_size),
        invoked_function_arn=self.function_arn,
        aws_request_id=str(uuid.uuid4()),
    )
    try:
        from local import iam

        with iam.running(self.function_name, self.role, self.environment_vars):
            result = _resolve(self.handler)(payload, context)
        return json.dumps(result, ensure_ascii=False, default=str), False, ""
    except Exception as exc:  # reported to the caller exactly as Lambda reports an error
        if not stopping:  # at shutdown, executions still running lose the server under them
            log.exception("function %s failed", self.function_name)
        error = {
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_exc().splitlines(),
        }
        return json.dumps(error, ensure_ascii=False), True, traceback.format_exc()


_installed = False
stopping = False


def quiet_for_shutdown() -> None:
    """The stack is stopping: in-flight task functions will fail to reach it; say nothing."""
    global stopping
    stopping = True
    logging.getLogger("birthreg").setLevel(logging.CRITICAL)
    runtime = sys.modules.get("functions._runtime")  # loaded only if a function ran
    if runtime is not None:
        runtime.logger.setLevel("CRITICAL")


def _one_client_per_service() -> None:
    """moto's Step Functions creates a boto3 client for every Lambda task it runs (a tenth of the
    fault run's CPU); one client per region and service serves them all (clients are thread-safe)."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    create = lambda_eval_utils.boto_client_for
    clients: dict[tuple[str, str, str | None], Any] = {}
    lock = threading.Lock()

    def boto_client_for(region: str, service: str, state_credentials: Any = None):
        # moto's client ignores the state's credentials (fixed keys): one per region and service
        key = (region, service, os.environ.get("MOTO_PORT"))  # a new stack, a new server port
        with lock:
            if key not in clients:
                clients[key] = create(region, service, state_credentials)
            return clients[key]

    lambda_eval_utils.boto_client_for = boto_client_for


def install() -> None:
    global _installed
    if _installed:
        return
    from moto.awslambda.models import LambdaFunction

    LambdaFunction._invoke_lambda = _invoke_in_process
    _one_client_per_service()
    _installed = True

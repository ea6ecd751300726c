"""Step Functions: start a registration execution and answer waiting task tokens."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import config


class ExecutionAlreadyStarted(Exception):
    pass


def start_registration(case_id: str, execution_name: str | None = None) -> str:
    """Start the execution named after the case: a retried submit cannot start two.

    A modified case runs again under its own name (``<case id>-v<version>``)."""
    client = config.client("stepfunctions")
    try:
        response = client.start_execution(
            stateMachineArn=config.registration_state_machine_arn(),
            name=execution_name or case_id,
            input=json.dumps({"case_id": case_id}),
        )
    except client.exceptions.ExecutionAlreadyExists as exc:
        raise ExecutionAlreadyStarted(case_id) from exc
    return response["executionArn"]


class TaskGone(Exception):
    """The waiting state no longer accepts this token (it timed out, or the execution ended)."""


_GONE = ("InvalidToken", "TaskTimedOut", "TaskDoesNotExist")


def send_task_success(token: str, output: dict[str, Any]) -> None:
    """Answer a waitForTaskToken state; ``TaskGone`` when the state stopped waiting."""
    from botocore.exceptions import ClientError

    try:
        config.client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(output, ensure_ascii=False))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _GONE:
            raise TaskGone(exc.response["Error"]["Code"]) from exc
        raise

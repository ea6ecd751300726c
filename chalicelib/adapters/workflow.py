"""Step Functions: start a registration execution and answer waiting task tokens."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import config


class ExecutionAlreadyStarted(Exception):
    pass


def start_registration(case_id: str) -> str:
    """Start the execution named after the case: a retried submit cannot start two."""
    client = config.client("stepfunctions")
    try:
        response = client.start_execution(
            stateMachineArn=config.registration_state_machine_arn(),
            name=case_id,
            input=json.dumps({"case_id": case_id}),
        )
    except client.exceptions.ExecutionAlreadyExists as exc:
        raise ExecutionAlreadyStarted(case_id) from exc
    return response["executionArn"]


def send_task_success(token: str, output: dict[str, Any]) -> None:
    config.client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(output))

"""Step Functions: start a registration (the Express workflow of the automated steps), hand a case
over to the Standard workflow where a person or a timer waits and back after a staff decision,
answer its waiting task tokens."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import config


class ExecutionAlreadyStarted(Exception):
    pass


def start_registration(case_id: str, execution_name: str | None = None) -> str:
    """Start the automated steps (the Express workflow) under the case's name.

    A modified case runs again under its own name (``<case id>-v<version>``). AWS does not
    deduplicate Express names (a retried start runs the steps again, each of them idempotent);
    moto does, and answers ``ExecutionAlreadyExists`` as for a Standard workflow."""
    return _start(config.registration_state_machine_arn(), execution_name or case_id, {"case_id": case_id})


def start_waiting(execution_name: str, state: dict[str, Any]) -> str:
    """Start the Standard workflow that waits for a person or the working-hours window, with the
    Express execution's state and under its name: one per case version, so a retried hand-over
    (Express runs at least once) finds it started (``ExecutionAlreadyStarted``)."""
    return _start(config.waiting_state_machine_arn(), execution_name, state)


def resumed_name(execution_name: str) -> str:
    """The name of the Express execution that takes a case back from the Waiting execution
    ``execution_name`` after a staff decision: ``<case id>[-v<version>]-d<n>``, n counting the
    decisions of the case version (a further wait goes to a Waiting execution of this same name,
    started by HandOver). The ``-d`` is what the Express definition's ``Resume`` matches."""
    base, _, n = execution_name.rpartition("-d")
    if base and n.isdigit():
        return f"{base}-d{int(n) + 1}"
    return f"{execution_name}-d1"


def resume_registration(execution_name: str, state: dict[str, Any]) -> str:
    """Hand a decided case back to the Express workflow, which resumes at its ``Route`` with
    ``state`` (issue 18: what follows a staff decision is automated, and Express bills no
    transitions). One per Waiting execution (``resumed_name``)."""
    return _start(config.registration_state_machine_arn(), resumed_name(execution_name), state)


def _start(state_machine_arn: str, name: str, state: dict[str, Any]) -> str:
    client = config.client("stepfunctions")
    try:
        response = client.start_execution(stateMachineArn=state_machine_arn, name=name, input=json.dumps(state, ensure_ascii=False))
    except client.exceptions.ExecutionAlreadyExists as exc:
        raise ExecutionAlreadyStarted(name) from exc
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

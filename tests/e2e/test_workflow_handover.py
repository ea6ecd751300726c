"""Issue 18: the automated steps run in the Express workflow (Registration); only a case that waits
for a person or the working-hours window is handed over (HandOver) to the Standard workflow
(Waiting), under the same execution name, at most once per case version."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from tests.e2e.workflow_support import execution, handed_over, submit_scenario, wait_status

pytestmark = pytest.mark.e2e


def _finished(stack, machine: str, name: str, timeout: float = 30) -> dict:
    arn = stack.names[machine].replace(":stateMachine:", ":execution:") + f":{name}"
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + timeout
    while (found := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_an_instant_case_never_starts_a_standard_execution(api, stack):
    case = submit_scenario(api, "sichuan", "instant")
    wait_status(api, case, "registered")
    assert _finished(stack, "Registration", case.case_id)["status"] == "SUCCEEDED"
    assert handed_over(stack, case.case_id) == []


def test_a_review_case_is_handed_over_once_with_the_state_it_reached(api, stack):
    case = submit_scenario(api, "sichuan", "registry_has_more")
    wait_status(api, case, "awaiting_review")
    # the Express execution ends with the hand-over; the Standard one waits for the staff
    assert _finished(stack, "Registration", case.case_id)["status"] == "SUCCEEDED"
    (waiting,) = handed_over(stack, case.case_id)
    assert waiting["status"] == "RUNNING"
    described = execution(stack, case.case_id)
    assert described["executionArn"] == waiting["executionArn"]
    state = json.loads(described["input"])
    assert state["case_id"] == case.case_id and state["route"] == "review"
    assert case.body["woman"]["id_number"] not in described["input"], "personal data stays in DynamoDB"


def test_a_retried_hand_over_does_not_start_a_second_execution(api, stack):
    case = submit_scenario(api, "sichuan", "registry_has_more")
    wait_status(api, case, "awaiting_review")
    (waiting,) = handed_over(stack, case.case_id)
    state = json.loads(execution(stack, case.case_id)["input"])
    # Express runs at least once: the same HandOver again (same name, same state)
    answer = boto3.client("lambda").invoke(
        FunctionName=stack.names["HandOver"],
        Payload=json.dumps({"execution_name": case.case_id, "case_id": case.case_id, "state": state}),
    )
    assert "FunctionError" not in answer, answer["Payload"].read()
    assert json.loads(answer["Payload"].read()) == {"handed_over": case.case_id}
    # ... and a later attempt that reached another state: ExecutionAlreadyExists, handed over too
    again = boto3.client("lambda").invoke(
        FunctionName=stack.names["HandOver"],
        Payload=json.dumps({"execution_name": case.case_id, "case_id": case.case_id, "state": {**state, "attempt": 2}}),
    )
    assert "FunctionError" not in again, again["Payload"].read()
    assert [e["executionArn"] for e in handed_over(stack, case.case_id)] == [waiting["executionArn"]]
    assert handed_over(stack, case.case_id)[0]["status"] == "RUNNING"

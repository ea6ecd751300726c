"""Issue 18: the automated steps run in the Express workflow (Registration); only a case that waits
for a person or the working-hours window is handed over (HandOver) to the Standard workflow
(Waiting), under the same execution name, at most once per case version."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from tests.e2e.workflow_support import (
    bearer,
    execution,
    find_task,
    handed_over,
    staff_token,
    submit_scenario,
    wait_sms,
    wait_status,
)

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


def _states_entered(stack, machine: str, name: str) -> list[str]:
    arn = stack.names[machine].replace(":stateMachine:", ":execution:") + f":{name}"
    events = boto3.client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]


def test_after_the_staff_decision_the_express_workflow_issues_and_notifies(api, stack):
    # The staff decision waits for nobody after it: the Standard execution hands the case back
    # (HandBack) and ends; the Express one named <case>-d1 resumes at Route and issues.
    case = submit_scenario(api, "sichuan", "registry_has_more")
    wait_status(api, case, "awaiting_review")
    operator = "sc-op-510104022"
    task = find_task(api, staff_token(api, operator), case.case_id)
    r = api.post(f"/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(staff_token(api, operator)))
    assert r.status == 200, r.body
    view = wait_status(api, case, "registered")
    wait_sms(case.body["woman"]["phone"], view["certificate"]["registration_number"])
    assert _finished(stack, "Waiting", case.case_id)["status"] == "SUCCEEDED"
    assert _states_entered(stack, "Waiting", case.case_id) == ["Route", "AwaitReview", "HandBack"]
    decided = _finished(stack, "Registration", f"{case.case_id}-d1")
    assert decided["status"] == "SUCCEEDED"
    # 登记表信息少 (002 五(三)), accepted: the registry gets the form's child first, then the certificate
    resumed = _states_entered(stack, "Registration", f"{case.case_id}-d1")
    assert resumed == ["Resume", "Route", "UpdateRegistry", "IssueCertificate", "Notify"], resumed
    assert case.body["woman"]["id_number"] not in decided["input"], "personal data stays in DynamoDB"


def test_a_retried_hand_back_does_not_issue_twice(api, stack):
    case = submit_scenario(api, "sichuan", "registry_has_more")
    wait_status(api, case, "awaiting_review")
    operator = "sc-op-510104022"
    task = find_task(api, staff_token(api, operator), case.case_id)
    assert api.post(f"/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(staff_token(api, operator))).status == 200
    view = wait_status(api, case, "registered")
    _finished(stack, "Registration", f"{case.case_id}-d1")
    state = json.loads(_finished(stack, "Registration", f"{case.case_id}-d1")["input"])
    # Standard tasks run at least once: the same HandBack again is answered as done
    answer = boto3.client("lambda").invoke(
        FunctionName=stack.names["HandBack"],
        Payload=json.dumps({"execution_name": case.case_id, "case_id": case.case_id, "state": state}),
    )
    assert "FunctionError" not in answer, answer["Payload"].read()
    assert json.loads(answer["Payload"].read()) == {"handed_back": case.case_id}
    again = wait_status(api, case, "registered")
    assert again["certificate"]["registration_number"] == view["certificate"]["registration_number"]

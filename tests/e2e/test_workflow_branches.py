"""Each automated branch of the registration workflow, on the local stack (real ASL, real handlers).

The couples come from ``local.seed`` scenarios (the same data ``make run`` seeds), with fresh
ID numbers per test: their registry records decide the branch.
"""

from __future__ import annotations

import json
import time

import boto3
import pytest

from tests.e2e.workflow_support import audit_actions, execution, submit_scenario, wait_sms, wait_status

pytestmark = pytest.mark.e2e


def test_consistent_records_issue_at_once(api, stack):
    case = submit_scenario(api, "sichuan", "instant")
    view = wait_status(api, case, "registered")
    assert "awaiting_review" not in [h["status"] for h in view["history"]]
    assert view["check"]["matched"] is True and view["check"]["route"] == "issue"
    assert view["check"]["population"]["outcome"] == "consistent"
    wait_sms(case.body["woman"]["phone"], view["certificate"]["registration_number"])


def test_a_newborn_missing_from_the_registry_is_recorded_and_issued(api):
    from chalicelib.store import registry

    case = submit_scenario(api, "guizhou", "newborn_unrecorded")
    view = wait_status(api, case, "registered")
    assert view["check"]["population"]["outcome"] == "form_has_more"
    assert view["check"]["population"]["decision"]["reason"] == "FORM_HAS_MORE"
    assert any("增加子女记录1条" in (h["note"] or "") for h in view["history"])
    family = registry.get(registry.family_key(case.body["woman"]["id_number"], case.body["man"]["id_number"]))
    assert [c["name"] for c in family["children"]] == [case.body["children"][0]["name"]]
    assert "registry.children_added" in [e["action"] for e in audit_actions(case.case_id)]


def test_unverifiable_in_chongqing_the_commitment_prevails(api):
    case = submit_scenario(api, "chongqing", "no_household")
    view = wait_status(api, case, "registered")
    assert view["check"]["population"]["decision"]["reason"] == "COMMITMENT_PREVAILS"
    assert view["check"]["population"]["decision"]["citation"] == "002 五(三)"


@pytest.mark.parametrize(
    ("profile", "scenario", "code", "stage"),
    [
        ("sichuan", "registry_has_more", "REGISTRY_FORM_HAS_LESS", "人工审核"),
        ("chongqing", "child_conflict", "REGISTRY_CONFLICT", "审核比对"),
        ("guizhou", "child_conflict", "REGISTRY_CONFLICT", "信息初审"),
    ],
)
def test_inconsistent_records_go_to_manual_review(api, stack, profile, scenario, code, stage):
    case = submit_scenario(api, profile, scenario)
    view = wait_status(api, case, "awaiting_review")
    assert code in {m["code"] for m in view["check"]["mismatches"]}
    assert view["history"][-1]["note"].startswith(stage)
    assert execution(stack, case.case_id)["status"] == "RUNNING"
    # personal data of the registry stays out of the citizen's view
    assert "2022-01-15" not in json.dumps(view) and "2023-05-10" not in json.dumps(view)


@pytest.mark.parametrize(
    ("profile", "scenario", "document", "code"),
    [
        # 000 §2.3.5 "录入的对象信息没有校验通过的，系统会给出未通过的原因，此时需上传相关证明材料" (Sichuan only)
        ("sichuan", "identity_mismatch", "ID_CARD", "IDENTITY_NAME_MISMATCH"),
        ("sichuan", "marriage_other_province", "MARRIAGE_PROOF", "MARRIAGE_UNVERIFIABLE"),
    ],
)
def test_a_failed_or_impossible_check_asks_for_proof_documents(api, profile, scenario, document, code):
    from chalicelib.store import tasks

    case = submit_scenario(api, profile, scenario)
    view = wait_status(api, case, "awaiting_proofs")
    assert code in {m["code"] for m in view["check"]["mismatches"]}
    assert [d["document"] for d in view["proofs"]["requested"]][:1] == [document]
    wait_sms(case.body["woman"]["phone"], "核验未通过", "上传证明材料")
    task = tasks.get(tasks.proofs_task_id(case.case_id))
    assert task.status == "open" and task.documents == [document] and task.office_code is None  # not in a staff queue


def test_the_completion_event_reaches_other_departments_without_personal_data(api, stack):
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    url = sqs.create_queue(QueueName="events-e2e")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=stack.names["Events"], Protocol="sqs", Endpoint=arn)
    case = submit_scenario(api, "chongqing", "instant")
    wait_status(api, case, "registered")
    mine: list[dict] = []
    deadline = time.monotonic() + 30
    while not mine and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        events = [json.loads(json.loads(m["Body"])["Message"]) for m in messages]
        mine += [e for e in events if e["case_id"] == case.case_id]
    assert len(mine) == 1 and mine[0]["type"] == "registration.completed"
    text = json.dumps(mine[0], ensure_ascii=False)
    assert case.body["woman"]["id_number"] not in text and case.body["woman"]["name"] not in text

"""The state machine's shape (statemachines/registration.asl.json)."""

import json
import re

from infra import resources

ASL = json.loads(resources.REGISTRATION_WORKFLOW.definition.read_text(encoding="utf-8"))
ROUTES = {"issue", "update_registry", "review", "proofs", "wait_window", "rejected", "closed"}


def states(asl=ASL):
    for name, state in asl["States"].items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from states(branch)


def test_every_next_and_catch_target_exists():
    names = {n for n, _ in states()}
    for _, state in states():
        targets = [state.get("Next"), state.get("Default")]
        targets += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
        assert {t for t in targets if t} <= names


def test_every_placeholder_is_a_defined_function():
    placeholders = set(re.findall(r"\$\{(\w+)\}", resources.REGISTRATION_WORKFLOW.definition.read_text()))
    assert placeholders == set(resources.REGISTRATION_WORKFLOW.functions)
    function_ids = {f.id for f in resources.FUNCTIONS}
    assert set(resources.REGISTRATION_WORKFLOW.functions.values()) <= function_ids


def test_the_route_choice_knows_every_route_and_fails_visibly_otherwise():
    route = ASL["States"]["Route"]
    assert {c["StringEquals"] for c in route["Choices"]} == ROUTES
    assert route["Default"] == "RecordFailure"


def test_every_task_retries_transient_errors_and_ends_visibly():
    for name, state in states():
        if state["Type"] != "Task":
            continue
        assert any("TransientError" in r["ErrorEquals"] for r in state.get("Retry", [])), name
        if name in ("IdentityCheck", "MarriageCheck", "AutoCompare"):
            continue  # inside VerifyRecords, whose Catch applies
        catch = {e for c in state.get("Catch", []) for e in c["ErrorEquals"]}
        assert "States.ALL" in catch, name


def _transient_retrier(state):
    return next(r for r in state.get("Retry", []) if "TransientError" in r["ErrorEquals"])


def test_transient_retries_outlast_a_brief_outage():
    # A registry or AWS outage of a few seconds must not put a case in "needs attention" (issue 12):
    # 8 retries, 2 s doubling up to 30 s, spread by full jitter (the clients of one outage do not
    # come back together) -- up to 150 s; the old 3 retries (1, 2, 4 s) gave up after 7 s.
    for name, state in states():
        if state["Type"] != "Task":
            continue
        retrier = _transient_retrier(state)
        assert retrier["JitterStrategy"] == "FULL", name
        waits = [min(retrier["IntervalSeconds"] * retrier["BackoffRate"] ** k, retrier["MaxDelaySeconds"]) for k in range(retrier["MaxAttempts"])]
        assert retrier["MaxAttempts"] >= 8 and sum(waits) >= 120, name
        assert max(waits) <= 30, name
        assert {"Lambda.ServiceException", "Lambda.TooManyRequestsException"} <= set(retrier["ErrorEquals"]), name


def test_waits_have_deadlines_from_the_workflow_state():
    for name in ("AwaitReview", "RequestProofs"):
        state = ASL["States"][name]
        assert state["Resource"].endswith(".waitForTaskToken")
        assert state["TimeoutSecondsPath"].endswith(".timeout_seconds")
        assert state["Catch"][0]["ErrorEquals"] == ["States.Timeout"]


def test_the_instant_path_is_eight_billed_transitions():
    # Standard workflows bill each state entered ($0.025 per 1,000): VerifyRecords + its three
    # branch tasks, ApplyRules, Route, IssueCertificate, Notify. benchmarks/aws_requests.py prices it.
    path = ["VerifyRecords", "IdentityCheck", "MarriageCheck", "AutoCompare", "ApplyRules", "Route", "IssueCertificate", "Notify"]
    s = ASL["States"]
    assert s["VerifyRecords"]["Next"] == "ApplyRules" and s["ApplyRules"]["Next"] == "Route"
    assert {"StringEquals": "issue", "Variable": "$.route", "Next": "IssueCertificate"} in s["Route"]["Choices"]
    assert s["IssueCertificate"]["Next"] == "Notify" and s["Notify"].get("End")
    assert len(path) == 8

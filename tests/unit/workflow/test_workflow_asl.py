"""The state machines' shape: the automated steps (statemachines/registration.asl.json, Express)
and the part that waits for a person or the working-hours window (waiting.asl.json, Standard)."""

import json
import re

import pytest

from chalicelib.domain import routing
from infra import resources

EXPRESS = json.loads(resources.REGISTRATION_WORKFLOW.definition.read_text(encoding="utf-8"))
STANDARD = json.loads(resources.WAITING_WORKFLOW.definition.read_text(encoding="utf-8"))
# the domain's routes (VerifyRecords) and the waiting steps' own (a staff rejection, overdue proofs)
ROUTES = set(routing.ROUTES) | {"rejected", "closed"}
MACHINES = {"Registration": EXPRESS, "Waiting": STANDARD}


def states(asl):
    for name, state in asl["States"].items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from states(branch)


def test_one_express_and_one_standard_machine():
    assert (resources.REGISTRATION_WORKFLOW.type, resources.WAITING_WORKFLOW.type) == ("EXPRESS", "STANDARD")
    assert resources.REGISTRATION_WORKFLOW.log_level == "ERROR"


@pytest.mark.parametrize("machine", MACHINES)
def test_every_next_and_catch_target_exists(machine):
    asl = MACHINES[machine]
    names = {n for n, _ in states(asl)}
    assert asl["StartAt"] in names
    for _, state in states(asl):
        targets = [state.get("Next"), state.get("Default")]
        targets += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
        assert {t for t in targets if t} <= names


@pytest.mark.parametrize("machine", resources.STATE_MACHINES, ids=lambda m: m.id)
def test_every_placeholder_is_a_defined_function(machine):
    placeholders = set(re.findall(r"\$\{(\w+)\}", machine.definition.read_text()))
    assert placeholders == set(machine.functions)
    function_ids = {f.id for f in resources.FUNCTIONS}
    assert set(machine.functions.values()) <= function_ids


@pytest.mark.parametrize("machine", MACHINES)
def test_the_route_choice_knows_every_route_and_fails_visibly_otherwise(machine):
    route = MACHINES[machine]["States"]["Route"]
    assert {c["StringEquals"] for c in route["Choices"]} == ROUTES
    assert route["Default"] == "RecordFailure"


@pytest.mark.parametrize("machine", MACHINES)
def test_a_not_matched_case_is_closed_then_notified(machine):
    """002 五(一)5 "告知审核比对未通过不能办理": VerifyRecords closes the case, Notify sends the SMS."""
    choices = {c["StringEquals"]: c["Next"] for c in MACHINES[machine]["States"]["Route"]["Choices"]}
    assert choices["not_matched"] == "Notify"


@pytest.mark.parametrize("machine", MACHINES)
def test_every_task_retries_transient_errors_and_ends_visibly(machine):
    for name, state in states(MACHINES[machine]):
        if state["Type"] != "Task":
            continue
        assert any("TransientError" in r["ErrorEquals"] for r in state.get("Retry", [])), name
        catch = {e for c in state.get("Catch", []) for e in c["ErrorEquals"]}
        assert "States.ALL" in catch, name


def _transient_retrier(state):
    return next(r for r in state.get("Retry", []) if "TransientError" in r["ErrorEquals"])


def _waits(retrier) -> list[float]:
    return [min(retrier["IntervalSeconds"] * retrier["BackoffRate"] ** k, retrier["MaxDelaySeconds"]) for k in range(retrier["MaxAttempts"])]


@pytest.mark.parametrize("machine", MACHINES)
def test_transient_retries_outlast_a_brief_outage(machine):
    # A registry or AWS outage of a few seconds must not put a case in "needs attention" (issue 12):
    # retries doubling up to a cap, spread by full jitter (the clients of one outage do not come
    # back together); the old 3 retries (1, 2, 4 s) gave up after 7 s.
    for name, state in states(MACHINES[machine]):
        if state["Type"] != "Task":
            continue
        retrier = _transient_retrier(state)
        assert retrier["JitterStrategy"] == "FULL", name
        assert sum(_waits(retrier)) >= 40, name
        assert {"Lambda.ServiceException", "Lambda.TooManyRequestsException"} <= set(retrier["ErrorEquals"]), name
        if name not in dict(states(EXPRESS)):  # waits only Standard has: nothing bounds them, so longer
            assert retrier["MaxAttempts"] >= 8 and sum(_waits(retrier)) >= 120 and max(_waits(retrier)) <= 30, name


def test_the_express_retries_fit_its_five_minutes():
    """An Express execution ends after 5 minutes, uncaught: the longest chain of its tasks
    (VerifyRecords, UpdateRegistry, IssueCertificate, Notify) must fit with every retry."""
    waits = {name: sum(_waits(_transient_retrier(s))) for name, s in states(EXPRESS) if s["Type"] == "Task"}
    chain = sum(waits[n] for n in ("VerifyRecords", "UpdateRegistry", "IssueCertificate", "Notify"))
    assert chain < 300


def test_the_copied_states_are_the_same_in_both_machines():
    """The automated states exist in both (the Standard one checks again after the window and
    issues after a decision): one text, so a change to one copy must be made to the other."""
    for name in ("VerifyRecords", "UpdateRegistry", "IssueCertificate", "Notify", "RecordFailure", "NeedsAttention", "Closed"):
        assert EXPRESS["States"][name] == STANDARD["States"][name], name


def test_the_express_machine_never_waits():
    # Express: 5 minutes at most, no task tokens (AWS and moto refuse .waitForTaskToken there)
    for name, state in states(EXPRESS):
        assert state["Type"] != "Wait", name
        assert not state.get("Resource", "").endswith(".waitForTaskToken"), name


def test_only_the_waiting_routes_are_handed_over():
    choices = {c["StringEquals"]: c["Next"] for c in EXPRESS["States"]["Route"]["Choices"]}
    assert {r for r, n in choices.items() if n == "HandOver"} == {"review", "proofs", "wait_window"}
    hand_over = EXPRESS["States"]["HandOver"]
    # named after this execution (<case id> or <case id>-v<version>): one Standard execution per version
    assert hand_over["Parameters"]["Payload"]["execution_name.$"] == "$$.Execution.Name"
    assert hand_over["Parameters"]["Payload"]["state.$"] == "$"
    assert hand_over.get("End") is True
    # the Standard machine takes that state at its Route
    assert STANDARD["StartAt"] == "Route"
    assert "HandOver" not in STANDARD["States"]


def test_waits_have_deadlines_from_the_workflow_state():
    for name in ("AwaitReview", "RequestProofs"):
        state = STANDARD["States"][name]
        assert state["Resource"].endswith(".waitForTaskToken")
        assert state["TimeoutSecondsPath"].endswith(".timeout_seconds")
        assert state["Catch"][0]["ErrorEquals"] == ["States.Timeout"]


def test_the_instant_path_is_one_express_execution():
    # VerifyRecords, Route, IssueCertificate, Notify: billed per Express request and duration, not
    # per transition. benchmarks/aws_requests.py prices it.
    s = EXPRESS["States"]
    assert EXPRESS["StartAt"] == "Resume" and s["Resume"]["Default"] == "VerifyRecords"
    assert s["VerifyRecords"]["Next"] == "Route"
    assert {"StringEquals": "issue", "Variable": "$.route", "Next": "IssueCertificate"} in s["Route"]["Choices"]
    assert s["IssueCertificate"]["Next"] == "Notify" and s["Notify"].get("End")


def test_only_hand_over_starts_the_waiting_workflow_and_it_starts_nothing_else():
    from infra import policies

    start = resources.Grant("Waiting", "start")
    starters = {f.id for f in resources.FUNCTIONS if start in f.grants} | ({"Api"} if start in resources.API_GRANTS else set())
    assert starters == {"HandOver"}
    assert resources.HAND_OVER.grants == (start,)
    arns = {m.id: f"arn:aws:states:r:1:stateMachine:{m.suffix}" for m in resources.STATE_MACHINES}
    (statement,) = policies.statements(start, arns)
    assert statement["Action"] == ["states:StartExecution"] and statement["Resource"] == [arns["Waiting"]]


def test_every_decision_is_handed_back_to_express():
    # After AwaitReview: issuing, the registry update and a rejection's SMS are automated steps,
    # so HandBack starts the Express workflow at its Route instead of more Standard transitions;
    # a decision that waits again is handed over from there to a new Waiting execution.
    s = STANDARD["States"]
    assert s["AwaitReview"]["Next"] == "HandBack", "Route, AwaitReview, HandBack: three transitions per decision"
    hand_back = s["HandBack"]
    assert hand_back["Parameters"]["Payload"]["execution_name.$"] == "$$.Execution.Name"
    assert hand_back["Parameters"]["Payload"]["state.$"] == "$"
    assert hand_back.get("End") is True
    # the Express machine takes the decided state at its Route; a new case (its id only) is verified first
    resume = EXPRESS["States"]["Resume"]
    assert resume["Choices"] == [{"Variable": "$$.Execution.Name", "StringMatches": "*-d*", "Next": "Route"}]
    assert resources.HAND_BACK.grants == (resources.Grant("Registration", "start"),)


@pytest.mark.parametrize(
    ("waiting", "resumed"),
    [("C1", "C1-d1"), ("C1-v2", "C1-v2-d1"), ("C1-d1", "C1-d2"), ("C1-v2-d9", "C1-v2-d10")],
)
def test_each_decision_resumes_under_a_name_of_its_own_that_resume_matches(waiting, resumed):
    import fnmatch

    from chalicelib.adapters import workflow

    assert workflow.resumed_name(waiting) == resumed
    pattern = EXPRESS["States"]["Resume"]["Choices"][0]["StringMatches"]
    assert fnmatch.fnmatchcase(resumed, pattern) and not fnmatch.fnmatchcase(waiting.split("-d")[0], pattern)


@pytest.mark.parametrize("machine", MACHINES)
def test_the_checks_are_one_task_returning_the_next_state(machine):
    # Issue 18: three lookups and the rules in one invocation (each Lambda invocation pays a
    # request, its logs and now and then a cold start); the Parallel state and ApplyRules are gone.
    asl = MACHINES[machine]
    verify = asl["States"]["VerifyRecords"]
    assert verify["Type"] == "Task" and "Branches" not in verify
    assert verify["Parameters"] == {"FunctionName": "${VerifyRecordsFunctionArn}", "Payload.$": "$"}
    assert verify["OutputPath"] == "$.Payload" and "ResultPath" not in verify  # the state Route reads
    assert verify["Next"] == "Route"
    assert verify["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "RecordFailure"}]
    assert not {"IdentityCheck", "MarriageCheck", "AutoCompare", "ApplyRules"} & {n for n, _ in states(asl)}
    assert [n for n, s in asl["States"].items() if s.get("Next") == "VerifyRecords" or s.get("Default") == "VerifyRecords"] == (
        ["Resume"] if machine == "Registration" else ["WaitForWindow"]
    )


def test_the_checks_task_outlasts_its_lookups():
    """The lookups run at once, each up to REGISTRY_HTTP_ATTEMPTS x REGISTRY_HTTP_TIMEOUT_SECONDS
    with backoff; then the rules, whose manual-acceptance SMS may take the gateway's attempts. The
    function's timeout covers both with the defaults, the task's TimeoutSeconds the function's."""
    from chalicelib.adapters import registries
    from infra import settings

    default = {s.name: s.default for s in settings.SETTINGS}

    def attempts(count: int, timeout: float, backoff: float = 0.2) -> float:
        return count * timeout + sum(backoff * 2**k for k in range(count - 1))

    lookup = attempts(int(default["REGISTRY_HTTP_ATTEMPTS"]), float(default["REGISTRY_HTTP_TIMEOUT_SECONDS"]), registries.BACKOFF_SECONDS)
    sms = attempts(1 + int(default["SMS_GATEWAY_RETRIES"]), float(default["SMS_GATEWAY_TIMEOUT_SECONDS"]))
    function = resources.VERIFY_RECORDS
    assert lookup + sms + 5 <= function.timeout  # 5 s for the case's reads and writes
    assert 3 * lookup + sms > function.timeout  # one after the other, it would not fit
    assert function.memory == 256
    for asl in MACHINES.values():
        assert function.timeout < asl["States"]["VerifyRecords"]["TimeoutSeconds"] <= function.timeout + 10

"""Decisions, retries and timers of the workflow, without AWS."""

import warnings
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib import config
from chalicelib.adapters.registries import RegistryError, RegistryUnavailable
from chalicelib.domain import errors
from chalicelib.services.shared import working_calendar
from chalicelib.services.workflow import checks, review
from chalicelib.store.cases import ConcurrentChange
from functions._runtime import is_transient


@pytest.mark.parametrize(
    ("decision", "reason", "documents", "code"),
    [
        ("approve", None, None, "INVALID_ENUM"),
        (None, None, None, "INVALID_ENUM"),
        ("reject", None, None, "MISSING"),
        ("reject", "   ", None, "MISSING"),
        ("reject", 42, None, "WRONG_TYPE"),
        ("reject", "x" * 201, None, "TOO_LONG"),
        ("request_documents", "请补充", None, "MISSING"),
        ("request_documents", "请补充", ["PASSPORT"], "INVALID_ENUM"),
        ("accept", None, ["ID_CARD"], "NOT_ALLOWED"),
    ],
)
def test_bad_decisions_are_400(decision, reason, documents, code):
    with pytest.raises(errors.ValidationFailed) as e:
        _decision({"decision": decision, "reason": reason, "documents": documents})
    assert code in {d.code for d in e.value.details}


def _decision(document: dict) -> tuple:
    """What POST /v1/staff/tasks/{id} checks before deciding: the body's model (each field's shape),
    then the review's rules between the fields."""
    from chalicelib.api import models

    body = models.plain(models.parse(models.ReviewDecision, document))
    return (body["decision"], *review._required_with(body["decision"], body.get("reason"), body.get("documents")))


def test_good_decisions_are_normalised():
    assert _decision({"decision": "reject", "reason": " 结婚证号不符 "}) == ("reject", "结婚证号不符", [])
    assert _decision({"decision": "request_documents", "reason": "请补充", "documents": ["MARRIAGE_PROOF", "ID_CARD", "ID_CARD"]}) == (
        "request_documents",
        "请补充",
        ["ID_CARD", "MARRIAGE_PROOF"],
    )
    assert _decision({"decision": "accept"}) == ("accept", None, [])


@pytest.mark.parametrize("task_id", ["", "x", "proofs#20261123ABCDEF0123", "a" * 65])
def test_task_ids_that_cannot_be_links_are_404_without_a_lookup(task_id):
    with pytest.raises(errors.NotFound):
        review.load_task(task_id)


def _client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (RegistryUnavailable("down"), True),
        (ConcurrentChange("c"), True),
        (EndpointConnectionError(endpoint_url="http://x"), True),
        (_client_error("ProvisionedThroughputExceededException"), True),
        (_client_error("InternalServerError", 500), True),
        (_client_error("ValidationException"), False),
        (RegistryError("bad answer"), False),
        (KeyError("case_id"), False),
    ],
)
def test_which_errors_the_workflow_retries(exc, expected):
    assert is_transient(exc) is expected


def _pynamodb_error(code: str, status: int):
    """What PynamoDB raises: ``PutError`` over a ``VerboseClientError`` (the code, no HTTP status)
    over botocore's ``ClientError``."""
    from pynamodb.exceptions import PutError, VerboseClientError

    try:
        try:
            try:
                raise _client_error(code, status)
            except ClientError as botocore_error:
                raise VerboseClientError({"Error": {"Code": code}}, "PutItem", {}) from botocore_error
        except ClientError as verbose:
            raise PutError("Failed to put item", verbose)  # noqa: B904 - as PynamoDB raises it
    except PutError as exc:
        return exc


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("500", 500, True),  # a 5xx with an empty body: botocore names the error after the status
        ("503", 503, True),
        ("InternalServerError", 500, True),
        ("ThrottlingException", 400, True),
        ("ConditionalCheckFailedException", 400, False),
        ("ValidationException", 400, False),
    ],
)
def test_pynamodb_errors_are_judged_by_the_answer_under_them(code, status, expected):
    assert is_transient(_pynamodb_error(code, status)) is expected


def test_a_bare_5xx_code_without_a_status_is_transient():
    assert is_transient(ClientError({"Error": {"Code": "503"}}, "PutItem"))
    assert not is_transient(ClientError({"Error": {"Code": "ValidationException"}}, "PutItem"))


def test_every_code_botocore_retries_is_transient():
    from botocore.retries.standard import ThrottledRetryableChecker, TransientRetryableChecker

    from functions._runtime import _RETRYABLE_CODES

    botocore_codes = set(TransientRetryableChecker._TRANSIENT_ERROR_CODES) | set(ThrottledRetryableChecker._THROTTLED_ERROR_CODES)
    assert botocore_codes <= _RETRYABLE_CODES
    for status in TransientRetryableChecker._TRANSIENT_STATUS_CODES:
        assert is_transient(_client_error("Unknown", status))


def test_a_wrapped_transient_error_is_transient():
    try:
        try:
            raise RegistryUnavailable("down")
        except RegistryUnavailable as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert is_transient(outer)


def test_time_scale_shrinks_every_timer(monkeypatch):
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "0.001")
    assert config.workflow_seconds(3600) == 4  # ceil(3.6)
    assert config.workflow_seconds(0) == 1  # Step Functions needs a positive timeout
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "1")
    assert config.workflow_seconds(3600) == 3600
    monkeypatch.delenv("WORKFLOW_TIME_SCALE")
    with pytest.raises(config.MissingSetting, match="WORKFLOW_TIME_SCALE"):
        config.workflow_seconds(3600)  # no default in code: the stack always sets it


@pytest.fixture
def operations(monkeypatch):
    """The operator's SSM parameters (infra/resources.py PARAMETERS) as a dict: the edge is faked,
    the parsing and the domain are real."""
    values = {"HOLIDAYS_PARAMETER": "{}", "VERIFICATION_WINDOW_PARAMETER": "09:00-17:30"}
    monkeypatch.setattr(config, "parameter", lambda env: values[env])
    return values


def test_verification_window_parameter(operations):
    operations["VERIFICATION_WINDOW_PARAMETER"] = "08:30-24:00"
    opens, closes = working_calendar.verification_window()
    assert opens.isoformat() == "08:30:00" and closes.hour == 23
    operations["VERIFICATION_WINDOW_PARAMETER"] = "always"
    assert working_calendar.verification_window() is None


@pytest.mark.parametrize("bad", ["", "9-5", "17:30-09:00", "09:00", "always open", "25:00-26:00"])
def test_a_bad_verification_window_is_refused_with_its_value(bad):
    with pytest.raises(working_calendar.BadOperationsData, match="verification window"):
        working_calendar.parse_window(bad)


def test_holiday_table_from_the_parameter_moves_deadlines(operations):
    # 2027 is beyond chinese-calendar 1.11.0: the operator's table decides (infra/README.md)
    start = datetime.fromisoformat("2026-12-31T10:00:00+08:00")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # beyond chinese-calendar's data: warned once per process
        plain = working_calendar.calendar().add_working_days(start, 3)
    operations["HOLIDAYS_PARAMETER"] = '{"2027": {"holidays": ["2027-01-01", "2027-01-04"], "workdays": []}}'
    assert plain.date().isoformat() == "2027-01-04"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert working_calendar.calendar().add_working_days(start, 3).date().isoformat() == "2027-01-06"


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        "[]",
        '{"x": {}}',
        '{"2027": {"holidays": ["2027-02-30"]}}',
        '{"2027": {"holidays": ["2028-01-01"]}}',
        '{"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}}',
        '{"2027": {"holiday": []}}',
    ],
)
def test_a_bad_holiday_table_is_refused(bad):
    with pytest.raises(working_calendar.BadOperationsData):
        working_calendar.parse_holidays(bad)


@pytest.fixture
def at(monkeypatch):
    """Put config.clock at a given Shanghai time."""

    def move(iso: str) -> None:
        monkeypatch.setattr(config.clock, "offset", datetime.fromisoformat(iso) - datetime.now(config.CHINA_TZ))

    return move


@pytest.mark.parametrize(
    ("now", "opens"),
    [
        ("2026-11-27T17:45:00+08:00", "2026-11-30T09:00:00+08:00"),  # Friday evening -> Monday
        ("2026-11-28T10:00:00+08:00", "2026-11-30T09:00:00+08:00"),  # Saturday
        ("2026-10-01T10:00:00+08:00", "2026-10-08T09:00:00+08:00"),  # National Day holidays
        ("2026-11-25T07:00:00+08:00", "2026-11-25T09:00:00+08:00"),  # before opening
    ],
)
def test_identity_check_outside_the_window_waits_for_the_next_one(monkeypatch, operations, at, now, opens):
    # 000 §2.3.5 注 "公安校验只在正常工作时间范围内开放": nothing is asked of public security.
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "1")
    at(now)
    # a Sichuan case: the window is Sichuan's rule (profile verification_window)
    monkeypatch.setattr(checks.case_store, "get", lambda case_id: SimpleNamespace(case_id=case_id, profile="sichuan"))
    result = checks.identity_check("sc-case")
    assert result["status"] == "window_closed" and result["opens_at"] == opens
    wait = (datetime.fromisoformat(opens) - datetime.fromisoformat(now)) / timedelta(seconds=1)
    assert abs(result["wait_seconds"] - wait) <= 2

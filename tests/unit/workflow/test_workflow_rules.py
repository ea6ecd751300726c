"""Decisions, retries and timers of the workflow, without AWS."""

from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib import config
from chalicelib.adapters.registries import RegistryError, RegistryUnavailable
from chalicelib.domain import errors
from chalicelib.services import checks, review
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
        review._validate(decision, reason, documents)
    assert code in {d.code for d in e.value.details}


def test_good_decisions_are_normalised():
    assert review._validate("reject", " 结婚证号不符 ", None) == ("reject", "结婚证号不符", [])
    assert review._validate("request_documents", "请补充", ["MARRIAGE_PROOF", "ID_CARD", "ID_CARD"]) == (
        "request_documents",
        "请补充",
        ["ID_CARD", "MARRIAGE_PROOF"],
    )


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
    monkeypatch.delenv("WORKFLOW_TIME_SCALE")
    assert config.workflow_seconds(3600) == 3600


def test_verification_window_setting(monkeypatch):
    monkeypatch.setenv("VERIFICATION_WINDOW", "08:30-24:00")
    opens, closes = config.verification_window()
    assert opens.isoformat() == "08:30:00" and closes.hour == 23
    monkeypatch.setenv("VERIFICATION_WINDOW", "always")
    assert config.verification_window() is None


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
def test_identity_check_outside_the_window_waits_for_the_next_one(monkeypatch, at, now, opens):
    # 000 §2.3.5 注 "公安校验只在正常工作时间范围内开放": nothing is asked of public security.
    monkeypatch.setenv("VERIFICATION_WINDOW", "09:00-17:30")
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "1")
    at(now)
    result = checks.identity_check("no-such-case")
    assert result["status"] == "window_closed" and result["opens_at"] == opens
    wait = (datetime.fromisoformat(opens) - datetime.fromisoformat(now)) / timedelta(seconds=1)
    assert abs(result["wait_seconds"] - wait) <= 2

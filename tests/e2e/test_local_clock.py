"""The local stack's settable clock (local/clock.py, issue 14 item 6): every time rule can be shown
through the API — here the working-hours window (000 §2.3.5 注 "公安校验只在正常工作时间范围内开放")
met on a public holiday evening, 2026-10-03 22:00 (国庆节, chinese-calendar: 10月1–7日 休)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

import app as app_module
from chalicelib import config
from tests.e2e.workflow_support import history_notes, submit_scenario

pytestmark = pytest.mark.e2e


@pytest.fixture
def dev_clock(api, clock):
    """The clock as a person moves it: through ``/_dev/clock``; back to the real time afterwards."""
    yield lambda body: api.post("/_dev/clock", body)
    api.post("/_dev/clock", {"reset": True})


def test_get_answers_the_stacks_now(api, dev_clock):
    r = api.get("/_dev/clock")
    assert r.status == 200, r.body
    now = datetime.fromisoformat(r.body["now"])
    assert abs((now - config.now()).total_seconds()) < 5
    assert now.utcoffset() == timedelta(hours=8)


def test_set_advance_and_reset(api, dev_clock):
    r = dev_clock({"at": "2026-11-25T23:50"})  # no offset: China time
    assert r.status == 200, r.body
    assert r.body["now"].startswith("2026-11-25T23:5") and r.body["now"].endswith("+08:00")
    assert config.today().isoformat() == "2026-11-25"
    r = dev_clock({"advance_seconds": 86400})
    assert r.body["now"].startswith("2026-11-26T23:5")
    assert config.today().isoformat() == "2026-11-26"
    r = dev_clock({"reset": True})
    assert r.body["offset_seconds"] == 0
    assert abs((datetime.fromisoformat(r.body["now"]) - datetime.now(config.now().tzinfo)).total_seconds()) < 5


@pytest.mark.parametrize(
    ("body", "code", "path"),
    [
        ({"at": "next saturday"}, "CLOCK_TIME_INVALID", "at"),
        ({"at": 20261003}, "CLOCK_TIME_INVALID", "at"),
        ({"advance_seconds": "3600"}, "CLOCK_ADVANCE_INVALID", "advance_seconds"),
        ({"advance_seconds": True}, "CLOCK_ADVANCE_INVALID", "advance_seconds"),
        ({"advance_seconds": 1e12}, "CLOCK_ADVANCE_INVALID", "advance_seconds"),
        ({"reset": False}, "CLOCK_REQUEST_INVALID", "reset"),
        ({}, "CLOCK_REQUEST_INVALID", ""),
        ({"at": "2026-10-03T22:00", "reset": True}, "CLOCK_REQUEST_INVALID", ""),
        ([1, 2], "CLOCK_REQUEST_INVALID", ""),
    ],
)
def test_a_request_the_clock_cannot_follow_is_a_400_and_changes_nothing(api, dev_clock, body, code, path):
    before = config.clock.offset
    r = dev_clock(body)
    assert r.status == 400, r.body
    assert r.body["error"]["code"] == code
    assert r.body["error"]["details"][0]["path"] == path
    assert config.clock.offset == before


def test_malformed_json_is_a_400(api, dev_clock):
    r = api.request("POST", "/_dev/clock", raw=b'{"at": ')
    assert r.status == 400
    assert r.body["error"]["code"] == "MALFORMED_JSON"


def test_a_case_submitted_on_a_holiday_evening_waits_for_the_next_working_day(api, dev_clock, window):
    window("09:00-17:30")
    assert dev_clock({"at": "2026-10-03T22:00:00+08:00"}).status == 200
    case = submit_scenario(api, "sichuan", "instant")
    # 10月4–7日 are still 国庆节 holidays; 10月8日 (Thursday) is the next working day.
    waiting = "公安校验仅在工作时间开放，将于10月08日09:00进行校验"
    deadline = time.monotonic() + 60
    while not any(waiting in n for n in history_notes(api, case)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert any(waiting in n for n in history_notes(api, case))
    r = api.get(f"/v1/registrations/{case.case_id}", headers={"X-Query-Code": case.code})
    assert r.body["status"] != "registered"
    assert r.body["created_at"].startswith("2026-10-03T22:0")


def test_a_deployment_has_no_clock_route():
    """The clock moves only through the local stack's own handler: the API (what is deployed) has no
    ``/_dev`` route, and no setting of the deployment sets the clock."""
    from infra import settings

    assert not [path for path in app_module.app.routes if path.startswith("/_dev")]
    assert not [s for s in settings.SETTINGS if "CLOCK" in s.name]

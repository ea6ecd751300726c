"""000 §2.3.5 注 "公安校验只在正常工作时间范围内开放": outside the window the execution waits for it."""

from __future__ import annotations

import time

import pytest

from tests.e2e.workflow_support import at, history_notes, submit_scenario, wait_status

pytestmark = pytest.mark.e2e


def test_a_registration_before_opening_time_is_checked_when_the_window_opens(api, window, monkeypatch, clock):
    window("09:00-17:30")
    # A Wednesday, a minute before the window opens: submitting takes real seconds on a busy machine,
    # and the check must still meet a closed window. The minute's wait lasts 6 s (scale 0.1); once the
    # case says it waits, the clock moves to the opening, as the real one would meanwhile.
    monkeypatch.setenv("WORKFLOW_TIME_SCALE", "0.1")
    at(clock, "2026-11-25T08:59:00+08:00")
    case = submit_scenario(api, "sichuan", "instant")
    waiting = "公安校验仅在工作时间开放，将于11月25日09:00进行校验"
    deadline = time.monotonic() + 30
    while not any(waiting in n for n in history_notes(api, case)) and time.monotonic() < deadline:
        time.sleep(0.2)
    at(clock, "2026-11-25T09:00:00+08:00")
    view = wait_status(api, case, "registered", timeout=30)
    notes = [h["note"] or "" for h in view["history"]]
    assert any(waiting in n for n in notes)
    checked = view["check"]["checked_at"]
    assert checked >= "2026-11-25T09:00:00"

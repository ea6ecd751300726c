"""000 §2.3.5 注 "公安校验只在正常工作时间范围内开放": outside the window the execution waits for it."""

from __future__ import annotations

import pytest

from tests.e2e.workflow_support import at, submit_scenario, wait_status

pytestmark = pytest.mark.e2e


def test_a_registration_before_opening_time_is_checked_when_the_window_opens(api, monkeypatch, clock):
    monkeypatch.setenv("VERIFICATION_WINDOW", "09:00-17:30")
    at(clock, "2026-11-25T08:59:57+08:00")  # a Wednesday, 3 seconds before the window opens
    case = submit_scenario(api, "sichuan", "instant")
    view = wait_status(api, case, "registered", timeout=30)
    notes = [h["note"] or "" for h in view["history"]]
    assert any("公安校验仅在工作时间开放，将于11月25日09:00进行校验" in n for n in notes)
    checked = view["check"]["checked_at"]
    assert checked >= "2026-11-25T09:00:00"

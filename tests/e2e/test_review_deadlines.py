"""Review deadlines as each stage's seed counts them (domain/profiles.py ``counts_arrival_day``):

- Guizhou 初审, 001 三(一)1(2) "乡级计生行政主管部门需在1个工作日内，对网上填写的生育登记信息进行初审": no
  含受理当日, so a case arriving Wednesday 23:50 is due at the end of Thursday, not 9 minutes later.
- Sichuan's review (not in 000; an operator default of 5 working days) counts from the next day too.
"""

from __future__ import annotations

import pytest

from tests.e2e.workflow_support import at, find_task, staff_token, submit_scenario

pytestmark = pytest.mark.e2e


def test_guizhou_initial_review_of_a_case_arriving_wednesday_late_is_due_thursday(api, clock):
    at(clock, "2026-11-25T23:50:00+08:00")  # a Wednesday
    case = submit_scenario(api, "guizhou", "registry_has_more")
    task = find_task(api, staff_token(api, "gz-op-520102016"), case.case_id, timeout=60)
    assert task["stage"] == "initial_review"
    assert task["due_at"].startswith("2026-11-26T23:59:59")


def test_sichuan_review_counts_five_working_days_from_the_next_day(api, clock):
    at(clock, "2026-11-25T10:00:00+08:00")  # Wednesday: Thu 26, Fri 27, Mon 30, Tue 1, Wed 2
    case = submit_scenario(api, "sichuan", "registry_has_more")
    task = find_task(api, staff_token(api, "sc-op-510104022"), case.case_id, timeout=60)
    assert task["due_at"].startswith("2026-12-02T23:59:59")

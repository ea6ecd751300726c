"""Statistics counters are kept on write, exactly once per event, and read in constant requests.

The workflow delivers each step at least once: a step retried after a timeout must not count its
case twice. And the ratings summary of an office reads its counters and one page of comments,
not the office's cases (no read grows with the office).
"""

from __future__ import annotations

import uuid

from chalicelib import config
from chalicelib.services.shared import statistics
from chalicelib.store import statistics as store

OFFICE = "510104022"  # a township office of the demo data: counts go to its county 510104 too


def _year() -> str:
    return str(config.now().year)


def _online(region: str) -> int:
    return statistics.report(region)["totals"].get("received", {}).get("online", 0)


def test_a_retried_event_is_counted_once_at_every_level(stack):
    case_id = f"CASE-{uuid.uuid4().hex[:8]}"
    before = store.get_many([OFFICE, "510104"], _year())
    reported = {region: _online(region) for region in ("5101", "51")}
    statistics.received(OFFICE, "online", case_id=case_id)
    statistics.received(OFFICE, "online", case_id=case_id)  # the retried step
    statistics.received(OFFICE, "online", case_id=case_id + "-other")
    after = store.get_many([OFFICE, "510104", "5101", "51"], _year())
    for region in (OFFICE, "510104"):
        assert after[region]["received|online"] - before.get(region, {}).get("received|online", 0) == 2, region
    # The city and the province are sums of their counties: no item of their own is written.
    assert "5101" not in after and "51" not in after
    for region in ("5101", "51"):
        assert _online(region) - reported[region] == 2, region


def test_ratings_summary_comes_from_counters_not_from_cases(stack):
    office = "510104021"
    before = statistics.ratings_summary(office)
    case_id = f"CASE-{uuid.uuid4().hex[:8]}"
    at = config.now().isoformat(timespec="seconds")
    statistics.record_rating(office, 2, case_id=case_id, at=at, comment="等得久")
    statistics.record_rating(office, 2, case_id=case_id, at=at, comment="等得久")  # retried: once
    after = statistics.ratings_summary(office)
    assert after["count"] == before["count"] + 1
    assert after["distribution"]["2"] == before["distribution"]["2"] + 1
    assert after["bad"] == before["bad"] + 1
    assert [c["case_id"] for c in after["recent_comments"]].count(case_id) == 1
    assert after["recent_comments"][0] == {"case_id": case_id, "score": 2, "comment": "等得久", "at": at}

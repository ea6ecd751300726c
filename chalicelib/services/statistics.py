"""Statistics for staff (001 三(一)4 "对管辖区域内的网上生育登记、现场生育登记、工作任务受理及办结等进行统计监测";
三(二)1 for the province, city and county levels).

Counters (``chalicelib/store/statistics.py``) are advanced as a case moves: received and
completed by channel (online / onsite), instant or manual path, review stages assigned,
decided and escalated, proofs requested, cases closed as incomplete or needing attention,
and citizen ratings. Every increment goes to the case's township office and to each level
above it, so ``report`` reads a region and its children with one GetItem and one
BatchGetItem — a constant number of requests, never a Scan.
"""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.services import hierarchy
from chalicelib.store import statistics as store


def count(office_code: str | None, counters: dict[str, int]) -> None:
    if not office_code:
        return
    store.add(hierarchy.chain(office_code), str(config.now().year), counters)


def received(office_code: str, channel: str) -> None:
    count(office_code, {"received|total": 1, f"received|{channel}": 1})


def completed(office_code: str, status: str, channel: str, *, manual: bool | None = None) -> None:
    counters = {f"{status}|total": 1, f"{status}|{channel}": 1}
    if manual is not None:
        counters[f"{status}|{'manual' if manual else 'instant'}"] = 1
    count(office_code, counters)


def stage_event(office_code: str, stage: str, event: str) -> None:
    count(office_code, {f"stage|{stage}|{event}": 1})


def record_rating(office_code: str, score: int) -> None:
    """For citizen services: call when a rating (好差评, 1–5) is stored on a case."""
    counters = {"ratings|count": 1, "ratings|sum": int(score)}
    if score >= 4:
        counters["ratings|good"] = 1
    elif score <= 2:
        counters["ratings|bad"] = 1
    count(office_code, counters)


def _nest(counters: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in sorted(counters.items()):
        node = out
        *parents, leaf = name.split("|")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    ratings = out.get("ratings")
    if ratings and ratings.get("count"):
        ratings["average"] = round(ratings.get("sum", 0) / ratings["count"], 2)
    return out


def report(region: str, *, year: int | None = None, overdue_open: int | None = None) -> dict[str, Any]:
    """Figures of ``region`` and of each region one level below (the caller checks jurisdiction)."""
    year_s = str(year or config.now().year)
    codes = hierarchy.children(region)
    figures = store.get_many([region, *codes], year_s)
    return {
        "region": {"code": region, "name": hierarchy.name_of(region), "level": hierarchy.level_of(region)},
        "year": int(year_s),
        "totals": _nest(figures.get(region, {})),
        "overdue_open_tasks": overdue_open,
        "children": [
            {"code": c, "name": hierarchy.name_of(c), "level": hierarchy.level_of(c), "totals": _nest(figures[c])}
            for c in codes
            if c in figures
        ],
    }

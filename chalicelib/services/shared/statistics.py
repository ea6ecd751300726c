"""Statistics for staff (001 三(一)4 "对管辖区域内的网上生育登记、现场生育登记、工作任务受理及办结等进行统计监测";
三(二)1 for the province, city and county levels).

Counters (``chalicelib/store/statistics.py``) are advanced as a case moves: received and
completed by channel (online / onsite), instant or manual path, review stages assigned,
decided and escalated, proofs requested, cases closed as incomplete or needing attention,
and citizen ratings. Every increment goes to the case's township office and its county only
(``hierarchy.counted_levels``; a county-coded event, e.g. a birth's, to its county): a city is the
sum of its counties and a province the sum of the counties of its cities, added up by ``report``
from one BatchGetItem per 100 items (a province's ~200 counties: 2–3 requests, never a Scan,
nothing that grows with the cases). City and province items written by earlier versions are no
longer read or written: the county items hold every event already. Keeping the upper levels out
of the write saves two transactional writes per event and the province item every case of the
province would otherwise update (a hot item that makes concurrent transactions conflict).

Every increment names its event (``once``): the workflow delivers each step at least once, and
a retried step finds its event counted already and adds nothing (store/statistics.py).
The ratings summary of an office comes from the same counters (``ratings|score|<1–5>``) and
the office's latest comments (one Query of one page): no read grows with the office's cases.
"""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.domain import hierarchy
from chalicelib.store.repositories import statistics as store

RECENT_COMMENTS = 20


def count(office_code: str | None, counters: dict[str, int], *, once: str | tuple[str, ...]) -> bool:
    """Add ``counters`` to the office's township and county items, once per event ``once``
    (e.g. ``<case id>#received``; several events counted together: a tuple); False if an event was
    counted before (or ``office_code`` names no township or county: nothing would add it up)."""
    levels = hierarchy.counted_levels(office_code) if office_code else []
    if not levels:
        return False
    return store.add(levels, str(config.now().year), counters, once=once)


def _received(channel: str) -> dict[str, int]:
    return {"received|total": 1, f"received|{channel}": 1}


def received(office_code: str, channel: str, *, case_id: str) -> None:
    count(office_code, _received(channel), once=f"{case_id}#received")


def _with_receipt(office_code: str, counters: dict[str, int], channel: str, *, case_id: str, once: str) -> None:
    """``counters`` once per ``once``, and the case's receipt with them if it was not counted yet:
    a case the registries confirmed at its first check is counted received with its completion,
    in one transaction (``checks.apply_rules`` leaves it to this), and so is a case that failed
    before its checks were recorded."""
    receipt = f"{case_id}#received"
    if store.counted(receipt):
        count(office_code, counters, once=once)
    else:
        count(office_code, {**counters, **_received(channel)}, once=(receipt, once))


def completed(office_code: str, status: str, channel: str, *, case_id: str, at: str, manual: bool | None = None) -> None:
    """A case reached a final ``status`` at ``at`` (its ``updated_at``: one event per completion)."""
    counters = {f"{status}|total": 1, f"{status}|{channel}": 1}
    if manual is not None:
        counters[f"{status}|{'manual' if manual else 'instant'}"] = 1
    _with_receipt(office_code, counters, channel, case_id=case_id, once=f"{case_id}#{status}#{at}")


def needs_attention(office_code: str, channel: str, *, case_id: str, at: str) -> None:
    """A workflow step failed for good: the case waits for an operator (RecordFailure)."""
    _with_receipt(office_code, {"needs_attention|total": 1}, channel, case_id=case_id, once=f"{case_id}#needs_attention#{at}")


def stage_event(office_code: str, stage: str, event: str, *, once: str) -> None:
    count(office_code, {f"stage|{stage}|{event}": 1}, once=f"{once}#{stage}#{event}")


def record_rating(office_code: str, score: int, *, case_id: str, at: str, comment: str = "") -> None:
    """For citizen services: call when a rating (好差评, 1–5) is stored on a case."""
    counters = {"ratings|count": 1, "ratings|sum": int(score), f"ratings|score|{int(score)}": 1}
    if score >= 4:
        counters["ratings|good"] = 1
    elif score <= 2:
        counters["ratings|bad"] = 1
    count(office_code, counters, once=f"{case_id}#rating")
    if comment:
        store.add_comment(office_code, at, case_id, {"case_id": case_id, "score": int(score), "comment": comment, "at": at})


def ratings_summary(office_code: str, *, year: int | None = None) -> dict[str, Any]:
    """Ratings of one office in ``year`` (default this year): count, average, distribution, good
    and bad (好差评: 4–5 good, 1–2 bad) and the latest comments — one GetItem and one Query."""
    counters = store.get(office_code, str(year or config.now().year))
    distribution = {str(s): counters.get(f"ratings|score|{s}", 0) for s in range(1, 6)}
    n = counters.get("ratings|count", 0)
    return {
        "office_code": office_code,
        "count": n,
        "average": round(counters.get("ratings|sum", 0) / n, 2) if n else None,
        "distribution": distribution,
        "good": counters.get("ratings|good", 0),
        "bad": counters.get("ratings|bad", 0),
        "recent_comments": store.comments(office_code, RECENT_COMMENTS),
    }


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


def _summed(regions: list[str], figures: dict[str, dict[str, int]]) -> dict[str, int] | None:
    """The flat counters of the stored ``regions`` added up (None if none of them has an item);
    summed before ``_nest`` so the ratings average comes from the summed sum and count."""
    stored = [figures[r] for r in regions if r in figures]
    if not stored:
        return None
    out: dict[str, int] = {}
    for counters in stored:
        for name, value in counters.items():
            out[name] = out.get(name, 0) + value
    return out


def report(region: str, *, year: int | None = None, overdue_open: int | None = None) -> dict[str, Any]:
    """Figures of ``region`` and of each region one level below (the caller checks jurisdiction).
    Each is the sum of its stored township or county items (``hierarchy.stored_regions_under``),
    all read with one ``get_many`` (BatchGetItem, 100 keys per request)."""
    year_s = str(year or config.now().year)
    codes = hierarchy.children(region)
    parts = {c: hierarchy.stored_regions_under(c) for c in [region, *codes]}
    figures = store.get_many(list(dict.fromkeys(r for regions in parts.values() for r in regions)), year_s)
    children = {c: _summed(parts[c], figures) for c in codes}
    return {
        "region": {"code": region, "name": hierarchy.name_of(region), "level": hierarchy.level_of(region)},
        "year": int(year_s),
        "totals": _nest(_summed(parts[region], figures) or {}),
        "overdue_open_tasks": overdue_open,
        "children": [
            {"code": c, "name": hierarchy.name_of(c), "level": hierarchy.level_of(c), "totals": _nest(totals)}
            for c, totals in children.items()
            if totals is not None
        ],
    }


def _flat(node: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}|"))
        else:
            out[name] = value
    return out


def report_csv(report: dict[str, Any]) -> str:
    """The report as CSV: the region's row, then one per region below it; a column per figure
    (the counter names of ``report``'s totals, e.g. ``received|online``), so the export and the
    JSON report cannot disagree. UTF-8 with a BOM, which spreadsheet programs need for Chinese."""
    import csv
    import io

    rows = [(report["region"], _flat(report["totals"]))]
    rows += [(child, _flat(child["totals"])) for child in report["children"]]
    columns = sorted({k for _, figures in rows for k in figures})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["year", "region_code", "region_name", "level", *columns])
    for region, figures in rows:
        writer.writerow([report["year"], region["code"], region["name"], region["level"], *(figures.get(c, 0) for c in columns)])
    return "\ufeff" + buffer.getvalue()

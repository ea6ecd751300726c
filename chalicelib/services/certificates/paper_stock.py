"""Stock of blank paper certificates (普通生育服务证) per office, by numbered range.

001 三(二)2 (县级): "对贵州省卫生计生委统一印制的普通一孩、二孩生育服务证进行派发、领取、调配等管理";
三(一)4 (乡级): "当本级的普通一孩、二孩生育服务证资源不足时，可通过该平台进行申请调配"; 三(一)3(3):
each certificate handed out is recorded (services/certificates/issuance.py consumes its blank).

- the county takes printed ranges into its stock (``take_in``) and distributes sub-ranges to
  its townships (``distribute``: the numbers leave its stock at once, as a pending shipment);
- the township acknowledges receipt (``receive``): the range joins its stock;
- a township writes off a spoiled blank with a reason (``write_off``), sets the threshold below
  which it may ask its county for an allocation (``set_threshold``, ``request_allocation``); the
  county sees the requests in its stock view, and a distribution to the township fulfils its
  open request of that kind.

Each movement is one DynamoDB transaction with its conditions (store/offices.py): a balance
never goes negative, a number is never in two stocks or used twice. Every movement is appended
to the audit log under ``STOCK#<office>`` (both offices for a distribution); the view lists it.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from chalicelib import auth, config
from chalicelib.domain import errors, regions
from chalicelib.store import audit
from chalicelib.store import offices as office_store

# 001 三(二)2 "普通一孩、二孩生育服务证": two kinds of blank, each with its own numbers and balance.
KINDS = {"first": "一孩生育服务证", "second": "二孩生育服务证"}
STOCK_NUMBER_RE = re.compile(r"[0-9]{4,20}")
MAX_RANGE = 100_000  # blanks in one intake or distribution
MAX_REASON = 200
MOVEMENTS_SHOWN = 50


def kind_for_child_order(child_order: int) -> str:
    """The blank a couple receives: the 一孩 certificate for a first child, else the 二孩 one."""
    return "first" if child_order <= 1 else "second"


def _now() -> str:
    return config.now().isoformat(timespec="seconds")


def _office(code: str) -> str:
    canonical = regions.canonical(code) if isinstance(code, str) else None
    if canonical is None or not regions.is_known(canonical):
        raise errors.NotFound("未找到该机构", code="OFFICE_NOT_FOUND")
    return canonical


def _subject(office: str) -> str:
    return f"STOCK#{office}"


def _county_staff(principal: auth.StaffPrincipal, office: str) -> None:
    if principal.role != auth.COUNTY_MONITOR or principal.unit_code != office:
        raise errors.Forbidden("只有县级机构能入库和派发本县的生育服务证", code="NOT_OWN_STOCK")
    auth.require(principal, auth.PAPER_CERTIFICATES)


def _township_staff(principal: auth.StaffPrincipal, office: str) -> None:
    if principal.role != auth.TOWNSHIP_OPERATOR or principal.office_code != office:
        raise errors.Forbidden("只能管理本机构的生育服务证库存", code="NOT_OWN_STOCK")
    auth.require(principal, auth.PAPER_CERTIFICATES)


def _range(body: dict[str, Any]) -> tuple[str, str]:
    first, last = body.get("first"), body.get("last")
    problems = [
        errors.FieldError(name, "INVALID_FORMAT", "编号应为4–20位数字")
        for name, value in (("first", first), ("last", last))
        if not (isinstance(value, str) and STOCK_NUMBER_RE.fullmatch(value))
    ]
    if not problems and len(first) != len(last):
        problems.append(errors.FieldError("last", "LENGTH_MISMATCH", "起止编号的位数应相同"))
    elif not problems and last < first:
        problems.append(errors.FieldError("last", "BEFORE_FIRST", "截止编号不能小于起始编号"))
    elif not problems and int(last) - int(first) + 1 > MAX_RANGE:
        problems.append(errors.FieldError("last", "RANGE_TOO_LARGE", f"一次最多 {MAX_RANGE} 份"))
    if problems:
        raise errors.ValidationFailed(details=problems)
    return first, last


def _kind(body: dict[str, Any]) -> str:
    kind = body.get("kind")
    if kind not in KINDS:
        raise errors.ValidationFailed(details=[errors.FieldError("kind", "INVALID_ENUM", f"取值无效，可选值：{'、'.join(KINDS)}")])
    return kind


def _holding_view(h: office_store.Holding) -> dict[str, Any]:
    return {"kind": h.kind, "kind_label": KINDS.get(h.kind, h.kind), "first": h.first, "last": h.last, "count": h.count}


def _item_view(item: office_store.OfficeItem, key: str) -> dict[str, Any]:
    return {
        "id": item.sk.split("#", 1)[1] if key == "shipment_id" else item.source,
        "kind": item.kind,
        "kind_label": KINDS.get(item.kind or "", item.kind),
        "first": item.first,
        "last": item.last,
        "count": int(item.count or 0),
        "status": item.status,
        "at": item.at,
        "by": item.by,
    }


def view(principal: auth.StaffPrincipal, office: str) -> dict[str, Any]:
    """An office's stock: balances and thresholds per kind, ranges held, shipments, requests
    (a county: its townships' requests; a township: its own), and the latest movements."""
    office = _office(office)
    if principal.role not in auth.CASE_ROLES or not auth.covers(principal, office):
        raise errors.Forbidden("只能查看本辖区的生育服务证库存", code="OUTSIDE_JURISDICTION")
    auth.require(principal, auth.PAPER_CERTIFICATES)
    balances = office_store.balances(office)
    kinds = []
    for kind, label in KINDS.items():
        b = balances.get(kind, {"balance": 0, "threshold": 0})
        kinds.append({"kind": kind, "kind_label": label, **b, "below_threshold": b["balance"] < b["threshold"]})
    if len(office) == 9:
        requests = office_store.requests(office[:6], office)
    else:
        requests = office_store.requests(office)
    shipments = [
        {**_item_view(s, "shipment_id"), "shipment_id": s.sk.split("#", 1)[1], "from_office": s.source}
        for s in office_store.shipments(office)
    ]
    return {
        "office_code": office,
        "office_name": regions.full_name(office),
        "kinds": kinds,
        "ranges": [_holding_view(h) for h in office_store.holdings(office)],
        "shipments": shipments,
        "requests": [
            {**_item_view(r, "township"), "township": r.source, "township_name": regions.full_name(r.source or ""), "note": r.reason}
            for r in requests
        ],
        "movements": [e.to_dict() for e in audit.for_subject(_subject(office), limit=MOVEMENTS_SHOWN)],
    }


def take_in(principal: auth.StaffPrincipal, office: str, body: dict[str, Any]) -> dict[str, Any]:
    """The county takes a printed range into its stock (入库)."""
    office = _office(office)
    kind, (first, last) = _kind(body), _range(body)
    _county_staff(principal, office)
    h = office_store.Holding(office, kind, first, last)
    at = _now()
    try:
        office_store.take_into_stock(h, at=at, by=principal.staff_id)
    except office_store.StockConflict:
        raise errors.Conflict("该编号段与已入库的编号重叠", code="RANGE_OVERLAPS") from None
    audit.append(_subject(office), actor=principal.staff_id, action="stock.intake", after=_holding_view(h), at=at)
    return view(principal, office)


def distribute(principal: auth.StaffPrincipal, office: str, body: dict[str, Any]) -> dict[str, Any]:
    """The county sends ``[first, last]`` of its stock to one of its townships (派发/调配)."""
    office = _office(office)
    first, last = _range(body)
    target = regions.canonical(body.get("to_office") or "") if isinstance(body.get("to_office"), str) else None
    if target is None or len(target) != 9 or not regions.is_known(target):
        raise errors.ValidationFailed(details=[errors.FieldError("to_office", "UNKNOWN_OFFICE", "接收机构应为乡级机构代码")])
    _county_staff(principal, office)
    if not target.startswith(office):
        raise errors.Forbidden("只能派发给本县的乡级机构", code="OUTSIDE_JURISDICTION")
    held = office_store.holding_of(office, first)
    if held is None or held.last < last:
        raise errors.Conflict("本机构库存中没有该编号段（或其中部分已派发）", code="STOCK_NOT_HELD")
    part = office_store.Holding(target, held.kind, first, last)
    shipment_id = secrets.token_hex(6)
    at = _now()
    try:
        office_store.distribute(held, part, shipment_id=shipment_id, at=at, by=principal.staff_id)
    except office_store.StockConflict:
        raise errors.Conflict("库存已变化或不足，请刷新后重试", code="STOCK_NOT_HELD") from None
    movement = {**_holding_view(part), "shipment_id": shipment_id, "from_office": office, "to_office": target}
    audit.append(_subject(office), actor=principal.staff_id, action="stock.distributed", after=movement, at=at)
    audit.append(_subject(target), actor=principal.staff_id, action="stock.shipped", after=movement, at=at)
    if office_store.fulfil_request(office, target, held.kind, at=at, by=principal.staff_id):
        audit.append(_subject(target), actor=principal.staff_id, action="stock.request_fulfilled", after=movement, at=at)
    return {**movement, "status": office_store.PENDING}


def receive(principal: auth.StaffPrincipal, office: str, shipment_id: str) -> dict[str, Any]:
    """The township acknowledges a shipment (领取): its numbers join the township's stock."""
    office = _office(office)
    _township_staff(principal, office)
    item = office_store.shipment(office, shipment_id) if re.fullmatch(r"[0-9a-f]{12}", shipment_id or "") else None
    if item is None:
        raise errors.NotFound("未找到该派发记录", code="SHIPMENT_NOT_FOUND")
    at = _now()
    try:
        office_store.receive(item, at=at, by=principal.staff_id)
    except office_store.StockConflict:
        raise errors.Conflict("该批生育服务证已领取", code="SHIPMENT_RECEIVED") from None
    audit.append(
        _subject(office), actor=principal.staff_id, action="stock.received",
        after={"shipment_id": shipment_id, "first": item.first, "last": item.last, "count": int(item.count or 0)}, at=at,
    )
    return view(principal, office)


def holding_for(office: str, number: str) -> office_store.Holding | None:
    """The range of ``office``'s stock holding blank ``number``, if any."""
    return office_store.holding_of(office, number) if STOCK_NUMBER_RE.fullmatch(number) else None


def write_off(principal: auth.StaffPrincipal, office: str, body: dict[str, Any]) -> dict[str, Any]:
    """A spoiled blank leaves the stock with a reason (作废)."""
    office = _office(office)
    number, reason = body.get("number"), body.get("reason")
    problems = []
    if not (isinstance(number, str) and STOCK_NUMBER_RE.fullmatch(number)):
        problems.append(errors.FieldError("number", "INVALID_FORMAT", "编号应为4–20位数字"))
    if not (isinstance(reason, str) and reason.strip()):
        problems.append(errors.FieldError("reason", "MISSING", "请填写作废原因"))
    if problems:
        raise errors.ValidationFailed(details=problems)
    _township_staff(principal, office)
    held = holding_for(office, number)
    if held is None:
        raise errors.Conflict("该编号不在本机构的库存中", code="PAPER_NOT_IN_STOCK")
    at = _now()
    try:
        office_store.write_off(held, number, reason=reason.strip(), at=at, by=principal.staff_id)
    except office_store.StockConflict:
        raise errors.Conflict("该编号已使用或已作废", code="BLANK_USED") from None
    audit.append(
        _subject(office), actor=principal.staff_id, action="stock.written_off",
        after={"number": number, "kind": held.kind, "reason": reason.strip()}, at=at,
    )
    return view(principal, office)


def set_threshold(principal: auth.StaffPrincipal, office: str, body: dict[str, Any]) -> dict[str, Any]:
    office = _office(office)
    kind, threshold = _kind(body), body.get("threshold")
    if not isinstance(threshold, int) or isinstance(threshold, bool) or not 0 <= threshold <= MAX_RANGE:
        raise errors.ValidationFailed(details=[errors.FieldError("threshold", "OUT_OF_RANGE", f"应为 0–{MAX_RANGE} 的整数")])
    _township_staff(principal, office)
    office_store.set_threshold(office, kind, threshold)
    audit.append(_subject(office), actor=principal.staff_id, action="stock.threshold", after={"kind": kind, "threshold": threshold})
    return view(principal, office)


def request_allocation(principal: auth.StaffPrincipal, office: str, body: dict[str, Any]) -> dict[str, Any]:
    """申请调配: only below the township's threshold, one open request per kind."""
    office = _office(office)
    kind, count, note = _kind(body), body.get("count"), body.get("note")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_RANGE:
        raise errors.ValidationFailed(details=[errors.FieldError("count", "OUT_OF_RANGE", f"应为 1–{MAX_RANGE} 的整数")])
    _township_staff(principal, office)
    stock = office_store.balances(office).get(kind, {"balance": 0, "threshold": 0})
    if stock["balance"] >= stock["threshold"]:
        raise errors.Conflict("库存未低于本机构设定的预警数量，无需申请调配", code="STOCK_SUFFICIENT")
    at = _now()
    if not office_store.open_request(office[:6], office, kind, count, note, at=at, by=principal.staff_id):
        raise errors.Conflict("已有未处理的调配申请", code="REQUEST_OPEN")
    movement = {"kind": kind, "count": count, "note": note, "county": office[:6], **stock}
    audit.append(_subject(office), actor=principal.staff_id, action="stock.requested", after=movement, at=at)
    audit.append(_subject(office[:6]), actor=principal.staff_id, action="stock.requested", after={**movement, "township": office}, at=at)
    return view(principal, office)

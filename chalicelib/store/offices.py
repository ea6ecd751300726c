"""The Offices table: the staff console's data, one table told apart by the key.

- ``STAFF#<username>`` / ``PROFILE``: the account's 附件2 data (real name, ID number, phone,
  unit, position), its operation grants, and the revocation marker the API checks on every
  staff request (``disabled``, ``valid_after``: tokens issued before it are refused). Carries
  ``manager`` (the unit code of the administrators who manage it) for the sparse ``ManagerIndex``.
- ``OFFICE#<code>`` / ``INFO``: the organisation information of an office (001 一(二)2).
- ``OFFICE#<code>`` / ``STOCK#<kind>``: the office's balance of blank paper certificates of one
  kind (一孩/二孩, 001 三(二)2) and the threshold below which it may request an allocation.
- ``OFFICE#<code>`` / ``RANGE#<length>#<first>``: a number range the office holds (``last``);
  numbers are digit strings of one length, so comparing strings compares numbers.
- ``OFFICE#<township>`` / ``SHIPMENT#<id>``: a range the county sent, ``pending`` until received.
- ``OFFICE#<county>`` / ``REQUEST#<township>#<kind>``: a township's 申请调配, ``open`` or
  ``fulfilled`` (one open request per township and kind).
- ``BLANK#<number>`` / ``USED``: a blank consumed (issued to a case, or written off), once.
- ``SERIES#<length>`` / ``<first>``: every range ever taken into stock, so two never overlap;
  ``SERIES#<length>`` / ``~HEAD``: the count of intakes, which serialises concurrent intakes.
- ``APPOINTMENT#…``, ``OFFICE#<code>`` / ``SLOT#…`` and ``APPT#…``, ``WOMAN#…``: 三孩预约 and the
  places taken in each slot (``store/appointments.py``).

Every balance change is a conditional write in the transaction that moves the numbers, so a
balance never goes negative and never disagrees with the ranges (two concurrent issues of the
last blank: one transaction wins, the other is cancelled).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection
from pynamodb.transactions import TransactWrite

from chalicelib import config
from chalicelib.store import cursors, table_meta
from chalicelib.store.conditions import applied
from chalicelib.store.connection import Model, shared

PROFILE = "PROFILE"
INFO = "INFO"
PENDING = "pending"
RECEIVED = "received"
OPEN = "open"
FULFILLED = "fulfilled"


class ManagerIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "ManagerIndex"
        projection = IncludeProjection(["data", "grants", "disabled"])  # what the account list reads

    manager = UnicodeAttribute(hash_key=True)
    pk = UnicodeAttribute(range_key=True)


class OfficeItem(Model):
    class Meta(table_meta(config.offices_table)):
        region = config.region()

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    manager = UnicodeAttribute(null=True)
    data = UnicodeAttribute(null=True)  # JSON: profile fields, organisation information
    grants = ListAttribute(of=UnicodeAttribute, null=True)
    disabled = BooleanAttribute(null=True)
    valid_after = NumberAttribute(null=True)  # epoch seconds: staff tokens issued before are refused
    balance = NumberAttribute(null=True)
    threshold = NumberAttribute(null=True)
    kind = UnicodeAttribute(null=True)
    first = UnicodeAttribute(null=True)
    last = UnicodeAttribute(null=True)
    count = NumberAttribute(null=True)
    status = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)  # office a shipment comes from; township of a request
    target = UnicodeAttribute(null=True)  # office of a used blank, case of an issued one
    reason = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    by = UnicodeAttribute(null=True)

    manager_index = ManagerIndex()

    def loaded(self) -> dict[str, Any]:
        return json.loads(self.data) if self.data else {}


def _get(pk: str, sk: str) -> OfficeItem | None:
    try:
        return OfficeItem.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None


def _dump(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@contextmanager
def _transaction(conflict: str) -> Iterator[TransactWrite]:
    """One transaction of the stock; ``StockConflict(conflict)`` if a condition failed (nothing
    was written)."""
    try:
        with TransactWrite(connection=shared()) as tx:
            yield tx
    except TransactWriteError as exc:
        if exc.cause_response_code == "TransactionCanceledException":
            raise StockConflict(conflict) from exc
        raise


# ------------------------------------------------------------------------------ staff profiles
def staff_key(username: str) -> str:
    return f"STAFF#{username}"


def profile(username: str) -> OfficeItem | None:
    return _get(staff_key(username), PROFILE)


def names(usernames: list[str]) -> dict[str, str]:
    """Real names of staff accounts (one BatchGetItem per 100); accounts without a profile (and
    the workflow's own actors) are left out."""
    keys = [(staff_key(u), PROFILE) for u in dict.fromkeys(usernames) if u]
    found = OfficeItem.batch_get(keys) if keys else []
    return {item.pk.split("#", 1)[1]: name for item in found if (name := item.loaded().get("name"))}


def save_profile(username: str, data: dict[str, Any], *, grants: list[str], manager: str, new: bool) -> bool:
    """Write an account's profile; with ``new`` only if it has none (False: it has one)."""
    item = OfficeItem(staff_key(username), PROFILE, manager=manager, data=_dump(data), grants=grants)
    current = None if new else profile(username)
    if current is not None:
        item.disabled, item.valid_after = current.disabled, current.valid_after
    condition = OfficeItem.pk.does_not_exist() if new else None
    return applied(lambda: item.save(condition=condition))


def set_disabled(username: str, disabled: bool, *, valid_after: int | None, manager: str) -> None:
    """The revocation marker: ``disabled``, and (on disabling) tokens issued before ``valid_after``
    refused for good -- re-enabling does not bring old tokens back."""
    actions = [OfficeItem.disabled.set(disabled), OfficeItem.manager.set(OfficeItem.manager | manager)]
    if valid_after is not None:
        actions.append(OfficeItem.valid_after.set(valid_after))
    OfficeItem(staff_key(username), PROFILE).update(actions=actions)


BadCursor = cursors.BadCursor


_MANAGER_CURSOR_KEYS = {"pk", "sk", "manager"}


def managed_by(manager: str, *, limit: int, cursor: str | None) -> tuple[list[OfficeItem], str | None]:
    """One page of the profiles ``manager`` administers (``ManagerIndex``), and the next page's
    cursor. A cursor continues only the same manager's list (``BadCursor`` otherwise)."""
    start = cursors.decode(cursor, _MANAGER_CURSOR_KEYS, manager=manager)
    result = OfficeItem.manager_index.query(manager, limit=limit, last_evaluated_key=start)
    items = list(result)
    last = result.last_evaluated_key
    return items, cursors.encode(last)


# ------------------------------------------------------------------------ organisation info
def office_key(code: str) -> str:
    return f"OFFICE#{code}"


def organisation(code: str) -> dict[str, Any] | None:
    item = _get(office_key(code), INFO)
    return item.loaded() if item else None


def save_organisation(code: str, info: dict[str, Any], *, at: str, by: str) -> None:
    OfficeItem(office_key(code), INFO, data=_dump(info), at=at, by=by).save()


# ----------------------------------------------------------------------- paper-certificate stock
class StockConflict(Exception):
    """A stock movement whose conditions did not hold (nothing was written)."""


@dataclass(frozen=True)
class Holding:
    """A number range an office holds (``RANGE#`` item as read)."""

    office: str
    kind: str
    first: str
    last: str

    @property
    def count(self) -> int:
        return int(self.last) - int(self.first) + 1


def _range_key(first: str) -> str:
    return f"RANGE#{len(first):02d}#{first}"


def _stock_key(kind: str) -> str:
    return f"STOCK#{kind}"


def holding_of(office: str, number: str) -> Holding | None:
    """The range ``office`` holds that contains ``number`` (one Query: the range starting at or
    before it), or None."""
    prefix = f"RANGE#{len(number):02d}#"
    found = OfficeItem.query(
        office_key(office), OfficeItem.sk.between(prefix, prefix + number), scan_index_forward=False, limit=1,
        consistent_read=True,
    )
    for item in found:
        if item.last is not None and item.last >= number:
            return Holding(office, item.kind or "", item.first or "", item.last)
    return None


def holdings(office: str) -> list[Holding]:
    items = OfficeItem.query(office_key(office), OfficeItem.sk.startswith("RANGE#"), consistent_read=True)
    return [Holding(office, i.kind or "", i.first or "", i.last or "") for i in items]


def balances(office: str) -> dict[str, dict[str, int]]:
    """``{kind: {"balance", "threshold"}}`` of an office."""
    items = OfficeItem.query(office_key(office), OfficeItem.sk.startswith("STOCK#"), consistent_read=True)
    return {i.sk.split("#", 1)[1]: {"balance": int(i.balance or 0), "threshold": int(i.threshold or 0)} for i in items}


def set_threshold(office: str, kind: str, threshold: int) -> None:
    OfficeItem(office_key(office), _stock_key(kind)).update(actions=[OfficeItem.threshold.set(threshold)])


def _holding_item(h: Holding, at: str, by: str) -> OfficeItem:
    return OfficeItem(office_key(h.office), _range_key(h.first), kind=h.kind, first=h.first, last=h.last, at=at, by=by)


def _add_holding(tx: TransactWrite, h: Holding, at: str, by: str) -> None:
    """A range joins an office's stock: its item (new) and the balance of its kind."""
    tx.save(_holding_item(h, at, by), condition=OfficeItem.pk.does_not_exist())
    tx.update(OfficeItem(office_key(h.office), _stock_key(h.kind)), actions=[OfficeItem.balance.add(h.count)])


def _take_from_balance(tx: TransactWrite, h: Holding, count: int) -> None:
    """``count`` blanks leave the balance of ``h``'s office and kind, never below zero."""
    tx.update(
        OfficeItem(office_key(h.office), _stock_key(h.kind)),
        actions=[OfficeItem.balance.add(-count)],
        condition=OfficeItem.balance >= count,
    )


_SERIES_HEAD = "~HEAD"  # sorts after every number: never read as a series by the two Queries below


def _series_overlaps(first: str, last: str) -> bool:
    """Whether [first, last] overlaps a range already taken into stock anywhere (two Queries:
    the series starting at or before ``first``, the first one starting after it)."""
    pk = f"SERIES#{len(first):02d}"
    before = OfficeItem.query(pk, OfficeItem.sk <= first, scan_index_forward=False, limit=1, consistent_read=True)
    if any((i.last or "") >= first for i in before):
        return True
    after = OfficeItem.query(pk, OfficeItem.sk > first, limit=1, consistent_read=True)
    return any(i.sk <= last for i in after)


def take_into_stock(h: Holding, *, at: str, by: str) -> None:
    """A printed range enters an office's stock (the county's 入库). ``StockConflict`` if it
    overlaps a range already in stock anywhere.

    Two concurrent intakes of overlapping ranges with different first numbers would both pass
    the overlap check; so every intake of one number length also moves the series' head
    (``count``, read before the check) on the condition that it is still as read: of two
    concurrent intakes one commits, the other is cancelled (nothing written) and answered
    ``StockConflict``. Intakes are rare (a county's print runs), so serialising them costs nothing."""
    pk = f"SERIES#{len(h.first):02d}"
    head = _get(pk, _SERIES_HEAD)
    seen = None if head is None else int(head.count or 0)
    if _series_overlaps(h.first, h.last):
        raise StockConflict("overlap")
    series = OfficeItem(pk, h.first, first=h.first, last=h.last, source=h.office, kind=h.kind, at=at, by=by)
    unchanged = OfficeItem.count.does_not_exist() if seen is None else OfficeItem.count == seen
    with _transaction("overlap") as tx:
        tx.update(OfficeItem(pk, _SERIES_HEAD), actions=[OfficeItem.count.set((seen or 0) + 1), OfficeItem.at.set(at)], condition=unchanged)
        tx.save(series, condition=OfficeItem.pk.does_not_exist())
        _add_holding(tx, h, at, by)


def distribute(held: Holding, part: Holding, *, shipment_id: str, at: str, by: str) -> None:
    """Move ``part`` (inside ``held``) out of ``held.office``'s stock into a pending shipment to
    ``part.office``. The holding must still be as read and the balance must cover the count."""
    source = office_key(held.office)
    shipment = OfficeItem(
        office_key(part.office), f"SHIPMENT#{shipment_id}", kind=part.kind, first=part.first, last=part.last,
        count=part.count, status=PENDING, source=held.office, at=at, by=by,
    )
    with _transaction("changed") as tx:
        range_item = OfficeItem(source, _range_key(held.first))
        if part.first > held.first:  # the lower rest keeps the holding's key: shortened
            tx.update(range_item, actions=[OfficeItem.last.set(_minus(part.first))], condition=OfficeItem.last == held.last)
        else:
            tx.delete(range_item, condition=OfficeItem.last == held.last)
        if part.last < held.last:
            upper = Holding(held.office, held.kind, _plus(part.last), held.last)
            tx.save(_holding_item(upper, at, by), condition=OfficeItem.pk.does_not_exist())
        _take_from_balance(tx, held, part.count)
        tx.save(shipment, condition=OfficeItem.pk.does_not_exist())


def _plus(number: str) -> str:
    return str(int(number) + 1).zfill(len(number))


def _minus(number: str) -> str:
    return str(int(number) - 1).zfill(len(number))


def shipments(office: str) -> list[OfficeItem]:
    return list(OfficeItem.query(office_key(office), OfficeItem.sk.startswith("SHIPMENT#"), consistent_read=True))


def shipment(office: str, shipment_id: str) -> OfficeItem | None:
    return _get(office_key(office), f"SHIPMENT#{shipment_id}")


def receive(item: OfficeItem, *, at: str, by: str) -> None:
    """A township acknowledges a shipment: the range joins its stock, its balance grows."""
    h = Holding(item.pk.split("#", 1)[1], item.kind or "", item.first or "", item.last or "")
    with _transaction("received") as tx:
        tx.update(
            OfficeItem(item.pk, item.sk),
            actions=[OfficeItem.status.set(RECEIVED), OfficeItem.reason.set(f"received {at} by {by}")],
            condition=OfficeItem.status == PENDING,
        )
        _add_holding(tx, h, at, by)


def consume_actions(tx: TransactWrite, h: Holding, number: str, *, use: str, case_id: str | None, reason: str | None, at: str, by: str) -> None:
    """Add to ``tx`` what consuming blank ``number`` of holding ``h`` writes: the holding still
    there, the number never used before, the balance at least one (and one less)."""
    tx.condition_check(OfficeItem, office_key(h.office), _range_key(h.first), condition=OfficeItem.last == h.last)
    blank = OfficeItem(f"BLANK#{number}", "USED", kind=h.kind, status=use, target=case_id or h.office, source=h.office, reason=reason, at=at, by=by)
    tx.save(blank, condition=OfficeItem.pk.does_not_exist())
    _take_from_balance(tx, h, 1)


def write_off(h: Holding, number: str, *, reason: str, at: str, by: str) -> None:
    with _transaction("used") as tx:
        consume_actions(tx, h, number, use="spoiled", case_id=None, reason=reason, at=at, by=by)


def used(number: str) -> OfficeItem | None:
    return _get(f"BLANK#{number}", "USED")


def _request_key(township: str, kind: str) -> str:
    return f"REQUEST#{township}#{kind}"


def open_request(county: str, township: str, kind: str, count: int, note: str | None, *, at: str, by: str) -> bool:
    """A township's 申请调配 to its county; False if one of this kind is still open."""
    item = OfficeItem(
        office_key(county), _request_key(township, kind), kind=kind, count=count, status=OPEN, source=township,
        reason=note, at=at, by=by,
    )
    return applied(lambda: item.save(condition=OfficeItem.pk.does_not_exist() | (OfficeItem.status == FULFILLED)))


def requests(county: str, township: str | None = None) -> list[OfficeItem]:
    prefix = f"REQUEST#{township}#" if township else "REQUEST#"
    return list(OfficeItem.query(office_key(county), OfficeItem.sk.startswith(prefix), consistent_read=True))


def fulfil_request(county: str, township: str, kind: str, *, at: str, by: str) -> bool:
    """Mark the township's open request of this kind fulfilled; False if none is open."""
    item = OfficeItem(office_key(county), _request_key(township, kind))
    return applied(
        lambda: item.update(
            actions=[OfficeItem.status.set(FULFILLED), OfficeItem.by.set(by), OfficeItem.at.set(at)],
            condition=OfficeItem.status == OPEN,
        )
    )

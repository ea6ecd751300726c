"""Appointments (三孩预约, 000 §2.1): items of the Offices table (``store/offices.py``), told apart by the key.

Why the Offices table and not a table of their own: the capacity they are booked against is
already there (the office's ``INFO``), the API already holds the grant, and the three access
patterns are key reads -- no index, no scan:

- ``APPOINTMENT#<number>`` / ``INFO``: the appointment (office, day, slot, status, linked case)
  with the couple's names, ID numbers and phone sealed in ``data`` (the service seals them);
- ``OFFICE#<code>`` / ``SLOT#<day>#<start>``: the places taken in one slot (``count``);
- ``OFFICE#<code>`` / ``APPT#<day>#<start>#<number>``: the office's list of a day (one Query);
- ``WOMAN#<keyed hash of her ID number>`` / ``APPOINTMENT``: her one active appointment.

Booking writes all four in one transaction: the slot's count grows only while below its places,
the woman's marker only if she has none, so N+k concurrent bookings of an N-place slot give
exactly N appointments and a failed booking writes nothing.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib.store.conditions import conflicted, transacted
from chalicelib.store.connection import shared
from chalicelib.store.offices import OfficeItem, office_key

# The repository interface (store/repositories.py); the fake in store/memory.py implements exactly these.
OPERATIONS = ("book", "get", "day", "taken", "move")

INFO = "INFO"
CONFLICT_TRIES = 5
WOMAN_SK = "APPOINTMENT"
Addition = Callable[[Any], None]


class SlotTaken(Exception):
    """The slot has no place left (nothing was written)."""


class WomanHasActive(Exception):
    """The woman already holds an active appointment (nothing was written)."""


class SlotBusy(Exception):
    """Concurrent transactions kept conflicting on the slot (nothing was written): try again."""


class NumberTaken(Exception):
    """The appointment number exists already (draw another)."""


@dataclass(frozen=True)
class Appointment:
    number: str
    office: str
    day: str  # ISO date
    start: str
    end: str
    status: str
    woman_key: str  # keyed hash of the woman's ID number: her active-appointment marker
    sealed: str  # JSON of the sealed personal fields (services seal and open them)
    at: str
    by: str
    case_id: str | None = None


def appointment_key(number: str) -> str:
    return f"APPOINTMENT#{number}"


def woman_pk(woman_key: str) -> str:
    return f"WOMAN#{woman_key}"


def _slot_sk(day: str, start: str) -> str:
    return f"SLOT#{day}#{start}"


def _day_sk(day: str, start: str, number: str) -> str:
    return f"APPT#{day}#{start}#{number}"


def _record(item: OfficeItem) -> Appointment:
    number = item.pk.split("#", 1)[1]
    day, start, end, woman_key = (item.kind or "").split("|")
    return Appointment(
        number, item.source or "", day, start, end, item.status or "", woman_key, item.data or "{}", item.at or "", item.by or "",
        item.target,
    )


def _item(a: Appointment) -> OfficeItem:
    return OfficeItem(
        appointment_key(a.number), INFO, source=a.office, kind=f"{a.day}|{a.start}|{a.end}|{a.woman_key}", status=a.status,
        data=a.sealed, at=a.at, by=a.by, target=a.case_id,
    )


def book(appointment: Appointment, *, places: int, also: tuple[Addition, ...] = ()) -> None:
    """Store a new active appointment: ``SlotTaken`` if its slot already has ``places`` taken,
    ``WomanHasActive`` if the woman holds one, ``NumberTaken`` if the number exists. ``also``:
    further writes of the same transaction (the confirmation SMS in the outbox)."""
    a = appointment
    office = office_key(a.office)

    def write() -> None:
        with TransactWrite(connection=shared()) as tx:
            tx.update(
                OfficeItem(office, _slot_sk(a.day, a.start)),
                actions=[OfficeItem.count.add(1)],
                condition=OfficeItem.count.does_not_exist() | (OfficeItem.count < places),
            )
            tx.save(OfficeItem(woman_pk(a.woman_key), WOMAN_SK, target=a.number), condition=OfficeItem.pk.does_not_exist())
            tx.save(_item(a), condition=OfficeItem.pk.does_not_exist())
            tx.save(OfficeItem(office, _day_sk(a.day, a.start, a.number), target=a.number), condition=OfficeItem.pk.does_not_exist())
            for add in also:
                add(tx)

    failed = _retried(write)
    if failed is None:
        return
    # PynamoDB sends condition checks, deletes, puts, then updates: the woman's marker is the first
    # item, the appointment the second, the slot's count (the only update) the last.
    if failed[-1]:
        raise SlotTaken(a.day, a.start)
    if failed[0]:
        raise WomanHasActive()
    raise NumberTaken(a.number)


def get(number: str) -> Appointment | None:
    try:
        return _record(OfficeItem.get(appointment_key(number), INFO, consistent_read=True))
    except DoesNotExist:
        return None


def day(office: str, day: str) -> list[Appointment]:
    """The office's appointments of ``day``, by slot then number (one Query, one BatchGet)."""
    entries = OfficeItem.query(office_key(office), OfficeItem.sk.startswith(f"APPT#{day}#"), consistent_read=True)
    numbers = [e.target for e in entries if e.target]
    found = {a.number: a for a in map(_record, OfficeItem.batch_get([(appointment_key(n), INFO) for n in numbers]))} if numbers else {}
    return [found[n] for n in numbers if n in found]


def taken(office: str, first_day: str, last_day: str) -> dict[tuple[str, str], int]:
    """Places taken per ``(day, start)`` between two days (one Query)."""
    items = OfficeItem.query(office_key(office), OfficeItem.sk.between(f"SLOT#{first_day}#", f"SLOT#{last_day}#~"), consistent_read=True)
    out = {}
    for item in items:
        _, d, start = item.sk.split("#", 2)
        out[(d, start)] = int(item.count or 0)
    return out


def move(appointment: Appointment, *, from_statuses: tuple[str, ...], to: str, at: str, by: str, case_id: str | None = None,
         release: bool, free_place: bool, also: tuple[Addition, ...] = ()) -> bool:
    """Change the status (only from ``from_statuses``: False if it is no longer in one, nothing
    changed). ``release``: the woman may book again; ``free_place``: the slot's place returns;
    ``case_id``: the on-site case it became. ``also``: further writes (an SMS)."""
    a = appointment
    actions = [OfficeItem.status.set(to), OfficeItem.at.set(at), OfficeItem.by.set(by)]
    if case_id:
        actions.append(OfficeItem.target.set(case_id))

    def write() -> None:
        with TransactWrite(connection=shared()) as tx:
            tx.update(OfficeItem(appointment_key(a.number), INFO), actions=actions, condition=OfficeItem.status.is_in(*from_statuses))
            if release:
                tx.delete(OfficeItem(woman_pk(a.woman_key), WOMAN_SK), condition=OfficeItem.target == a.number)
            if free_place:
                tx.update(OfficeItem(office_key(a.office), _slot_sk(a.day, a.start)), actions=[OfficeItem.count.add(-1)], condition=OfficeItem.count > 0)
            for add in also:
                add(tx)

    return _retried(write) is None


def _retried(write: Callable[[], None]) -> list[bool] | None:
    """``transacted(write)``, run again (after a short random pause) while DynamoDB cancels it
    for a conflict with a concurrent transaction on the same slot: bookings of a popular slot
    arrive together. ``SlotBusy`` if it still conflicts."""
    for attempt in range(CONFLICT_TRIES):
        try:
            return transacted(write)
        except Exception as exc:
            if not conflicted(exc):
                raise
            time.sleep((20 + secrets.randbelow(30)) / 1000 * (attempt + 1))
    raise SlotBusy()

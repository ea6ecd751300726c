"""In-memory fakes of the store's repositories, for service unit tests and benchmarks.

Each class implements one store module's ``OPERATIONS`` with the same signatures, the same
record types (the PynamoDB models, used as plain objects: nothing here talks to DynamoDB), the
same errors and the same behaviour under conditions: a conditional write that does not hold
changes nothing, versions are checked and moved as ``VersionAttribute`` does, a transaction
is all or nothing, index reads return what the index projects, expiry is compared with
``config.now()`` as the store does. ``tests/unit/store/test_repository_contract.py`` runs the
same cases against these and against the DynamoDB store on moto, so the two cannot drift.

Why here and not under tests/: the fakes change together with the store functions they mirror
(one diff, one review), and the benchmarks import them as the tests do. No runtime code imports
this module (``in_memory`` does, only when a test or benchmark asks for it).

Items are kept as DynamoDB attribute values (``serialize``: what PynamoDB sends, binary values as
bytes) and handed out as fresh model objects: a caller's object never aliases the stored item,
as with a real table.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from chalicelib import config
from chalicelib.store import appointments as appointment_store
from chalicelib.store import audit as audit_store
from chalicelib.store import cases as case_store
from chalicelib.store import certificates as certificate_store
from chalicelib.store import codes as code_store
from chalicelib.store import idempotency as idempotency_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import tasks as task_store
from chalicelib.store.repositories import NAMES, installed


class TransactionCancelled(Exception):
    """A transaction whose other write's condition failed (DynamoDB: TransactionCanceledException)."""


class Transaction:
    """The fake of ``TransactWrite``: each write is a condition and a change; the changes are
    applied only if every condition holds."""

    def __init__(self) -> None:
        self.writes: list[tuple[Callable[[], bool], Callable[[], None]]] = []

    def write(self, condition: Callable[[], bool], change: Callable[[], None]) -> None:
        self.writes.append((condition, change))

    def commit(self) -> list[bool] | None:
        """None if committed, else one flag per write: its condition failed."""
        failed = [not condition() for condition, _ in self.writes]
        if any(failed):
            return failed
        for _, change in self.writes:
            change()
        return None


class _Table:
    """Items of one table by key, as DynamoDB JSON."""

    def __init__(self, model: type) -> None:
        self.model = model
        self.items: dict[Any, dict[str, Any]] = {}

    def load(self, key: Any) -> Any:
        raw = self.items.get(key)
        return None if raw is None else self.model.from_raw_data(copy.deepcopy(raw))

    def store(self, key: Any, obj: Any) -> None:
        self.items[key] = obj.serialize(null_check=False)

    def all(self) -> list[Any]:
        return [self.load(k) for k in self.items]

    def update_if(self, key: Any, condition: Callable[[Any], bool], change: Callable[[Any], None]) -> Any:
        """A conditional UpdateItem: the item as written, or None (nothing changed) if it is
        missing or ``condition`` does not hold."""
        stored = self.load(key)
        if stored is None or not condition(stored):
            return None
        change(stored)
        self.store(key, stored)
        return stored


def _refresh(target: Any, source: Any) -> None:
    """What PynamoDB's ``update`` does to the caller's object: every attribute as written (ALL_NEW)."""
    for name in type(source).get_attributes():
        setattr(target, name, getattr(source, name))


def _now() -> int:
    return int(config.now().timestamp())


# ---------------------------------------------------------------------------------------- cases
class MemoryCases:
    def __init__(self) -> None:
        self.table = _Table(case_store.Case)

    @property
    def items(self) -> dict[str, dict[str, Any]]:
        return self.table.items

    def create(self, case: case_store.Case, *, also: tuple = ()) -> None:
        def change() -> None:
            stored = case_store.Case.from_raw_data(case.serialize(null_check=False))
            stored.version = (case.version or 0) + 1
            self.table.store(case.case_id, stored)

        self._transact(case, lambda: case.case_id not in self.table.items and case.version is None, change, also, case_store.CaseExists)
        case.version = (case.version or 0) + 1

    @staticmethod
    def _transact(case: case_store.Case, holds: Callable[[], bool], apply: Callable[[], None], also: tuple, refused: type[Exception]) -> None:
        """The case's write and ``also`` in one transaction: ``refused`` if the case's condition
        failed, ``TransactionCancelled`` if another write's did (as store/cases.py)."""
        tx = Transaction()
        tx.write(holds, apply)
        for add in also:
            add(tx)
        failed = tx.commit()
        if failed is not None:
            if failed[0]:
                raise refused(case.case_id)
            raise case_store.TransactionCancelled(case_id=case.case_id, failed=failed)

    def get(self, case_id: str) -> case_store.Case:
        case = self.table.load(case_id)
        if case is None:
            raise case_store.CaseNotFound(case_id)
        return case

    def _sorted(self, attr: str, value: str, *, newest_first: bool = False) -> list[case_store.Case]:
        found = [c for c in self.table.all() if getattr(c, attr, None) == value]
        return sorted(found, key=lambda c: (c.created_at, c.case_id), reverse=newest_first)

    def by_couple(self, couple_key: str) -> Iterator[case_store.Case]:
        # CoupleIndex projects the keys, status and child_order only
        for c in self._sorted("couple_key", couple_key):
            yield case_store.Case(c.case_id, couple_key=c.couple_key, created_at=c.created_at, status=c.status, child_order=c.child_order)

    def by_phone(self, phone_key: str, *, limit: int) -> list[case_store.Case]:
        return self._sorted("phone_key", phone_key, newest_first=True)[:limit]

    def by_query_key(self, query_key: str, *, limit: int) -> list[tuple[str, str]]:
        return [(c.case_id, c.query_code_hash) for c in self.table.all() if c.query_key == query_key][:limit]

    def by_person(self, person_key: str, *, limit: int) -> list[str]:
        found = [c for c in self.table.all() if person_key in (c.woman_key, c.man_key)]
        return [c.case_id for c in sorted(found, key=lambda c: (c.created_at, c.case_id), reverse=True)][:limit]

    def scan_person_keys(self) -> Iterator[tuple[str, str, str | None, str | None]]:
        for c in self.table.all():
            yield c.case_id, c.form_json or "{}", c.woman_key, c.man_key

    def set_person_keys(self, case_id: str, *, woman_key: str, man_key: str) -> bool:
        def change(c: case_store.Case) -> None:
            c.woman_key, c.man_key = woman_key, man_key

        return self._attach(case_id, lambda c: (c.woman_key, c.man_key) != (woman_key, man_key), change)

    def load(self, case_ids: list[str]) -> list[case_store.Case]:
        return [c for c in (self.table.load(i) for i in dict.fromkeys(case_ids)) if c is not None]

    def _write(self, case: case_store.Case, change: Callable[[case_store.Case], None], condition: Callable[[case_store.Case], bool], also: tuple) -> case_store.Case:
        """An update with optimistic locking: on the stored item if its version is the caller's."""
        stored = self.table.load(case.case_id)

        def holds() -> bool:
            return stored is not None and stored.version == case.version and condition(stored)

        def apply() -> None:
            change(stored)
            stored.version = int(stored.version) + 1
            self.table.store(case.case_id, stored)

        self._transact(case, holds, apply, also, case_store.ConcurrentChange)
        if also:  # a transaction returns no attributes: the caller's object keeps what it had
            case.version = int(case.version) + 1
        else:
            _refresh(case, stored)
        return case

    @staticmethod
    def _move(case: case_store.Case, status: str, at: str, by: str, note: str | None) -> None:
        case.status = status
        case.updated_at = at
        case.history = [*(case.history or []), case_store.HistoryEntry(status=status, at=at, by=by, note=note)]

    def transition(self, case: case_store.Case, status: str, *, at: str, by: str, note: str | None = None, **changes: Any) -> case_store.Case:
        def change(stored: case_store.Case) -> None:
            self._move(stored, status, at, by, note)
            for name, value in changes.items():
                setattr(stored, name, value)

        return self._write(case, change, lambda stored: True, ())

    def modify(
        self,
        case: case_store.Case,
        *,
        form_json: str,
        evaluation_json: str,
        couple_key: str,
        child_order: int,
        office_code: str,
        status: str,
        at: str,
        note: str,
        rerun: bool,
        once: bool = False,
        also: tuple = (),
        person_keys: tuple[str, str] | None = None,
    ) -> case_store.Case:
        count = int(case.modifications or 0) + 1
        read_status = case.status

        def change(stored: case_store.Case) -> None:
            self._move(stored, status, at, "citizen", note)
            stored.form_json, stored.evaluation_json, stored.couple_key = form_json, evaluation_json, couple_key
            stored.child_order, stored.office_code, stored.modifications = child_order, office_code, count
            if rerun:
                stored.check_json = None
            if person_keys is not None:
                stored.woman_key, stored.man_key = person_keys

        def condition(stored: case_store.Case) -> bool:
            return not stored.modifications if once else stored.status == read_status

        return self._write(case, change, condition, also)

    def _attach(self, case_id: str, condition: Callable[[case_store.Case], bool], change: Callable[[case_store.Case], None]) -> bool:
        """A write beside the workflow: the version does not move (CaseAttachments)."""
        return self.table.update_if(case_id, condition, change) is not None

    def append_upload(self, case_id: str, entry: dict[str, Any], *, open_statuses: frozenset[str], max_uploads: int) -> bool:
        return self._attach(
            case_id,
            lambda c: c.status in open_statuses and len(c.uploads or []) < max_uploads,
            lambda c: setattr(c, "uploads", [*(c.uploads or []), entry]),
        )

    def decide_upload(self, case_id: str, index: int, entry: dict[str, Any], *, pending: str) -> bool:
        def holds(c: case_store.Case) -> bool:
            uploads = c.uploads or []
            return index < len(uploads) and uploads[index]["upload_id"] == entry["upload_id"] and uploads[index]["status"] == pending

        def change(c: case_store.Case) -> None:
            c.uploads[index] = entry

        return self._attach(case_id, holds, change)

    def record_rating(self, case_id: str, rating: dict[str, Any], *, completed_statuses: frozenset[str]) -> bool:
        return self._attach(
            case_id,
            lambda c: c.rating is None and c.status in completed_statuses,
            lambda c: setattr(c, "rating", rating),
        )


# ---------------------------------------------------------------------------------------- tasks
class MemoryTasks:
    def __init__(self) -> None:
        self.table = _Table(task_store.Task)

    def put(self, task: task_store.Task) -> None:
        if task.task_id in self.table.items:
            raise task_store.TaskExists(task.task_id)
        self.table.store(task.task_id, task_store.with_queue_keys(task))

    def put_or_refresh(self, task: task_store.Task) -> None:
        try:
            self.put(task)
        except task_store.TaskExists:
            if not self._update(task.task_id, lambda t: t.is_open, lambda t: setattr(t, "task_token", task.task_token)):
                raise task_store.AlreadyClosed(task.task_id) from None

    def replace_closed(self, task: task_store.Task) -> None:
        existing = self.table.load(task.task_id)
        if existing is None or not existing.is_open:
            self.table.store(task.task_id, task)
            return

        def change(t: task_store.Task) -> None:
            t.task_token, t.documents, t.due_at = task.task_token, task.documents, task.due_at

        if not self._update(task.task_id, lambda t: t.is_open, change):
            raise task_store.AlreadyClosed(task.task_id)

    def _update(self, task_id: str, condition: Callable[[task_store.Task], bool], change: Callable[[task_store.Task], None]) -> task_store.Task | None:
        return self.table.update_if(task_id, condition, change)

    def get(self, task_id: str) -> task_store.Task:
        task = self.table.load(task_id)
        if task is None:
            raise task_store.TaskNotFound(task_id)
        return task

    def find(self, task_id: str) -> task_store.Task | None:
        return self.table.load(task_id)

    def close(self, task: task_store.Task, status: str, *, at: str, **changes: Any) -> None:
        def change(t: task_store.Task) -> None:
            t.status, t.office_code, t.closed_at = status, None, at
            if t.queue_office:
                t.queue_sort = task_store.queue_sort(status, t.stage, t.due_at)
            for name, value in changes.items():
                setattr(t, name, value)

        stored = self._update(task.task_id, lambda t: t.is_open, change)
        if stored is None:
            raise task_store.AlreadyClosed(task.task_id)
        _refresh(task, stored)

    def record_decision(
        self, task: task_store.Task, *, decision: str, reason: str | None, by: str, at: str, outcome: dict[str, Any] | None = None
    ) -> None:
        outcome_json = json.dumps(outcome, ensure_ascii=False) if outcome is not None else None
        self.close(task, task_store.DECIDED, at=at, decision=decision, reason=reason, decided_by=by, decided_at=at, outcome_json=outcome_json)

    def _queued(self, office_code: str) -> list[task_store.Task]:
        # the sparse OfficeDueIndex: office_code is present only on an open review task
        return sorted((t for t in self.table.all() if t.office_code == office_code), key=lambda t: (t.due_at, t.task_id))

    def queue(
        self,
        office_code: str,
        *,
        limit: int = 20,
        cursor: str | None = None,
        overdue: bool | None = None,
        now_iso: str = "",
        status: str = task_store.OPEN,
        stage: str | None = None,
    ) -> tuple[list[task_store.Task], str | None]:
        if status == task_store.OPEN and stage is None:
            keys, prefix = ("task_id", "office_code", "due_at"), ""
            tasks = self._queued(office_code)
            if overdue is not None:  # the index's sort-key condition
                tasks = [t for t in tasks if (t.due_at < now_iso) == overdue]
        else:
            keys = ("task_id", "queue_office", "queue_sort")
            prefix, low, high = task_store.status_condition(status, stage, overdue, now_iso)
            tasks = sorted(
                (t for t in self.table.all() if t.queue_office == office_code and t.queue_sort and t.queue_sort.startswith(prefix)),
                key=lambda t: (t.queue_sort, t.task_id),
            )
            if overdue is not None:  # BETWEEN low AND high, both inclusive
                tasks = [t for t in tasks if low <= t.queue_sort <= high]
        start = task_store.decode_cursor(cursor, office_code, keys=keys, prefix=prefix)
        if start is not None:
            after = (start[keys[2]]["S"], start["task_id"]["S"])
            tasks = [t for t in tasks if (getattr(t, keys[2]), t.task_id) > after]
        page = tasks[:limit]
        # DynamoDB answers a LastEvaluatedKey whenever a Query stops at its Limit
        last = page[-1] if len(page) == limit else None
        key = None if last is None else {n: {"S": getattr(last, n)} for n in keys}
        return page, task_store.encode_cursor(key)

    def count_overdue(self, office_code: str, now_iso: str) -> int:
        return sum(1 for t in self._queued(office_code) if t.due_at < now_iso)


# --------------------------------------------------------------------------------- certificates
class MemoryCertificates:
    def __init__(self) -> None:
        self.table = _Table(certificate_store.CertificateRecord)

    def _record(self, key: str, **values: Any) -> certificate_store.CertificateRecord:
        return certificate_store.CertificateRecord(key, **values)

    def next_registration_number(self, office_code: str, year: int) -> str:
        county = office_code[:6]
        key = f"SEQ#{county}#{year}"
        counter = self.table.load(key) or self._record(key, seq=0)
        counter.seq = int(counter.seq or 0) + 1
        self.table.store(key, counter)
        return f"{county}{year}{int(counter.seq):06d}"

    def get(self, number: str) -> certificate_store.CertificateRecord | None:
        if not number.isdigit():
            return None
        record = self.table.load(number)
        return record if record is not None and record.is_certificate else None

    def issuance(self, case_id: str, version: int) -> certificate_store.CertificateRecord | None:
        pointer = self.table.load(certificate_store.issue_key(case_id, version))
        return self.get(pointer.target) if pointer is not None and pointer.target else None

    def issued_for_case(self, case_id: str, up_to_version: int) -> list[certificate_store.CertificateRecord]:
        found = [self.issuance(case_id, v) for v in range(1, up_to_version + 1)]
        return [r for r in found if r is not None]

    def _both_new(self, *items: certificate_store.CertificateRecord) -> bool:
        tx = Transaction()
        for item in items:
            tx.write(lambda item=item: item.registration_number not in self.table.items, lambda item=item: self.table.store(item.registration_number, item))
        return tx.commit() is None

    def create_issued(self, record: certificate_store.CertificateRecord) -> certificate_store.CertificateRecord:
        key = certificate_store.issue_key(record.case_id, int(record.version))
        pointer = self._record(key, target=record.registration_number, version=record.version)
        if self._both_new(record, pointer):
            return record
        existing = self.issuance(record.case_id, int(record.version))
        if existing is None:
            raise TransactionCancelled(record.registration_number)
        return existing

    def _update(self, record: certificate_store.CertificateRecord, condition: Callable[[Any], bool], change: Callable[[Any], None]) -> bool:
        stored = self.table.update_if(record.registration_number, condition, change)
        if stored is None:
            return False
        _refresh(record, stored)
        return True

    def revoke(self, record: certificate_store.CertificateRecord, *, at: str, by: str, reason: str) -> bool:
        def change(r: Any) -> None:
            r.status, r.revoked_at, r.revoked_by, r.revoked_reason = certificate_store.REVOKED, at, by, reason
            r.revocation_list, r.revoked_key = certificate_store.REVOCATION_LIST, f"{at}#{r.registration_number}"

        return self._update(record, lambda r: r.status == certificate_store.VALID, change)

    def revocations(self, since: str | None = None) -> Iterator[certificate_store.CertificateRecord]:
        revoked = [r for r in self.table.all() if r.revocation_list == certificate_store.REVOCATION_LIST]
        return iter(sorted((r for r in revoked if since is None or r.revoked_key >= since), key=lambda r: r.revoked_key))

    def record_birth(self, record: certificate_store.CertificateRecord, *, birth_date: str, sex: str, at: str, by: str, office: str) -> bool:
        def change(r: Any) -> None:
            r.birth_date, r.child_sex = birth_date, sex
            r.birth_recorded_at, r.birth_recorded_by, r.birth_recorded_office = at, by, office

        return self._update(record, lambda r: r.status == certificate_store.VALID and r.birth_date is None, change)

    def paper_certificate(self, case_id: str) -> certificate_store.CertificateRecord | None:
        return self.table.load(f"PAPER#{case_id}")

    def record_paper(
        self, case_id: str, *, paper_number: str, issued_on: str, office_code: str, at: str, by: str, blank=None
    ) -> certificate_store.CertificateRecord:
        if blank is not None:  # the offices' paper stock has no fake: its transactions are tested on moto (e2e)
            raise NotImplementedError("paper-certificate stock (store/offices.py) is not kept in memory")
        item = self._record(
            f"PAPER#{case_id}",
            target=case_id,
            paper_number=paper_number,
            paper_issued_on=issued_on,
            paper_office_code=office_code,
            recorded_at=at,
            recorded_by=by,
        )
        serial = self._record(f"PAPERNO#{paper_number}", target=case_id, recorded_at=at, recorded_by=by)
        if not self._both_new(item, serial):
            raise certificate_store.AlreadyRecorded(case_id)
        return item


# ---------------------------------------------------------------------------------------- codes
class MemoryCodes:
    def __init__(self) -> None:
        self.table = _Table(code_store.CodeItem)

    def take(self, limits: list[code_store.Limit | code_store.Sends]) -> None:
        now = _now()
        for lim in limits:  # all or nothing: check every limit first
            item = self.table.load(lim.pk)
            if isinstance(lim, code_store.Sends):
                refusal = lim.refusal(item, now)
                if refusal is not None:
                    raise refusal
                continue
            if item is None:
                continue
            if (lim.kind == "interval" and int(item.expires_at) > now) or (lim.kind == "window" and int(item.count or 0) >= lim.limit):
                retry = lim.resets_at - now if lim.kind == "window" else int(item.expires_at) - now
                raise code_store.LimitExceeded(lim.name, max(1, retry))
        for lim in limits:
            item = self.table.load(lim.pk) or code_store.CodeItem(lim.pk, expires_at=0)
            if isinstance(lim, code_store.Sends):
                same_day = item.day == lim.day
                item.count = int(item.count or 0) + 1 if same_day else 1
                item.day, item.next_at = lim.day, now + lim.gap
                item.expires_at = max(lim.day_ends_at, now + lim.gap)
                item.free = 1 if lim.free else (item.free if same_day else None)
            elif lim.kind == "interval":
                item.expires_at = now + lim.seconds
            else:
                item.count, item.expires_at = int(item.count or 0) + 1, lim.resets_at
            self.table.store(lim.pk, item)

    def give_back(self, lim: code_store.Limit) -> None:
        item = self.table.load(lim.pk)
        if item is not None and int(item.count or 0) > 0:
            item.count = int(item.count) - 1
            self.table.store(lim.pk, item)

    def count(self, pk: str) -> int:
        item = self.table.load(pk)
        return int(item.count or 0) if item is not None else 0

    def claim(self, pk: str, *, seconds: int) -> bool:
        now = _now()
        item = self.table.load(pk)
        if item is not None and int(item.expires_at) >= now:
            return False
        self.table.store(pk, code_store.CodeItem(pk, expires_at=now + seconds))
        return True

    def put_secret(self, pk: str, secret_hash: str, *, ttl_seconds: int) -> None:
        self.table.store(pk, code_store.CodeItem(pk, expires_at=_now() + ttl_seconds, secret_hash=secret_hash, attempts=0, used=False))

    def _why_unusable(self, item: Any, max_attempts: int | None, now: int) -> code_store.SecretRejected:
        if item.used:
            return code_store.SecretRejected("used")
        if max_attempts is not None and int(item.attempts or 0) >= max_attempts:
            return code_store.SecretRejected("locked")
        if int(item.expires_at) <= now:
            return code_store.SecretRejected("expired")
        return code_store.SecretRejected("mismatch")

    def use_secret(self, pk: str, secret_hash: str, *, max_attempts: int) -> None:
        import hmac

        now = _now()
        item = self.table.load(pk)
        if item is None:
            raise code_store.SecretRejected("missing")
        if item.used is not False or int(item.expires_at) <= now or int(item.attempts or 0) >= max_attempts:
            raise self._why_unusable(item, max_attempts, now)
        if hmac.compare_digest(item.secret_hash or "", secret_hash):
            item.used = True
            self.table.store(pk, item)
            return
        item.attempts = int(item.attempts or 0) + 1
        self.table.store(pk, item)
        left = max_attempts - int(item.attempts)
        raise code_store.SecretRejected("locked" if left <= 0 else "mismatch", attempts_left=max(left, 0))

    def consume_secret(self, pk: str, secret_hash: str) -> None:
        import hmac

        now = _now()
        item = self.table.load(pk)
        if item is None:
            raise code_store.SecretRejected("missing")
        if item.used is not False or int(item.expires_at) <= now:
            raise self._why_unusable(item, None, now)
        item.used = True
        self.table.store(pk, item)
        if not hmac.compare_digest(item.secret_hash or "", secret_hash):
            raise code_store.SecretRejected("mismatch")

    def release(self, pk: str) -> None:
        self.table.items.pop(pk, None)


# ---------------------------------------------------------------------------------- idempotency
class MemoryIdempotency:
    def __init__(self) -> None:
        self.table = _Table(idempotency_store.IdempotencyRecord)

    def claim(self, record_id: str, *, body_hash: str, nonce: str, now: int, ttl: int, lock_seconds: int) -> None:
        existing = self.table.load(record_id)
        if existing is not None:
            stale = int(existing.expiration) <= now or (
                existing.status == idempotency_store.IN_PROGRESS and int(existing.in_progress_expiry or 0) <= now
            )
            if not stale:
                raise idempotency_store.AlreadyClaimed(record_id)
        record = idempotency_store.IdempotencyRecord(
            record_id,
            status=idempotency_store.IN_PROGRESS,
            body_hash=body_hash,
            nonce=nonce,
            expiration=now + ttl,
            in_progress_expiry=now + lock_seconds,
        )
        self.table.store(record_id, record)

    def get(self, record_id: str) -> idempotency_store.IdempotencyRecord | None:
        return self.table.load(record_id)

    def _ours(self, record_id: str, nonce: str) -> bool:
        record = self.table.load(record_id)
        return record is not None and record.status == idempotency_store.IN_PROGRESS and record.nonce == nonce

    def _complete(self, record_id: str, status_code: int, response: str) -> None:
        record = self.table.load(record_id)
        record.status, record.status_code, record.response, record.in_progress_expiry = idempotency_store.COMPLETED, status_code, response, None
        self.table.store(record_id, record)

    def complete(self, record_id: str, *, nonce: str, status_code: int, response: str) -> bool:
        if not self._ours(record_id, nonce):
            return False
        self._complete(record_id, status_code, response)
        return True

    def complete_operation(self, record_id: str, *, nonce: str, status_code: int, response: str) -> Callable[[Transaction], None]:
        def add(transaction: Transaction) -> None:
            transaction.write(lambda: self._ours(record_id, nonce), lambda: self._complete(record_id, status_code, response))

        return add

    def release(self, record_id: str, *, nonce: str) -> None:
        if self._ours(record_id, nonce):
            del self.table.items[record_id]


# --------------------------------------------------------------------------------------- outbox
class MemoryOutbox:
    def __init__(self) -> None:
        self.table = _Table(outbox_store.OutboxMessage)

    def messages(self) -> list[outbox_store.OutboxMessage]:
        return self.table.all()

    def put_operation(self, message: outbox_store.OutboxMessage) -> Callable[[Transaction], None]:
        def add(transaction: Transaction) -> None:
            transaction.write(lambda: message.event_id not in self.table.items, lambda: self.table.store(message.event_id, message))

        return add

    def put_new(self, message: outbox_store.OutboxMessage) -> bool:
        if message.event_id in self.table.items:
            return False
        self.table.store(message.event_id, message)
        return True

    def get(self, event_id: str) -> outbox_store.OutboxMessage | None:
        return self.table.load(event_id)

    def _queue(self, queue: str) -> list[outbox_store.OutboxMessage]:
        return sorted((m for m in self.table.all() if m.queue == queue), key=lambda m: (m.due_at, m.event_id))

    def due(self, now_iso: str, limit: int) -> Iterator[outbox_store.OutboxMessage]:
        return iter([m for m in self._queue(outbox_store.PENDING) if m.due_at <= now_iso][:limit])

    def dead(self, limit: int = 1000) -> Iterator[outbox_store.OutboxMessage]:
        return iter(self._queue(outbox_store.DEAD)[:limit])

    def _update(self, event_id: str, change: Callable[[Any], None]) -> outbox_store.OutboxMessage:
        """An unconditional update (creates the item if missing, as UpdateItem does)."""
        message = self.table.load(event_id) or outbox_store.OutboxMessage(event_id)
        change(message)
        self.table.store(event_id, message)
        return message

    def lease(self, event_id: str, *, now: int, seconds: int) -> outbox_store.OutboxMessage | None:
        message = self.table.load(event_id)
        if message is None or message.queue != outbox_store.PENDING or (message.lease_until is not None and message.lease_until >= now):
            return None
        return self._update(event_id, lambda m: setattr(m, "lease_until", now + seconds))

    def _pending(self, event_id: str) -> bool:
        stored = self.table.load(event_id)
        return stored is not None and stored.queue == outbox_store.PENDING

    def mark_delivered(self, message: outbox_store.OutboxMessage, *, at: str, keep_seconds: int, now: int) -> bool:
        if not self._pending(message.event_id):
            return False

        def change(m: Any) -> None:
            m.delivered_at, m.attempts, m.expires_at = at, int(m.attempts or 0) + 1, now + keep_seconds
            m.queue = m.due_at = m.payload = m.lease_until = None

        _refresh(message, self._update(message.event_id, change))
        return True

    def mark_failed(self, message: outbox_store.OutboxMessage, *, error: str, retry_at: str | None, at: str) -> bool:
        if not self._pending(message.event_id):
            return False

        def change(m: Any) -> None:
            m.attempts, m.last_error, m.lease_until = int(m.attempts or 0) + 1, error[:500], None
            if retry_at is None:
                m.queue, m.due_at, m.dead_at, m.alerted = outbox_store.DEAD, at, at, False
            else:
                m.due_at = retry_at

        _refresh(message, self._update(message.event_id, change))
        return True

    def mark_alerted(self, message: outbox_store.OutboxMessage) -> None:
        _refresh(message, self._update(message.event_id, lambda m: setattr(m, "alerted", True)))

    def requeue(self, event_id: str, *, at: str) -> bool:
        message = self.table.load(event_id)
        if message is None or message.queue != outbox_store.DEAD:
            return False

        def change(m: Any) -> None:
            m.queue, m.due_at, m.attempts, m.dead_at, m.lease_until = outbox_store.PENDING, at, 0, None, None

        self._update(event_id, change)
        return True


# ---------------------------------------------------------------------------------------- audit
class MemoryAudit:
    def __init__(self) -> None:
        self.entries: list[audit_store.AuditEntry] = []

    def append(
        self, subject: str, *, actor: str, action: str, before: Any = None, after: Any = None, detail: Any = None, at: str | None = None
    ) -> audit_store.AuditEntry:
        at, at_id = audit_store.new_key(at)
        dump = audit_store.dump_json
        entry = audit_store.AuditEntry(
            subject, at_id, actor=actor, action=action, at=at, before=dump(before), after=dump(after), detail=dump(detail)
        )
        self.entries.append(entry)
        return entry

    def _sorted(self, entries: Iterable[audit_store.AuditEntry], newest_first: bool, limit: int) -> Iterator[audit_store.AuditEntry]:
        return iter(sorted(entries, key=lambda e: e.at_id, reverse=newest_first)[:limit])

    def for_subject(self, subject: str, *, newest_first: bool = True, limit: int = 100) -> Iterator[audit_store.AuditEntry]:
        return self._sorted((e for e in self.entries if e.subject == subject), newest_first, limit)

    def by_actor(self, actor: str, *, newest_first: bool = True, limit: int = 100) -> Iterator[audit_store.AuditEntry]:
        return self._sorted((e for e in self.entries if e.actor == actor), newest_first, limit)


# ----------------------------------------------------------------------------------- statistics
class MemoryStatistics:
    def __init__(self) -> None:
        self.counters: dict[tuple[str, str], dict[str, int]] = {}
        self.events: set[str] = set()
        self.comment_items: dict[str, dict[str, dict[str, Any]]] = {}

    def add(self, regions: Iterable[str], year: str, counters: dict[str, int], *, once: str | tuple[str, ...]) -> bool:
        events = {once} if isinstance(once, str) else set(once)
        if not counters or events & self.events:
            return False
        self.events |= events
        for region in dict.fromkeys(regions):
            item = self.counters.setdefault((region, year), {})
            for name, value in counters.items():
                item[name] = item.get(name, 0) + int(value)
        return True

    def counted(self, once: str) -> bool:
        return once in self.events

    def add_comment(self, office_code: str, at: str, case_id: str, comment: dict[str, Any]) -> None:
        self.comment_items.setdefault(office_code, {})[f"{at}#{case_id}"] = json.loads(json.dumps(comment))

    def comments(self, office_code: str, limit: int) -> list[dict[str, Any]]:
        items = self.comment_items.get(office_code, {})
        return [items[k] for k in sorted(items, reverse=True)[:limit]]

    def get(self, region: str, year: str) -> dict[str, int]:
        return dict(self.counters.get((region, year), {}))

    def get_many(self, regions: list[str], year: str) -> dict[str, dict[str, int]]:
        return {r: dict(self.counters[(r, year)]) for r in regions if (r, year) in self.counters}


# ------------------------------------------------------------------------------------- registry
class MemoryRegistry:
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], str] = {}

    def get(self, key: tuple[str, str]) -> dict[str, Any] | None:
        raw = self.records.get(tuple(key))
        return None if raw is None else json.loads(raw)

    def put(self, key: tuple[str, str], data: dict[str, Any]) -> None:
        self.records[tuple(key)] = json.dumps(data, ensure_ascii=False)


# --------------------------------------------------------------------------------- appointments
class MemoryAppointments:
    """Appointments, slot counters, day lists and the women's markers (store/appointments.py).
    A lock makes each transaction atomic under threads, as DynamoDB's are."""

    def __init__(self) -> None:
        self.records: dict[str, appointment_store.Appointment] = {}
        self.counts: dict[tuple[str, str, str], int] = {}
        self.women: dict[str, str] = {}
        self._lock = threading.Lock()

    def book(self, appointment: appointment_store.Appointment, *, places: int, also: tuple = ()) -> None:
        a = appointment
        slot = (a.office, a.day, a.start)

        def add() -> None:
            self.counts[slot] = self.counts.get(slot, 0) + 1
            self.women[a.woman_key] = a.number
            self.records[a.number] = a

        tx = Transaction()
        tx.write(lambda: self.counts.get(slot, 0) < places, add)
        tx.write(lambda: a.woman_key not in self.women, lambda: None)
        tx.write(lambda: a.number not in self.records, lambda: None)
        for extra in also:
            extra(tx)
        with self._lock:
            failed = tx.commit()
        if failed is None:
            return
        if failed[0]:
            raise appointment_store.SlotTaken(a.day, a.start)
        if failed[1]:
            raise appointment_store.WomanHasActive()
        raise appointment_store.NumberTaken(a.number)

    def get(self, number: str) -> appointment_store.Appointment | None:
        return self.records.get(number)

    def day(self, office: str, day: str) -> list[appointment_store.Appointment]:
        found = [a for a in self.records.values() if a.office == office and a.day == day]
        return sorted(found, key=lambda a: (a.start, a.number))

    def taken(self, office: str, first_day: str, last_day: str) -> dict[tuple[str, str], int]:
        return {(d, s): n for (o, d, s), n in self.counts.items() if o == office and first_day <= d <= last_day}

    def move(self, appointment: appointment_store.Appointment, *, from_statuses: tuple[str, ...], to: str, at: str, by: str,
             case_id: str | None = None, release: bool, free_place: bool, also: tuple = ()) -> bool:
        a = appointment
        slot = (a.office, a.day, a.start)

        def change() -> None:
            current = self.records[a.number]
            self.records[a.number] = replace(current, status=to, at=at, by=by, case_id=case_id or current.case_id)
            if release:
                del self.women[a.woman_key]
            if free_place:
                self.counts[slot] -= 1

        tx = Transaction()
        tx.write(lambda: a.number in self.records and self.records[a.number].status in from_statuses, change)
        if release:
            tx.write(lambda: self.women.get(a.woman_key) == a.number, lambda: None)
        if free_place:
            tx.write(lambda: self.counts.get(slot, 0) > 0, lambda: None)
        for extra in also:
            extra(tx)
        with self._lock:
            return tx.commit() is None


class InMemoryStore:
    """One fake per repository (``in_memory()`` installs them together: transactions
    across tables -- a case with its outbox message and idempotency answer -- use the fakes'
    ``Transaction`` throughout)."""

    def __init__(self) -> None:
        self.appointments = MemoryAppointments()
        self.audit = MemoryAudit()
        self.cases = MemoryCases()
        self.certificates = MemoryCertificates()
        self.codes = MemoryCodes()
        self.idempotency = MemoryIdempotency()
        self.outbox = MemoryOutbox()
        self.registry = MemoryRegistry()
        self.statistics = MemoryStatistics()
        self.tasks = MemoryTasks()

    def repositories(self) -> dict[str, Any]:

        return {name: getattr(self, name) for name in NAMES}


@contextmanager
def in_memory() -> Iterator[InMemoryStore]:
    """Every repository in memory, fresh and empty, installed in the repository slots
    (``store/repositories.py``) for the block."""
    store = InMemoryStore()
    with installed(**store.repositories()):
        yield store

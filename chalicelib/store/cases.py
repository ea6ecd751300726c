"""The Cases table: one item per registration case, with its status history.

Personal data stays here (encrypted at rest); the workflow only ever carries the case id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.indexes import GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.transactions import TransactWrite

from chalicelib import config

# The statuses and their labels are the domain's (domain/case_status.py); named here too, as
# every reader of a case uses them with the case.
from chalicelib.domain.case_status import (  # noqa: F401  (re-exported)
    ACTIVE_STATUSES,
    AWAITING_PROOFS,
    AWAITING_REVIEW,
    CHECKING,
    INCOMPLETE,
    NEEDS_ATTENTION,
    REGISTERED,
    REJECTED,
    STATUS_LABELS,
    SUBMITTED,
)
from chalicelib.store import table_meta
from chalicelib.store.connection import Model, shared


class PhoneIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "PhoneIndex"
        projection = KeysOnlyProjection()

    phone_key = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class OfficeIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "OfficeIndex"
        projection = KeysOnlyProjection()

    office_code = UnicodeAttribute(hash_key=True)
    queue_key = UnicodeAttribute(range_key=True)


class CoupleIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "CoupleIndex"
        projection = IncludeProjection(["status", "child_order"])

    couple_key = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class QueryCodeIndex(GlobalSecondaryIndex):
    """Sparse: the case of a query code (001 附件1 一 "通过'查询码+姓名'调取"), by its keyed hash."""

    class Meta:
        index_name = "QueryCodeIndex"
        projection = IncludeProjection(["query_code_hash"])

    query_key = UnicodeAttribute(hash_key=True)


class HistoryEntry(MapAttribute):
    status = UnicodeAttribute()
    at = UnicodeAttribute()
    by = UnicodeAttribute()
    note = UnicodeAttribute(null=True)


class Certificate(MapAttribute):
    registration_number = UnicodeAttribute()
    pdf_key = UnicodeAttribute()
    version = NumberAttribute()
    issued_at = UnicodeAttribute()


class Case(Model):
    class Meta(table_meta(config.cases_table)):
        region = config.region()

    case_id = UnicodeAttribute(hash_key=True)
    profile = UnicodeAttribute()
    status = UnicodeAttribute()
    form_json = UnicodeAttribute()
    evaluation_json = UnicodeAttribute()
    query_code_hash = UnicodeAttribute()
    phone_key = UnicodeAttribute()
    contact_phone = UnicodeAttribute()
    office_code = UnicodeAttribute()
    queue_key = UnicodeAttribute()
    couple_key = UnicodeAttribute()
    child_order = NumberAttribute()
    channel = UnicodeAttribute(default="online")
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    history = ListAttribute(of=HistoryEntry, default=list)
    check_json = UnicodeAttribute(null=True)
    certificate = Certificate(null=True)
    # Citizen services (issue 4): documents asked for (codes such as "ID_CARD"), uploaded files
    # (services/citizen/uploads.py), modifications so far (services/citizen/modification.py), the rating.
    proofs_requested = ListAttribute(of=UnicodeAttribute, null=True)
    uploads = ListAttribute(of=MapAttribute, null=True)
    query_key = UnicodeAttribute(null=True)
    modifications = NumberAttribute(null=True)
    rating = MapAttribute(null=True)
    version = VersionAttribute()

    phone_index = PhoneIndex()
    office_index = OfficeIndex()
    couple_index = CoupleIndex()
    query_code_index = QueryCodeIndex()

    # -- derived views -----------------------------------------------------
    @property
    def form(self) -> dict[str, Any]:
        return json.loads(self.form_json)

    @property
    def evaluation(self) -> dict[str, Any]:
        return json.loads(self.evaluation_json)

    @property
    def check(self) -> dict[str, Any] | None:
        return json.loads(self.check_json) if self.check_json else None


class CaseAttachments(Model):
    """The same Cases item, for what citizens add beside the workflow (proof uploads, the
    rating): written atomically WITHOUT moving the case's version, so a workflow task that
    read the case meanwhile (e.g. IssueCertificate rendering a PDF) does not fail on it.
    The workflow never writes these attributes."""

    class Meta(table_meta(config.cases_table)):
        region = config.region()

    case_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute(null=True)  # read in conditions only
    uploads = ListAttribute(of=MapAttribute, null=True)
    rating = MapAttribute(null=True)


class CaseNotFound(Exception):
    pass


class CaseExists(Exception):
    pass


class ConcurrentChange(Exception):
    """The case changed between reading and writing it; reload and decide again."""


def queue_key(status: str, created_at: str) -> str:
    return f"{status}#{created_at}"


# a further write in a case's transaction (an outbox message, an idempotency record's answer)
Addition = Callable[[TransactWrite], None]


def create(case: Case, *, also: tuple[Addition, ...] = ()) -> None:
    """Insert a new case; never overwrites one with the same id.

    ``also``: further writes committed in the same transaction (an outbox message, the
    idempotency record's result), each adding itself to the ``TransactWrite``."""
    if not also:
        try:
            case.save(condition=Case.case_id.does_not_exist())
        except PutError as exc:
            if exc.cause_response_code == "ConditionalCheckFailedException":
                raise CaseExists(case.case_id) from exc
            raise
        return
    if not _transact(lambda t: t.save(case, condition=Case.case_id.does_not_exist()), also):
        raise CaseExists(case.case_id)


def _transact(first: Addition, also: tuple[Addition, ...]) -> bool:
    """One transaction: the case's write, then ``also``; False if the case's condition failed."""
    try:
        with TransactWrite(connection=shared()) as transaction:
            first(transaction)
            for add in also:
                add(transaction)
    except TransactWriteError as exc:
        reasons = exc.cancellation_reasons or []
        if reasons and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
            return False
        raise
    return True


def get(case_id: str) -> Case:
    try:
        return Case.get(case_id, consistent_read=True)
    except DoesNotExist as exc:
        raise CaseNotFound(case_id) from exc


def by_couple(couple_key: str) -> Iterator[Case]:
    """The couple's cases as the CoupleIndex holds them: keys, ``status`` and ``child_order`` only
    (``load`` reads the full items)."""
    return Case.couple_index.query(couple_key)


def load(case_ids: list[str]) -> list[Case]:
    """The full items of cases found on a KEYS_ONLY / INCLUDE index, in the order given (one
    BatchGetItem per 100; a case deleted meanwhile is left out)."""
    ids = list(dict.fromkeys(case_ids))
    found = {c.case_id: c for c in Case.batch_get(ids)} if ids else {}
    return [found[i] for i in ids if i in found]


def update(case: Case, actions: list, *, condition: Any = None, also: tuple[Addition, ...] = ()) -> Case:
    """Apply ``actions`` with optimistic locking (and ``condition``); ``ConcurrentChange`` if either fails.
    ``also``: further writes in the same transaction, as in ``create``."""
    if also:
        if not _transact(lambda t: t.update(case, actions=actions, condition=condition), also):
            raise ConcurrentChange(case.case_id)
        return case  # as written before the transaction: transactions return no attributes
    try:
        case.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise ConcurrentChange(case.case_id) from exc
        raise
    return case


def transition(case: Case, status: str, *, at: str, by: str, note: str | None = None, **changes: Any) -> Case:
    """Move a case to ``status``, appending to its history, with optimistic locking.

    ``changes`` are further attributes to set in the same write (e.g. certificate=...).
    """
    actions = [
        Case.status.set(status),
        Case.updated_at.set(at),
        Case.queue_key.set(queue_key(status, case.created_at)),
        Case.history.set(Case.history.append([HistoryEntry(status=status, at=at, by=by, note=note)])),
    ]
    for name, value in changes.items():
        actions.append(getattr(Case, name).set(value))
    try:
        case.update(actions=actions)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise ConcurrentChange(case.case_id) from exc
        raise
    return case

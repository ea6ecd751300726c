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
from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import size
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
    ONSITE_VERIFICATION,
    REGISTERED,
    REJECTED,
    STATUS_LABELS,
    SUBMITTED,
)
from chalicelib.store import table_meta
from chalicelib.store.compact_text import CompactText
from chalicelib.store.conditions import applied, transacted
from chalicelib.store.connection import Model, shared

# The repository interface (store/repositories.py): what reads or writes the table; the fake in
# store/memory.py implements exactly these, with the same signatures.
OPERATIONS = (
    "create", "get", "by_couple", "by_phone", "by_query_key", "by_person", "load", "transition", "modify",
    "append_upload", "decide_upload", "record_rating", "set_person_keys", "scan_person_keys",
)


class PhoneIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "PhoneIndex"
        projection = KeysOnlyProjection()

    phone_key = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


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


class WomanIdIndex(GlobalSecondaryIndex):
    """The cases of one woman, by the keyed hash of her ID number (``woman_key``): staff find a
    case by either spouse's ID number (003 V(D): a lost query code is looked up at the township).
    KEYS_ONLY, so an index write happens only when the key itself is written (creation, a
    modification that changes the number): one write unit per case, not one per case write."""

    class Meta:
        index_name = "WomanIdIndex"
        projection = KeysOnlyProjection()

    woman_key = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ManIdIndex(GlobalSecondaryIndex):
    """As ``WomanIdIndex``, for the man's ID number (``man_key``): one index cannot hold two
    attributes of one item as its key."""

    class Meta:
        index_name = "ManIdIndex"
        projection = KeysOnlyProjection()

    man_key = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


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
    # the three documents are stored compressed (store/compact_text.py): the same text to the code
    form_json = CompactText()
    evaluation_json = CompactText()
    query_code_hash = UnicodeAttribute()
    phone_key = UnicodeAttribute()
    contact_phone = UnicodeAttribute()
    # The open review task the waiting workflow holds (set by AwaitReview): what a supplement
    # before 初审 replaces (services/workflow/review.supersede).
    review_task_id = UnicodeAttribute(null=True)
    office_code = UnicodeAttribute()
    couple_key = UnicodeAttribute()
    child_order = NumberAttribute()
    channel = UnicodeAttribute(default="online")
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    history = ListAttribute(of=HistoryEntry, default=list)
    check_json = CompactText(null=True)
    certificate = Certificate(null=True)
    # Citizen services (issue 4): documents asked for (codes such as "ID_CARD"), uploaded files
    # (services/citizen/uploads.py), modifications so far (services/citizen/modification.py), the rating.
    proofs_requested = ListAttribute(of=UnicodeAttribute, null=True)
    uploads = ListAttribute(of=MapAttribute, null=True)
    query_key = UnicodeAttribute(null=True)
    # The query code sealed (chalicelib/sealing.py), only where the profile's manual-acceptance SMS
    # carries it (003 V(B)); the query code itself is otherwise kept only as a keyed hash.
    query_code_sealed = UnicodeAttribute(null=True)
    # keyed hashes of each spouse's ID number (services/citizen/access.person_key); absent on
    # cases created before the indexes until ``python -m tools.person_keys`` has run
    woman_key = UnicodeAttribute(null=True)
    man_key = UnicodeAttribute(null=True)
    modifications = NumberAttribute(null=True)
    rating = MapAttribute(null=True)
    version = VersionAttribute()

    phone_index = PhoneIndex()
    couple_index = CoupleIndex()
    query_code_index = QueryCodeIndex()
    woman_id_index = WomanIdIndex()
    man_id_index = ManIdIndex()

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


class CasePersonKeys(Model):
    """The same Cases item, for the backfill of ``woman_key`` / ``man_key`` on cases created
    before the ID-number indexes: written without moving the case's version, so a workflow task
    that read the case meanwhile does not fail on it."""

    class Meta(table_meta(config.cases_table)):
        region = config.region()

    case_id = UnicodeAttribute(hash_key=True)
    form_json = CompactText(null=True)  # read by the backfill's Scan only
    woman_key = UnicodeAttribute(null=True)
    man_key = UnicodeAttribute(null=True)


class CaseNotFound(Exception):
    pass


class CaseExists(Exception):
    pass


class ConcurrentChange(Exception):
    """The case changed between reading and writing it; reload and decide again."""


# a further write in a case's transaction (an outbox message, an idempotency record's answer)
Addition = Callable[[TransactWrite], None]


def create(case: Case, *, also: tuple[Addition, ...] = ()) -> None:
    """Insert a new case; never overwrites one with the same id (``CaseExists``).

    ``also``: further writes committed in the same transaction (an outbox message, the
    idempotency record's result), each adding itself to the ``TransactWrite``."""
    if not also:
        if not applied(lambda: case.save(condition=Case.case_id.does_not_exist())):
            raise CaseExists(case.case_id)
        return
    if not _transact(lambda t: t.save(case, condition=Case.case_id.does_not_exist()), also):
        raise CaseExists(case.case_id)


def _transact(first: Addition, also: tuple[Addition, ...]) -> bool:
    """One transaction: the case's write, then ``also``; False if the case's condition failed."""

    def write() -> None:
        with TransactWrite(connection=shared()) as transaction:
            first(transaction)
            for add in also:
                add(transaction)

    failed = transacted(write)
    if failed is None:
        return True
    if failed[0]:
        return False
    raise TransactionCancelled(case_id=None, failed=failed)


class TransactionCancelled(Exception):
    """A write committed with the case (``also``) found its condition false: nothing was written."""

    def __init__(self, *, case_id: str | None, failed: list[bool]) -> None:
        super().__init__(f"transaction cancelled: conditions failed at {[i for i, f in enumerate(failed) if f]}")
        self.failed = failed


def get(case_id: str) -> Case:
    try:
        return Case.get(case_id, consistent_read=True)
    except DoesNotExist as exc:
        raise CaseNotFound(case_id) from exc


def by_couple(couple_key: str) -> Iterator[Case]:
    """The couple's cases as the CoupleIndex holds them: keys, ``status`` and ``child_order`` only
    (``load`` reads the full items)."""
    return Case.couple_index.query(couple_key)


def by_phone(phone_key: str, *, limit: int) -> list[Case]:
    """The full cases of a contact phone (its keyed hash), newest first, at most ``limit``
    (one Query on the KEYS_ONLY PhoneIndex, then one BatchGetItem)."""
    keys = Case.phone_index.query(phone_key, scan_index_forward=False, limit=limit)
    return load([k.case_id for k in keys])


def by_query_key(query_key: str, *, limit: int) -> list[tuple[str, str]]:
    """``(case id, query code hash)`` of the cases whose query code has this key (the sparse
    QueryCodeIndex; normally one)."""
    return [(e.case_id, e.query_code_hash) for e in Case.query_code_index.query(query_key, limit=limit)]


def by_person(person_key: str, *, limit: int) -> list[str]:
    """The ids of the cases in which the person with this ID-number key is the woman or the man,
    newest first, at most ``limit`` (one Query on each KEYS_ONLY index; ``load`` reads them)."""
    found: list[tuple[str, str]] = []
    for index in (Case.woman_id_index, Case.man_id_index):
        found += [(k.created_at, k.case_id) for k in index.query(person_key, scan_index_forward=False, limit=limit)]
    return [case_id for _, case_id in sorted(set(found), reverse=True)][:limit]


def scan_person_keys() -> Iterator[tuple[str, str, str | None, str | None]]:
    """``(case id, form JSON, woman_key, man_key)`` of every case: a Scan, for the one-off backfill
    command only (tools/person_keys.py), never on a request path."""
    for c in CasePersonKeys.scan(attributes_to_get=["case_id", "form_json", "woman_key", "man_key"]):
        yield c.case_id, c.form_json or "{}", c.woman_key, c.man_key


def set_person_keys(case_id: str, *, woman_key: str, man_key: str) -> bool:
    """Record the spouses' ID-number keys on an existing case unless it has these already
    (the backfill); False if the case is missing or already carries them (nothing written)."""
    K = CasePersonKeys
    differs = K.woman_key.does_not_exist() | (K.woman_key != woman_key) | K.man_key.does_not_exist() | (K.man_key != man_key)
    return applied(
        lambda: K(case_id).update(actions=[K.woman_key.set(woman_key), K.man_key.set(man_key)], condition=K.case_id.exists() & differs)
    )


def load(case_ids: list[str]) -> list[Case]:
    """The full items of cases found on a KEYS_ONLY / INCLUDE index, in the order given (one
    BatchGetItem per 100; a case deleted meanwhile is left out)."""
    ids = list(dict.fromkeys(case_ids))
    found = {c.case_id: c for c in Case.batch_get(ids)} if ids else {}
    return [found[i] for i in ids if i in found]


def _update(case: Case, actions: list, *, condition: Any = None, also: tuple[Addition, ...] = ()) -> Case:
    """Apply ``actions`` with optimistic locking (and ``condition``); ``ConcurrentChange`` if either fails.
    ``also``: further writes in the same transaction, as in ``create``."""
    if also:
        if not _transact(lambda t: t.update(case, actions=actions, condition=condition), also):
            raise ConcurrentChange(case.case_id)
        return case  # as written before the transaction: transactions return no attributes
    if not applied(lambda: case.update(actions=actions, condition=condition)):
        raise ConcurrentChange(case.case_id)
    return case


def _history(case: Case, status: str, at: str, by: str, note: str | None) -> list:
    """The actions of a move to ``status``: the status and a history entry."""
    return [
        Case.status.set(status),
        Case.updated_at.set(at),
        Case.history.set(Case.history.append([HistoryEntry(status=status, at=at, by=by, note=note)])),
    ]


def transition(case: Case, status: str, *, at: str, by: str, note: str | None = None, **changes: Any) -> Case:
    """Move a case to ``status``, appending to its history, with optimistic locking.

    ``changes`` are further attributes to set in the same write (e.g. certificate=...).
    """
    actions = _history(case, status, at, by, note)
    for name, value in changes.items():
        actions.append(getattr(Case, name).set(value))
    return _update(case, actions)


def modify(
    case: Case,
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
    also: tuple[Addition, ...] = (),
    person_keys: tuple[str, str] | None = None,
) -> Case:
    """Record the citizen's modification of the application: new form and evaluation, one more
    in ``modifications``, a history entry, with optimistic locking.

    ``rerun`` (the case runs through the checks again): the old check result is removed.
    ``once`` (modify once): only the first modification is allowed (``modifications`` absent or
    0); otherwise (a supplement while the case waits) the status must still be the one read. ``ConcurrentChange`` if the
    case changed meanwhile or the condition does not hold; ``also`` as in ``create``."""
    count = int(case.modifications or 0) + 1
    actions = _history(case, status, at, "citizen", note)
    actions += [
        Case.form_json.set(form_json),
        Case.evaluation_json.set(evaluation_json),
        Case.couple_key.set(couple_key),
        Case.child_order.set(child_order),
        Case.office_code.set(office_code),
        Case.modifications.set(count),
    ]
    if person_keys is not None:  # the spouses' ID numbers may have been corrected
        actions += [Case.woman_key.set(person_keys[0]), Case.man_key.set(person_keys[1])]
    if rerun:
        actions.append(Case.check_json.remove())
    if once:
        condition = Case.modifications.does_not_exist() | (Case.modifications == 0)
    else:
        condition = Case.status == case.status
    return _update(case, actions, condition=condition, also=also)


# -- attachments: written without moving the case's version (CaseAttachments) ------------------
def append_upload(case_id: str, entry: dict[str, Any], *, open_statuses: frozenset[str], max_uploads: int) -> bool:
    """Append a pending upload to the case's list if the case exists, its status is one of
    ``open_statuses`` and it has fewer than ``max_uploads`` entries; False (nothing written) if not."""
    A = CaseAttachments
    room = A.uploads.does_not_exist() | (size(A.uploads) < max_uploads)
    return applied(
        lambda: A(case_id).update(
            actions=[A.uploads.set((A.uploads | []).append([entry]))],
            condition=A.case_id.exists() & A.status.is_in(*sorted(open_statuses)) & room,
        )
    )


def decide_upload(case_id: str, index: int, entry: dict[str, Any], *, pending: str) -> bool:
    """Replace the upload entry at ``index`` by ``entry`` if that entry still has ``entry``'s
    upload id and status ``pending`` (one decision per upload); False if not."""
    A = CaseAttachments
    return applied(
        lambda: A(case_id).update(
            actions=[A.uploads[index].set(entry)],
            condition=(A.uploads[index]["upload_id"] == entry["upload_id"]) & (A.uploads[index]["status"] == pending),
        )
    )


def record_rating(case_id: str, rating: dict[str, Any], *, completed_statuses: frozenset[str]) -> bool:
    """Store the case's rating once, if its status is one of ``completed_statuses``; False if the
    case is rated already, not completed or missing (nothing written)."""
    A = CaseAttachments
    return applied(
        lambda: A(case_id).update(
            actions=[A.rating.set(rating)],
            condition=A.case_id.exists() & A.rating.does_not_exist() & A.status.is_in(*sorted(completed_statuses)),
        )
    )

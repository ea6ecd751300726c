"""The Tasks table: work waiting on a Step Functions task token (waitForTaskToken).

Two kinds of task:

- ``review`` — a staff review stage (001 三(一)1 接收任务/信息初审/生育登记). Its id is a short random
  string, the only thing staff see (callback link ``/staff/tasks/{task_id}``); the token never
  leaves the server.
- ``proofs`` — the workflow waits for the citizen's proof documents (000 §2.3.5). Its id is
  ``proofs#<case id>`` (one outstanding request per case), so the upload service finds it by case.

The work queue is the sparse ``OfficeDueIndex`` (``office_code``, ``due_at``): ``office_code`` is
set only on an *open review* task and removed in the same conditional write that closes it, so a
Query returns open tasks of one office, earliest deadline (most overdue) first, reading O(page)
items however many closed tasks or other offices exist. ``assigned_office`` keeps the office for
the record.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection

from chalicelib import config
from chalicelib.store import cursors, table_meta
from chalicelib.store.conditions import applied
from chalicelib.store.connection import Model

# The repository interface (store/repositories.py): what reads or writes the table; the fake in
# store/memory.py implements exactly these, with the same signatures.
OPERATIONS = ("put", "put_or_refresh", "replace_closed", "get", "find", "close", "record_decision", "queue", "count_overdue")

REVIEW = "review"
PROOFS = "proofs"

# what the work queue shows of a task (services/workflow/review.task_summary)
QUEUE_ATTRIBUTES = (
    "kind", "case_id", "stage", "level", "assigned_office", "case_office", "profile", "due_at", "created_at", "status",
    "decision", "reason", "decided_by", "decided_at", "escalated_to", "closed_at",
)

OPEN = "open"
DECIDED = "decided"  # a staff decision (review)
ESCALATED = "escalated"  # overdue: replaced by a task at the next administrative level
ANSWERED = "answered"  # the requested documents arrived (proofs)
EXPIRED = "expired"  # the documents did not arrive by the deadline (proofs)
SUPERSEDED = "superseded"  # the couple supplemented the case before 初审: the checks run again (001 附件1 一)


class OfficeDueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "OfficeDueIndex"
        projection = AllProjection()

    office_code = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class OfficeStatusIndex(GlobalSecondaryIndex):
    """Every review task of an office by status, stage and deadline: ``queue_office`` (the office
    it was assigned to) and ``queue_sort`` = ``<status>#<stage>#<due_at>``, so the queue's status
    and stage filters are a key-condition prefix (``begins_with``) and the overdue filter a range
    within one stage: a filtered page reads O(page) items. The sort key changes once, when the
    task closes. Projects what the queue shows, never the task token or the workflow's outcome."""

    class Meta:
        index_name = "OfficeStatusIndex"
        projection = IncludeProjection(list(QUEUE_ATTRIBUTES))

    queue_office = UnicodeAttribute(hash_key=True)
    queue_sort = UnicodeAttribute(range_key=True)


class Task(Model):
    class Meta(table_meta(config.tasks_table)):
        region = config.region()

    task_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default=REVIEW)
    case_id = UnicodeAttribute()
    stage = UnicodeAttribute()
    level = NumberAttribute(default=0)  # 0 township, 1 county, 2 city (escalations)
    office_code = UnicodeAttribute(null=True)  # queue key: present only while an open review task
    assigned_office = UnicodeAttribute(null=True)  # who must act (township, county or city code)
    case_office = UnicodeAttribute(null=True)  # the case's township office (jurisdiction of viewers)
    profile = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute()
    created_at = UnicodeAttribute()
    status = UnicodeAttribute(default=OPEN)
    task_token = UnicodeAttribute()
    documents = ListAttribute(of=UnicodeAttribute, null=True)  # proofs: the codes asked for
    resume_stage = UnicodeAttribute(null=True)  # proofs asked by a reviewer: the stage to resume
    decision = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    outcome_json = UnicodeAttribute(null=True)  # the workflow state the decision leads to
    escalated_to = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    queue_office = UnicodeAttribute(null=True)  # OfficeStatusIndex: review tasks only
    queue_sort = UnicodeAttribute(null=True)

    office_due_index = OfficeDueIndex()
    office_status_index = OfficeStatusIndex()

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @property
    def outcome(self) -> dict[str, Any] | None:
        return json.loads(self.outcome_json) if self.outcome_json else None


class TaskNotFound(Exception):
    pass


class AlreadyClosed(Exception):
    """The task is no longer open (decided, escalated, answered or expired)."""


# Kept for callers of the walking skeleton.
AlreadyDecided = AlreadyClosed


def new_task_id() -> str:
    # 128 bits: unguessable, short enough for an SMS/email link.
    return secrets.token_urlsafe(16)


def proofs_task_id(case_id: str) -> str:
    return f"proofs#{case_id}"


class TaskExists(Exception):
    pass


def queue_sort(status: str, stage: str, due_at: str) -> str:
    return f"{status}#{stage}#{due_at}"


def with_queue_keys(task: Task) -> Task:
    """A new review task with its OfficeStatusIndex keys (open, its stage and deadline)."""
    if task.kind == REVIEW and task.office_code:
        task.queue_office = task.office_code
        task.queue_sort = queue_sort(task.status or OPEN, task.stage, task.due_at)
    return task


def put(task: Task) -> None:
    """Store a new task; ``TaskExists`` if a task with its id exists."""
    with_queue_keys(task)
    if not applied(lambda: task.save(condition=Task.task_id.does_not_exist())):
        raise TaskExists(task.task_id)


def put_or_refresh(task: Task) -> None:
    """Create the task; if a retried workflow step created it already and it is still open, only
    take the new token (a retried waitForTaskToken invocation has a new one)."""
    try:
        put(task)
    except TaskExists:
        existing = get(task.task_id)
        if not applied(lambda: existing.update(actions=[Task.task_token.set(task.task_token)], condition=Task.status == OPEN)):
            raise AlreadyClosed(task.task_id) from None


def replace_closed(task: Task) -> None:
    """Write ``task`` over an earlier task with the same id only if that one is closed
    (proofs tasks: one id per case, one outstanding request at a time)."""
    if applied(lambda: task.save(condition=Task.task_id.does_not_exist() | (Task.status != OPEN))):
        return
    existing = get(task.task_id)
    refreshed = applied(
        lambda: existing.update(
            actions=[Task.task_token.set(task.task_token), Task.documents.set(task.documents), Task.due_at.set(task.due_at)],
            condition=Task.status == OPEN,
        )
    )
    if not refreshed:
        raise AlreadyClosed(task.task_id)


def get(task_id: str) -> Task:
    try:
        return Task.get(task_id, consistent_read=True)
    except DoesNotExist as exc:
        raise TaskNotFound(task_id) from exc


def find(task_id: str) -> Task | None:
    try:
        return get(task_id)
    except TaskNotFound:
        return None


def close(task: Task, status: str, *, at: str, **changes: Any) -> None:
    """Conditional write first: only an open task closes, once. Leaves the work queue.

    ``AlreadyClosed`` when another writer (a concurrent decision, the escalation) was first.
    """
    actions = [Task.status.set(status), Task.office_code.remove(), Task.closed_at.set(at)]
    if task.queue_office:  # the queue filtered by status finds it under its new status
        actions.append(Task.queue_sort.set(queue_sort(status, task.stage, task.due_at)))
    actions += [getattr(Task, name).set(value) for name, value in changes.items()]
    if not applied(lambda: task.update(actions=actions, condition=Task.status == OPEN)):
        raise AlreadyClosed(task.task_id)


def record_decision(
    task: Task, *, decision: str, reason: str | None, by: str, at: str, outcome: dict[str, Any] | None = None
) -> None:
    """Conditional write first: only the first decision on an open task wins."""
    close(
        task,
        DECIDED,
        at=at,
        decision=decision,
        reason=reason,
        decided_by=by,
        decided_at=at,
        outcome_json=json.dumps(outcome, ensure_ascii=False) if outcome is not None else None,
    )


# ---------------------------------------------------------------------------------- work queue
encode_cursor = cursors.encode
BadCursor = cursors.BadCursor
_DUE_KEYS = ("task_id", "office_code", "due_at")  # OfficeDueIndex: the key of its items
_STATUS_KEYS = ("task_id", "queue_office", "queue_sort")  # OfficeStatusIndex


def decode_cursor(cursor: str | None, office_code: str, *, keys: tuple[str, str, str] = _DUE_KEYS, prefix: str = "") -> dict[str, Any] | None:
    # A cursor only continues the same office's queue (it cannot be used to read another office),
    # and it is exactly the index's key (store/cursors.py); on the status index, within the same filter.
    key = cursors.decode(cursor, set(keys), **{keys[1]: office_code})
    if key is not None and not key[keys[2]]["S"].startswith(prefix):
        raise BadCursor(cursor)
    return key


def status_condition(status: str, stage: str | None, overdue: bool | None, now_iso: str) -> tuple[str, str, str]:
    """``(prefix, low, high)`` of an OfficeStatusIndex Query: the tasks of ``status`` (and
    ``stage``), those due before ``now_iso`` (``overdue``) or not. The overdue filter needs the
    stage in the prefix (the deadline follows it in the sort key), and applies to open tasks."""
    if overdue is not None and (status != OPEN or stage is None):
        raise ValueError("overdue filters the open tasks of one stage on this index")
    prefix = f"{status}#{stage}#" if stage else f"{status}#"
    if overdue is None:
        return prefix, prefix, prefix + "~"
    return (prefix, prefix, prefix + now_iso) if overdue else (prefix, prefix + now_iso, prefix + "~")


def queue(
    office_code: str,
    *,
    limit: int = 20,
    cursor: str | None = None,
    overdue: bool | None = None,
    now_iso: str = "",
    status: str = OPEN,
    stage: str | None = None,
) -> tuple[list[Task], str | None]:
    """One page of an office's review tasks.

    Open tasks of every stage: a single Query on the sparse OfficeDueIndex, earliest deadline
    first (overdue ones lead); ``overdue`` (True: due before ``now_iso``; False: not yet) is a
    condition on its sort key. With a ``stage`` or another ``status`` (decided, escalated): a
    single Query on OfficeStatusIndex within the ``status#stage#`` prefix, by stage and deadline.
    Either way reads ``limit`` items, never a Scan, and a filtered page is read as exactly as
    an unfiltered one.
    """
    if status == OPEN and stage is None:
        due = None if overdue is None else (Task.due_at < now_iso if overdue else Task.due_at >= now_iso)
        index, condition, keys, prefix = Task.office_due_index, due, _DUE_KEYS, ""
    else:
        prefix, low, high = status_condition(status, stage, overdue, now_iso)
        condition = Task.queue_sort.startswith(prefix) if overdue is None else Task.queue_sort.between(low, high)
        index, keys = Task.office_status_index, _STATUS_KEYS
    result = index.query(
        office_code,
        condition,
        scan_index_forward=True,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(cursor, office_code, keys=keys, prefix=prefix),
    )
    items = []
    for task in result:
        items.append(task)
        if len(items) >= limit:
            break
    return items, encode_cursor(result.last_evaluated_key)


def count_overdue(office_code: str, now_iso: str) -> int:
    """Open tasks of an office past their deadline (a COUNT Query on the index)."""
    return Task.office_due_index.count(office_code, Task.due_at < now_iso)

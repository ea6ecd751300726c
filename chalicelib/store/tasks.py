"""The Tasks table: human review tasks waiting on a Step Functions task token.

The token never leaves the server: staff see only the short random ``task_id`` in the
callback link ``/staff/tasks/{task_id}``.
"""

from __future__ import annotations

import secrets

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib import config

OPEN = "open"
DECIDED = "decided"


class OfficeDueIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "OfficeDueIndex"
        projection = AllProjection()

    office_code = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class Task(Model):
    class Meta:
        table_name = config.tasks_table()
        region = config.region()

    task_id = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute()
    stage = UnicodeAttribute()
    office_code = UnicodeAttribute()
    due_at = UnicodeAttribute()
    created_at = UnicodeAttribute()
    status = UnicodeAttribute(default=OPEN)
    task_token = UnicodeAttribute()
    decision = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)

    office_due_index = OfficeDueIndex()


class TaskNotFound(Exception):
    pass


class AlreadyDecided(Exception):
    pass


def new_task_id() -> str:
    # 128 bits: unguessable, short enough for an SMS/email link.
    return secrets.token_urlsafe(16)


def put(task: Task) -> None:
    task.save(condition=Task.task_id.does_not_exist())


def get(task_id: str) -> Task:
    try:
        return Task.get(task_id, consistent_read=True)
    except DoesNotExist as exc:
        raise TaskNotFound(task_id) from exc


def record_decision(task: Task, *, decision: str, reason: str | None, by: str, at: str) -> None:
    """Conditional write first: only the first decision on an open task wins."""
    try:
        task.update(
            actions=[
                Task.status.set(DECIDED),
                Task.decision.set(decision),
                Task.reason.set(reason),
                Task.decided_by.set(by),
                Task.decided_at.set(at),
            ],
            condition=Task.status == OPEN,
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            raise AlreadyDecided(task.task_id) from exc
        raise

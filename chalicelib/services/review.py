"""Manual review with the callback pattern (001 三(一)1(1) 接收任务, (2) 信息初审).

``await_review`` runs as the ``AwaitReview`` waitForTaskToken task: it keeps the task token
in the Tasks table under a short random task id and tells the responsible office where to
find the task. ``decide`` records the staff decision with a conditional write first, then
answers the token, so a repeated or concurrent decision changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib import config
from chalicelib.adapters import events, workflow
from chalicelib.domain import errors
from chalicelib.store import cases as case_store
from chalicelib.store import tasks as task_store

DECISIONS = {"accept": "受理并登记", "reject": "不予登记"}


def _due_at(start: datetime, working_days: int) -> datetime:
    from chalicelib.domain.working_days import WorkingCalendar

    return WorkingCalendar().add_working_days(start, working_days)


def await_review(case_id: str, stage: str, task_token: str, *, working_days: int = 3) -> dict[str, Any]:
    case = case_store.get(case_id)
    now = config.now()
    task = task_store.Task(
        task_store.new_task_id(),
        case_id=case_id,
        stage=stage,
        office_code=case.office_code,
        due_at=_due_at(now, working_days).isoformat(timespec="seconds"),
        created_at=now.isoformat(timespec="seconds"),
        task_token=task_token,
    )
    task_store.put(task)
    case_store.transition(case, case_store.AWAITING_REVIEW, at=task.created_at, by="system", note=f"已派发至 {case.office_code} 审核")
    link = f"{config.public_base_url()}/staff/tasks/{task.task_id}"
    events.publish(
        config.staff_topic_arn(),
        "生育登记待审核任务",
        {"type": "review.task", "office_code": case.office_code, "stage": stage, "task_url": link, "due_at": task.due_at},
        event_type="review.task",
    )
    return {"task_id": task.task_id}


def decide(task_id: str, decision: str, *, staff_id: str, reason: str | None = None) -> dict[str, Any]:
    if decision not in DECISIONS:
        raise errors.ValidationFailed(
            details=[errors.FieldError("decision", "INVALID_ENUM", "审核结论只能是 accept（受理并登记）或 reject（不予登记）")]
        )
    if decision == "reject" and not (reason and reason.strip()):
        raise errors.ValidationFailed(details=[errors.FieldError("reason", "MISSING", "不予登记必须填写原因")])
    try:
        task = task_store.get(task_id)
    except task_store.TaskNotFound:
        raise errors.NotFound("未找到该审核任务") from None
    at = config.now().isoformat(timespec="seconds")
    try:
        task_store.record_decision(task, decision=decision, reason=reason, by=staff_id, at=at)
    except task_store.AlreadyDecided:
        raise errors.Conflict("该任务已处理，不能重复审核", code="TASK_ALREADY_DECIDED") from None
    if decision == "reject":
        case = case_store.get(task.case_id)
        case_store.transition(case, case_store.REJECTED, at=at, by=staff_id, note=reason)
    workflow.send_task_success(task.task_token, {"decision": decision, "reason": reason, "decided_by": staff_id})
    return {"task_id": task_id, "case_id": task.case_id, "decision": decision, "decided_at": at}


def seconds_until(due: str) -> float:
    return (datetime.fromisoformat(due) - config.now()) / timedelta(seconds=1)

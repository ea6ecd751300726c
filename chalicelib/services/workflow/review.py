"""Proof documents and manual review with the callback pattern (waitForTaskToken).

Proofs (000 §2.3.5 "录入的对象信息没有校验通过的…此时需上传相关证明材料"):

- ``plan_proofs`` — which documents, by when (the profile's ``proof_deadline_days``; the seeds
  state no deadline, so it is an operator default, domain/profiles.py);
- ``request_proofs`` — state ``RequestProofs``: keeps the token under ``proofs#<case id>``, sets
  ``proofs_requested`` on the case and tells the citizen by SMS;
- ``proofs_received`` — called by citizen services when the uploads cover the request: answers the
  token (idempotent: a second call, or one after the deadline, changes nothing);
- ``proofs_overdue`` — state ``ProofsOverdue`` (the wait timed out): closes the case as incomplete
  with an SMS, unless the documents arrived at the last moment.

Review (001 三(一)1 (1) 接收任务 (2) 信息初审 1 个工作日 (3) 生育登记 3 个工作日; 003 (C) five working days):

- ``plan_review`` — the stage (the profile's ``review_stages``: Guizhou has two), the responsible
  office at the current level, the deadline in working days and the task timeout;
- ``await_review`` — state ``AwaitReview``: stores the token under a short random task id (the token
  never leaves the server) and notifies the office's staff with the link ``/staff/tasks/{task_id}``;
- ``escalate_review`` — state ``EscalateReview`` (the SLA timeout fired): the task moves to the next
  administrative level (county, then city), recorded in the case history and the audit log;
- ``decide`` — a staff decision: accept, reject with a reason, or request documents. The decision is
  recorded with a conditional write first (only an open task, only once), then the token is
  answered; a repeated or concurrent decision changes nothing.

Every workflow step here returns the next workflow *state* ``{"case_id", "route", ...}``; the
state machine's ``Route`` choice reads ``route``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import config, observability
from chalicelib.adapters import events, sms, workflow
from chalicelib.domain import errors, hierarchy, regions, review_decisions
from chalicelib.domain.case_status import status_label
from chalicelib.domain.documents import DOCUMENT_LABELS, document_label
from chalicelib.domain.form import RegistrationForm
from chalicelib.domain.profiles import get_profile, profile_for_province
from chalicelib.services.shared import alerts, outbox, statistics, working_calendar
from chalicelib.store import offices as office_store
from chalicelib.store.repositories import audit
from chalicelib.store.repositories import cases as case_store
from chalicelib.store.repositories import tasks as task_store

log = logging.getLogger("birthreg.review")

# The decisions, what they need and where they lead are the domain's (domain/review_decisions.py).
DECISIONS = review_decisions.DECISIONS
DOCUMENTS = review_decisions.REQUESTABLE_DOCUMENTS
LEVEL_TITLES = ("乡镇（街道）", "县（区）", "市（州）")
MAX_REASON = review_decisions.MAX_REASON


def _iso(dt) -> str:
    return dt.isoformat(timespec="seconds")


def _calendar():
    return working_calendar.calendar()


def _deadline(working_days: int, *, include_today: bool = True) -> tuple[str, int]:
    """(deadline, seconds the workflow timer lasts): the end of the N-th working day, today included
    or not (a review stage's ``counts_arrival_day``, domain/profiles.py; domain/working_days.py)."""
    now = config.now()
    due = _calendar().add_working_days(now, working_days, include_start=include_today)
    return _iso(due), config.workflow_seconds((due - now).total_seconds())


def _transition(case: case_store.Case, status: str, *, by: str = "system", note: str | None = None, **changes: Any) -> case_store.Case:
    at = _iso(config.now())
    for _ in range(5):
        try:
            return case_store.transition(case, status, at=at, by=by, note=note, **changes)
        except case_store.ConcurrentChange:
            case = case_store.get(case.case_id)
    raise case_store.ConcurrentChange(case.case_id)


def _answer(token: str, output: dict[str, Any]) -> bool:
    """Answer a waiting state, after the outcome was recorded on the task. False when that did not
    work: the state stopped waiting (it timed out meanwhile), or Step Functions could not be reached
    after the client's retries. Either way nothing is lost: when the wait times out, the timeout
    step (EscalateReview, ProofsOverdue) finds the recorded outcome and continues with it."""
    try:
        workflow.send_task_success(token, output)
        return True
    except workflow.TaskGone as exc:
        log.warning("task token no longer accepted (%s); the timeout step will pick up the outcome", exc)
    except (BotoCoreError, ClientError):
        log.exception("SendTaskSuccess failed; the outcome is recorded and resumes the workflow at the deadline")
    return False


# ======================================================================= proof documents
def plan_proofs(
    case: case_store.Case, codes: list[str], *, reason: str, resume_stage: str | None = None, before_issue: bool = False
) -> dict[str, Any]:
    """``before_issue``: no check failed, the profile requires the documents before issue (000 §2.3.5)."""
    due_at, seconds = _deadline(get_profile(case.profile).proof_deadline_days)
    plan = {
        "codes": sorted(dict.fromkeys(codes)),
        "due_at": due_at,
        "timeout_seconds": seconds,
        "reason": reason[:MAX_REASON],
        "resume_stage": resume_stage,
    }
    return {**plan, "before_issue": True} if before_issue else plan


def request_proofs(case_id: str, task_token: str, proofs: dict[str, Any]) -> dict[str, Any]:
    case = case_store.get(case_id)
    now = _iso(config.now())
    task = task_store.Task(
        task_store.proofs_task_id(case_id),
        kind=task_store.PROOFS,
        case_id=case_id,
        stage="proofs",
        case_office=case.office_code,
        profile=case.profile,
        due_at=proofs["due_at"],
        created_at=now,
        task_token=task_token,
        documents=list(proofs["codes"]),
        resume_stage=proofs.get("resume_stage"),
    )
    task_store.replace_closed(task)
    wanted = "、".join(document_label(c) for c in proofs["codes"])
    due = proofs["due_at"]
    _transition(
        case,
        case_store.AWAITING_PROOFS,
        note=f"请于{due[:10]}前上传：{wanted}。{proofs.get('reason') or ''}"[:MAX_REASON],
        proofs_requested=list(proofs["codes"]),
    )
    # 000 §2.3.5: after a failed check, or -- the checks passed -- the resident spouse's documents before issue
    wording = get_profile(case.profile).wording
    template = wording.proofs_before_issue_sms if proofs.get("before_issue") else wording.proofs_requested_sms
    sms.default_sender().send(case.contact_phone, template.format(case_id=case_id, due=f"{int(due[5:7])}月{int(due[8:10])}日前"))
    statistics.stage_event(case.office_code, "proofs", "requested", once=f"{task.task_id}#{due}")
    return {"task_id": task.task_id}


def proofs_received(case_id: str) -> bool:
    """Citizen services: the accepted uploads now cover ``proofs_requested``. Resumes the workflow
    (to manual review). True if this call answered the request; False if there was nothing to
    answer (no open request, or already answered) — calling it again is harmless."""
    task = task_store.find(task_store.proofs_task_id(case_id))
    if task is None or not task.is_open:
        return False
    case = case_store.get(case_id)
    outcome = {"case_id": case_id, "route": "review", "review": plan_review(case, stage=task.resume_stage)}
    try:
        task_store.close(task, task_store.ANSWERED, at=_iso(config.now()), outcome_json=json.dumps(outcome, ensure_ascii=False))
    except task_store.AlreadyClosed:
        return False
    _answer(task.task_token, outcome)
    return True


def proofs_overdue(state: dict[str, Any]) -> dict[str, Any]:
    case_id = state["case_id"]
    task = task_store.get(task_store.proofs_task_id(case_id))
    try:
        task_store.close(task, task_store.EXPIRED, at=_iso(config.now()))
    except task_store.AlreadyClosed:
        task = task_store.get(task.task_id)
        if task.status in (task_store.ANSWERED, task_store.SUPERSEDED) and task.outcome:
            return task.outcome  # the documents (or a supplement) arrived as the deadline passed
        raise
    case = case_store.get(case_id)
    _transition(case, case_store.INCOMPLETE, note=f"未在{task.due_at[:10]}前补充证明材料，已终止办理")
    sms.default_sender().send(case.contact_phone, get_profile(case.profile).wording.proofs_overdue_sms.format(case_id=case_id))
    statistics.completed(case.office_code, case_store.INCOMPLETE, case.channel, case_id=case_id, at="closed")
    return {"case_id": case_id, "route": "closed"}


# ======================================================================= supplement before 初审
def waiting_task(case: case_store.Case) -> task_store.Task | None:
    """The open task the case's waiting workflow holds: its review task or its proofs request."""
    if case.status == case_store.AWAITING_PROOFS:
        task = task_store.find(task_store.proofs_task_id(case.case_id))
    elif case.status == case_store.AWAITING_REVIEW and case.review_task_id:
        task = task_store.find(case.review_task_id)
    else:
        task = None
    return task if task is not None and task.is_open else None


def supersede(case: case_store.Case) -> task_store.Task:
    """A supplement before 初审 (001 附件1 一) replaces the version the waiting workflow holds: its
    open task closes (conditional write: a staff decision or an escalation that came first wins,
    ``AlreadyClosed``) with the outcome ``closed``, so that execution ends, and the supplemented
    version runs through the checks as a new one. Call ``release`` once the supplement is stored
    (or ``restore`` if it was not)."""
    task = waiting_task(case)
    if task is None:
        raise task_store.AlreadyClosed(case.review_task_id or case.case_id)
    outcome = {"case_id": case.case_id, "route": "closed"}
    task_store.close(task, task_store.SUPERSEDED, at=_iso(config.now()), outcome_json=json.dumps(outcome))
    if task.kind != task_store.PROOFS:
        # the statistics' 派发 of this stage is then matched by its outcome (decided, escalated or this)
        statistics.stage_event(case.office_code, task.stage, "superseded", once=task.task_id)
    return task


def release(task: task_store.Task) -> None:
    """The superseded execution ends (if the answer is lost, its timeout step finds the outcome)."""
    _answer(task.task_token, task.outcome or {"case_id": task.case_id, "route": "closed"})


def restore(task: task_store.Task) -> None:
    """The supplement was not stored after its task was closed: the waiting execution gets the same
    stage again (a new task at the same level), so the case is not left without one."""
    case = case_store.get(task.case_id)
    if task.kind == task_store.PROOFS:
        plan = {"route": "proofs", "proofs": plan_proofs(case, list(task.documents or ()), reason="", resume_stage=task.resume_stage)}
    else:
        plan = {"route": "review", "review": plan_review(case, stage=task.stage, level=int(task.level))}
    _answer(task.task_token, {"case_id": task.case_id, **plan})


# ======================================================================= review
def plan_review(case: case_store.Case, *, stage: str | None = None, level: int = 0) -> dict[str, Any]:
    profile = get_profile(case.profile)
    current = profile.stage(stage) if stage else profile.review_stages[0]
    chain = _chain(case)
    level = min(level, len(chain) - 1)
    due_at, seconds = _deadline(current.working_days, include_today=current.counts_arrival_day)
    return {
        "task_id": task_store.new_task_id(),
        "stage": current.code,
        "stage_title": current.title,
        "working_days": current.working_days,
        "citation": current.citation,
        "level": level,
        "office_code": chain[level],
        "due_at": due_at,
        "timeout_seconds": seconds,
    }


def _chain(case: case_store.Case) -> list[str]:
    """The offices an overdue task climbs through: the township, then as many levels above it as
    the profile's ``escalation_levels`` (not in the seeds: an operator default)."""
    return list(hierarchy.escalation_chain(case.office_code))[: get_profile(case.profile).escalation_levels + 1]


def task_link(task_id: str) -> str:
    return f"{config.public_base_url()}/staff/tasks/{task_id}"


def await_review(case_id: str, task_token: str, review: dict[str, Any]) -> dict[str, Any]:
    case = case_store.get(case_id)
    level = int(review["level"])
    task = task_store.Task(
        review["task_id"],
        kind=task_store.REVIEW,
        case_id=case_id,
        stage=review["stage"],
        level=level,
        office_code=review["office_code"],
        assigned_office=review["office_code"],
        case_office=case.office_code,
        profile=case.profile,
        due_at=review["due_at"],
        created_at=_iso(config.now()),
        task_token=task_token,
    )
    task_store.put_or_refresh(task)
    office = hierarchy.name_of(review["office_code"])
    if _is_onsite_stage(case, review["stage"]):
        _await_visit(case, review)
    else:
        # The citizen reads this note: the deadline, not the (operator-facing) citation of the SLA.
        note = f"{review['stage_title']}：已派发至{office}，{review['due_at'][:10]}前办结（{review['working_days']}个工作日）"
        _transition(case, case_store.AWAITING_REVIEW, note=note[:MAX_REASON], review_task_id=task.task_id)
    events.publish(
        config.staff_topic_arn(),
        "生育登记待审核任务" if level == 0 else "生育登记逾期上报任务",
        {
            "type": "review.task",
            "task_url": task_link(task.task_id),
            "case_id": case_id,
            "office_code": review["office_code"],
            "level": level,
            "stage": review["stage"],
            "due_at": review["due_at"],
            "escalated": level > 0,
        },
        event_type="review.task",
        attributes={"office_code": review["office_code"]},
    )
    if level == 0:
        statistics.stage_event(case.office_code, review["stage"], "assigned", once=review["task_id"])
        observability.count("SentToReview")
    return {"task_id": task.task_id}


def _is_onsite_stage(case: case_store.Case, stage: str) -> bool:
    onsite = get_profile(case.profile).onsite_verification
    return onsite is not None and stage == onsite.code


def visit_office(office_code: str) -> dict[str, Any]:
    """The office the couple visits, as its administrator describes it (services/staff/organisations.py):
    name, address, opening hours; the region's name where nothing was entered yet."""
    info = office_store.organisation(office_code) or {}
    return {
        "office_code": office_code,
        "name": info.get("name") or hierarchy.name_of(office_code),
        "address": info.get("address"),
        "opening_hours": info.get("opening_hours"),
    }


def _visit_sms(case_id: str, office_name: str, due_at: str) -> str:
    """One message (70 characters): the office and the date; the address and hours are in the case."""
    text = f"【生育登记】办件{case_id}需现场核实，请于{int(due_at[5:7])}月{int(due_at[8:10])}日前到{office_name}办理，地址及办公时间可凭查询码查看。"
    if len(text) > sms.MAX_LENGTH:
        text = f"【生育登记】办件{case_id}需现场核实，请到登记机构办理，地址及办公时间可凭查询码查看。"
    return text


def _await_visit(case: case_store.Case, review: dict[str, Any]) -> None:
    """需现场核实 (004 (2); 002 五(一)5 "或到登记机构现场核实办理"): the case tells the couple where
    and by when to go -- the office that owns the case, whatever level the task was escalated to,
    as the decision found it (``review["visit"]``: this step reads no office table)."""
    visit = review.get("visit") or {"name": hierarchy.name_of(case.office_code)}
    where = "，".join(x for x in (visit["name"], visit.get("address") and f"地址：{visit['address']}", visit.get("opening_hours") and f"办公时间：{visit['opening_hours']}") if x)
    note = f"需现场核实：请于{review['due_at'][:10]}前携夫妻双方身份证、结婚证原件到{where}"
    _transition(case, case_store.ONSITE_VERIFICATION, note=note[:MAX_REASON])


def _tell_visit(case: case_store.Case, task_id: str, review: dict[str, Any]) -> None:
    """The SMS of a 需现场核实 decision, once per decided task (the outbox's event id)."""
    from chalicelib.services.shared import outbox

    short = regions.lookup(case.office_code)
    text = _visit_sms(case.case_id, short.name if short else review["visit"]["name"], review["due_at"])
    outbox.deliver_now(outbox.enqueue([outbox.sms(case.contact_phone, text, event_id=f"sms:onsite:{task_id}", subject=case.case_id)]))


def escalate_review(state: dict[str, Any]) -> dict[str, Any]:
    """The task's deadline passed: hand it to the next level (county, then city). At the top level
    the city keeps it with a new deadline and the operators are alerted."""
    case_id, review = state["case_id"], state["review"]
    task = task_store.get(review["task_id"])
    case = case_store.get(case_id)
    level = int(task.level)
    top = level >= len(_chain(case)) - 1
    plan = plan_review(case, stage=task.stage, level=level + 1)
    if review.get("visit"):
        plan["visit"] = review["visit"]  # the couple still visits the case's own office
    try:
        task_store.close(task, task_store.ESCALATED, at=_iso(config.now()), escalated_to=plan["task_id"])
    except task_store.AlreadyClosed:
        task = task_store.get(task.task_id)
        if task.status in (task_store.DECIDED, task_store.SUPERSEDED) and task.outcome:
            return task.outcome  # decided (or supplemented) as the deadline passed: that stands
        raise
    target = f"{LEVEL_TITLES[plan['level']]}{hierarchy.name_of(plan['office_code'])}"
    if top:
        note = f"{review['stage_title']}逾期仍未办理（时限{task.due_at[:10]}），{target}继续办理，已通知运维"
    else:
        note = f"{review['stage_title']}逾期未办理（时限{task.due_at[:10]}），已上报{target}"
    _transition(case, case_store.ONSITE_VERIFICATION if _is_onsite_stage(case, task.stage) else case_store.AWAITING_REVIEW, note=note[:MAX_REASON])
    audit.append(
        f"CASE#{case_id}",
        actor="system",
        action="review.escalated",
        before={"task_id": task.task_id, "level": level, "office_code": task.assigned_office, "due_at": task.due_at},
        after={"task_id": plan["task_id"], "level": plan["level"], "office_code": plan["office_code"], "due_at": plan["due_at"]},
        detail={"stage": task.stage, "citation": review.get("citation")},
    )
    statistics.stage_event(case.office_code, task.stage, "escalated", once=task.task_id)
    observability.count("SlaEscalations")
    if top:
        alerts.alert_operators(
            "生育登记审核任务逾期（最高层级）",
            {"case_id": case_id, "stage": task.stage, "office_code": task.assigned_office, "due_at": task.due_at},
        )
    return {"case_id": case_id, "route": "review", "review": plan}


# ---------------------------------------------------------------------------------- decisions
class TaskClosed(errors.Conflict):
    code = "TASK_CLOSED"
    default_message = "该任务已办结，不能重复审核"


_CLOSED_MESSAGES = {
    task_store.DECIDED: ("TASK_ALREADY_DECIDED", "该任务已处理，不能重复审核"),
    task_store.ESCALATED: ("TASK_ESCALATED", "该任务已逾期并上报上级，由上级办理"),
    task_store.SUPERSEDED: ("TASK_SUPERSEDED", "申请人已在初审前补充完善登记信息，重新核验后将派发新的审核任务"),
}


def _closed(task: task_store.Task) -> errors.Conflict:
    code, message = _CLOSED_MESSAGES.get(task.status, ("TASK_CLOSED", TaskClosed.default_message))
    return TaskClosed(message, code=code)


def _not_found() -> errors.NotFound:
    return errors.NotFound("未找到该审核任务", code="TASK_NOT_FOUND")


def load_task(task_id: str) -> task_store.Task:
    """A review task by the id of its link; 404 for anything else (forged ids, proofs tasks)."""
    if not isinstance(task_id, str) or not 8 <= len(task_id) <= 64 or "#" in task_id:
        raise _not_found()
    task = task_store.find(task_id)
    if task is None or task.kind != task_store.REVIEW:
        raise _not_found()
    return task


def may_view(principal, task: task_store.Task) -> bool:
    from chalicelib import auth  # staff routes only: the workflow's task functions never load the JWT checks

    return principal.role in auth.CASE_ROLES and auth.covers(principal, task.case_office)


def may_decide(principal, task: task_store.Task) -> bool:
    """Only the level the task is assigned to decides: the township office's operators, or after an
    escalation the county's / city's staff whose own unit is exactly that office."""
    from chalicelib import auth  # staff routes only: the workflow's task functions never load the JWT checks

    return principal.role in auth.CASE_ROLES and principal.unit_code == task.assigned_office


def _required_with(decision: str, reason: str | None, documents: list[str] | None) -> tuple[str | None, list[str]]:
    """(reason, documents) after the rules between the fields of a decision: a reason for every
    decision but accept, documents with (and only with) a request for documents. Each field's own
    shape (the decision and document codes, the reason's length) is ``api/models.ReviewDecision``'s."""
    if decision not in DECISIONS:  # the model lets no other through: a caller's mistake, not input
        raise ValueError(f"unknown decision {decision!r}")
    problems = []
    reason = reason or None
    if decision in review_decisions.REASON_REQUIRED and not reason:
        problems.append(errors.FieldError("reason", "MISSING", "不予登记、要求补充材料或需现场核实必须填写原因"))
    docs: list[str] = []
    if decision == review_decisions.REQUEST_DOCUMENTS:
        if not documents:
            problems.append(errors.FieldError("documents", "MISSING", f"请选择需补充的材料：{'、'.join(DOCUMENTS)}"))
        docs = sorted(dict.fromkeys(documents or ()))
    elif documents:
        problems.append(errors.FieldError("documents", "NOT_ALLOWED", "只有要求补充材料时才能选择材料"))
    if problems:
        raise errors.ValidationFailed(details=problems)
    return reason, docs


def decisions_for(case: case_store.Case, stage: str) -> tuple[str, ...]:
    """The decisions open on a task at ``stage`` of ``case``: its province's (``Profile.review_decisions``),
    only the outcome at the on-site verification, no document request where the couple uploads nothing."""
    profile = get_profile(case.profile)
    onsite = profile.onsite_verification.code if profile.onsite_verification else None
    return review_decisions.available(profile.review_decisions, stage=stage, onsite_stage=onsite, uploads=profile.uploads_for(case.channel))


class DecisionNotAvailable(errors.DomainError):
    code = "DECISION_NOT_AVAILABLE"
    status = 422
    default_message = "该办件不能作出此审核决定"


def _check_available(case: case_store.Case, task: task_store.Task, decision: str) -> None:
    allowed = decisions_for(case, task.stage)
    if decision not in allowed:
        labels = "、".join(DECISIONS[d] for d in allowed)
        raise DecisionNotAvailable(details=[errors.FieldError("decision", "DECISION_NOT_AVAILABLE", f"本省（本环节）可选的审核决定：{labels}")])


def _outcome(case: case_store.Case, task: task_store.Task, decision: str, reason: str | None, documents: list[str], record: dict) -> dict[str, Any]:
    profile = get_profile(case.profile)
    stages = [s.code for s in profile.review_stages]
    onsite = profile.onsite_verification.code if profile.onsite_verification else None
    route, stage = review_decisions.route_after(decision, stage=task.stage, stages=stages, onsite_stage=onsite)
    outcome: dict[str, Any] = {"case_id": case.case_id, "decision": record, "route": route}
    if route == "proofs":
        outcome["proofs"] = plan_proofs(case, documents, reason=reason or "", resume_stage=stage)
    elif route == "review":
        outcome["review"] = plan_review(case, stage=stage)
        if decision == review_decisions.ONSITE_VERIFICATION:
            outcome["review"]["visit"] = visit_office(case.office_code)
    return outcome


def _stage_passed(case: case_store.Case, task: task_store.Task, next_review: dict[str, Any], *, by: str) -> case_store.Case:
    """A stage passed and another follows (Guizhou: 初审 then 生育登记, 001 三(一)1(2)(3)): the couple
    is told, in the case history and, where the profile words it, by SMS (001 附件1 一 "初审结果
    状态通知", 附件1 二 "初审通过后…3个工作日内…结果状态通知")."""
    title = get_profile(case.profile).stage(task.stage).title
    case = _transition(case, case_store.AWAITING_REVIEW, by=by, note=f"{title}通过，转{next_review['stage_title']}（{next_review['working_days']}个工作日）")
    wording = get_profile(case.profile).wording
    if wording is not None and wording.initial_review_passed_sms:
        text = wording.initial_review_passed_sms.format(case_id=case.case_id, days=next_review["working_days"])
        messages = outbox.enqueue([outbox.sms(case.contact_phone, text, event_id=f"sms:stage-passed:{task.task_id}", subject=case.case_id)])
        outbox.deliver_now(messages)
    return case


def decide(
    task_id: str,
    decision: str,
    *,
    staff_id: str,
    reason: str | None = None,
    documents: list[str] | None = None,
    principal=None,
) -> dict[str, Any]:
    """Record a staff decision and resume the workflow. With ``principal`` (the HTTP API) the
    decider must be the level the task is assigned to; every decision is audited. The fields come
    validated (``api/models.ReviewDecision``) or from code."""
    reason, docs = _required_with(decision, reason, documents)
    task = load_task(task_id)
    if principal is not None and not may_decide(principal, task):
        raise errors.Forbidden("该任务不属于您所在的办理机构（或已上报上级办理）", code="NOT_YOUR_TASK")
    if not task.is_open:
        raise _closed(task)
    case = case_store.get(task.case_id)
    _check_available(case, task, decision)
    at = _iso(config.now())
    record = {"decision": decision, "reason": reason, "documents": docs, "stage": task.stage, "decided_by": staff_id, "decided_at": at}
    outcome = _outcome(case, task, decision, reason, docs, record)
    try:
        task_store.record_decision(task, decision=decision, reason=reason, by=staff_id, at=at, outcome=outcome)
    except task_store.AlreadyClosed:
        raise _closed(task_store.get(task_id)) from None
    before_status = case.status
    visited = _is_onsite_stage(case, task.stage)
    if decision == review_decisions.REJECT:
        case = _transition(case, case_store.REJECTED, by=staff_id, note=f"现场核实未通过：{reason}"[:MAX_REASON] if visited else reason)
    elif visited:
        # the on-site verification in the case history, by the staff member who made it (004 (2))
        case = _transition(case, case_store.ONSITE_VERIFICATION, by=staff_id, note="现场核实通过，正在办理登记")
    elif decision == review_decisions.ACCEPT and outcome["route"] == "review":
        case = _stage_passed(case, task, outcome["review"], by=staff_id)
    audit.append(
        f"CASE#{case.case_id}",
        actor=staff_id,
        action=f"review.{decision}",
        before={"task_id": task.task_id, "task_status": task_store.OPEN, "case_status": before_status},
        after={"task_status": task_store.DECIDED, "case_status": case.status, **record, "next": outcome["route"]},
        detail={"office_code": task.assigned_office, "level": int(task.level)},
        at=at,
    )
    if decision == review_decisions.ONSITE_VERIFICATION:
        _tell_visit(case, task.task_id, outcome["review"])
    statistics.stage_event(case.office_code, task.stage, decision, once=task.task_id)
    observability.count("Decided")
    notified = _answer(task.task_token, outcome)
    return {
        "task_id": task.task_id,
        "case_id": case.case_id,
        "decision": decision,
        "reason": reason,
        "documents": docs,
        "decided_at": at,
        "next": outcome["route"],
        "next_stage": (outcome.get("review") or {}).get("stage"),
        "workflow_resumed": notified,
    }


# ---------------------------------------------------------------------------------- staff view
def task_summary(task: task_store.Task) -> dict[str, Any]:
    try:
        title = get_profile(task.profile).stage(task.stage).title if task.profile else task.stage
    except (KeyError, errors.DomainError):
        title = task.stage
    now = _iso(config.now())
    return {
        "task_id": task.task_id,
        "task_url": task_link(task.task_id),
        "case_id": task.case_id,
        "stage": task.stage,
        "stage_title": title,
        "level": int(task.level),
        "level_title": LEVEL_TITLES[min(int(task.level), 2)],
        "assigned_office": task.assigned_office,
        "assigned_office_name": hierarchy.name_of(task.assigned_office or ""),
        "due_at": task.due_at,
        "overdue": task.is_open and task.due_at < now,
        "status": task.status,
        "created_at": task.created_at,
        "decision": task.decision,
        "decision_label": DECISIONS.get(task.decision or ""),
        "reason": task.reason,
        "decided_by": task.decided_by,
        "decided_at": task.decided_at,
        "escalated_to": task.escalated_to,
    }


def task_view(task_id: str, principal) -> dict[str, Any]:
    """What a staff member sees behind ``/staff/tasks/{task_id}``: the task and the full case."""
    task = load_task(task_id)
    if not may_view(principal, task):
        raise errors.OutsideJurisdiction("该任务不在您的辖区内")
    case = case_store.get(task.case_id)
    form = RegistrationForm.model_validate_json(case.form_json)
    can_decide = task.is_open and may_decide(principal, task)
    audit.append(f"CASE#{case.case_id}", actor=principal.staff_id, action="task.view", detail={"task_id": task.task_id})
    names = office_store.names([h.by for h in case.history] + [task.decided_by or ""])
    summary = task_summary(task)
    summary["decided_by_name"] = names.get(task.decided_by or "")
    offered = decisions_for(case, task.stage) if can_decide else ()
    return {
        "task": summary,
        "can_decide": can_decide,
        # the profile's answer (004 (2): 需现场核实 for Chongqing only), never a list of the page's own
        "decisions": [{"decision": d, "label": DECISIONS[d]} for d in offered],
        "documents": [{"code": c, "label": label} for c, label in DOCUMENTS.items()] if review_decisions.REQUEST_DOCUMENTS in offered else [],
        "document_labels": DOCUMENT_LABELS,  # for the codes in the case's proofs and uploads
        "case": {
            "case_id": case.case_id,
            "profile": case.profile,
            "channel": case.channel,
            "status": case.status,
            "status_label": status_label(case.status),
            "office_code": case.office_code,
            "office_name": hierarchy.name_of(case.office_code),
            "created_at": case.created_at,
            "form": form.to_contract(),
            "evaluation": case.evaluation,
            "check": case.check,
            "proofs_requested": list(case.proofs_requested or []),
            "uploads": [_viewable(u.as_dict() if hasattr(u, "as_dict") else dict(u)) for u in (case.uploads or [])],
            # staff appear by their real name (001 附件2), the workflow's own steps by their id
            "history": [
                {"status": h.status, "status_label": status_label(h.status), "at": h.at, "by": h.by,
                 "by_name": names.get(h.by), "note": h.note}
                for h in case.history
            ],
        },
        "registry": {"population": registry_children(form, masked=not may_decide(principal, task))},
    }


def _viewable(upload: dict[str, Any]) -> dict[str, Any]:
    """An accepted proof with a short-lived link the reviewer opens in the browser (inline)."""
    from chalicelib.adapters import storage

    if upload.get("status") == "accepted" and upload.get("key"):
        upload["view_url"] = storage.presigned_upload_url(upload["key"], upload.get("content_type") or "application/octet-stream")
        upload["view_expires_in"] = config.presign_seconds()
    return upload


def registry_children(form, *, masked: bool) -> dict[str, Any]:
    """The population registry's children of the couple next to the form's, paired as VerifyRecords' comparison
    pairs them (``domain/comparison.py``), read now: the reviewer must see which child the registry
    has that the form lacks (002 五(三) "《登记表》信息比办证系统行政记录信息少或有差错…应及时与相关信息
    采集提供地核实"). ``rows``: one per child, ``form``/``registry`` the index on each side (None where
    that side lacks it) and the facts that differ. ``masked``: staff who only oversee the case (not
    the office it is assigned to) see the registry's names and ID numbers masked."""
    from chalicelib.adapters import population
    from chalicelib.adapters.registries import RegistryError, RegistryUnavailable
    from chalicelib.domain import comparison
    from chalicelib.domain.idcard import mask_id, mask_name

    try:
        recorded = population.default().household(form.woman.id_number, form.man.id_number)
    except (RegistryUnavailable, RegistryError):
        log.warning("population registry unavailable for the staff view", exc_info=True)
        return {"status": "unavailable", "message": "人口信息系统暂时无法查询，请稍后刷新页面", "children": [], "rows": []}
    facts = [comparison.ChildFacts(r.name, r.birth_date, r.sex, r.id_number) for r in recorded or []]
    result = comparison.compare(comparison.form_facts(form.children), None if recorded is None else facts)
    diffs: dict[int, list[str]] = {}
    for d in result.differences:
        diffs.setdefault(d.form_index, []).append(d.field)
    rows = [{"form": fi, "registry": ri, "kind": "differs" if fi in diffs else "same", "differences": diffs.get(fi, [])} for fi, ri in result.pairs]
    rows += [{"form": fi, "registry": None, "kind": "only_in_form", "differences": []} for fi in result.only_in_form]
    rows += [{"form": None, "registry": ri, "kind": "only_in_registry", "differences": []} for ri in result.only_in_registry]
    if recorded is None:
        rows = [{"form": i, "registry": None, "kind": "only_in_form", "differences": []} for i in range(len(form.children))]
    rows.sort(key=lambda r: (r["form"] is None, r["form"] if r["form"] is not None else r["registry"]))
    children = [
        {
            "name": mask_name(r.name) if masked else r.name,
            "id_number": (mask_id(r.id_number) if masked else r.id_number) if r.id_number else None,
            "birth_date": r.birth_date,
            "sex": r.sex,
            "relation": r.relation,
        }
        for r in recorded or []
    ]
    return {
        "status": "found" if recorded is not None else "no_record",
        "message": comparison.decide(result, "manual_review").message,
        "outcome": result.outcome,
        "children": children,
        "rows": rows,
        "masked": masked,
    }


def applicant(case: case_store.Case | None, principal) -> dict[str, Any]:
    """What the queue shows of a task's case: the couple's names -- in full for the township
    office handling it at its counter, masked for the monitoring levels --, child order,
    submission time, channel and why it came to a person (the checks' mismatches)."""
    from chalicelib import auth
    from chalicelib.domain.idcard import mask_name

    if case is None:
        return {}
    form = case.form
    full = principal.role == auth.TOWNSHIP_OPERATOR and principal.office_code == case.office_code
    shown = (lambda name: name) if full else mask_name
    mismatches = (case.check or {}).get("mismatches") or []
    return {
        "woman_name": shown(form.get("woman", {}).get("name") or ""),
        "man_name": shown(form.get("man", {}).get("name") or ""),
        "child_order": int(case.child_order),
        "submitted_at": case.created_at,
        "channel": case.channel,
        "case_status": case.status,
        "review_reasons": [m.get("message") for m in mismatches if isinstance(m, dict) and m.get("message")],
    }


# The queue's status filter (GET /v1/staff/tasks?status=): the task statuses an office's review
# tasks can have, with their labels; ``open`` is the default (the work still to do).
QUEUE_STATUSES = {task_store.OPEN: "待办理", task_store.DECIDED: "已办结", task_store.ESCALATED: "已逾期上报"}


def queue_filters(code: str) -> dict[str, Any]:
    """The values the queue's filters take for an office: statuses and the review stages of
    the office's province (its profile), each with its label, so the console lists them
    without a table of its own."""
    profile = profile_for_province(code[:2])
    stages = profile.review_stages if profile is not None else ()
    return {
        "statuses": [{"code": c, "label": label} for c, label in QUEUE_STATUSES.items()],
        "stages": [{"code": st.code, "label": st.title} for st in stages],
    }


def _queue_filter_errors(filters: dict[str, Any], status: str, stage: str | None, overdue: bool | None) -> list[errors.FieldError]:
    problems = []
    if status not in QUEUE_STATUSES:
        problems.append(errors.FieldError("status", "INVALID_ENUM", f"取值无效，可选值：{'、'.join(QUEUE_STATUSES)}"))
    codes = [st["code"] for st in filters["stages"]]
    if stage is not None and stage not in codes:
        problems.append(errors.FieldError("stage", "INVALID_ENUM", f"取值无效，本机构的办理环节：{'、'.join(codes) or '无'}"))
    if overdue is not None and status != task_store.OPEN:
        problems.append(errors.FieldError("overdue", "NOT_ALLOWED", "只有待办理的任务才有是否逾期之分"))
    return problems


def work_queue(
    principal,
    *,
    office: str | None = None,
    limit: int = 20,
    cursor: str | None = None,
    overdue: bool | None = None,
    status: str = task_store.OPEN,
    stage: str | None = None,
) -> dict[str, Any]:
    """One page of review tasks of an office (default: the principal's own unit). Open tasks
    (the default) come earliest deadline first -- overdue tasks lead; ``overdue`` keeps only the
    overdue (True) or the not yet overdue (False) ones; ``status`` (decided, escalated) and
    ``stage`` select by the task's status and review stage. Every filter is a key condition of
    one Query (store/tasks.py ``queue``), then one BatchGetItem of the page's cases for the
    applicant columns: O(page) whatever the office's number of tasks."""
    from chalicelib import auth  # staff routes only: the workflow's task functions never load the JWT checks

    if principal.role not in auth.CASE_ROLES:
        raise errors.RoleNotAllowed("您的账号角色不能查看审核任务")
    code = regions.canonical(office) if office else principal.unit_code
    if not code or not auth.covers(principal, code):
        raise errors.OutsideJurisdiction("只能查看本辖区的任务")
    filters = queue_filters(code)
    problems = _queue_filter_errors(filters, status, stage, overdue)
    if not isinstance(limit, int) or not 1 <= limit <= 100:
        problems.append(errors.FieldError("limit", "OUT_OF_RANGE", "limit 须为 1–100"))
    if problems:
        raise errors.ValidationFailed(details=problems)
    try:
        items, next_cursor = task_store.queue(
            code, limit=limit, cursor=cursor, overdue=overdue, now_iso=_iso(config.now()), status=status, stage=stage
        )
    except task_store.BadCursor:
        raise errors.ValidationFailed(details=[errors.FieldError("cursor", "INVALID_CURSOR", "分页游标无效，请从第一页重新查询")]) from None
    cases = {c.case_id: c for c in case_store.load([t.case_id for t in items])}
    return {
        "office_code": code,
        "office_name": hierarchy.name_of(code),
        "filters": filters,
        "applied": {"status": status, "stage": stage, "overdue": overdue},
        "tasks": [{**task_summary(t), **applicant(cases.get(t.case_id), principal)} for t in items],
        "next_cursor": next_cursor,
    }

"""Changing a submitted registration: modify once (Sichuan) or supplement before review (Guizhou).

- Sichuan (profile ``modify_once``), 000 §2.4.2 注 "登记信息只允许被修改一次…公众可据实修改登记信息
  （与登记时操作类似）" and "修改重新提交后再查询则无'修改登记信息'按钮": a case whose workflow has
  finished (registered or rejected) may be modified once. The new version is validated like
  a new registration, the previous certificate is revoked (its data is no longer what was
  registered), and the workflow runs again as execution ``<case id>-v<version>``; a second
  attempt is 409 ``MODIFICATION_EXHAUSTED``.
- Guizhou (profile ``supplement_before_review``), 001 附件1 一 "在填写的登记信息初审前，申报人能通过
  '查询码+姓名'调取所填写的生育登记信息，并可对其进行补充、完善": while the case waits for 初审 the
  couple may supplement it, as often as needed, from a session that proved the registered phone
  by SMS (``access.authorize_session``). Each supplement is checked like a new submission: the
  waiting task is superseded (``review.supersede``: a conditional write, so a staff decision
  that came first wins) and the workflow runs again as ``<case id>-v<version>``, which sends the
  case to a fresh 初审 task. 初审 ends with the first staff decision on the case (accept, reject
  or request documents, ``review_started``); an escalation of the overdue task is no decision
  and keeps the right (001 附件1 一). Afterwards only staff can change it: 409 ``REVIEW_STARTED``.
- Chongqing: neither; 409 ``MODIFICATION_NOT_ALLOWED``.

Every change appends the previous version to the audit log (subject ``CASE#<id>``: who,
when, which fields changed, the form before and after) and is one conditional write on the
case (its version attribute, and for Sichuan ``modifications`` still 0), so two concurrent
modifications cannot both succeed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from chalicelib import config
from chalicelib.domain import changes as change_rules
from chalicelib.domain import errors
from chalicelib.domain.case_status import status_label
from chalicelib.domain.evaluation import couple_key, evaluate
from chalicelib.domain.form import parse_registration
from chalicelib.domain.profiles import get_profile
from chalicelib.services.citizen import registration
from chalicelib.services.citizen.access import authorize, authorize_session, person_keys
from chalicelib.services.shared import idempotency, outbox
from chalicelib.store.repositories import audit
from chalicelib.store.repositories import cases as case_store
from chalicelib.store.repositories import tasks as task_store

log = logging.getLogger("birthreg.modification")

# When a case may be changed and what changed are the domain's (domain/changes.py).
changed_paths = change_rules.changed_paths


class ModificationNotAllowed(errors.Conflict):
    code = "MODIFICATION_NOT_ALLOWED"
    default_message = "本省登记信息不支持网上修改，如需更正请联系登记机构"


class ReviewStarted(errors.Conflict):
    code = "REVIEW_STARTED"
    default_message = "登记信息已进入审核或已办结，只能由登记机构工作人员修改"


class CaseInProgress(errors.Conflict):
    code = "CASE_IN_PROGRESS"
    default_message = "办件正在核验中，请稍后再试"


def review_started(case: case_store.Case) -> bool:
    """Has staff decided anything on the case? Every review decision is in the audit log
    (``review.<decision>``, services/workflow/review.py); ``review.escalated`` is the deadline
    passing, not a decision, and does not end the time before 初审 (001 附件1 一)."""
    decided = change_rules.DECISION_ACTIONS
    return any(e.action in decided for e in audit.for_subject(f"CASE#{case.case_id}", limit=200))


def _refusal(case: case_store.Case) -> str | None:
    return change_rules.refusal(
        get_profile(case.profile),
        status=case.status,
        modifications=int(case.modifications or 0),
        review_started=lambda: review_started(case),
    )


def can_modify(case: case_store.Case) -> bool:
    return _refusal(case) is None


_REFUSALS: dict[str, Callable[[], errors.DomainError]] = {
    change_rules.EXHAUSTED: errors.ModificationExhausted,
    change_rules.UNTIL_FINISHED: lambda: CaseInProgress("办件正在办理中，办结后方可修改"),
    change_rules.NOT_IN_THIS_STATUS: lambda: CaseInProgress("办件当前状态不能修改，请联系登记机构"),
    change_rules.CHECKING_NOW: CaseInProgress,
    change_rules.REVIEW_STARTED: ReviewStarted,
    change_rules.NOT_OFFERED: ModificationNotAllowed,
}


def _check_allowed(case: case_store.Case) -> None:
    refusal = _refusal(case)
    if refusal is not None:
        raise _REFUSALS[refusal]()


def _supersede(case: case_store.Case) -> task_store.Task:
    """Close the task the waiting workflow holds for this version; if a staff decision (or an
    escalation) was first, the supplement is refused and nothing changes."""
    from chalicelib.services.workflow import review

    try:
        return review.supersede(case)
    except task_store.AlreadyClosed:
        _check_allowed(case_store.get(case.case_id))  # decided meanwhile: REVIEW_STARTED
        raise errors.Conflict("办件刚刚发生了变化，请重新查询后再补充", code="CONCURRENT_CHANGE") from None


def editable_form(case_id: str, *, query_code: str | None = None, token: str | None = None) -> dict[str, Any]:
    """The couple's own submitted form, unmasked, so a modification or a supplement starts from it
    instead of an empty wizard (issue 17). Same credentials as reading the case; offered only while
    the case may be changed, so the full data is not handed out for cases nobody can edit. Each read
    is recorded (who may see the couple's unmasked data, and when)."""
    case = authorize_session(case_id, query_code=query_code, token=token)
    _check_allowed(case)
    audit.append(
        f"CASE#{case.case_id}",
        actor="citizen",
        action="citizen.form_read",
        detail={"via": "query_code+sms" if query_code else "token"},
    )
    return {
        "case_id": case.case_id,
        "profile": case.profile,
        "status": case.status,
        "modifications": int(case.modifications or 0),
        "form": case.form,
    }


def changed_message(case_id: str) -> str:
    # Tells the registered phone about every change, so a change by someone else is noticed.
    return f"【生育登记】您的办件{case_id}登记信息已修改，如非本人操作请联系登记机构。"


def modify(
    case_id: str,
    body: Any,
    *,
    query_code: str | None = None,
    token: str | None = None,
    idempotency_key: str | None = None,
) -> tuple[dict[str, Any], bool]:
    """``(result, replayed)``. With an idempotency key a retried request returns the first result."""
    case = authorize(case_id, query_code=query_code, token=token)
    if get_profile(case.profile).supplement_before_review:
        case = authorize_session(case_id, query_code=query_code, token=token)  # who read the unmasked form
    if idempotency_key:
        return idempotency.run(f"modify:{case.case_id}", idempotency_key, body, lambda claim: _modify(case, body, via="token" if token and not query_code else "query_code", claim=claim))
    return _modify(case, body, via="token" if token and not query_code else "query_code"), False


def _modify(case: case_store.Case, body: Any, *, via: str, claim=None) -> dict[str, Any]:
    """``claim``: an idempotency key's claim, answered in the same transaction as the change."""
    _check_allowed(case)
    profile = get_profile(case.profile)
    today = config.today()
    form = parse_registration(body, today=today)
    if form.profile != case.profile:
        raise errors.ValidationFailed(details=[errors.FieldError("profile", "PROFILE_CHANGED", "修改登记信息不能变更登记省份")])
    evaluation = evaluate(form, today=today)
    if not evaluation.eligible:
        raise registration.NotEligible(details=registration.reasons_as_details(evaluation, onsite=False))
    if evaluation.onsite_required or not evaluation.jurisdiction.decided:
        raise registration.OnsiteRequired(details=registration.reasons_as_details(evaluation, onsite=True))
    before = case.form
    after = json.loads(form.model_dump_json())
    changes = changed_paths(before, after)
    if not changes:
        raise errors.ValidationFailed("修改内容与原登记信息相同", details=[errors.FieldError("", "NO_CHANGES", "未修改任何登记信息")])
    office = evaluation.jurisdiction.office_code
    rerun = change_rules.reruns_workflow(profile)
    if change_rules.office_change_refused(profile, before=case.office_code, after=office):
        raise errors.ValidationFailed(
            details=[errors.FieldError("application.office_code", "OFFICE_CHANGE_NOT_ALLOWED", "补充完善登记信息不能变更申报登记地")]
        )
    key = couple_key(form, secret=config.secret_key())
    order = evaluation.child_order.registration_order
    registration.assert_not_duplicate(key, order, exclude=case.case_id)

    count = int(case.modifications or 0) + 1
    version = count + 1  # the submitted data is version 1
    at = config.now().isoformat(timespec="seconds")
    status = case_store.SUBMITTED if rerun else case.status
    note = "申请人补充完善登记信息，重新核验" if profile.supplement_before_review else "申请人修改登记信息，重新核验"
    previous_status = case.status
    old_certificate = case.certificate.registration_number if case.certificate is not None else None
    # The SMS (and a re-run's workflow start) are committed with the change, sent after it (outbox).
    messages = [outbox.sms(case.contact_phone, changed_message(case.case_id), event_id=f"sms:modified:{case.case_id}:v{version}", subject=case.case_id)]
    if rerun:
        messages.append(outbox.workflow_start(case.case_id, execution_name=f"{case.case_id}-v{version}"))
    result = {
        "case_id": case.case_id,
        "status": status,
        "status_label": status_label(status),
        "version": version,
        "modifications": count,
        "changed": changes,
        "evaluation": evaluation.to_dict(),
    }
    also = tuple(outbox.put_operation(m) for m in messages) + ((claim.completion(result),) if claim is not None else ())
    waiting = _supersede(case) if profile.supplement_before_review else None
    if waiting is not None:
        from chalicelib.services.workflow import review  # the supplement's path only (as uploads)
    try:
        case_store.modify(
            case,
            form_json=form.model_dump_json(),
            evaluation_json=json.dumps(evaluation.to_dict(), ensure_ascii=False),
            couple_key=key,
            child_order=order,
            office_code=office,
            status=status,
            at=at,
            note=note,
            rerun=rerun,
            once=profile.modify_once,
            person_keys=person_keys(form.woman.id_number, form.man.id_number),
            also=also,
        )
    except case_store.ConcurrentChange:
        if waiting is not None:
            review.restore(waiting)
        raise errors.Conflict("办件刚刚发生了变化，请重新查询后再修改", code="CONCURRENT_CHANGE") from None
    if waiting is not None:
        review.release(waiting)
    audit.append(
        f"CASE#{case.case_id}",
        actor="citizen",
        action="case.supplemented" if profile.supplement_before_review else "case.modified",
        before={"form": before, "status": previous_status, "version": version - 1},
        after={"form": after, "status": status, "version": version},
        detail={"changed": changes, "via": via, "profile": case.profile},
        at=at,
    )
    if rerun:
        if old_certificate:
            # Loaded by this one path only: the case view (which asks can_modify) does not pay for it.
            from chalicelib.services.certificates import issuance as certificates

            # The certificate states the data the applicant has just replaced (000 §2.4.2).
            certificates.revoke(old_certificate, reason="modified", actor="citizen")
    outbox.deliver_now(messages)
    return result

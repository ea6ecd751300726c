"""Registration use cases: precheck and submit (the citizen's view of a case is ``view.py``,
who may act on a case ``access.py``).

``submit(body, channel=..., actor=..., contact_phone=...)`` is the one way a case is created:
the citizen route calls ``submit_online`` (a verified submit token's phone, a client
idempotency key), staff on-site entry calls ``submit(body, channel="onsite", actor=<staff id>)``.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from chalicelib import config, observability
from chalicelib.domain import errors
from chalicelib.domain.case_status import status_label
from chalicelib.domain.evaluation import Evaluation, couple_key, evaluate
from chalicelib.domain.form import parse_registration
from chalicelib.domain.profiles import get_profile
from chalicelib.services.citizen.access import person_keys, query_key
from chalicelib.services.shared import idempotency, outbox
from chalicelib.services.workflow import notifications
from chalicelib.store.repositories import cases as case_store
from chalicelib.store.repositories import codes

QUERY_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed from an SMS


class NotEligible(errors.DomainError):
    code = "NOT_ELIGIBLE"
    status = 422
    default_message = "根据登记条件，本次申请不符合网上生育登记要求"


class OnsiteRequired(errors.DomainError):
    # 004 "(two) the following special circumstances need to be handled on the spot"
    code = "ONSITE_REQUIRED"
    status = 422
    default_message = "您的情形需要到登记机构现场办理"


def new_case_id(today) -> str:
    return f"{today:%Y%m%d}{secrets.token_hex(5).upper()}"


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(8))


def reasons_as_details(evaluation: Evaluation, onsite: bool) -> list[errors.FieldError]:
    items = evaluation.onsite_reasons if onsite else evaluation.reasons
    return [errors.FieldError(path="", code=r.code, message=r.message) for r in items]


def precheck(body: Any) -> dict[str, Any]:
    """Evaluate a registration without storing anything (same evaluation as ``submit``)."""
    today = config.today()
    form = parse_registration(body, today=today)
    return evaluate(form, today=today).to_dict()


def assert_not_duplicate(key: str, child_order: int, *, exclude: str | None = None) -> None:
    for existing in case_store.by_couple(key):
        if existing.case_id == exclude:
            continue
        if existing.status in case_store.ACTIVE_STATUSES and int(existing.child_order) == child_order:
            raise errors.DuplicateRegistration(
                details=[
                    errors.FieldError(
                        path="",
                        code="EXISTING_CASE",
                        message=f"已有办件 {mask_reference(existing.case_id)}，请通过办件查询查看",
                    )
                ]
            )


# Long enough for a submission to become visible on the CoupleIndex (eventually consistent).
SUBMIT_LOCK_SECONDS = 30


class SubmissionInProgress(errors.Conflict):
    code = "SUBMISSION_IN_PROGRESS"
    default_message = "该夫妻的同一孩次登记正在提交中，请稍后通过办件查询查看结果"


def _submission_lock(key: str, child_order: int) -> str:
    return f"SUBMIT#{key}#{child_order}"


def _claim_submission(key: str, child_order: int) -> None:
    """One submission at a time per couple and child: the duplicate check below reads a GSI,
    so without this lock two concurrent submits (different idempotency keys) could both pass."""
    if not codes.claim(_submission_lock(key, child_order), seconds=SUBMIT_LOCK_SECONDS):
        raise SubmissionInProgress()


def _release_submission(key: str, child_order: int) -> None:
    """The case write failed: the client's retry must not wait for the lock to lapse."""
    try:
        codes.release(_submission_lock(key, child_order))
    except Exception:  # the lock lapses by itself after SUBMIT_LOCK_SECONDS
        return


def mask_reference(case_id: str) -> str:
    return f"{case_id[:8]}****{case_id[-2:]}"


def receipt_message(case_id: str, query_code: str, profile: str = "sichuan") -> str:
    return get_profile(profile).wording.receipt_sms.format(case_id=case_id, query_code=query_code)


class TokenPhoneMismatch(errors.Forbidden):
    code = "TOKEN_PHONE_MISMATCH"
    default_message = "短信验证的手机号须为女方或男方填写的手机号码"


def submit_online(body: Any, *, phone: str, idempotency_key: str) -> tuple[dict[str, Any], bool]:
    """A citizen's submission: ``phone`` comes from a verified submit token; a retried request
    with the same idempotency key returns the first result (``services/shared/idempotency.py``).
    Returns ``(result, replayed)``."""
    return idempotency.run(
        f"submit:online:{phone}",
        idempotency_key,
        body,
        lambda claim: submit(body, channel="online", actor="citizen", contact_phone=phone, claim=claim),
        sealed=("query_code",),
        status_code=201,
    )


def submit(
    body: Any,
    *,
    channel: str = "online",
    actor: str = "citizen",
    contact_phone: str | None = None,
    counter_office: str | None = None,
    claim: idempotency.Claim | None = None,
) -> dict[str, Any]:
    """Create a case. Online, ``contact_phone`` (verified by SMS) is required and must be the
    woman's or the man's phone in the form (000 §2.3.6); on-site staff entry passes none, and
    passes ``counter_office``: where the rules cannot decide the office, the office that
    receives the couple at its counter is responsible (002 七(一) "谁先接谁负责办理").
    ``claim``: a client idempotency key's claim, answered in the case's own transaction."""
    if channel == "online" and not contact_phone:
        raise errors.TokenRequired()
    today = config.today()
    form = parse_registration(body, today=today)
    if contact_phone and contact_phone not in (form.woman.phone, form.man.phone):
        raise TokenPhoneMismatch(details=[errors.FieldError("headers.x-citizen-token", "TOKEN_PHONE_MISMATCH", "短信验证的手机号须为女方或男方的手机号码")])
    evaluation = evaluate(form, today=today)
    if not evaluation.eligible:
        raise NotEligible(details=reasons_as_details(evaluation, onsite=False))
    if (evaluation.onsite_required or not evaluation.jurisdiction.decided) and channel == "online":
        raise OnsiteRequired(details=reasons_as_details(evaluation, onsite=True))
    key = couple_key(form, secret=config.secret_key())
    order = evaluation.child_order.registration_order
    assert_not_duplicate(key, order)  # the usual case, answered with the existing case's reference
    _claim_submission(key, order)  # concurrent submits that both passed the check above

    phone = contact_phone or form.woman.phone
    now = config.now().isoformat(timespec="seconds")
    case_id = new_case_id(today)
    query_code = new_query_code()
    woman_key, man_key = person_keys(form.woman.id_number, form.man.id_number)
    case = case_store.Case(
        case_id,
        profile=form.profile,
        status=case_store.SUBMITTED,
        form_json=form.model_dump_json(),
        evaluation_json=json.dumps(evaluation.to_dict(), ensure_ascii=False),
        query_code_hash=config.keyed_hash("query-code", f"{case_id}:{query_code}"),
        query_key=query_key(query_code),
        # 003 V(B): the manual-acceptance SMS carries the query code (services/workflow/notifications.py)
        query_code_sealed=notifications.sealed_query_code(case_id, query_code) if get_profile(form.profile).wording.manual_acceptance_sms else None,
        phone_key=config.keyed_hash("phone", phone),
        contact_phone=phone,
        office_code=evaluation.jurisdiction.office_code or counter_office,
        couple_key=key,
        woman_key=woman_key,
        man_key=man_key,
        child_order=order,
        channel=channel,
        created_at=now,
        updated_at=now,
        history=[case_store.HistoryEntry(status=case_store.SUBMITTED, at=now, by=actor)],
    )
    result = {
        "case_id": case_id,
        "query_code": query_code,
        "status": case.status,
        "status_label": status_label(case.status),
        "evaluation": evaluation.to_dict(),
    }
    # The workflow start and the receipt go out through the outbox, committed with the case (and
    # with the idempotency key's answer): once the case exists, this request succeeds, and a
    # retry gets this same answer (issue 12). 001 附件1 一: "需牢记平台反馈的'查询码'信息" — the
    # query code goes to the phone too.
    messages = [
        outbox.workflow_start(case_id),
        outbox.sms(phone, receipt_message(case_id, query_code, case.profile), event_id=f"sms:receipt:{case_id}", subject=case_id),
    ]
    also = tuple(outbox.put_operation(m) for m in messages)
    try:
        case_store.create(case, also=also + ((claim.completion(result),) if claim is not None else ()))
    except Exception:
        _release_submission(key, order)
        raise
    observability.count("Submitted")
    outbox.deliver_now(messages)
    return result

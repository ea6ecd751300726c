"""Registration use cases: precheck, submit, and the citizen's view of a case."""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

from chalicelib import config
from chalicelib.adapters import sms, workflow
from chalicelib.domain import errors
from chalicelib.domain.evaluation import Evaluation, couple_key, evaluate
from chalicelib.domain.form import RegistrationForm, parse_registration
from chalicelib.domain.idcard import mask_id, mask_phone
from chalicelib.store import cases as case_store

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


class ServiceUnavailable(errors.DomainError):
    code = "SERVICE_UNAVAILABLE"
    status = 503
    default_message = "登记已保存，流程启动暂时失败，工作人员将跟进处理"


def new_case_id(today) -> str:
    return f"{today:%Y%m%d}{secrets.token_hex(5).upper()}"


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(8))


def _reasons_as_details(evaluation: Evaluation, onsite: bool) -> list[errors.FieldError]:
    items = evaluation.onsite_reasons if onsite else evaluation.reasons
    return [errors.FieldError(path="", code=r.code, message=r.message) for r in items]


def precheck(body: Any) -> dict[str, Any]:
    """Evaluate a registration without storing anything (same evaluation as ``submit``)."""
    today = config.today()
    form = parse_registration(body, today=today)
    return evaluate(form, today=today).to_dict()


def _assert_not_duplicate(key: str, child_order: int) -> None:
    for existing in case_store.by_couple(key):
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


def mask_reference(case_id: str) -> str:
    return f"{case_id[:8]}****{case_id[-2:]}"


def submit(body: Any, *, channel: str = "online", actor: str = "citizen", contact_phone: str | None = None) -> dict[str, Any]:
    today = config.today()
    form = parse_registration(body, today=today)
    evaluation = evaluate(form, today=today)
    if not evaluation.eligible:
        raise NotEligible(details=_reasons_as_details(evaluation, onsite=False))
    if (evaluation.onsite_required or not evaluation.jurisdiction.decided) and channel == "online":
        raise OnsiteRequired(details=_reasons_as_details(evaluation, onsite=True))
    key = couple_key(form, secret=config.secret_key())
    order = evaluation.child_order.registration_order
    _assert_not_duplicate(key, order)

    phone = contact_phone or form.woman.phone
    now = config.now().isoformat(timespec="seconds")
    case_id = new_case_id(today)
    query_code = new_query_code()
    case = case_store.Case(
        case_id,
        profile=form.profile,
        status=case_store.SUBMITTED,
        form_json=form.model_dump_json(),
        evaluation_json=json.dumps(evaluation.to_dict(), ensure_ascii=False),
        query_code_hash=config.keyed_hash("query-code", f"{case_id}:{query_code}"),
        phone_key=config.keyed_hash("phone", phone),
        contact_phone=phone,
        office_code=evaluation.jurisdiction.office_code,
        queue_key=case_store.queue_key(case_store.SUBMITTED, now),
        couple_key=key,
        child_order=order,
        channel=channel,
        created_at=now,
        updated_at=now,
        history=[case_store.HistoryEntry(status=case_store.SUBMITTED, at=now, by=actor)],
    )
    case_store.create(case)
    try:
        workflow.start_registration(case_id)
    except workflow.ExecutionAlreadyStarted:
        pass
    except Exception as exc:
        # The case is stored; it must not vanish or stay "submitted" without a workflow.
        case_store.transition(case, case_store.NEEDS_ATTENTION, at=now, by="system", note="workflow start failed")
        raise ServiceUnavailable() from exc
    # 001 附件1 一: "需牢记平台反馈的'查询码'信息" — the query code goes to the phone too.
    sms.default_sender().send(phone, f"【生育登记】已收到您的登记，办件号{case_id}，查询码{query_code}，请妥善保存。")
    return {
        "case_id": case_id,
        "query_code": query_code,
        "status": case.status,
        "status_label": case_store.STATUS_LABELS[case.status],
        "evaluation": evaluation.to_dict(),
    }


def load_for_citizen(case_id: str, query_code: str) -> case_store.Case:
    """The case, if the query code matches; otherwise 404 without saying which part was wrong."""
    try:
        case = case_store.get(case_id)
    except case_store.CaseNotFound:
        raise errors.NotFound("未找到该办件，请核对办件号和查询码") from None
    expected = config.keyed_hash("query-code", f"{case_id}:{query_code.strip().upper()}")
    if not hmac.compare_digest(expected, case.query_code_hash):
        raise errors.NotFound("未找到该办件，请核对办件号和查询码")
    return case


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name


def citizen_view(case: case_store.Case) -> dict[str, Any]:
    """What a citizen sees: status and history, with every personal field masked."""
    form = RegistrationForm.model_validate_json(case.form_json)
    view: dict[str, Any] = {
        "case_id": case.case_id,
        "profile": case.profile,
        "status": case.status,
        "status_label": case_store.STATUS_LABELS.get(case.status, case.status),
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "history": [
            {"status": h.status, "status_label": case_store.STATUS_LABELS.get(h.status, h.status), "at": h.at, "note": h.note}
            for h in case.history
        ],
        "woman": {"name": mask_name(form.woman.name), "id_number": mask_id(form.woman.id_number), "phone": mask_phone(form.woman.phone)},
        "man": {"name": mask_name(form.man.name), "id_number": mask_id(form.man.id_number), "phone": mask_phone(form.man.phone)},
        "evaluation": case.evaluation,
        "certificate": None,
    }
    if case.check is not None:
        view["check"] = case.check
    if case.status == case_store.REGISTERED and case.certificate is not None:
        from chalicelib.adapters import storage

        number = case.certificate.registration_number
        view["certificate"] = {
            "registration_number": number,
            "version": int(case.certificate.version),
            "issued_at": case.certificate.issued_at,
            "download_url": storage.presigned_url(case.certificate.pdf_key, f"{number}.pdf"),
            "expires_in": config.presign_seconds(),
        }
    return view

"""Notify: tell the applicant the result by SMS and other departments by event (002 五(一)8);
and when something goes wrong, make it visible (``record_failure``, with ``shared/alerts.alert_operators``).

The texts are the province's (``Profile.wording``): registered, not registered, 比对未通过 (002 五(一)5,
Chongqing's ``failed_check``), and the manual-acceptance SMS with the query code (003 V(B),
Guizhou's), sent by VerifyRecords through ``manual_acceptance``.

Result SMS (003 (B): "sends the declarant a text message notification … of the status of the
birth registration"): the query code itself is stored only as a keyed hash, so the message
points to the query code sent with the acknowledgement of the submission.
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib import config, observability, sealing
from chalicelib.domain.case_status import NOT_MATCHED, status_label
from chalicelib.domain.profiles import get_profile
from chalicelib.services.shared import alerts, outbox, statistics
from chalicelib.store.repositories import cases as case_store

log = logging.getLogger("birthreg.notifications")


def result_message(case: case_store.Case) -> str:
    # The province's own words (domain/profiles.py Wording): its certificate's name, and what the
    # query page asks for (查询码 + 姓名).
    wording = get_profile(case.profile).wording
    if case.status == case_store.REGISTERED:
        return wording.registered_sms.format(number=case.certificate.registration_number)
    if case.status == NOT_MATCHED and wording.not_matched_sms:
        # 002 五(一)5 "告知审核比对未通过不能办理或到登记机构现场核实办理": the reason is on the query page
        return wording.not_matched_sms.format(case_id=case.case_id)
    return wording.not_registered_sms.format(case_id=case.case_id)


def _manual(case: case_store.Case) -> bool:
    return any(h.status == case_store.AWAITING_REVIEW for h in case.history)


def result_step(case: case_store.Case) -> int:
    """The position in the history of the entry that moved the case into its present status.

    Entries that keep the status (a staff member's print of the paper certificate, a note at the
    counter) come after it and do not move it, so a Notify retried after such an entry names the
    same result as the first attempt; a case that reaches a result again (after a modification) has
    a new position, and its new result is sent."""
    step = len(case.history)
    while step > 1 and case.history[step - 2].status == case.status:
        step -= 1
    return step


def notify(case_id: str) -> dict[str, Any]:
    """The result SMS and the completion event go through the outbox under ids fixed by the case's
    history (``result_step``), so a retried Notify stores (and sends) them once; receivers
    deduplicate on the id."""
    case = case_store.get(case_id)
    position = result_step(case)
    step = f"{case_id}:{position}"
    messages = [outbox.sms(case.contact_phone, result_message(case), event_id=f"sms:result:{step}", subject=case_id)]
    if case.status == case_store.REGISTERED:
        # No personal data in the shared event: departments look the case up with rights of their own.
        messages.append(
            outbox.event(
                "events",
                "registration.completed",
                {
                    "type": "registration.completed",
                    "case_id": case.case_id,
                    "registration_number": case.certificate.registration_number,
                    "office_code": case.office_code,
                    "child_order": int(case.child_order),
                    "profile": case.profile,
                    "completed_at": case.updated_at,
                },
                event_type="registration.completed",
                event_id=f"event:completed:{step}",
                ref=case_id,
            )
        )
    if case.status == case_store.REGISTERED:
        messages.extend(_shares(case, step=position))
    stored = outbox.enqueue(messages)
    if stored and case.status in (case_store.REGISTERED, case_store.REJECTED, NOT_MATCHED):
        # counted with the first storing of the messages, so a retried Notify does not count twice
        statistics.completed(case.office_code, case.status, case.channel, case_id=case_id, at=case.updated_at, manual=_manual(case))
    outbox.deliver_now(stored)
    return {"outbox": [m.event_id for m in messages], "status": case.status}


def _shares(case: case_store.Case, *, step: int) -> list:
    """The registration for each system the province delivers to (domain/sharing.py: 002 五(一)8
    渝快办, 001 四(三) PIS), through the outbox: at least once, one event id per registration."""
    from chalicelib.domain import hierarchy, sharing
    from chalicelib.domain.form import RegistrationForm

    systems = get_profile(case.profile).shares_with
    if not systems:
        return []
    record = sharing.registration_record(
        RegistrationForm.model_validate_json(case.form_json),
        case_id=case.case_id,
        registration_number=case.certificate.registration_number,
        registered_at=case.updated_at,
        office_code=case.office_code,
        office_name=hierarchy.name_of(case.office_code),
        child_order=int(case.child_order),
        channel=case.channel,
    )
    return [
        outbox.share(system, record, event_id=sharing.event_id(system, case.case_id, step), subject=case.case_id)
        for system in systems
    ]


_SEAL_NONCE = "case-query-code"
# 002 六 "现场登记带上夫妻双方身份证、结婚证原件"; 002 五(一)5 "到登记机构现场核实办理"
ONSITE_OPTION = "可携带夫妻双方身份证、结婚证原件到登记机构现场核实办理"


def not_matched_notice(case: case_store.Case) -> dict[str, Any] | None:
    """The 比对未通过 notice of a case closed by a failed check (002 五(一)5 "告知审核比对未通过不能办理
    或到登记机构现场核实办理"): the reasons VerifyRecords recorded and the on-site option, with the
    office's name, address, phone and hours as its administrator entered them (read now: they change)."""
    if case.status != NOT_MATCHED:
        return None
    from chalicelib.domain import hierarchy
    from chalicelib.store import offices as office_store

    recorded = (case.check or {}).get("notice") or {}
    info = office_store.organisation(case.office_code) or {}
    return {
        "title": status_label(NOT_MATCHED),
        "reasons": list(recorded.get("reasons") or []),
        "citation": recorded.get("citation"),
        "onsite": {
            "text": ONSITE_OPTION,
            "office_code": case.office_code,
            "office_name": info.get("name") or hierarchy.name_of(case.office_code),
            **{k: info.get(k) for k in ("address", "phone", "opening_hours")},
        },
    }


def sealed_query_code(case_id: str, query_code: str) -> str:
    """The query code sealed for the case (only where the profile's manual-acceptance SMS carries it)."""
    return sealing.seal({"query_code": query_code}, case_id, _SEAL_NONCE, ("query_code",))["query_code"]


def manual_acceptance(case: case_store.Case) -> None:
    """003 V(B): the automatic comparison failed, the case goes to manual acceptance and the
    declarant gets an SMS with the query code. Once per case (the outbox keeps its event id)."""
    template = get_profile(case.profile).wording.manual_acceptance_sms
    if not template or not case.query_code_sealed:
        return
    code = sealing.unseal({"query_code": case.query_code_sealed}, case.case_id, _SEAL_NONCE, ("query_code",))["query_code"]
    message = outbox.sms(
        case.contact_phone,
        template.format(case_id=case.case_id, query_code=code),
        event_id=f"sms:manual-acceptance:{case.case_id}",
        subject=case.case_id,
    )
    outbox.deliver_now(outbox.enqueue([message]))


def _error_name(state: dict[str, Any]) -> str:
    error = state.get("error")
    if isinstance(error, dict):
        return str(error.get("Error") or "Unknown")[:80]
    return f"unexpected route {state.get('route')!r}"[:80]


def record_failure(state: dict[str, Any]) -> dict[str, Any]:
    """State ``RecordFailure``: a step failed after its retries (or the workflow reached a state it
    does not know). The case becomes "needs attention" — visible to the citizen and to staff, never
    lost — and the operators are alerted. Personal data stays out of the alert."""
    case_id = state["case_id"]
    error = _error_name(state)
    case = case_store.get(case_id)
    previous = case.status
    at = config.now().isoformat(timespec="seconds")
    for _ in range(5):
        try:
            case = case_store.transition(case, case_store.NEEDS_ATTENTION, at=at, by="system", note=f"处理异常（{error}），已通知运维人员跟进")
            break
        except case_store.ConcurrentChange:
            case = case_store.get(case_id)
    alerts.alert_operators(
        "生育登记办件需要人工处理",
        {"case_id": case_id, "error": error, "previous_status": previous, "office_code": case.office_code, "at": at},
    )
    if previous != case_store.NEEDS_ATTENTION:  # a retried step finds the case there already
        statistics.needs_attention(case.office_code, case.channel, case_id=case_id, at=at)
        observability.count("NeedsAttention")
    log.error("case %s needs attention: %s", case_id, error)
    return {"case_id": case_id, "status": case.status}

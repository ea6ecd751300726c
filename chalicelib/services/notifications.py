"""Notify: tell the applicant the result by SMS and other departments by event (002 五(一)8)."""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.adapters import events, sms
from chalicelib.store import cases as case_store


def result_message(case: case_store.Case) -> str:
    if case.status == case_store.REGISTERED:
        number = case.certificate.registration_number
        return f"【生育登记】您的生育登记已办结，登记编号{number}，可凭办件号和查询码查询并打印。"
    return f"【生育登记】您的办件{case.case_id}未予登记，原因请凭查询码在办件查询中查看。"


def notify(case_id: str) -> dict[str, Any]:
    case = case_store.get(case_id)
    message_id = sms.default_sender().send(case.contact_phone, result_message(case))
    if case.status == case_store.REGISTERED:
        # No personal data in the shared event: departments look the case up with rights of their own.
        events.publish(
            config.events_topic_arn(),
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
        )
    return {"sms_message_id": message_id, "status": case.status}

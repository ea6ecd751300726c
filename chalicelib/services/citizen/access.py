"""Which case a citizen may act on, and how: the query code (查询码) or a query token of the
phone the case was registered with. Every citizen use case on an existing case (view, modify,
upload, rate) starts here; submitting creates the credentials (``registration.submit``).
"""

from __future__ import annotations

import hmac

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.services.shared import tokens
from chalicelib.store.repositories import cases as case_store


def query_key(query_code: str) -> str:
    """Keyed hash of a query code alone: the QueryCodeIndex key (001 附件1 一 "查询码+姓名")."""
    return config.keyed_hash("query-code-lookup", query_code.strip().upper())


def person_key(id_number: str) -> str:
    """Keyed hash of one person's ID number: the WomanIdIndex / ManIdIndex key, so staff find a
    case by either spouse's number (003 V(D)) without the number being stored in clear."""
    return config.keyed_hash("person-id", id_number.strip().upper())


def person_keys(woman_id: str, man_id: str) -> tuple[str, str]:
    return person_key(woman_id), person_key(man_id)


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


def authorize(case_id: str, *, query_code: str | None = None, token: str | None = None) -> case_store.Case:
    """The case a citizen may act on: by its query code, or by a query token of the phone the
    case was registered with (a token reads only its own phone's cases). Any mismatch is the
    same 404 as an unknown case id, so nobody learns whether another couple's case exists."""
    if query_code:
        return load_for_citizen(case_id, query_code)
    if token:
        phone = tokens.verify(token, "query")
        try:
            case = case_store.get(case_id)
        except case_store.CaseNotFound:
            raise errors.NotFound("未找到该办件") from None
        if not hmac.compare_digest(case.phone_key, config.keyed_hash("phone", phone)):
            raise errors.NotFound("未找到该办件")
        return case
    raise errors.Unauthorized(
        "请提供查询码（X-Query-Code）或办件查询凭证（X-Citizen-Token）",
        code="CREDENTIALS_REQUIRED",
        details=[errors.FieldError("headers.x-query-code", "MISSING", "请提供查询码（X-Query-Code 请求头）或查询凭证（X-Citizen-Token 请求头）")],
    )


class PhoneProofRequired(errors.Unauthorized):
    code = "SMS_VERIFICATION_REQUIRED"
    default_message = "查看和补充完善完整登记信息前，请先验证登记时预留手机号码收到的短信验证码"


def authorize_session(case_id: str, *, query_code: str | None = None, token: str | None = None) -> case_store.Case:
    """The case for a session that may see the couple's data unmasked: a query token proving the
    phone the case was registered with (an SMS code, ``otp.py``) — and, when the couple came in by
    查询码 + 姓名 (001 附件1 一), that query code as well. A query code alone is not enough: it is
    printed on receipts and may be read by others; the masked case view is all it opens."""
    if not token:
        raise PhoneProofRequired(
            details=[errors.FieldError("headers.x-citizen-token", "MISSING", "请先获取并输入发送至登记手机号码的短信验证码")]
        )
    case = authorize(case_id, token=token)
    if query_code:
        load_for_citizen(case_id, query_code)
    return case


def send_code_to_case(case_id: str, query_code: str | None, body: dict, *, client_ip: str | None) -> dict:
    """查询码 + 姓名 found the case; the SMS code goes to the phone it was registered with, which the
    couple need not type again (the page shows it masked). ``body``: the captcha
    (``api/models.CaseSmsCodeRequest``); the code is the ``query`` purpose's, with its limits."""
    from chalicelib.services.shared import otp

    case = authorize(case_id, query_code=query_code) if query_code else _code_required()
    return otp.request_code({**body, "phone": case.contact_phone, "purpose": "query"}, client_ip=client_ip)


def verify_code_for_case(case_id: str, query_code: str | None, body: dict) -> dict:
    """The code sent by ``send_code_to_case``: answers a query token of the case's phone."""
    from chalicelib.services.shared import otp

    case = authorize(case_id, query_code=query_code) if query_code else _code_required()
    return otp.verify_code({"phone": case.contact_phone, "purpose": "query", "code": body["code"]})


def _code_required():
    raise errors.Unauthorized(
        "请提供查询码（X-Query-Code）",
        code="CREDENTIALS_REQUIRED",
        details=[errors.FieldError("headers.x-query-code", "MISSING", "请提供查询码（X-Query-Code 请求头）")],
    )

"""Case query (办件查询, 000 §2.4; 001 附件1 一).

Three ways in, each answered with masked case views (``view.citizen_view``):

- ``by_phone`` — the phone the case was registered with, proven by a query token (graphic
  captcha + SMS code, 000 §2.4.1 "输入登记时预留的手机号码…输入图形验证码和短信验证码"):
  the phone's cases from the PhoneIndex (a Query, never a Scan).
- ``by_ids`` — a new phone (000 §2.4.1 "如果公众已更换手机号码…还需输入男女双方的身份证号码"): a
  query token for the new phone plus both spouses' ID numbers: that couple's cases from
  the CoupleIndex. Attempts are limited like the query-code path, on what they protect and on
  who asks: ``BY_IDS_PERSON_LIMIT`` per woman's ID and per man's ID (whoever guesses the
  spouse's number keeps one of the two fixed) and ``BY_IDS_PHONE_LIMIT`` per proven phone (the
  client: a phone costs an SMS and a captcha, an IP is shared by a carrier's customers), per
  ``BY_IDS_WINDOW_SECONDS`` (a day). A couple that hits the limit still has the other two ways in.
- ``by_query_code`` — Guizhou's "查询码+姓名" (001 附件1 一): the query code and the woman's or
  the man's name, from the sparse QueryCodeIndex. Attempts are limited per client IP
  (``QUERY_IP_LIMIT`` per ``QUERY_IP_WINDOW_SECONDS``), as the code is the only secret.
"""

from __future__ import annotations

import hmac
from typing import Any

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.domain.evaluation import couple_key_from_ids
from chalicelib.domain.form import RegistrationForm
from chalicelib.domain.idcard import require_valid_id
from chalicelib.services.citizen.access import query_key
from chalicelib.services.citizen.view import citizen_view
from chalicelib.services.shared import attempts, tokens
from chalicelib.store.repositories import cases as case_store
from chalicelib.store.repositories import codes

MAX_CASES = 20


def _views(cases) -> dict[str, Any]:
    return {"cases": [citizen_view(c) for c in cases]}


def by_phone(token: str | None) -> dict[str, Any]:
    phone = tokens.verify(token, "query")
    return _views(case_store.by_phone(config.keyed_hash("phone", phone), limit=MAX_CASES))


def by_ids(token: str | None, body: dict[str, str]) -> dict[str, Any]:
    """``body``: validated by ``api/models.CoupleIdsQuery`` (both numbers present, upper case, of
    the 18-character shape); here the rest of GB 11643, which needs today's date."""
    phone = tokens.verify(token, "query")  # the new phone is proven; the ID numbers say which couple
    today = config.today()
    problems: list[errors.FieldError] = []
    ids: dict[str, str] = {}
    for field in ("woman_id_number", "man_id_number"):
        try:
            ids[field] = require_valid_id(body[field], path=field, today=today)
        except errors.ValidationFailed as exc:
            problems.extend(exc.details)
    if problems:
        raise errors.ValidationFailed(details=problems)
    _limit_pair_attempts(phone, ids["woman_id_number"], ids["man_id_number"])
    key = couple_key_from_ids(ids["woman_id_number"], ids["man_id_number"], secret=config.secret_key())
    newest = sorted(case_store.by_couple(key), key=lambda c: c.created_at, reverse=True)[:MAX_CASES]
    return _views(case_store.load([c.case_id for c in newest]))


def _limit_pair_attempts(phone: str, woman_id: str, man_id: str) -> None:
    """All or nothing (one transaction): a refused attempt counts against none of the three."""
    window = config.int_setting("BY_IDS_WINDOW_SECONDS")
    per_person = config.int_setting("BY_IDS_PERSON_LIMIT")
    attempts.take([
        codes.window("BY_IDS_PHONE_LIMIT", f"by-ids-phone#{config.keyed_hash('phone', phone)}",
                     seconds=window, limit=config.int_setting("BY_IDS_PHONE_LIMIT")),
        codes.window("BY_IDS_PERSON_LIMIT", f"by-ids-id#{config.keyed_hash('id', woman_id)}", seconds=window, limit=per_person),
        codes.window("BY_IDS_PERSON_LIMIT", f"by-ids-id#{config.keyed_hash('id', man_id)}", seconds=window, limit=per_person),
    ])


def by_query_code(body: dict[str, str], *, client_ip: str | None) -> dict[str, Any]:
    """``body``: validated by ``api/models.QueryCodeQuery`` (the code and a name, trimmed)."""
    attempts.limit_client(client_ip)
    code, name = body["query_code"].upper(), body["name"]  # query codes are read case-insensitively
    not_found = errors.NotFound("未找到办件，请核对查询码和姓名")
    for case_id, code_hash in case_store.by_query_key(query_key(code), limit=5):
        expected = config.keyed_hash("query-code", f"{case_id}:{code}")
        if not hmac.compare_digest(expected, code_hash):
            continue
        case = case_store.get(case_id)  # the index holds the code's hash only
        form = RegistrationForm.model_validate_json(case.form_json)
        if name in (form.woman.name, form.man.name):
            return _views([case])
    raise not_found

"""SMS verification codes, captchas and citizen tokens through the HTTP API (issue 4).

Time moves with the ``clock`` fixture (``config.clock``), never by sleeping.
"""

from __future__ import annotations

import pytest

from local import outbox
from tests.e2e.conftest import (
    citizen_token,
    last_code,
    new_captcha,
    register,
    send_code,
    solve_text_captcha,
    unique_phone,
)

pytestmark = pytest.mark.e2e


def _sent_to(phone: str) -> list[str]:
    return [m["message"] for m in outbox.messages() if m["phone"] == "+86" + phone]


def _verify(api, phone: str, code: str, purpose: str = "submit"):
    return api.post("/v1/sms-codes/verify", {"phone": phone, "purpose": purpose, "code": code})


def _other(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_code_is_sent_once_and_becomes_a_token(api):
    phone = unique_phone()
    r = send_code(api, phone, "submit")
    assert r.status == 202, r.body
    assert r.body == {"phone": phone[:3] + "****" + phone[7:], "purpose": "submit", "expires_in": 300, "resend_after": 60}
    texts = _sent_to(phone)
    assert len(texts) == 1 and len(texts[0]) <= 70
    code = last_code(phone)
    assert len(code) == 6 and code.isdigit()
    ok = _verify(api, phone, code)
    assert ok.status == 200, ok.body
    assert ok.body["purpose"] == "submit" and ok.body["expires_in"] == 1800 and ok.body["token"].count(".") == 2  # a JWT
    replay = _verify(api, phone, code)
    assert replay.status == 400 and replay.body["error"]["code"] == "CODE_USED"


def test_wrong_codes_lock_the_code_after_five_tries(api):
    phone = unique_phone()
    send_code(api, phone, "submit")
    code = last_code(phone)
    for left in (4, 3, 2, 1):
        r = _verify(api, phone, _other(code))
        assert r.status == 400 and r.body["error"]["code"] == "CODE_MISMATCH"
        assert f"{left}次" in r.body["error"]["message"]
    fifth = _verify(api, phone, _other(code))
    assert fifth.status == 403 and fifth.body["error"]["code"] == "CODE_LOCKED"
    right = _verify(api, phone, code)
    assert right.status == 403 and right.body["error"]["code"] == "CODE_LOCKED", "a locked code stays locked"


def test_code_expires_after_five_minutes(api, clock):
    phone = unique_phone()
    send_code(api, phone, "submit")
    code = last_code(phone)
    clock.advance(301)
    r = _verify(api, phone, code)
    assert r.status == 400 and r.body["error"]["code"] == "CODE_EXPIRED"


def test_code_is_bound_to_its_purpose(api, clock):
    phone = unique_phone()
    send_code(api, phone, "submit")
    r = _verify(api, phone, last_code(phone), purpose="verify")
    assert r.status == 400 and r.body["error"]["code"] == "CODE_NOT_FOUND"


def test_resend_waits_sixty_seconds_and_replaces_the_code(api, clock):
    phone = unique_phone()
    send_code(api, phone, "submit")
    first = last_code(phone)
    again = send_code(api, phone, "submit")
    assert again.status == 429 and again.body["error"]["code"] == "SMS_TOO_FREQUENT"
    assert 0 < int(again.headers["Retry-After"]) <= 60
    assert len(_sent_to(phone)) == 1, "a refused request sends nothing"
    clock.advance(60)
    assert send_code(api, phone, "submit").status == 202
    second = last_code(phone)
    if second != first:
        assert _verify(api, phone, first).body["error"]["code"] == "CODE_MISMATCH", "the new code replaces the old"
    assert _verify(api, phone, second).status == 200


def test_daily_limit_per_phone_and_purpose_is_configurable(api, clock, monkeypatch):
    """The daily limit is per phone and purpose: filling it with submit codes (issue 12: ten
    sends to a victim's phone) leaves the owner's case query and certificate check working."""
    monkeypatch.setenv("SMS_DAILY_LIMIT", "2")
    phone = unique_phone()
    assert send_code(api, phone, "submit").status == 202
    clock.advance(61)
    assert send_code(api, phone, "submit").status == 202
    clock.advance(61)
    r = send_code(api, phone, "submit")
    assert r.status == 429 and r.body["error"]["code"] == "SMS_DAILY_LIMIT"
    assert 0 < int(r.headers["Retry-After"]) <= 24 * 3600
    assert len(_sent_to(phone)) == 2
    for purpose in ("verify", "query"):
        assert send_code(api, phone, purpose).status == 202, purpose
        assert _verify(api, phone, last_code(phone), purpose=purpose).status == 200


def test_per_client_ip_limit_counts_nothing_when_it_refuses(api, clock, monkeypatch):
    # A window length no other test uses: this test's counter starts at zero.
    monkeypatch.setenv("SMS_IP_WINDOW_SECONDS", "7919")
    monkeypatch.setenv("SMS_IP_LIMIT", "2")
    phones = [unique_phone() for _ in range(3)]
    assert send_code(api, phones[0], "submit").status == 202
    assert send_code(api, phones[1], "submit").status == 202
    r = send_code(api, phones[2], "submit")
    assert r.status == 429 and r.body["error"]["code"] == "SMS_IP_LIMIT"
    assert 0 < int(r.headers["Retry-After"]) <= 7919
    assert _sent_to(phones[2]) == []
    # The refusal took nothing from the phone's own limits (one transaction, all or nothing).
    monkeypatch.setenv("SMS_IP_LIMIT", "100000")
    assert send_code(api, phones[2], "submit").status == 202


def test_ten_texts_to_a_victims_phone_need_nine_solved_captchas(api, clock):
    """Issue 12: purposes submit and verify sent ten texts to anyone's phone without a captcha."""
    phone = unique_phone()
    bare = {"phone": phone, "purpose": "submit"}
    assert api.post("/v1/sms-codes", bare).status == 202  # the citizen's first code of the day
    solved = 0
    for _ in range(9):
        clock.advance(61)
        refused = api.post("/v1/sms-codes", bare)
        assert refused.status == 400 and refused.body["error"]["code"] == "CAPTCHA_REQUIRED"
        assert refused.body["error"]["details"][0]["path"] == "captcha_id"
        captcha_id, answer = new_captcha(api)
        assert api.post("/v1/sms-codes", {**bare, "captcha_id": captcha_id, "captcha_answer": answer}).status == 202
        solved += 1
    assert solved == 9 and len(_sent_to(phone)) == 10
    # a wrong captcha sends nothing and the daily limit still holds
    clock.advance(61)
    captcha_id, answer = new_captcha(api)
    wrong = api.post("/v1/sms-codes", {**bare, "captcha_id": captcha_id, "captcha_answer": "22222" if answer != "22222" else "33333"})
    assert wrong.status == 400 and wrong.body["error"]["code"] == "CAPTCHA_INVALID"
    captcha_id, answer = new_captcha(api)
    limited = api.post("/v1/sms-codes", {**bare, "captcha_id": captcha_id, "captcha_answer": answer})
    assert limited.status == 429 and limited.body["error"]["code"] == "SMS_DAILY_LIMIT"
    assert len(_sent_to(phone)) == 10


def test_send_interval_is_configurable(api, monkeypatch):
    monkeypatch.setenv("SMS_SEND_INTERVAL_SECONDS", "0")
    phone = unique_phone()
    assert send_code(api, phone, "submit").status == 202
    assert send_code(api, phone, "submit").status == 202


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({"phone": "12345", "purpose": "submit"}, "phone", "INVALID_PHONE"),
        ({"purpose": "submit"}, "phone", "MISSING"),
        ({"phone": "13800001111", "purpose": "login"}, "purpose", "INVALID_ENUM"),
    ],
)
def test_bad_code_requests(api, body, path, code):
    r = api.post("/v1/sms-codes", body)
    assert r.status == 400
    assert r.body["error"]["details"][0]["path"] == path and r.body["error"]["details"][0]["code"] == code


def test_malformed_code_is_a_400(api):
    r = api.post("/v1/sms-codes/verify", {"phone": unique_phone(), "purpose": "submit", "code": "12ab56"})
    assert r.status == 400 and r.body["error"]["details"][0]["path"] == "code"


# -- captcha ------------------------------------------------------------------------------------
def test_captcha_image_is_a_png(api):
    import base64

    r = api.post("/v1/captchas")
    assert r.status == 201 and r.body["expires_in"] == 120
    prefix = "data:image/png;base64,"
    assert r.body["image"].startswith(prefix)
    assert base64.b64decode(r.body["image"][len(prefix):]).startswith(b"\x89PNG\r\n\x1a\n")


def test_query_codes_need_a_captcha(api):
    phone = unique_phone()
    r = api.post("/v1/sms-codes", {"phone": phone, "purpose": "query"})
    assert r.status == 400 and r.body["error"]["code"] == "CAPTCHA_INVALID"
    assert _sent_to(phone) == []


def test_captcha_is_single_use(api):
    captcha_id, answer = new_captcha(api)
    first = api.post("/v1/sms-codes", {"phone": unique_phone(), "purpose": "query", "captcha_id": captcha_id, "captcha_answer": answer.lower()})
    assert first.status == 202, first.body
    phone = unique_phone()
    reuse = api.post("/v1/sms-codes", {"phone": phone, "purpose": "query", "captcha_id": captcha_id, "captcha_answer": answer})
    assert reuse.status == 400 and reuse.body["error"]["details"][0]["code"] == "CAPTCHA_USED"
    assert _sent_to(phone) == []


def test_wrong_captcha_answer_consumes_the_captcha(api):
    captcha_id, answer = new_captcha(api)
    phone = unique_phone()
    wrong = api.post("/v1/sms-codes", {"phone": phone, "purpose": "query", "captcha_id": captcha_id, "captcha_answer": "ZZZZZ" if answer != "ZZZZZ" else "YYYYY"})
    assert wrong.status == 400 and wrong.body["error"]["details"][0]["code"] == "CAPTCHA_MISMATCH"
    right = api.post("/v1/sms-codes", {"phone": phone, "purpose": "query", "captcha_id": captcha_id, "captcha_answer": answer})
    assert right.status == 400 and right.body["error"]["details"][0]["code"] == "CAPTCHA_USED"
    assert _sent_to(phone) == []


def test_captcha_expires_after_two_minutes(api, clock):
    captcha_id, answer = new_captcha(api)
    clock.advance(121)
    r = api.post("/v1/sms-codes", {"phone": unique_phone(), "purpose": "query", "captcha_id": captcha_id, "captcha_answer": answer})
    assert r.status == 400 and r.body["error"]["details"][0]["code"] == "CAPTCHA_EXPIRED"


def test_unknown_captcha(api):
    r = api.post("/v1/sms-codes", {"phone": unique_phone(), "purpose": "query", "captcha_id": "nope", "captcha_answer": "ABCDE"})
    assert r.status == 400 and r.body["error"]["details"][0]["code"] == "CAPTCHA_MISSING"


# -- tokens -------------------------------------------------------------------------------------
def test_tokens_for_another_purpose_or_phone_submit_nothing(api, stack, couple):
    import boto3

    def cases() -> int:
        return boto3.client("dynamodb").scan(TableName=stack.names["Cases"], Select="COUNT")["Count"]

    body = couple("sichuan")
    before = cases()
    query_token = citizen_token(api, body["woman"]["phone"], "query")
    r = register(api, body, token=query_token)
    assert r.status == 401 and r.body["error"]["code"] == "TOKEN_WRONG_PURPOSE"
    stranger = citizen_token(api, unique_phone(), "submit")
    r = register(api, body, token=stranger)
    assert r.status == 403 and r.body["error"]["code"] == "TOKEN_PHONE_MISMATCH"
    tampered = query_token[:-2] + ("AA" if not query_token.endswith("AA") else "BB")
    r = register(api, body, token=tampered)
    assert r.status == 401 and r.body["error"]["code"] == "INVALID_TOKEN"
    assert cases() == before


def test_the_mans_phone_may_submit(api, couple):
    body = couple("chongqing")
    r = register(api, body, phone=body["man"]["phone"])
    assert r.status == 201, r.body


def test_expired_token_is_refused(api, couple, clock):
    body = couple("sichuan")
    token = citizen_token(api, body["woman"]["phone"], "submit")
    clock.advance(1801)
    r = register(api, body, token=token)
    assert r.status == 401 and r.body["error"]["code"] == "TOKEN_EXPIRED"


# -- the accessible captcha (issue 17): a question in words, with the image's protection ----------------
def test_the_text_captcha_is_answered_once_like_the_image(api):
    r = api.post("/v1/captchas", {"kind": "text"})
    assert r.status == 201 and r.body["kind"] == "text" and "image" not in r.body
    assert r.body["question"].endswith("等于多少？请填写阿拉伯数字") and r.body["expires_in"] == 120
    answer = solve_text_captcha(r.body["question"])
    phone = unique_phone()
    sent = api.post("/v1/sms-codes", {"phone": phone, "purpose": "query", "captcha_id": r.body["captcha_id"], "captcha_answer": answer})
    assert sent.status == 202, sent.body
    other = unique_phone()
    reuse = api.post("/v1/sms-codes", {"phone": other, "purpose": "query", "captcha_id": r.body["captcha_id"], "captcha_answer": answer})
    assert reuse.status == 400 and reuse.body["error"]["details"][0]["code"] == "CAPTCHA_USED"
    assert _sent_to(other) == []


def test_a_wrong_text_answer_consumes_the_question(api):
    r = api.post("/v1/captchas", {"kind": "text"})
    wrong = str(int(solve_text_captcha(r.body["question"])) + 1)
    phone = unique_phone()
    first = api.post("/v1/sms-codes", {"phone": phone, "purpose": "query", "captcha_id": r.body["captcha_id"], "captcha_answer": wrong})
    assert first.status == 400 and first.body["error"]["details"][0]["code"] == "CAPTCHA_MISMATCH"
    right = api.post("/v1/sms-codes", {"phone": phone, "purpose": "query", "captcha_id": r.body["captcha_id"], "captcha_answer": solve_text_captcha(r.body["question"])})
    assert right.status == 400 and _sent_to(phone) == []


def test_the_image_is_phone_readable_and_unknown_kinds_are_refused(api):
    import base64
    import io

    from PIL import Image

    r = api.post("/v1/captchas", {"kind": "image"})
    assert r.status == 201 and (r.body["width"], r.body["height"]) == (240, 90)
    png = base64.b64decode(r.body["image"].split(",", 1)[1])
    assert Image.open(io.BytesIO(png)).size == (240, 90)
    bad = api.post("/v1/captchas", {"kind": "audio"})
    assert bad.status == 400 and bad.body["error"]["details"][0] == {"path": "kind", "code": "INVALID_ENUM", "message": "验证方式只能是 image（图形）或 text（文字题）"}

"""Pure decisions of the citizen services (issue 4): no AWS, no network."""

from __future__ import annotations

import pytest

from chalicelib.domain import errors
from chalicelib.services.citizen import modification, registration, uploads
from chalicelib.services.shared import captcha, idempotency, otp


# -- SMS templates: one segment (000 §2.3.6; adapters/sms.py MAX_LENGTH) ----------------------
@pytest.mark.parametrize("purpose", sorted(otp.PURPOSE_LABELS))
def test_code_messages_fit_one_sms(purpose):
    text = otp.message(purpose, "123456")
    assert len(text) <= 70 and "123456" in text and text.startswith("【生育登记】")


def test_receipt_and_change_messages_fit_one_sms():
    case_id = "20260506ABCDEF1234"
    assert len(registration.receipt_message(case_id, "ABCD2345")) <= 70
    assert len(modification.changed_message(case_id)) <= 70


# -- uploads: magic bytes ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"GIF89a", None),
        (b"PK\x03\x04 a zip or docx", None),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", None),
        (b"", None),
        (b"%PD", None),
    ],
)
def test_sniff(data, expected):
    assert uploads.sniff(data) == expected


def test_upload_keys():
    assert uploads.KEY_RE.fullmatch("uploads/20260506ABCDEF1234/ID_CARD/" + "a" * 32)
    assert not uploads.KEY_RE.fullmatch("uploads/20260506ABCDEF1234/ID_CARD/../x")
    assert not uploads.KEY_RE.fullmatch("uploads/2026/ID_CARD/" + "a" * 32 + "/more")


# -- modification: what changed ----------------------------------------------------------------
def test_changed_paths():
    before = {"woman": {"name": "李娟", "phone": "1"}, "children": [{"name": "a"}, {"name": "b"}], "proxy": None}
    after = {"woman": {"name": "李娟", "phone": "2"}, "children": [{"name": "a"}, {"name": "c"}], "proxy": None}
    assert modification.changed_paths(before, after) == ["children.1.name", "woman.phone"]
    assert modification.changed_paths(before, before) == []
    grown = {**before, "children": [*before["children"], {"name": "d"}]}
    assert modification.changed_paths(before, grown) == ["children"]


# -- idempotency: payload hash, key format (sealing: tests/unit/test_sealing.py)-----------------------------------------
def test_payload_hash_ignores_key_order():
    assert idempotency.payload_hash({"a": 1, "b": [1, 2]}) == idempotency.payload_hash({"b": [1, 2], "a": 1})
    assert idempotency.payload_hash({"a": 1}) != idempotency.payload_hash({"a": 2})


@pytest.mark.parametrize("key", ["", "short", "has space in it", "x" * 129, "键键键键键键键键"])
def test_bad_idempotency_keys(key):
    with pytest.raises(errors.ValidationFailed):
        idempotency.validate_key(key or None)


def test_optional_idempotency_key():
    assert idempotency.validate_key(None, required=False) is None
    assert idempotency.validate_key(" 3f2a-41c2-9d1e ") == "3f2a-41c2-9d1e"


# -- captcha -------------------------------------------------------------------------------------
def test_captcha_answers_and_image():
    answers = {captcha.new_answer() for _ in range(50)}
    assert len(answers) > 45
    assert all(len(a) == captcha.LENGTH and set(a) <= set(captcha.ALPHABET) for a in answers)
    assert captcha.render("AB3K7").startswith(b"\x89PNG\r\n\x1a\n")

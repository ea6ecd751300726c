"""The seal of stored fields (chalicelib/sealing.py): AES-256-GCM, bound to its record and field;
values sealed by the former XOR stream still open (fixtures written by that code)."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import sealing

# Sealed by the former code (XOR with an HMAC-SHA256 stream) under the unit tests' token key
# (tests/unit/conftest.py): an idempotency record's result and an outbox SMS.
LEGACY_RESULT = {"case_id": "C-1", "query_code": "sealed:T+sqRa9S2w14WISVFB8=", "status": "submitted"}
LEGACY_SMS = {
    "phone": "sealed:3owTtUf5SLrZSHck3v0=",
    "text": "sealed:xOHaTiIe5qBeIvYZdqwEuzsqcZJpACGUDrXClrK70E0izMenqW3uNPP8E7ijGBzT5cjDpep4IYrCVM9THmQlUdbdN2UE",
}
SMS_KEY = "outbox:sms:0123456789abcdef"


@given(st.text(min_size=0, max_size=200))
def test_sealed_fields_round_trip(text):
    result = {"case_id": "C1", "query_code": text}
    sealed = sealing.seal(result, "client-key-1", "nonce-1", ("query_code",))
    assert sealed["case_id"] == "C1" and sealed["query_code"].startswith("v2.")
    assert sealing.unseal(sealed, "client-key-1", "nonce-1", ("query_code",)) == result


def test_a_sealed_value_is_aes_gcm_with_a_fresh_96_bit_nonce():
    one = sealing.seal({"q": "ABCD2345"}, "key-aaaa", "n1", ("q",))["q"]
    two = sealing.seal({"q": "ABCD2345"}, "key-aaaa", "n1", ("q",))["q"]
    raw = base64.b64decode(one[3:])
    assert len(raw) == 12 + len("ABCD2345") + 16  # nonce, ciphertext, tag
    assert one != two and raw[:12] != base64.b64decode(two[3:])[:12]
    assert "ABCD2345" not in one


@pytest.mark.parametrize(
    "key, nonce, field",
    [("key-bbbb", "n1", "q"), ("key-aaaa", "n2", "q"), ("key-aaaa", "n1", "other")],
    ids=["another-client-key", "another-record", "another-field"],
)
def test_a_value_opens_only_in_its_own_record_and_field(key, nonce, field):
    sealed = sealing.seal({"q": "ABCD2345"}, "key-aaaa", "n1", ("q",))
    with pytest.raises(sealing.Tampered):
        sealing.unseal({field: sealed["q"]}, key, nonce, (field,))


def test_every_changed_byte_is_refused():
    value = sealing.seal({"q": "ABCD2345"}, "key-aaaa", "n1", ("q",))["q"]
    raw = base64.b64decode(value[3:])
    for i in range(len(raw)):
        changed = bytearray(raw)
        changed[i] ^= 0x01
        with pytest.raises(sealing.Tampered):
            sealing.unseal({"q": "v2." + base64.b64encode(bytes(changed)).decode()}, "key-aaaa", "n1", ("q",))
    for broken in ("v2.", "v2.AAAA", "v2.not base64!", "v2." + base64.b64encode(raw[:-1]).decode()):
        with pytest.raises(sealing.Tampered):
            sealing.unseal({"q": broken}, "key-aaaa", "n1", ("q",))


def test_the_seal_depends_on_the_token_key(monkeypatch):
    from chalicelib import config

    sealed = sealing.seal({"q": "ABCD2345"}, "key-aaaa", "n1", ("q",))
    monkeypatch.setattr(config, "secret_key", lambda: b"another-deployment-key-" + b"1" * 16)
    with pytest.raises(sealing.Tampered):
        sealing.unseal(sealed, "key-aaaa", "n1", ("q",))


def test_values_sealed_by_the_former_stream_still_open():
    assert sealing.unseal(LEGACY_RESULT, "client-key-1", "nonce-1", ("query_code",)) == {
        "case_id": "C-1",
        "query_code": "QX7P-2K9M-44TR",
        "status": "submitted",
    }
    assert sealing.unseal(LEGACY_SMS, SMS_KEY, "", ("phone", "text")) == {
        "phone": "+8613800001111",
        "text": "【生育登记】您的登记已受理，查询码 QX7P-2K9M-44TR。",
    }
    # a legacy value that is not base64 is refused, not opened to garbage
    with pytest.raises(sealing.Tampered):
        sealing.unseal({"q": "sealed:***"}, "client-key-1", "nonce-1", ("q",))


def test_new_records_are_never_written_the_former_way():
    sealed = sealing.seal({"phone": "+8613800001111", "text": "x", "n": 3}, SMS_KEY, "", ("phone", "text", "n"))
    assert sealed["phone"].startswith("v2.") and sealed["text"].startswith("v2.") and sealed["n"] == 3


def test_fields_not_sealed_pass_through():
    stored = {"query_code": "plain-before-sealing-existed", "n": None}
    assert sealing.unseal(stored, "k", "n", ("query_code", "n")) == stored

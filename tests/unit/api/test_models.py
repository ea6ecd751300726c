"""The request bodies (chalicelib/api/models.py): each rule of a field's shape is stated once, in its
model, with a stable code and field path; the services receive the validated document and keep
only what needs stored state, the date or another field (tested with them)."""

from __future__ import annotations

import pytest

from chalicelib.api import models
from chalicelib.domain import errors


def problems(model, document) -> set[tuple[str, str]]:
    with pytest.raises(errors.ValidationFailed) as refused:
        models.parse(model, document)
    return {(d.path, d.code) for d in refused.value.details}


def test_a_body_must_be_an_object():
    for document in ([], "x", 3, None):
        assert problems(models.Rating, document) == {("", "INVALID_BODY")}


# -- ratings (好差评) -------------------------------------------------------------------------------
@pytest.mark.parametrize("score", [1, 3, 5])
def test_a_rating_keeps_its_score_and_the_trimmed_comment(score):
    assert models.plain(models.parse(models.Rating, {"score": score, "comment": "  很好  "})) == {"score": score, "comment": "很好"}
    assert models.plain(models.parse(models.Rating, {"score": score})) == {"score": score}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"score": 0}, {("score", "OUT_OF_RANGE")}),
        ({"score": 6}, {("score", "OUT_OF_RANGE")}),
        ({"score": 4.5}, {("score", "WRONG_TYPE")}),
        ({"score": "5"}, {("score", "WRONG_TYPE")}),
        ({"score": True}, {("score", "WRONG_TYPE")}),
        ({}, {("score", "MISSING")}),
        ({"score": 3, "comment": "x" * 201}, {("comment", "TOO_LONG")}),
        ({"score": 3, "comment": 42}, {("comment", "WRONG_TYPE")}),
        ({"score": 3, "comment": "bad\x00byte"}, {("comment", "TEXT_CHARACTERS")}),
        ({"score": 3, "stars": 5}, {("stars", "EXTRA_FIELD")}),
    ],
)
def test_bad_ratings(document, expected):
    assert problems(models.Rating, document) == expected


# -- SMS codes ------------------------------------------------------------------------------------
def test_sms_code_bodies():
    assert models.plain(models.parse(models.SmsCodeVerify, {"phone": "13800001111", "purpose": "query", "code": " 123456 "})) == {
        "phone": "13800001111",
        "purpose": "query",
        "code": "123456",
    }
    assert problems(models.SmsCodeRequest, {"purpose": "submit"}) == {("phone", "MISSING")}
    assert problems(models.SmsCodeRequest, {"phone": "12345", "purpose": "submit"}) == {("phone", "INVALID_PHONE")}
    assert problems(models.SmsCodeRequest, {"phone": "13800001111", "purpose": "login"}) == {("purpose", "INVALID_ENUM")}
    assert problems(models.SmsCodeVerify, {"phone": "13800001111", "purpose": "query", "code": "12345"}) == {("code", "INVALID_FORMAT")}


# -- staff sign-in and accounts -------------------------------------------------------------------
def test_sign_in_trims_the_user_name_but_never_the_password():
    body = models.plain(models.parse(models.StaffLogin, {"username": " sc-admin ", "password": " pass word "}))
    assert body == {"username": "sc-admin", "password": " pass word "}
    assert problems(models.StaffLogin, {"username": "sc-admin", "password": "   "}) == {("password", "MISSING")}
    assert problems(models.StaffLogin, {"username": "  ", "password": "x"}) == {("username", "MISSING")}
    assert problems(models.StaffLogin, {"username": "a", "password": "x" * 257}) == {("password", "TOO_LONG")}
    assert problems(models.StaffLogin, {"username": "a", "password": "x", "remember": True}) == {("remember", "EXTRA_FIELD")}
    assert problems(models.StaffNewPassword, {"username": "a", "session": "short", "new_password": "x"}) == {("session", "TOO_SHORT")}
    assert problems(models.StaffMfaCode, {"username": "a", "session": "s" * 40, "code": "12a456"}) == {("code", "INVALID_FORMAT")}


# the 附件2 data every account carries (001 附件2: 身份证号, 手机)
_PERSON = {"id_number": "510104199001011230", "phone": "13800001111"}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"username": "valid-name", "name": "某人", "role": "superuser", "region_code": "5101", **_PERSON}, {("role", "INVALID_ENUM")}),
        ({"username": "x", "name": "某人", "role": "admin", "region_code": "5101", **_PERSON}, {("username", "INVALID_FORMAT")}),
        ({"username": "valid-name", "role": "admin", "region_code": "5101", **_PERSON}, {("name", "MISSING")}),
        ({"username": "valid-name", "name": "某人", "role": "admin", "region_code": "5101", "office_code": "a/b", **_PERSON}, {("office_code", "INVALID_FORMAT")}),
        ({"username": "valid-name", "name": "某人", "role": "admin", "region_code": "5101", "phone": "13800001111"}, {("id_number", "MISSING")}),
    ],
)
def test_bad_accounts(document, expected):
    assert problems(models.StaffAccount, document) == expected


# -- certificates and verification ----------------------------------------------------------------
def test_birth_and_paper_certificate_bodies():
    assert models.plain(models.parse(models.BirthRecord, {"birth_date": "2026-01-02", "sex": "female"})) == {
        "birth_date": "2026-01-02",
        "sex": "female",
    }
    assert problems(models.BirthRecord, {"birth_date": "2026-02-30", "sex": "male"}) == {("birth_date", "INVALID_DATE")}
    assert problems(models.BirthRecord, {"birth_date": "2026-01-01", "sex": "x"}) == {("sex", "INVALID_ENUM")}
    assert models.plain(models.parse(models.PaperCertificate, {"number": " SC-2026-0001 ", "issued_on": "2026-01-02"}))["number"] == "SC-2026-0001"
    assert problems(models.PaperCertificate, {"number": "a b", "issued_on": "2026-01-02"}) == {("number", "INVALID_FORMAT")}


def test_verification_bodies_trim_and_upper_case_the_id_numbers():
    body = models.plain(models.parse(models.CoupleIds, {"woman_id_number": " 51010419900101002x ", "man_id_number": "510104198801010011"}))
    assert body == {"woman_id_number": "51010419900101002X", "man_id_number": "510104198801010011"}
    assert problems(models.CoupleIds, {"woman_id_number": "", "man_id_number": ["x"]}) == {
        ("woman_id_number", "MISSING"),
        ("man_id_number", "WRONG_TYPE"),
    }
    assert problems(models.CertificateByNumber, {"woman_id_number": 5, "registration_number": "x" * 41}) == {
        ("registration_number", "TOO_LONG"),
        ("woman_id_number", "WRONG_TYPE"),
        ("man_id_number", "MISSING"),
    }


# -- case queries and uploads ---------------------------------------------------------------------
def test_query_bodies():
    assert problems(models.CoupleIdsQuery, {"woman_id_number": "123", "man_id_number": "510104198801010011"}) == {
        ("woman_id_number", "ID_FORMAT")
    }
    assert problems(models.QueryCodeQuery, {"query_code": "ABCD"}) == {("name", "MISSING")}
    assert models.plain(models.parse(models.QueryCodeQuery, {"query_code": " abcd ", "name": " 张三 "})) == {"query_code": "abcd", "name": "张三"}


def test_upload_bodies():
    good = {"document": "MARRIAGE_PROOF", "content_type": "application/pdf", "filename": "结婚证.pdf"}
    assert models.plain(models.parse(models.UploadRequest, good)) == good
    assert problems(models.UploadRequest, {**good, "content_type": "text/html"}) == {("content_type", "INVALID_ENUM")}
    assert problems(models.UploadRequest, {**good, "filename": "../etc/passwd"}) == {("filename", "INVALID_FORMAT")}
    assert problems(models.UploadRequest, {**good, "filename": "a\x01.pdf"}) == {("filename", "TEXT_CHARACTERS")}


def test_the_captcha_kind_is_an_enum_with_its_own_message():
    assert models.plain(models.parse(models.CaptchaRequest, {})) == {"kind": "image"}
    for kind in ("audio", ["image"], 3):
        with pytest.raises(errors.ValidationFailed) as refused:
            models.parse(models.CaptchaRequest, {"kind": kind})
        assert [d.to_dict() for d in refused.value.details] == [
            {"path": "kind", "code": "INVALID_ENUM", "message": "验证方式只能是 image（图形）或 text（文字题）"}
        ]
    assert models.CaptchaRequest.model_json_schema()["properties"]["kind"]["enum"] == ["image", "text"]

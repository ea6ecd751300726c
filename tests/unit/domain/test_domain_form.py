"""The JSON contract: structure (strict pydantic) and cross-field rules, one FieldError per problem."""

from datetime import date

import pytest

from chalicelib.domain import idcard
from chalicelib.domain.demo import DELETE, demo_registration
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.form import add_years, parse_registration

TODAY = date(2026, 5, 6)


def problems(body) -> set[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as exc:
        parse_registration(body, today=TODAY)
    err = exc.value
    assert err.status == 400 and err.code == "VALIDATION_FAILED"
    for d in err.details:  # every detail has a Chinese message
        assert any("\u4e00" <= ch <= "\u9fff" for ch in d.message), d
    return {(d.path, d.code) for d in err.details}


@pytest.mark.parametrize("profile", ["sichuan", "guizhou", "chongqing"])
def test_demo_bodies_are_valid(profile):
    form = parse_registration(demo_registration(profile), today=TODAY)
    assert form.profile == profile
    assert form.to_contract()["woman"]["id_number"] == demo_registration(profile)["woman"]["id_number"]


@pytest.mark.parametrize("body", [None, [], "x", 1, True, [{"profile": "sichuan"}]])
def test_body_not_an_object(body):
    assert problems(body) == {("", "INVALID_BODY")}


# ---------------------------------------------------------------- structure (pass 1)

STRUCTURE = [
    # (overrides, expected subset of (path, code))
    ({"woman.name": DELETE}, {("woman.name", "MISSING")}),
    ({"woman.name": None}, {("woman.name", "MISSING")}),
    ({"woman.name": "   "}, {("woman.name", "MISSING")}),
    ({"woman.name": 123}, {("woman.name", "WRONG_TYPE")}),  # no int -> str coercion
    ({"woman.name": "名" * 51}, {("woman.name", "TOO_LONG")}),
    ({"pregnancy.weeks": "12"}, {("pregnancy.weeks", "WRONG_TYPE")}),  # no "12" -> int coercion
    ({"pregnancy.weeks": 12.0}, {("pregnancy.weeks", "WRONG_TYPE")}),
    ({"pregnancy.weeks": True}, {("pregnancy.weeks", "WRONG_TYPE")}),
    ({"application.commitment_accepted": "true"}, {("application.commitment_accepted", "WRONG_TYPE")}),
    ({"application.type": "online"}, {("application.type", "INVALID_ENUM")}),
    ({"application.rebirth_reason": "other"}, {("application.rebirth_reason", "INVALID_ENUM")}),
    ({"woman.marital_status": "divorced"}, {("woman.marital_status", "INVALID_ENUM")}),
    ({"children.0.relation": "step"}, {("children.0.relation", "INVALID_ENUM")}),
    ({"children.0.health": "ill"}, {("children.0.health", "INVALID_ENUM")}),
    ({"pregnancy.status": "unknown"}, {("pregnancy.status", "INVALID_ENUM")}),
    ({"marriage.date": "2021/05/20"}, {("marriage.date", "INVALID_FORMAT")}),
    ({"marriage.date": "2021-02-30"}, {("marriage.date", "INVALID_DATE")}),
    ({"marriage.date": 20210520}, {("marriage.date", "WRONG_TYPE")}),
    ({"marriage.certificate_number": "J51"}, {("marriage.certificate_number", "TOO_SHORT")}),
    ({"marriage.certificate_number": "J" * 33}, {("marriage.certificate_number", "TOO_LONG")}),
    ({"application.commitment_at": "2025-01-06T10:00:00"}, {("application.commitment_at", "INVALID_FORMAT")}),
    ({"application.commitment_at": "yesterday"}, {("application.commitment_at", "INVALID_FORMAT")}),
    ({"application.office_code": "510104"}, {("application.office_code", "INVALID_FORMAT")}),
    ({"woman.hukou.region_code": "5101"}, {("woman.hukou.region_code", "INVALID_FORMAT")}),
    ({"children.0.birthplace_code": "51010402"}, {("children.0.birthplace_code", "INVALID_FORMAT")}),
    ({"woman.phone": "1380000111"}, {("woman.phone", "INVALID_PHONE")}),
    ({"woman.phone": "12800001111"}, {("woman.phone", "INVALID_PHONE")}),  # 1[3-9]: 12x is no mobile
    ({"man.phone": "+8613900002222"}, {("man.phone", "INVALID_PHONE")}),
    ({"woman.nickname": "小李"}, {("woman.nickname", "EXTRA_FIELD")}),
    ({"unexpected": 1}, {("unexpected", "EXTRA_FIELD")}),
    ({"children": {"0": {}}}, {("children", "WRONG_TYPE")}),
    ({"woman": "李娟"}, {("woman", "WRONG_TYPE")}),
    ({"children": [demo_registration()["children"][0]] * 21}, {("children", "TOO_LONG")}),
]


@pytest.mark.parametrize(("overrides", "expected"), STRUCTURE)
def test_structure(overrides, expected):
    assert expected <= problems(demo_registration("sichuan", **overrides))


def test_unknown_profile():
    body = demo_registration("sichuan")
    body["profile"] = "beijing"
    assert problems(body) == {("profile", "INVALID_ENUM")}


def test_all_structural_problems_reported_at_once():
    got = problems(demo_registration("sichuan", **{"woman.phone": "1", "man.name": 5, "pregnancy.weeks": "x"}))
    assert got == {("woman.phone", "INVALID_PHONE"), ("man.name", "WRONG_TYPE"), ("pregnancy.weeks", "WRONG_TYPE")}


def test_optional_nullable_keys_may_be_omitted():
    body = demo_registration(
        "sichuan",
        **{
            "proxy": DELETE,
            "woman.employer": DELETE,
            "application.rebirth_reason": DELETE,
            "pregnancy.birth_date": DELETE,
            "woman.hukou.since": DELETE,
            "children.0.id_number": DELETE,
        },
    )
    form = parse_registration(body, today=TODAY)
    assert form.proxy is None and form.children[0].id_number is None


def test_normalisation_trims_and_upper_cases_x():
    body = demo_registration(
        "sichuan",
        **{"woman.id_number": "11010519491231002x", "woman.name": "  李娟 ", "woman.hukou.region_code": "510104022"},
    )
    form = parse_registration(body, today=TODAY)
    assert form.woman.id_number == "11010519491231002X"
    assert form.woman.name == "李娟"


# ---------------------------------------------------------------- cross-field rules (pass 2)

W_ID = demo_registration()["woman"]["id_number"]
M_ID = demo_registration()["man"]["id_number"]
C_ID = demo_registration()["children"][0]["id_number"]
BAD_CHECK = W_ID[:17] + ("0" if W_ID[17] != "0" else "1")
MALE_ID = idcard.make_id("510104", date(1995, 3, 8), 121)
FEMALE_ID = idcard.make_id("510104", date(1993, 7, 15), 132)
PROXY = {"name": "张三", "id_number": idcard.make_id("510104", date(1970, 1, 1), 17), "relation": "母亲"}

CROSS = [
    # --- ID numbers, GB 11643-1999
    ({"woman.id_number": BAD_CHECK}, {("woman.id_number", "ID_CHECKSUM")}),
    ({"man.id_number": "51010419930715135"}, {("man.id_number", "ID_FORMAT")}),
    ({"woman.id_number": idcard.make_id("990101", date(1995, 3, 8), 128)}, {("woman.id_number", "ID_AREA_UNKNOWN")}),
    (
        {"children.0.id_number": idcard.make_id("510104", date(2026, 6, 1), 2)},
        {("children.0.id_number", "ID_BIRTH_DATE_FUTURE")},
    ),
    # --- woman's ID female, man's ID male (17th digit: odd = male)
    ({"woman.id_number": MALE_ID}, {("woman.id_number", "ID_SEX_MISMATCH")}),
    ({"man.id_number": FEMALE_ID}, {("man.id_number", "ID_SEX_MISMATCH")}),
    ({"children.0.sex": "male"}, {("children.0.id_number", "ID_SEX_MISMATCH")}),
    ({"children.0.birth_date": "2023-04-11"}, {("children.0.id_number", "ID_BIRTH_DATE_MISMATCH")}),
    ({"application.type": "proxy", "proxy": {**PROXY, "id_number": BAD_CHECK}}, {("proxy.id_number", "ID_CHECKSUM")}),
    # --- names / ID numbers not repeated across roles
    ({"man.name": "李娟"}, {("man.name", "DUPLICATE_NAME")}),
    ({"children.0.name": "王强"}, {("children.0.name", "DUPLICATE_NAME")}),
    (
        {"children.0.id_number": W_ID, "children.0.birth_date": "1995-03-08"},
        {("children.0.id_number", "DUPLICATE_ID_NUMBER")},
    ),
    ({"application.type": "proxy", "proxy": {**PROXY, "name": "王强"}}, {("proxy.name", "DUPLICATE_NAME")}),
    (
        {"application.type": "proxy", "proxy": {**PROXY, "id_number": M_ID}},
        {("proxy.id_number", "DUPLICATE_ID_NUMBER")},
    ),
    # --- marriage: not in the future; 民法典 1047 "结婚年龄，男不得早于二十二周岁，女不得早于二十周岁"
    ({"marriage.date": "2026-05-07"}, {("marriage.date", "FUTURE_DATE")}),
    ({"marriage.date": "2015-07-14"}, {("marriage.date", "UNDER_MARRIAGE_AGE")}),  # man 21, woman 20
    (
        {"marriage.date": "2015-03-07", "man.id_number": idcard.make_id("510104", date(1990, 1, 1), 135)},
        {("marriage.date", "UNDER_MARRIAGE_AGE")},
    ),  # woman one day short of 20
    # a spouse still under the legal age today: the ID number is wrong, not the marriage date (issue 17)
    (
        {"man.id_number": idcard.make_id("510104", date(2005, 1, 1), 135)},
        {("man.id_number", "UNDER_MARRIAGE_AGE")},
    ),
    # --- all dates not in the future; children born before today
    ({"woman.residence.since": "2026-05-07"}, {("woman.residence.since", "FUTURE_DATE")}),
    ({"application.commitment_at": "2026-05-07T00:30:00+08:00"}, {("application.commitment_at", "FUTURE_DATE")}),
    (
        {"children.0.birth_date": "2026-05-06", "children.0.id_number": None},
        {("children.0.birth_date", "NOT_BEFORE_TODAY")},
    ),
    (
        {"children.0.birth_date": "1990-01-01", "children.0.id_number": None},
        {("children.0.birth_date", "BEFORE_PARENT_BIRTH")},
    ),
    # --- regions: known, county or finer; 000 §2.3.4 "出生地需要填写到区县级"
    ({"woman.hukou.region_code": "510104999"}, {("woman.hukou.region_code", "UNKNOWN_REGION")}),
    ({"man.residence.region_code": "510199"}, {("man.residence.region_code", "UNKNOWN_REGION")}),
    ({"woman.hukou.region_code": "510100"}, {("woman.hukou.region_code", "REGION_TOO_COARSE")}),
    ({"children.0.birthplace_code": "510100"}, {("children.0.birthplace_code", "REGION_TOO_COARSE")}),
    ({"children.0.birthplace_code": "510000"}, {("children.0.birthplace_code", "REGION_TOO_COARSE")}),
    # --- office: a known township (002 四 "乡镇人民政府、街道办事处")
    ({"application.office_code": "510104999"}, {("application.office_code", "UNKNOWN_REGION")}),
    # --- 002 五(一)4 "按要求如实填写生育登记表内容并承诺提交"
    ({"application.commitment_accepted": False}, {("application.commitment_accepted", "COMMITMENT_REQUIRED")}),
    # --- proxy iff type == proxy; 002 五(二)1 "委托代办的，出具委托人和代办人双方身份证件"
    ({"application.type": "proxy"}, {("proxy", "MISSING")}),
    ({"proxy": PROXY}, {("proxy", "NOT_ALLOWED")}),
    # --- 002 附件1 健康状况/残疾证号: certificate iff disabled
    ({"children.0.health": "disabled"}, {("children.0.disability_certificate", "MISSING")}),
    (
        {"children.0.disability_certificate": "51010420230410020211"},
        {("children.0.disability_certificate", "NOT_ALLOWED")},
    ),
    # --- 002 附件1 "目前孕育情况 □未怀孕 □已怀孕（__周） □已分娩（补办）"
    ({"pregnancy.weeks": None}, {("pregnancy.weeks", "MISSING")}),
    ({"pregnancy.weeks": 0}, {("pregnancy.weeks", "OUT_OF_RANGE")}),
    ({"pregnancy.weeks": 46}, {("pregnancy.weeks", "OUT_OF_RANGE")}),
    ({"pregnancy": {"status": "not_pregnant", "weeks": 3}}, {("pregnancy.weeks", "NOT_ALLOWED")}),
    ({"pregnancy": {"status": "delivered", "weeks": None}}, {("pregnancy.birth_date", "MISSING")}),
    (
        {"pregnancy": {"status": "delivered", "weeks": None, "birth_date": "2026-05-07"}},
        {("pregnancy.birth_date", "FUTURE_DATE")},
    ),
    ({"pregnancy.birth_date": "2026-01-01"}, {("pregnancy.birth_date", "NOT_ALLOWED")}),
    # --- 002 附件1 "补办（已分娩）": late registration only after delivery
    ({"application.type": "late"}, {("application.type", "LATE_REQUIRES_DELIVERY")}),
    # --- 002 一(二) "子女死亡或者经鉴定为残疾的，可以依法再生育子女": reason must match a joint child
    ({"application.rebirth_reason": "child_deceased"}, {("application.rebirth_reason", "REBIRTH_REASON_MISMATCH")}),
    (
        {
            "application.rebirth_reason": "child_disabled",
            "children.0.relation": "woman",
            "children.0.health": "disabled",
            "children.0.disability_certificate": "X1",
        },
        {("application.rebirth_reason", "REBIRTH_REASON_MISMATCH")},
    ),
]


@pytest.mark.parametrize(("overrides", "expected"), CROSS)
def test_cross_field(overrides, expected):
    assert expected <= problems(demo_registration("sichuan", **overrides))


@pytest.mark.parametrize(
    "overrides",
    [
        {"marriage.date": "2015-07-15"},  # man turns 22 that day, woman is 20
        {"application.type": "proxy", "proxy": PROXY},
        {"children.0.health": "disabled", "children.0.disability_certificate": "51010420230410020211"},
        {"children.0.health": "deceased", "application.rebirth_reason": "child_deceased"},
        {"pregnancy": {"status": "not_pregnant", "weeks": None}},
        {"pregnancy": {"status": "delivered", "weeks": None, "birth_date": "2026-05-01"}, "application.type": "late"},
        {"woman.hukou.region_code": "510104"},  # county level is enough for an address
        {"woman.hukou.region_code": "110105001", "woman.residence.region_code": "441900"},
        {"children.0.birthplace_code": "510104022"},
        {"woman.residence.since": None},
        {"application.commitment_at": "2026-05-05T18:00:00Z"},  # = 2026-05-06 02:00 in China: today
    ],
)
def test_cross_field_accepts(overrides):
    parse_registration(demo_registration("sichuan", **overrides), today=TODAY)


def test_structure_errors_stop_before_cross_checks():
    # the ID checksum problem is not reported while the structure is broken
    got = problems(demo_registration("sichuan", **{"woman.id_number": BAD_CHECK, "pregnancy.weeks": "1"}))
    assert got == {("pregnancy.weeks", "WRONG_TYPE")}


@pytest.mark.parametrize(
    ("born", "years", "expected"),
    [
        (date(1995, 3, 8), 20, date(2015, 3, 8)),
        (date(2000, 2, 29), 22, date(2022, 3, 1)),  # 29 Feb: full years completed on 1 Mar
        (date(2000, 2, 29), 24, date(2024, 2, 29)),
    ],
)
def test_add_years(born, years, expected):
    assert add_years(born, years) == expected


def test_errors_carry_dotted_paths_for_lists():
    body = demo_registration("sichuan")
    second = dict(body["children"][0], name="王小雪", id_number=None, birth_date="2030-01-01")
    body["children"].append(second)
    assert ("children.1.birth_date", "NOT_BEFORE_TODAY") in problems(body)

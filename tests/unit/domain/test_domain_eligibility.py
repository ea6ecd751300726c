"""Who may register (登记对象), per province."""

from datetime import date

import pytest

from chalicelib.domain.eligibility import months_before
from chalicelib.domain.profiles import CHONGQING, GUIZHOU, SICHUAN

TODAY = date(2026, 5, 6)
BJ = "110105001"  # 北京市朝阳区建外街道: outside all three provinces
GZ_TOWN = "440106001"  # 广东省广州市天河区


def child(name, born, relation="joint", health="healthy", cert=None, sex="female", place="510104"):
    return {
        "name": name,
        "id_number": None,
        "birth_date": born,
        "sex": sex,
        "birthplace_code": place,
        "relation": relation,
        "health": health,
        "disability_certificate": cert,
    }


def check(profile, form):
    result = profile.eligibility.check(form, province_code=profile.province_code, today=TODAY)
    return result.eligible, [r.code for r in result.reasons], [r.citation for r in result.reasons]


def outside(role, kind):
    return {f"{role}.{kind}.region_code": BJ}


# 000 注 "1、夫妻双方户籍均为四川省内，数据归属到女方户籍地；2、夫妻一方户籍为四川省内，则按户籍地为四川省内的一方归属；
# 3、夫妻双方户籍地均为四川省外，则至少有一方现居住地为四川省内…"
SICHUAN_TABLE = [
    ("both hukou inside", {}, True, "HUKOU_IN_PROVINCE", "000 注 1"),
    ("woman's hukou only", outside("man", "hukou"), True, "HUKOU_IN_PROVINCE", "000 注 2"),
    ("man's hukou only", outside("woman", "hukou"), True, "HUKOU_IN_PROVINCE", "000 注 2"),
    (
        "both outside, woman lives inside",
        {**outside("woman", "hukou"), **outside("man", "hukou"), **outside("man", "residence")},
        True,
        "RESIDENCE_IN_PROVINCE",
        "000 注 3",
    ),
    (
        "both outside, man lives inside",
        {**outside("woman", "hukou"), **outside("man", "hukou"), **outside("woman", "residence")},
        True,
        "RESIDENCE_IN_PROVINCE",
        "000 注 3",
    ),
    (
        "no tie at all",
        {
            **outside("woman", "hukou"),
            **outside("man", "hukou"),
            **outside("woman", "residence"),
            **outside("man", "residence"),
        },
        False,
        "NO_TIE_TO_PROVINCE",
        "000 注 3",
    ),
    (
        "Chongqing hukou does not count for Sichuan",
        {
            "woman.hukou.region_code": "500103003",
            "man.hukou.region_code": "500103004",
            **outside("woman", "residence"),
            **outside("man", "residence"),
        },
        False,
        "NO_TIE_TO_PROVINCE",
        "000 注 3",
    ),
]


@pytest.mark.parametrize(
    ("case", "overrides", "eligible", "code", "citation"), SICHUAN_TABLE, ids=[c[0] for c in SICHUAN_TABLE]
)
def test_sichuan(make_form, case, overrides, eligible, code, citation):
    assert check(SICHUAN, make_form("sichuan", **overrides)) == (eligible, [code], [citation])


# 002 一(一) "夫妻双方或一方户籍在本市，或夫妻双方户籍均不在本市但一方居住在本市满一个月以上的夫妻（含再婚夫妻）。"
BOTH_OUT = {**outside("woman", "hukou"), **outside("man", "hukou"), **outside("man", "residence")}
CHONGQING_RESIDENCE_TABLE = [
    ("woman's hukou in the city", outside("man", "hukou"), True, "HUKOU_IN_PROVINCE"),
    (
        "resident exactly one month",
        {**BOTH_OUT, "woman.residence.since": "2026-04-06"},
        True,
        "RESIDENCE_OVER_ONE_MONTH",
    ),
    ("resident for years", {**BOTH_OUT, "woman.residence.since": "2019-01-01"}, True, "RESIDENCE_OVER_ONE_MONTH"),
    ("resident one day short", {**BOTH_OUT, "woman.residence.since": "2026-04-07"}, False, "RESIDENCE_TOO_SHORT"),
    ("residence start unknown", {**BOTH_OUT, "woman.residence.since": None}, False, "RESIDENCE_SINCE_REQUIRED"),
    ("nobody lives in the city", {**BOTH_OUT, **outside("woman", "residence")}, False, "NO_TIE_TO_PROVINCE"),
    (
        "man resident long enough, woman not",
        {
            **outside("woman", "hukou"),
            **outside("man", "hukou"),
            **outside("woman", "residence"),
            "man.residence.region_code": "500103004",
            "man.residence.since": "2025-12-01",
        },
        True,
        "RESIDENCE_OVER_ONE_MONTH",
    ),
]


@pytest.mark.parametrize(
    ("case", "overrides", "eligible", "code"), CHONGQING_RESIDENCE_TABLE, ids=[c[0] for c in CHONGQING_RESIDENCE_TABLE]
)
def test_chongqing_residence(make_form, case, overrides, eligible, code):
    ok, codes, cites = check(CHONGQING, make_form("chongqing", **overrides))
    assert (ok, codes) == (eligible, [code])
    assert cites == ["002 一(一)"]


# 002 一(二) "已经生育三个子女的夫妻，子女死亡或者经鉴定为残疾的，可以依法再生育子女的。"
THREE = [
    child("刘一", "2018-01-01", sex="male", place="500103"),
    child("刘二", "2020-01-01", place="500103"),
    child("刘三", "2023-01-01", place="500103"),
]
CHONGQING_REBIRTH_TABLE = [
    ("three joint children, no reason", {"children": THREE}, False, ["HUKOU_IN_PROVINCE", "CHILD_LIMIT_REACHED"]),
    (
        "three joint, one died, re-birth",
        {
            "children": [THREE[0], {**THREE[1], "health": "deceased"}, THREE[2]],
            "application.rebirth_reason": "child_deceased",
        },
        True,
        ["HUKOU_IN_PROVINCE", "REBIRTH_ALLOWED"],
    ),
    (
        "three joint, one disabled, re-birth",
        {
            "children": [
                THREE[0],
                {**THREE[1], "health": "disabled", "disability_certificate": "5001032020"},
                THREE[2],
            ],
            "application.rebirth_reason": "child_disabled",
        },
        True,
        ["HUKOU_IN_PROVINCE", "REBIRTH_ALLOWED"],
    ),
    # 002 二(一) "再婚夫妻再婚前所生育子女不合并计算登记孩次"
    (
        "two joint + two from earlier marriages",
        {
            "children": [
                THREE[0],
                THREE[1],
                child("陈甲", "2012-01-01", "woman", place="500103"),
                child("刘乙", "2010-01-01", "man", sex="male", place="500103"),
            ]
        },
        True,
        ["HUKOU_IN_PROVINCE"],
    ),
    (
        "third child delivered and listed is the subject, not a prior child",
        {
            "children": THREE,
            "pregnancy": {"status": "delivered", "weeks": None, "birth_date": "2023-01-01"},
            "application.type": "late",
        },
        True,
        ["HUKOU_IN_PROVINCE"],
    ),
]


@pytest.mark.parametrize(
    ("case", "overrides", "eligible", "codes"), CHONGQING_REBIRTH_TABLE, ids=[c[0] for c in CHONGQING_REBIRTH_TABLE]
)
def test_chongqing_three_children(make_form, case, overrides, eligible, codes):
    ok, got, cites = check(CHONGQING, make_form("chongqing", **overrides))
    assert (ok, got) == (eligible, codes)
    assert set(cites) <= {"002 一(一)", "002 一(二)"}


# 001 附件1 四 "可直接到夫妇其中一方贵州省内户籍地或现居住地乡级计生行政主管部门或村(居)委会进行现场登记"
GUIZHOU_TABLE = [
    ("all inside", {}, True, "TIE_TO_PROVINCE"),
    (
        "only the man's residence inside",
        {**outside("woman", "hukou"), **outside("man", "hukou"), **outside("woman", "residence")},
        True,
        "TIE_TO_PROVINCE",
    ),
    (
        "only the woman's hukou inside",
        {**outside("man", "hukou"), **outside("woman", "residence"), **outside("man", "residence")},
        True,
        "TIE_TO_PROVINCE",
    ),
    (
        "nothing inside",
        {
            **outside("woman", "hukou"),
            **outside("man", "hukou"),
            **outside("woman", "residence"),
            **outside("man", "residence"),
        },
        False,
        "NO_TIE_TO_PROVINCE",
    ),
]


@pytest.mark.parametrize(("case", "overrides", "eligible", "code"), GUIZHOU_TABLE, ids=[c[0] for c in GUIZHOU_TABLE])
def test_guizhou(make_form, case, overrides, eligible, code):
    ok, codes, cites = check(GUIZHOU, make_form("guizhou", **overrides))
    assert (ok, codes) == (eligible, [code])
    assert cites[0].startswith("001 附件1")


def test_reasons_are_chinese_and_cited(make_form):
    result = SICHUAN.eligibility.check(make_form("sichuan"), province_code="51", today=TODAY)
    (reason,) = result.reasons
    assert "四川省" in reason.message
    assert result.to_dict()["reasons"][0]["citation"] == "000 注 1"


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2026, 5, 6), 1, date(2026, 4, 6)),
        (date(2026, 3, 31), 1, date(2026, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2026, 1, 15), 1, date(2025, 12, 15)),
        (date(2026, 5, 31), 1, date(2026, 4, 30)),
    ],
)
def test_months_before(d, months, expected):
    assert months_before(d, months) == expected

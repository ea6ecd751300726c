"""Circumstances handled on the spot (现场办理)."""

from datetime import date

import pytest

from chalicelib.domain import idcard
from chalicelib.domain.evaluation import evaluate
from chalicelib.domain.onsite import estimated_conception

TODAY = date(2026, 5, 6)
PROXY = {"name": "张三", "id_number": idcard.make_id("500103", date(1970, 1, 1), 17), "relation": "母亲"}
# pregnant 12 weeks on 2026-05-06: LMP 2026-02-11, estimated conception 2026-02-25
REMARRIED_AFTER_CONCEPTION = {"woman.marital_status": "remarriage", "marriage.date": "2026-03-01"}


def onsite_codes(form):
    return [r.code for r in evaluate(form, today=TODAY).onsite_reasons]


# 004 (two) "the following special circumstances need to be handled on the spot: after divorce or widowhood,
# pregnancy and childbirth are found; Entrusted by others; Online registration review requires on-site
# verification and no SMS notification; Other special circumstances can not be successfully handled online."
TABLE = [
    # (case, profile, overrides, expected codes)
    (
        "Chongqing: entrusted by others",
        "chongqing",
        {"application.type": "proxy", "proxy": PROXY},
        ["PROXY_ONSITE_ONLY"],
    ),
    ("Sichuan allows an online proxy (000 silent)", "sichuan", {"application.type": "proxy", "proxy": PROXY}, []),
    (
        "Chongqing: remarried woman, pregnancy conceived before this marriage",
        "chongqing",
        REMARRIED_AFTER_CONCEPTION,
        ["PREGNANCY_AFTER_DIVORCE_OR_WIDOWHOOD"],
    ),
    (
        "Chongqing: 复婚 counts as well",
        "chongqing",
        {**REMARRIED_AFTER_CONCEPTION, "woman.marital_status": "remarried_each_other"},
        ["PREGNANCY_AFTER_DIVORCE_OR_WIDOWHOOD"],
    ),
    (
        "Chongqing: first marriage, conceived before marriage: not after divorce",
        "chongqing",
        {**REMARRIED_AFTER_CONCEPTION, "woman.marital_status": "first_marriage"},
        [],
    ),
    (
        "Chongqing: remarried, conceived after this marriage",
        "chongqing",
        {"woman.marital_status": "remarriage", "marriage.date": "2026-02-20"},
        [],
    ),
    (
        "Chongqing: remarried, delivered child conceived before marriage",
        "chongqing",
        {
            "woman.marital_status": "remarriage",
            "marriage.date": "2025-08-01",
            "application.type": "late",
            "pregnancy": {"status": "delivered", "weeks": None, "birth_date": "2026-04-01"},
        },
        ["PREGNANCY_AFTER_DIVORCE_OR_WIDOWHOOD"],
    ),
    ("Sichuan does not apply the Chongqing divorce rule", "sichuan", REMARRIED_AFTER_CONCEPTION, []),
    (
        "Chongqing: address only at county level, office undecidable",
        "chongqing",
        {
            "woman.hukou.region_code": "500103",
            "woman.residence.region_code": "500103001",
            "man.residence.region_code": "500103001",
            "application.office_code": "500103003",
        },
        ["JURISDICTION_UNDECIDED"],
    ),
    (
        "Sichuan: woman's hukou only at county level",
        "sichuan",
        {"woman.hukou.region_code": "510104"},
        ["JURISDICTION_UNDECIDED"],
    ),
    # 000 §2.1 "网上登记（一孩、二孩登记）、特殊情形再生育预约（三孩预约）"
    (
        "Sichuan: third child is outside online registration",
        "sichuan",
        {
            "children": [
                {
                    "name": "王一",
                    "id_number": None,
                    "birth_date": "2022-01-01",
                    "sex": "male",
                    "birthplace_code": "510104",
                    "relation": "joint",
                    "health": "healthy",
                    "disability_certificate": None,
                },
                {
                    "name": "王二",
                    "id_number": None,
                    "birth_date": "2024-01-01",
                    "sex": "female",
                    "birthplace_code": "510104",
                    "relation": "joint",
                    "health": "healthy",
                    "disability_certificate": None,
                },
            ]
        },
        ["ORDER_BEYOND_ONLINE_SCOPE"],
    ),
    (
        "Chongqing registers a third child online (002 二(一))",
        "chongqing",
        {
            "children": [
                {
                    "name": "刘一",
                    "id_number": None,
                    "birth_date": "2022-01-01",
                    "sex": "male",
                    "birthplace_code": "500103",
                    "relation": "joint",
                    "health": "healthy",
                    "disability_certificate": None,
                },
                {
                    "name": "刘二",
                    "id_number": None,
                    "birth_date": "2024-01-01",
                    "sex": "female",
                    "birthplace_code": "500103",
                    "relation": "joint",
                    "health": "healthy",
                    "disability_certificate": None,
                },
            ]
        },
        [],
    ),
]


@pytest.mark.parametrize(("case", "profile", "overrides", "expected"), TABLE, ids=[t[0] for t in TABLE])
def test_onsite(make_form, case, profile, overrides, expected):
    assert onsite_codes(make_form(profile, **overrides)) == expected


def test_reasons_cite_the_seed(make_form):
    ev = evaluate(make_form("chongqing", **{"application.type": "proxy", "proxy": PROXY}), today=TODAY)
    assert ev.onsite_required
    (reason,) = ev.onsite_reasons
    assert reason.citation.startswith("004 (two)")
    assert "代办" in reason.message


def test_sichuan_beyond_scope_names_the_other_channel(make_form):
    two = [
        {
            "name": "王" + "".join("〇一二三四五六七八九"[int(d)] for d in str(i)),
            "id_number": None,
            "birth_date": f"202{i}-01-01",
            "sex": "male",
            "birthplace_code": "510104",
            "relation": "joint",
            "health": "healthy",
            "disability_certificate": None,
        }
        for i in (1, 3)
    ]
    (reason,) = evaluate(make_form("sichuan", children=two), today=TODAY).onsite_reasons
    assert "特殊情形再生育预约" in reason.message and reason.citation.startswith("000 §2.1")


@pytest.mark.parametrize(
    ("pregnancy", "expected"),
    [
        ({"status": "pregnant", "weeks": 12, "birth_date": None}, date(2026, 2, 25)),
        ({"status": "delivered", "weeks": None, "birth_date": "2026-04-01"}, date(2025, 7, 9)),
        ({"status": "not_pregnant", "weeks": None, "birth_date": None}, None),
    ],
)
def test_estimated_conception(make_form, pregnancy, expected):
    extra = {"application.type": "late"} if pregnancy["status"] == "delivered" else {}
    assert estimated_conception(make_form("chongqing", pregnancy=pregnancy, **extra), today=TODAY) == expected

"""evaluate(): eligibility + jurisdiction + child order + onsite + proofs, and the couple key."""

import json
from datetime import date

import pytest

from chalicelib.domain import idcard
from chalicelib.domain.evaluation import couple_key, couple_key_from_ids, evaluate
from chalicelib.domain.profiles import SICHUAN

TODAY = date(2026, 5, 6)
BJ = "110105001"


@pytest.mark.parametrize(
    ("profile", "office", "office_name"),
    [
        ("sichuan", "510104022", "四川省成都市锦江区春熙路街道"),
        ("guizhou", "520102016", "贵州省贵阳市南明区新华路街道"),
        ("chongqing", "500103003", "重庆市渝中区解放碑街道"),
    ],
)
def test_demo_couples_register_online(make_form, profile, office, office_name):
    ev = evaluate(make_form(profile), today=TODAY)
    assert ev.eligible and ev.registrable_online and not ev.onsite_required
    assert (ev.jurisdiction.office_code, ev.jurisdiction.office_name) == (office, office_name)
    assert (ev.child_order.registration_order, ev.child_order.registration_label) == (2, "二孩")
    assert ev.proofs_required == ()


# 000 §2.3.5 "如果男女双方户籍地均未在四川省内，其中一方现居住地在四川省内，则需上传其中一方的身份证及在四川省内的现居住证明文件。"
PROOFS = [
    (
        "both hukou outside, woman lives in Sichuan",
        "sichuan",
        {"woman.hukou.region_code": BJ, "man.hukou.region_code": BJ},
        "woman",
    ),
    (
        "both hukou outside, only the man lives in Sichuan",
        "sichuan",
        {"woman.hukou.region_code": BJ, "man.hukou.region_code": BJ, "woman.residence.region_code": BJ},
        "man",
    ),
    ("one hukou inside: nothing to upload", "sichuan", {"woman.hukou.region_code": BJ}, None),
    # 002 六 "网上登记凭登记人相关证件材料如实在线填写登记表内容，登记机构不需要提交证件材料。"
    (
        "Chongqing never asks for uploads online",
        "chongqing",
        {"woman.hukou.region_code": BJ, "man.hukou.region_code": BJ},
        None,
    ),
]


@pytest.mark.parametrize(("case", "profile", "overrides", "subject"), PROOFS, ids=[p[0] for p in PROOFS])
def test_proofs_required(make_form, case, profile, overrides, subject):
    ev = evaluate(make_form(profile, **overrides), today=TODAY)
    assert ev.eligible
    if subject is None:
        assert ev.proofs_required == ()
    else:
        assert [(p.code, p.subject) for p in ev.proofs_required] == [("ID_CARD", subject), ("RESIDENCE_PROOF", subject)]
        assert all(p.citation == "000 §2.3.5" for p in ev.proofs_required)
        assert "四川省" in ev.proofs_required[1].message


def test_wrong_office_makes_the_application_ineligible(make_form):
    ev = evaluate(make_form("chongqing", **{"application.office_code": "500103001"}), today=TODAY)
    assert not ev.eligible and not ev.registrable_online
    assert [r.code for r in ev.reasons] == ["HUKOU_IN_PROVINCE", "OFFICE_NOT_COMPETENT"]
    assert ev.proofs_required == ()


def test_undecidable_office_goes_onsite_but_stays_eligible(make_form):
    ev = evaluate(make_form("sichuan", **{"woman.hukou.region_code": "510104"}), today=TODAY)
    assert ev.eligible and ev.onsite_required and not ev.registrable_online
    assert [r.code for r in ev.onsite_reasons] == ["JURISDICTION_UNDECIDED"]


def test_ineligible_couple(make_form):
    ev = evaluate(
        make_form(
            "guizhou",
            **{
                "woman.hukou.region_code": BJ,
                "woman.residence.region_code": BJ,
                "man.hukou.region_code": BJ,
                "man.residence.region_code": BJ,
            },
        ),
        today=TODAY,
    )
    assert not ev.eligible
    assert [r.code for r in ev.reasons] == ["NO_TIE_TO_PROVINCE"]


def test_to_dict_is_json_with_chinese_messages(make_form):
    d = evaluate(
        make_form(
            "chongqing",
            **{
                "application.type": "proxy",
                "proxy": {
                    "name": "张三",
                    "id_number": idcard.make_id("500103", date(1970, 1, 1), 17),
                    "relation": "母亲",
                },
            },
        ),
        today=TODAY,
    ).to_dict()
    text = json.dumps(d, ensure_ascii=False)
    assert set(d) == {
        "profile",
        "eligible",
        "registrable_online",
        "reasons",
        "jurisdiction",
        "child_order",
        "onsite_required",
        "onsite_reasons",
        "proofs_required",
    }
    assert d["onsite_required"] is True and d["onsite_reasons"][0]["code"] == "PROXY_ONSITE_ONLY"
    assert "重庆市渝中区解放碑街道" in text and d["child_order"]["registration_label"] == "二孩"


def test_profile_override_is_used(make_form):
    configured = SICHUAN.with_review_days(review=7)
    ev = evaluate(make_form("sichuan"), today=TODAY, profile=configured)
    assert ev.profile == "sichuan" and ev.eligible


def test_couple_key(make_form):
    a = make_form("sichuan")
    key = couple_key(a)
    assert len(key) == 64 and int(key, 16) >= 0
    assert key == couple_key(make_form("sichuan", **{"woman.phone": "13700000000"}))  # only IDs matter
    assert key == couple_key_from_ids(a.woman.id_number.lower(), a.man.id_number)
    assert key != couple_key_from_ids(a.man.id_number, a.woman.id_number)  # roles are not interchangeable
    assert key != couple_key(make_form("chongqing"))
    assert couple_key(a, secret=b"s1") != couple_key(a, secret=b"s2") != key

"""Which township office owns the registration, per province."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import regions
from chalicelib.domain.demo import demo_registration
from chalicelib.domain.form import parse_registration
from chalicelib.domain.profiles import CHONGQING, GUIZHOU, SICHUAN

TODAY = date(2026, 5, 6)
BJ = "110105001"  # 北京市朝阳区建外街道
SC_A, SC_B, SC_C, SC_D = "510104022", "510104023", "510104017", "510104018"  # 锦江区 streets
CQ_A, CQ_B, CQ_C = "500103003", "500103004", "500103001"


def addresses(wh, wr, mh, mr):
    return {
        "woman.hukou.region_code": wh,
        "woman.residence.region_code": wr,
        "man.hukou.region_code": mh,
        "man.residence.region_code": mr,
    }


def decide(profile, form):
    return profile.jurisdiction.decide(form, province_code=profile.province_code)


# 000 注 "1、夫妻双方户籍均为四川省内，数据归属到女方户籍地；2、夫妻一方户籍为四川省内，则按户籍地为四川省内的一方归属；
# 3、夫妻双方户籍地均为四川省外，则至少有一方现居住地为四川省内，规则按现居住地先女后男的方式判断归属：若女方现居住地为省内，
# 则归属女方现居住地，若女方现居住地非省内，则以男方现省内居住地归属。"
SICHUAN_TABLE = [
    # (case, (woman hukou, woman residence, man hukou, man residence), office, basis, rule)
    ("注1 both inside -> woman's hukou", (SC_A, SC_B, SC_C, SC_D), SC_A, "woman.hukou", "000 注 1"),
    ("注2 only woman's hukou inside", (SC_A, SC_B, BJ, SC_D), SC_A, "woman.hukou", "000 注 2"),
    ("注2 only man's hukou inside", (BJ, SC_B, SC_C, SC_D), SC_C, "man.hukou", "000 注 2"),
    ("注3 both outside, woman lives inside", (BJ, SC_B, BJ, SC_D), SC_B, "woman.residence", "000 注 3"),
    ("注3 both outside, only man lives inside", (BJ, BJ, BJ, SC_D), SC_D, "man.residence", "000 注 3"),
]


@pytest.mark.parametrize(("case", "addrs", "office", "basis", "rule"), SICHUAN_TABLE, ids=[c[0] for c in SICHUAN_TABLE])
def test_sichuan(make_form, case, addrs, office, basis, rule):
    # the applicant's office_code is ignored: 000 注 "因取消申请区域方式和申请地"
    j = decide(SICHUAN, make_form("sichuan", **addresses(*addrs), **{"application.office_code": CQ_A}))
    assert (j.office_code, j.basis, j.rule) == (office, basis, rule)
    assert j.office_name == regions.full_name(office)
    assert j.reason is None and not j.undecidable


def test_sichuan_no_office(make_form):
    j = decide(SICHUAN, make_form("sichuan", **addresses(BJ, BJ, BJ, BJ)))
    assert j.office_code is None and not j.undecidable
    assert j.reason.code == "NO_OFFICE_IN_PROVINCE"


def test_sichuan_county_level_address_is_undecidable(make_form):
    j = decide(SICHUAN, make_form("sichuan", **addresses("510104", SC_B, SC_C, SC_D)))
    assert j.office_code is None and j.undecidable
    assert (j.reason.code, j.basis) == ("ADDRESS_NOT_TOWNSHIP", "woman.hukou")
    assert "四川省成都市锦江区" in j.reason.message


# 002 四 "夫妻一方户籍地或者现居住地的乡镇人民政府、街道办事处…"；
# 002 七(一) "夫妻一方户籍或现居住地所在的村、社区或乡镇、街道，在办理生育登记服务时，具有同等职责，谁先接谁负责办理"
CHONGQING_TABLE = [
    ("woman's hukou township", CQ_A, (CQ_A, CQ_B, CQ_B, CQ_B), CQ_A, "woman.hukou", None),
    ("man's residence township, first come", CQ_C, (CQ_A, CQ_A, CQ_B, CQ_C), CQ_C, "man.residence", None),
    ("woman's residence in Chongqing, hukou elsewhere", CQ_B, (BJ, CQ_B, BJ, BJ), CQ_B, "woman.residence", None),
    ("office is none of their townships", CQ_C, (CQ_A, CQ_A, CQ_B, CQ_B), None, None, "OFFICE_NOT_COMPETENT"),
    ("office outside Chongqing", SC_A, (SC_A, SC_A, CQ_B, CQ_B), None, None, "OFFICE_OUTSIDE_PROVINCE"),
]


@pytest.mark.parametrize(
    ("case", "office", "addrs", "expected", "basis", "reason"), CHONGQING_TABLE, ids=[c[0] for c in CHONGQING_TABLE]
)
def test_chongqing(make_form, case, office, addrs, expected, basis, reason):
    j = decide(CHONGQING, make_form("chongqing", **addresses(*addrs), **{"application.office_code": office}))
    assert (j.office_code, j.basis) == (expected, basis)
    assert (j.reason.code if j.reason else None) == reason
    assert j.rule == "002 四; 002 七(一)"
    assert not j.undecidable


def test_chongqing_county_level_address_is_undecidable(make_form):
    j = decide(
        CHONGQING, make_form("chongqing", **addresses("500103", CQ_B, CQ_B, CQ_B), **{"application.office_code": CQ_A})
    )
    assert j.undecidable and j.reason.code == "ADDRESS_NOT_TOWNSHIP"


# 001 附件1 一 "填写夫妇姓名、身份证号码、户籍地、现居住地、婚姻登记信息、现有子女信息和申报登记地等信息"
@pytest.mark.parametrize(
    ("office", "expected", "reason"),
    [("520102016", "520102016", None), ("520102021", "520102021", None), (SC_A, None, "OFFICE_OUTSIDE_PROVINCE")],
)
def test_guizhou_declared_office(make_form, office, expected, reason):
    j = decide(GUIZHOU, make_form("guizhou", **{"application.office_code": office}))
    assert j.office_code == expected
    assert (j.reason.code if j.reason else None) == reason
    assert j.rule == "001 附件1 一"


def test_to_dict(make_form):
    d = decide(SICHUAN, make_form("sichuan")).to_dict()
    assert d == {
        "office_code": SC_A,
        "office_name": "四川省成都市锦江区春熙路街道",
        "rule": "000 注 1",
        "basis": "woman.hukou",
        "reason": None,
        "undecidable": False,
    }


# ---------------------------------------------------------------- property

SICHUAN_TOWNS = [t.code for c in ("510104", "510107", "511102") for t in regions.townships_of(c)]
SICHUAN_COUNTIES = ["510104", "510115", "513401"]
OUTSIDE = ["110105001", "500103003", "520102016", "440106001", "110105", "500103"]
ADDRESS = st.one_of(st.sampled_from(SICHUAN_TOWNS), st.sampled_from(SICHUAN_COUNTIES), st.sampled_from(OUTSIDE))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ADDRESS, ADDRESS, ADDRESS, ADDRESS)
def test_eligible_sichuan_couples_always_get_an_office_inside_sichuan(wh, wr, mh, mr):
    form = parse_registration(demo_registration("sichuan", **addresses(wh, wr, mh, mr)), today=TODAY)
    eligible = SICHUAN.eligibility.check(form, province_code="51", today=TODAY).eligible
    j = decide(SICHUAN, form)
    if not eligible:
        assert j.office_code is None
        return
    if j.undecidable:  # the deciding address was only given at county level
        assert len(getattr(getattr(form, j.basis.split(".")[0]), j.basis.split(".")[1]).region_code) == 6
        return
    assert j.office_code is not None
    assert regions.lookup(j.office_code).level == "township"
    assert regions.within(j.office_code, "51")
    assert j.office_name.startswith("四川省")

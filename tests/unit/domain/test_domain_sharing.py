"""What a registration tells the province's other systems (domain/sharing.py) and who receives it
(profiles' ``shares_with``): 002 五(一)8 / 五(二)6 渝快办, 001 四(三) PIS, 000 silent."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from chalicelib.domain import profiles, sharing
from chalicelib.domain.form import RegistrationForm
from local.seed import scenario


def _form(profile: str) -> RegistrationForm:
    body, _ = scenario(profile, "instant", serial=7)
    return RegistrationForm.model_validate(body)


def test_each_province_delivers_to_the_system_its_document_names():
    assert profiles.CHONGQING.shares_with == ("yukuaiban",)
    assert "002 五(一)8" in profiles.CHONGQING.citations["shares_with"]
    assert profiles.GUIZHOU.shares_with == ("pis",)
    assert "001 四(三)" in profiles.GUIZHOU.citations["shares_with"]
    assert profiles.SICHUAN.shares_with == ()
    assert "silent" in profiles.SICHUAN.citations["shares_with"]


def test_the_public_profile_names_the_receiving_systems():
    assert profiles.CHONGQING.to_dict()["shares_with"] == ["渝快办"]
    assert profiles.SICHUAN.to_dict()["shares_with"] == []


def test_a_profile_naming_an_unknown_system_is_refused_at_load():
    broken = replace(profiles.SICHUAN, shares_with=("wechat",))
    with pytest.raises(ValueError, match="wechat"):
        profiles.check_receiving_systems({"sichuan": broken})


def test_the_record_carries_what_the_receiver_records_and_nothing_more():
    form = _form("chongqing")
    record = sharing.registration_record(
        form,
        case_id="C1",
        registration_number="5001032026000001",
        registered_at="2026-12-01T10:00:00+08:00",
        office_code="500103003",
        office_name="重庆市渝中区解放碑街道",
        child_order=1,
        channel="online",
    )
    assert record["woman"] == {"name": form.woman.name, "id_number": form.woman.id_number}
    assert record["man"] == {"name": form.man.name, "id_number": form.man.id_number}
    assert record["marriage"]["certificate_number"] == form.marriage.certificate_number
    assert record["office"] == {"code": "500103003", "name": "重庆市渝中区解放碑街道"}
    text = json.dumps(record, ensure_ascii=False)
    # no phone numbers, no addresses, no children's details
    for secret in (form.woman.phone, form.man.phone, form.woman.hukou.detail, form.woman.residence.detail):
        assert secret not in text
    assert "children" not in record


def test_one_event_id_per_registration_event():
    assert sharing.event_id("pis", "C1", 4) == sharing.event_id("pis", "C1", 4) == "share:pis:C1:4"
    assert sharing.event_id("pis", "C1", 4) != sharing.event_id("yukuaiban", "C1", 4)

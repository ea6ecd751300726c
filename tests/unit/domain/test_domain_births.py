"""Rules of the birth medical certificate e-licence (chalicelib/domain/births.py), each from seed 003."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain import births
from chalicelib.domain.idcard import make_id

CN = datetime.fromisoformat("2026-06-01T08:00:00+08:00")
MOTHER = make_id("520102", "1994-03-08", 2)
FATHER = make_id("520102", "1992-07-01", 3)


def record(**over):
    base = {
        "newborn": {"sex": "female", "born_at": CN.isoformat(), "weight_grams": 3200},
        "mother": {"name": "王芳", "id_number": MOTHER},
        "father": {"name": "李强", "id_number": FATHER},
    }
    return {**base, **over}


def test_entry_within_24_hours_is_on_time_later_is_late():
    """003 一(一)1 "within 24 hours after the birth"."""
    assert not births.is_late(CN, CN + timedelta(hours=24))
    assert births.is_late(CN, CN + timedelta(hours=24, seconds=1))


def test_entry_problems():
    assert births.entry_problems(record(), now=CN + timedelta(hours=1)) == []
    future = births.entry_problems(record(), now=CN - timedelta(minutes=1))
    assert [p[:2] for p in future] == [("newborn.born_at", "DATE_IN_FUTURE")]
    swapped = record(mother={"name": "王芳", "id_number": FATHER}, father={"name": "李强", "id_number": MOTHER})
    assert [p[:2] for p in births.entry_problems(swapped, now=CN)] == [
        ("mother.id_number", "ID_SEX_MISMATCH"),
        ("father.id_number", "ID_SEX_MISMATCH"),
    ]
    bad = record(mother={"name": "王芳", "id_number": MOTHER[:-1] + ("0" if MOTHER[-1] != "0" else "1")})
    assert births.entry_problems(bad, now=CN)[0][0] == "mother.id_number"


def test_the_signed_hash_covers_every_field_and_not_the_key_order():
    a = record()
    b = {"father": a["father"], "mother": a["mother"], "newborn": a["newborn"]}
    assert births.record_hash(a) == births.record_hash(b)
    changed = record(newborn={**a["newborn"], "weight_grams": 3201})
    assert births.record_hash(changed) != births.record_hash(a)


def test_required_materials_inside_an_institution():
    """003 一(二)1 parents' IDs; 2 the claimant is not the mother -> power of attorney;
    3 no father's information -> the mother's written statement."""
    assert births.required_materials(claimant="mother", father_given=True, outside_institution=False) == [
        ("MOTHER_ID",), ("FATHER_ID",)
    ]
    assert births.required_materials(claimant="father", father_given=True, outside_institution=False) == [
        ("MOTHER_ID",), ("FATHER_ID",), ("MOTHER_AUTHORIZATION",)
    ]
    assert births.required_materials(claimant="mother", father_given=False, outside_institution=False) == [
        ("MOTHER_ID",), ("MOTHER_STATEMENT",)
    ]


def test_outside_an_institution_a_declaration_or_an_appraisal():
    """003 二(二)2, 3."""
    groups = births.required_materials(claimant="mother", father_given=True, outside_institution=True)
    assert groups[-1] == ("PATERNITY_DECLARATION", "PATERNITY_APPRAISAL")
    assert births.missing_materials(groups, {"MOTHER_ID", "FATHER_ID", "PATERNITY_APPRAISAL"}) == []
    assert births.missing_materials(groups, {"MOTHER_ID", "FATHER_ID"}) == [groups[-1]]


def test_one_notice_lists_every_missing_material():
    """003 三(三) "inform the one-time need to make up for the material"."""
    text = births.notice_text([("MOTHER_ID",), ("PATERNITY_DECLARATION", "PATERNITY_APPRAISAL")])
    assert text.startswith("请一次性补齐以下材料")
    assert "1. 母亲有效身份证件" in text and "2. 父母或监护人出具的亲子关系声明或具有法定鉴定资质机构出具的亲子鉴定证明" in text


def test_claimant_matches_the_recorded_parent_and_numbers_are_their_own_series():
    assert births.claimant_id_matches(record(), "mother", MOTHER.lower())
    assert not births.claimant_id_matches(record(), "mother", FATHER)
    assert not births.claimant_id_matches(record(father=None), "father", FATHER)
    assert births.certificate_number("520102", 2026, 7) == "Q5201022026000007"


def test_only_guizhou_runs_the_process():
    """Seed 003 is Guizhou's (003 四 "Guizhou Province, the birth of a medical certificate of
    electronic license"): the profile setting, cited; Sichuan and Chongqing do not run it."""
    from chalicelib.domain import profiles

    assert births.offered_in("52")
    assert not births.offered_in("51") and not births.offered_in("50") and not births.offered_in("99")
    assert profiles.GUIZHOU.citations["birth_certificates"].startswith("003")
    assert [p.code for p in profiles.PROFILES.values() if p.birth_certificates] == ["guizhou"]


def test_the_parents_sms_fit_one_segment():
    """003 三(三) one notice; 一(一)3 issued: the number and where to download, within one SMS (70)."""
    from chalicelib.adapters.sms import MAX_LENGTH

    number = births.certificate_number("520102", 2026, 999999)
    assert len(births.NOTICE_SMS) <= MAX_LENGTH and "一次性" in births.NOTICE_SMS
    text = births.issued_sms(number)
    assert len(text) <= MAX_LENGTH and number in text and "下载" in text

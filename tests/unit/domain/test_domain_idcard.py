"""GB 11643-1999 resident ID numbers: shape, area prefix, birth date, ISO 7064 MOD 11-2 check digit."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import idcard
from chalicelib.domain.errors import ValidationFailed

TODAY = date(2026, 5, 6)

VALID = [
    "11010519491231002X",  # the GB 11643 example: 北京市朝阳区, 1949-12-31, female, check X
    idcard.make_id("510104", date(1995, 3, 8), 128),
    idcard.make_id("520102", date(1993, 7, 15), 135),
    idcard.make_id("500103", date(2000, 2, 29), 1),
    # Historical code (Chongqing IDs issued while it was part of Sichuan: 5102xx). Real province
    # prefix, not a current county: accepted (ID numbers keep the code they were issued with).
    idcard.make_id("510212", date(1980, 1, 1), 11),
]

INVALID = [
    # (value, problem codes)
    ("11010519491231002x", ["ID_FORMAT"]),  # lower-case x: form.py upper-cases input first
    ("11010519491231002", ["ID_FORMAT"]),  # 17 characters
    ("110105194912310021X", ["ID_FORMAT"]),  # 19 characters
    ("1101051949123100AX", ["ID_FORMAT"]),
    ("１１０１０５１９４９１２３１００２X", ["ID_FORMAT"]),  # full-width digits
    (None, ["ID_FORMAT"]),
    (11010519491231002, ["ID_FORMAT"]),
    ("110105194912310021", ["ID_CHECKSUM"]),
    (idcard.make_id("990101", date(1990, 1, 1), 1), ["ID_AREA_UNKNOWN"]),  # 99 is no province
    (idcard.make_id("000000", date(1990, 1, 1), 1), ["ID_AREA_UNKNOWN"]),
    ("110105" + "19990230" + "001" + idcard.check_digit("11010519990230001"), ["ID_BIRTH_DATE_INVALID"]),
    ("110105" + "18991231" + "001" + idcard.check_digit("11010518991231001"), ["ID_BIRTH_DATE_INVALID"]),
    (idcard.make_id("110105", date(2026, 5, 7), 1), ["ID_BIRTH_DATE_FUTURE"]),
]


@pytest.mark.parametrize("value", VALID)
def test_valid_ids(value):
    assert idcard.validate_id(value, today=TODAY) == []
    assert idcard.is_valid_id(value, today=TODAY)


@pytest.mark.parametrize(("value", "problems"), INVALID)
def test_invalid_ids(value, problems):
    assert idcard.validate_id(value, today=TODAY) == problems


def test_strict_area_requires_current_county():
    historical = idcard.make_id("510212", date(1980, 1, 1), 11)
    assert idcard.validate_id(historical, today=TODAY, strict_area=True) == ["ID_AREA_UNKNOWN"]
    assert idcard.validate_id(idcard.make_id("510104", date(1980, 1, 1), 11), strict_area=True) == []


def test_require_valid_id_raises_with_path():
    with pytest.raises(ValidationFailed) as exc:
        idcard.require_valid_id("110105194912310021", path="woman.id_number", today=TODAY)
    assert [d.to_dict()["path"] for d in exc.value.details] == ["woman.id_number"]
    assert exc.value.details[0].code == "ID_CHECKSUM"
    assert idcard.require_valid_id("11010519491231002X") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "born", "sex"),
    [
        ("11010519491231002X", date(1949, 12, 31), "female"),  # 17th digit 2: even
        (idcard.make_id("510104", date(1993, 7, 15), 135), date(1993, 7, 15), "male"),
    ],
)
def test_birth_date_and_sex(value, born, sex):
    assert idcard.birth_date(value) == born
    assert idcard.sex(value) == sex


def test_birth_date_rejects_garbage():
    with pytest.raises(ValueError):
        idcard.birth_date("123")
    with pytest.raises(ValueError):
        idcard.sex("123")


@pytest.mark.parametrize(
    ("fn", "value", "masked"),
    [
        (idcard.mask_id, "11010519491231002X", "110105********002X"),
        (idcard.mask_id, "12345", "*****"),
        (idcard.mask_phone, "13800000000", "138****0000"),
        (idcard.mask_phone, "1380", "****"),
    ],
)
def test_masks(fn, value, masked):
    assert fn(value) == masked


def test_make_id_rejects_bad_input():
    with pytest.raises(ValueError):
        idcard.make_id("51010", date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        idcard.make_id("510104", date(1990, 1, 1), 1000)
    assert idcard.make_id("110105", "1949-12-31", 2) == "11010519491231002X"


# ---------------------------------------------------------------- properties

AREAS = st.sampled_from(["510104", "520102", "500103", "110105", "441900", "510212", "810000"])
BIRTHS = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
SEQS = st.integers(min_value=0, max_value=999)


@settings(max_examples=200, deadline=None)
@given(AREAS, BIRTHS, SEQS)
def test_generated_ids_are_valid(area, born, seq):
    value = idcard.make_id(area, born, seq)
    assert idcard.validate_id(value, today=TODAY) == []
    assert idcard.birth_date(value) == born
    assert idcard.sex(value) == ("male" if seq % 2 else "female")


@settings(max_examples=300, deadline=None)
@given(AREAS, BIRTHS, SEQS, st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_character_change_fails(area, born, seq, pos, ch):
    # ISO 7064 MOD 11-2 detects every single-character substitution.
    value = idcard.make_id(area, born, seq)
    if value[pos] == ch:
        return
    changed = value[:pos] + ch + value[pos + 1 :]
    assert idcard.validate_id(changed, today=TODAY) != []


def test_mask_name_keeps_the_family_name_only():
    from chalicelib.domain.idcard import mask_name

    assert (mask_name("王小雨"), mask_name("李"), mask_name("")) == ("王**", "李", "")

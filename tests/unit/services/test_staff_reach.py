"""Who may act on a case or certificate of which office (chalicelib/auth.py ``covers``/``reaches``).

The end-to-end matrix (tests/e2e/test_staff_jurisdiction_matrix.py) runs every route; this is
the rule itself, for every role, at the edges: same office, same county, same province, other
province, and a missing office.
"""

from __future__ import annotations

import pytest

from chalicelib import auth


def principal(role: str, region: str, office: str | None = None) -> auth.StaffPrincipal:
    return auth.StaffPrincipal(staff_id="x", name="x", role=role, region_code=region, office_code=office)


OP = principal(auth.TOWNSHIP_OPERATOR, "510104022", "510104022")
HOSPITAL = principal(auth.MEDICAL_INSTITUTION, "510104", "H510104001")
COUNTY = principal(auth.COUNTY_MONITOR, "510104")
PROVINCE = principal(auth.PROVINCE_MONITOR, "51")
CHONGQING_OP = principal(auth.TOWNSHIP_OPERATOR, "500103003", "500103003")


@pytest.mark.parametrize(
    ("who", "office", "covers", "reaches"),
    [
        (OP, "510104022", True, True),
        (OP, "510104023", False, True),  # another counter of the province: 001 三(一)3(2)
        (OP, "510105001", False, True),
        (OP, "520102016", False, False),  # another province
        (HOSPITAL, "510104022", True, True),
        (HOSPITAL, "510105001", False, False),  # outside its county
        (HOSPITAL, "520102016", False, False),
        (COUNTY, "510104023", True, True),
        (COUNTY, "510105001", False, False),
        (PROVINCE, "510105001", True, True),
        (PROVINCE, "520102016", False, False),
        (CHONGQING_OP, "500104001", False, True),
        (CHONGQING_OP, "510104022", False, False),
        (OP, None, False, False),
        (OP, "", False, False),
    ],
)
def test_covers_and_reaches(who, office, covers, reaches):
    assert auth.covers(who, office) is covers
    assert auth.reaches(who, office) is reaches


def test_an_operator_without_an_office_reaches_nothing():
    assert auth.reaches(principal(auth.TOWNSHIP_OPERATOR, "510104022", None), "510104022") is False

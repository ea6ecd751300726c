"""Resident ID numbers (公民身份号码), GB 11643-1999.

Layout: 6-digit area code (GB/T 2260) + 8-digit birth date YYYYMMDD + 3-digit sequence
(odd = male, even = female) + 1 check character (ISO 7064 MOD 11-2, ``0-9`` or ``X``).

Area check: the first two digits must be a real province code (11..82, ``regions.is_province_code``).
The full 6-digit code is *not* required to be a current county: an ID keeps the code of the place
and time it was issued, and codes are abolished and renumbered (e.g. the Chongqing IDs issued before
1997 start with Sichuan's 5102xx/5123xx). ``strict_area=True`` additionally requires a county code
known to the current table.

Problem codes returned by ``validate_id``:
``ID_FORMAT`` (not 17 digits + digit/X), ``ID_AREA_UNKNOWN``, ``ID_BIRTH_DATE_INVALID``,
``ID_BIRTH_DATE_FUTURE``, ``ID_CHECKSUM``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from . import regions
from .errors import FieldError, ValidationFailed
from .tz import today as china_today

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by (sum of weighted digits) mod 11
_SHAPE = re.compile(r"[0-9]{17}[0-9X]")

ID_PROBLEM_MESSAGES: dict[str, str] = {
    "ID_FORMAT": "身份证号码应为18位，前17位为数字，最后一位为数字或大写字母X",
    "ID_AREA_UNKNOWN": "身份证号码的地址码不存在",
    "ID_BIRTH_DATE_INVALID": "身份证号码中的出生日期不存在",
    "ID_BIRTH_DATE_FUTURE": "身份证号码中的出生日期晚于今天",
    "ID_CHECKSUM": "身份证号码校验位不正确，请核对",
}

_EARLIEST_BIRTH = date(1900, 1, 1)


def check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(int(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _parse_birth(s: str) -> date | None:
    try:
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return None


def validate_id(s: object, *, today: date | None = None, strict_area: bool = False) -> list[str]:
    """Problem codes for ``s`` (empty list = valid). Case-sensitive: a lowercase ``x`` is ID_FORMAT
    (``form.py`` upper-cases user input before calling this)."""
    if not isinstance(s, str) or not _SHAPE.fullmatch(s):
        return ["ID_FORMAT"]
    problems: list[str] = []
    if not regions.is_province_code(s[:2]) or (strict_area and (regions.level_of(s[:6]) != "county")):
        problems.append("ID_AREA_UNKNOWN")
    born = _parse_birth(s)
    if born is None or born < _EARLIEST_BIRTH:
        problems.append("ID_BIRTH_DATE_INVALID")
    elif born > (today or china_today()):
        problems.append("ID_BIRTH_DATE_FUTURE")
    if check_digit(s[:17]) != s[17]:
        problems.append("ID_CHECKSUM")
    return problems


def is_valid_id(s: object, *, today: date | None = None) -> bool:
    return not validate_id(s, today=today)


def require_valid_id(s: object, *, path: str = "id_number", today: date | None = None) -> str:
    """Return ``s`` if valid, else raise ValidationFailed with one FieldError per problem."""
    problems = validate_id(s, today=today)
    if problems:
        raise ValidationFailed(details=[FieldError(path, p, ID_PROBLEM_MESSAGES[p]) for p in problems])
    return s  # type: ignore[return-value]


def birth_date(id_number: str) -> date:
    """Birth date encoded in a (shape-valid) ID number. Raises ValueError if it is not a date."""
    if not isinstance(id_number, str) or not _SHAPE.fullmatch(id_number):
        raise ValueError("not an 18-character ID number")
    born = _parse_birth(id_number)
    if born is None:
        raise ValueError("ID number has no valid birth date")
    return born


def sex(id_number: str) -> Literal["female", "male"]:
    """GB 11643: the 17th digit (sequence code) is odd for men, even for women."""
    if not isinstance(id_number, str) or not _SHAPE.fullmatch(id_number):
        raise ValueError("not an 18-character ID number")
    return "male" if int(id_number[16]) % 2 == 1 else "female"


def mask_id(id_number: str) -> str:
    """First 6 and last 4 characters shown: ``110105********002X``."""
    if not isinstance(id_number, str) or len(id_number) <= 10:
        return "*" * len(id_number or "")
    return id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """Middle four digits hidden: ``138****0000``."""
    if not isinstance(phone, str) or len(phone) < 11:
        return "*" * len(phone or "")
    return phone[:3] + "****" + phone[7:]


def mask_name(name: str) -> str:
    """First character shown: ``张**``."""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name


def make_id(area: str, birth: date | str, seq: int) -> str:
    """Build a checksum-valid ID (tests and demo data). ``seq`` 0..999: odd = male, even = female."""
    if not (isinstance(area, str) and len(area) == 6 and area.isdigit()):
        raise ValueError("area must be a 6-digit code")
    if isinstance(birth, str):
        birth = date.fromisoformat(birth)
    if not 0 <= seq <= 999:
        raise ValueError("seq must be 0..999")
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


__all__ = [
    "ID_PROBLEM_MESSAGES",
    "birth_date",
    "check_digit",
    "is_valid_id",
    "make_id",
    "mask_id",
    "mask_name",
    "mask_phone",
    "require_valid_id",
    "sex",
    "validate_id",
]

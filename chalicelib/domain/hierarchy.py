"""Administrative levels of a township office: township → county → city → province.

Used for escalation ("county, then city", issue 5), statistics (a case counts for every level
above its office, 001 三(二)1 统计监测) and jurisdiction (``chalicelib.auth.covers``).

Placeholder prefectures (NBS "市辖区"/"县" of the municipalities, "省直辖县级行政区划") are not a
level of their own: the province-level unit stands in. Chongqing's "city" level is therefore
``50`` (重庆市): ``chain("500103003") == ["500103003", "500103", "50"]``.
"""

from __future__ import annotations

from chalicelib.domain import regions

LEVEL_NAMES = {"township": "乡镇（街道）", "county": "县（区）", "city": "市（州）", "province": "省"}


def _is_placeholder(city_code: str) -> bool:
    # The full name of a placeholder prefecture is its province's (regions.full_name drops it).
    return regions.is_known(city_code) and regions.full_name(city_code) == regions.full_name(city_code[:2])


def chain(code: str) -> list[str]:
    """``code`` and every level above it, most local first (canonical codes)."""
    c = regions.canonical(code) or code
    out = [c]
    for length in (6, 4, 2):
        if len(c) > length:
            parent = c[:length]
            if length == 4 and _is_placeholder(parent):
                continue
            out.append(parent)
    return out


def escalation_chain(office_code: str) -> list[str]:
    """Who handles a review task at level 0, 1, 2: the township office, its county, its city."""
    levels = chain(office_code)
    return levels[:3] if len(levels) >= 3 else levels


def level_of(code: str) -> str:
    c = regions.canonical(code) or code
    return {9: "township", 6: "county", 4: "city", 2: "province"}.get(len(c), "unknown")


def name_of(code: str) -> str:
    try:
        return regions.full_name(code)
    except KeyError:
        return code


def children(code: str) -> list[str]:
    """The next level's codes below ``code`` (placeholder prefectures skipped)."""
    out: list[str] = []
    for child in regions.children(code):
        if child.level == "city" and _is_placeholder(child.code):
            out += [c.code for c in regions.children(child.code)]
        else:
            out.append(child.code)
    return out

"""Administrative levels of a township office: township → county → city → province.

Used for escalation ("county, then city", issue 5), statistics (a case counts for every level
above its office, 001 三(二)1 统计监测: stored at township and county, summed above, see
``counted_levels``) and jurisdiction (``chalicelib.auth.covers``).

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


# Statistics counters are stored per township and per county only (001 三(二)1 统计监测 asks for
# every level): a city or province is the sum of its counties, read in a few BatchGets. Storing
# the upper levels too would make every case of a province write the same item (a hot item that
# conflicts between concurrent transactions) and cost two more transactional writes per event.
COUNTED_LEVELS = ("township", "county")


def counted_levels(code: str) -> list[str]:
    """The stored statistics items an event of ``code`` is added to: its township (if it is one)
    and its county, most local first. Empty for a city or province code (nothing sums it up)."""
    return [c for c in chain(code) if level_of(c) in COUNTED_LEVELS]


def stored_regions_under(code: str) -> list[str]:
    """The stored statistics items whose sum makes up ``code``'s figures: a township or county is
    its own item; a city its counties; a province the counties of each child (Chongqing's children
    are counties already)."""
    c = regions.canonical(code) or code
    if level_of(c) in COUNTED_LEVELS:
        return [c]
    return [stored for child in children(c) for stored in stored_regions_under(child)]

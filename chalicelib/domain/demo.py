"""Demo data: a VALID registration body per profile (used by unit tests, the local stack's seed data
and end-to-end tests). Pure: no I/O, no clock — the dates are fixed.

The couple: woman born 1995-03-08, man born 1993-07-15, married 2021-05-20, one joint child born
2023-04-10, now 12 weeks pregnant. Addresses are real townships (NBS 2023) of the demo counties
510104 锦江区 (成都), 520102 南明区 (贵阳), 500103 渝中区 (重庆); ID numbers carry those county codes
and valid check digits (``idcard.make_id``). The office is the one each profile's jurisdiction rule
picks (Sichuan: the woman's hukou township, 000 注 1).

Overrides (``demo_registration("chongqing", **overrides)``):

- a top-level key with a dict value is deep-merged: ``woman={"phone": "13700000000"}``;
- a dotted key sets one path: ``**{"children.0.health": "deceased", "pregnancy.weeks": None}``;
- any value ``DELETE`` removes the key: ``**{"woman.employer": DELETE}``;
- lists are replaced, not merged: ``children=[]``.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from .idcard import make_id

DELETE = object()

WOMAN_BIRTH = date(1995, 3, 8)
MAN_BIRTH = date(1993, 7, 15)
MARRIAGE_DATE = date(2021, 5, 20)
CHILD_BIRTH = date(2023, 4, 10)
COMMITMENT_AT = "2025-01-06T10:00:00+08:00"

# county, woman's township, man's township, woman's name, man's name, child's name, detail prefix
_PLACES: dict[str, dict[str, str]] = {
    "sichuan": {
        "county": "510104",  # 四川省成都市锦江区
        "woman_town": "510104022",  # 春熙路街道
        "man_town": "510104023",  # 书院街街道
        "woman": "李娟",
        "man": "王强",
        "child": "王小雨",
        "street": "红星路三段",
        "cert": "J510104-2021-001234",
    },
    "guizhou": {
        "county": "520102",  # 贵州省贵阳市南明区
        "woman_town": "520102016",  # 新华路街道
        "man_town": "520102017",  # 西湖路街道
        "woman": "杨敏",
        "man": "吴刚",
        "child": "吴思语",
        "street": "新华路",
        "cert": "J520102-2021-000567",
    },
    "chongqing": {
        "county": "500103",  # 重庆市渝中区
        "woman_town": "500103003",  # 解放碑街道
        "man_town": "500103004",  # 两路口街道
        "woman": "陈静",
        "man": "刘洋",
        "child": "刘欣然",
        "street": "民族路",
        "cert": "J500103-2021-000890",
    },
}


def _address(town: str, street: str, door: int) -> dict[str, Any]:
    return {
        "region_code": town,
        "detail": f"{street}{door}号 {door % 7 + 1}栋{door % 5 + 1}单元{door}室",
        "since": "2021-06-01",
    }


def _base(profile: str) -> dict[str, Any]:
    if profile not in _PLACES:
        raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(_PLACES)}")
    p = _PLACES[profile]
    county = p["county"]
    return {
        "profile": profile,
        "application": {
            "type": "self",
            "rebirth_reason": None,
            "office_code": p["woman_town"],
            "commitment_accepted": True,
            "commitment_at": COMMITMENT_AT,
        },
        "woman": {
            "name": p["woman"],
            "id_number": make_id(county, WOMAN_BIRTH, 128),  # even sequence: female
            "phone": "13800001111",
            "employer": "锦程科技有限公司",
            "marital_status": "first_marriage",
            "hukou": _address(p["woman_town"], p["street"], 12),
            "residence": _address(p["woman_town"], p["street"], 12),
        },
        "man": {
            "name": p["man"],
            "id_number": make_id(county, MAN_BIRTH, 135),  # odd sequence: male
            "phone": "13900002222",
            "employer": None,
            "marital_status": "first_marriage",
            "hukou": _address(p["man_town"], p["street"], 34),
            "residence": _address(p["woman_town"], p["street"], 12),
        },
        "marriage": {"date": MARRIAGE_DATE.isoformat(), "certificate_number": p["cert"]},
        "children": [
            {
                "name": p["child"],
                "id_number": make_id(county, CHILD_BIRTH, 102),  # even: female
                "birth_date": CHILD_BIRTH.isoformat(),
                "sex": "female",
                "birthplace_code": county,
                "relation": "joint",
                "health": "healthy",
                "disability_certificate": None,
            }
        ],
        "pregnancy": {"status": "pregnant", "weeks": 12, "birth_date": None},
        "proxy": None,
    }


def _set_path(body: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = body
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        if value is DELETE:
            del node[int(last)]
        else:
            node[int(last)] = value
    elif value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value


def _merge(target: dict, overrides: dict) -> None:
    for key, value in overrides.items():
        if value is DELETE:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def demo_registration(profile: str = "sichuan", **overrides: Any) -> dict[str, Any]:
    """A valid JSON-contract body for ``profile`` (see module doc for overrides)."""
    body = _base(profile)
    dotted = {k: v for k, v in overrides.items() if "." in k}
    _merge(body, {k: v for k, v in overrides.items() if "." not in k})
    for path, value in dotted.items():
        _set_path(body, path, copy.deepcopy(value) if value is not DELETE else value)
    return body


def demo_ids(profile: str = "sichuan") -> dict[str, str]:
    """The demo couple's ID numbers (handy for lookups in e2e tests)."""
    b = _base(profile)
    return {"woman": b["woman"]["id_number"], "man": b["man"]["id_number"]}


__all__ = ["DELETE", "demo_ids", "demo_registration"]

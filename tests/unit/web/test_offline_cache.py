"""The service worker keeps every public page and what it loads (web/sw.js PRECACHE), so the
installed app opens them without a network -- the birth medical certificate pages (seed 003: the
parent's claim, status and download; the e-licence check by its QR) among them."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[3] / "web"


def _precache() -> set[str]:
    text = (WEB / "sw.js").read_text(encoding="utf-8")
    block = re.search(r"const PRECACHE = \[(.*?)\];", text, re.S)
    assert block, "sw.js declares PRECACHE"
    return set(re.findall(r'"([^"]+)"', block[1]))


def _loaded_by(page: Path) -> set[str]:
    """The local files a page loads: its scripts and styles, and the modules they import."""
    html = page.read_text(encoding="utf-8")
    found = {p for p in re.findall(r'(?:src|href)="(/static/[^"]+)"', html)}
    pending = [p for p in found if p.endswith(".js")]
    while pending:
        path = pending.pop()
        source = (WEB / path.lstrip("/")).read_text(encoding="utf-8")
        for rel in re.findall(r'^import [^;]*? from "(\.[^"]+)"', source, re.M):
            target = "/" + str((WEB / path.lstrip("/")).parent.joinpath(rel).resolve().relative_to(WEB))
            if target not in found:
                found.add(target)
                pending.append(target)
    return found


def _public_pages() -> list[Path]:
    # Staff pages are never cached (sw.js: /staff... is network only; birth-staff.html holds staff work).
    return [p for p in sorted(WEB.glob("*.html")) if not p.name.startswith(("staff", "birth-staff"))]


def test_the_birth_pages_are_kept_offline():
    kept = _precache()
    for page in ("/birth.html", "/birth-verify.html", "/birth-declare.html"):
        assert page in kept
        assert _loaded_by(WEB / page.lstrip("/")) <= kept, page


def test_every_public_page_and_what_it_loads_is_kept():
    kept = _precache()
    missing = {}
    for page in _public_pages():
        wanted = {f"/{page.name}"} | _loaded_by(page)
        lacking = wanted - kept
        if lacking:
            missing[page.name] = sorted(lacking)
    assert not missing, missing

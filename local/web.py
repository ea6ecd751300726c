"""The web front end in the local stack: the files of ``web/`` on the API's own port.

What CloudFront does in AWS (``infra/resources.py`` ``WEB_SITE``, ``infra/stack.py``), the local
server does here: ``/`` is the citizen portal, every path under a page prefix (``/v/<token>``
of a QR code, ``/staff/tasks/<id>`` of a task link) is that page, other paths are files of
``web/`` when they exist, and everything else goes to the API. ``/staff/tasks/<id>`` and
``/v/<token>`` are API routes as well (JSON for API clients): a browser asks for HTML
(``Accept: text/html``) and gets the page.
"""

from __future__ import annotations

import os
import urllib.parse
from pathlib import Path

from infra.resources import WEB_SITE, content_security_policy

ROOT = WEB_SITE.source.resolve()
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def resolve(raw_path: str, accept: str) -> Path | None:
    """The file answering ``GET raw_path``, or None when the API answers it."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(raw_path).path)
    page = WEB_SITE.page_for(path)
    if page is not None:
        if path not in ("", "/") and "text/html" not in accept:
            return None
        relative = page
    else:
        relative = path.lstrip("/")
    if not relative or Path(relative).suffix not in TYPES:
        return None
    candidate = (ROOT / relative).resolve()
    if ROOT not in candidate.parents or not candidate.is_file():
        return None
    return candidate


NOT_FOUND = ROOT / "404.html"
# Paths only the API answers: a browser asking for one of them still gets the API's JSON.
API_PREFIXES = ("/v1/", "/.well-known/", "/_dev/")


def not_found(raw_path: str, accept: str) -> Path | None:
    """The "page not found" page for a browser asking for a path nothing serves (issue 17: an
    unknown URL showed raw JSON), or None to let the API answer (with its JSON 404)."""
    path = urllib.parse.unquote(urllib.parse.urlsplit(raw_path).path)
    if "text/html" not in accept or path.startswith(API_PREFIXES) or WEB_SITE.page_for(path) is not None:
        return None
    return NOT_FOUND


def headers(file: Path, length: int) -> dict[str, str]:
    out = {
        "Content-Type": TYPES[file.suffix],
        "Content-Length": str(length),
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if file.suffix == ".html":
        # As CloudFront's response headers policy: nothing but this origin, plus the object
        # store the browser uploads proofs to (moto here, S3 in AWS).
        storage = os.environ.get("AWS_ENDPOINT_URL", "")
        out["Content-Security-Policy"] = content_security_policy(storage)
        out["X-Frame-Options"] = "DENY"
    return out

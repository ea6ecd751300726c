"""Which page answers which path: the local stack (local/web.py) and CloudFront's function
(``WEB_SITE.router_js()``, infra/stack.py) follow the one table in infra/resources.py, so a QR code's
``/v/<token>`` and a task link's ``/staff/tasks/<id>`` open their page in a browser, while API clients
of the same paths still get JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request

import pytest

from infra.resources import WEB_SITE

PATHS = ["/", "/staff", "/staff/", "/staff/tasks/abc123", "/v/eyJ0b2tlbiJ9.c2ln", "/v", "/query.html", "/static/css/site.css", "/staffing.html"]


def fetch(url: str, accept: str | None = None):
    headers = {"Accept": accept} if accept else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.mark.parametrize(
    ("path", "page"),
    [("/", "index.html"), ("/staff/tasks/abc123", "staff.html"), ("/v/eyJ0b2tlbiJ9.c2ln", "verify.html"), ("/guide.html", "guide.html")],
)
def test_a_browser_gets_the_page(stack, path, page):
    status, headers, body = fetch(stack.api_url + path, "text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert body == (WEB_SITE.source / page).read_bytes()
    assert "default-src 'self'" in headers["Content-Security-Policy"]


def test_api_clients_of_the_same_paths_get_json(stack):
    status, headers, body = fetch(f"{stack.api_url}/v/not-a-token")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body)["result"] == "invalid"
    status, _, body = fetch(f"{stack.api_url}/staff/tasks/abc123")
    assert status == 401 and json.loads(body)["error"]["code"] == "STAFF_TOKEN_REQUIRED"


def test_files_outside_web_are_not_served(stack):
    for path in ("/../app.py", "/%2e%2e/app.py", "/static/../../app.py", "/.chalice/config.json"):
        status, _, body = fetch(stack.api_url + path, "text/html")
        assert b"Chalice" not in body and b"birthreg-api" not in body, path
        assert status in (403, 404), path


@pytest.mark.skipif(shutil.which("node") is None, reason="node runs the CloudFront function here")
def test_cloudfront_function_routes_like_the_local_stack():
    script = WEB_SITE.router_js() + (
        "const paths = JSON.parse(process.argv[1]);"
        "console.log(JSON.stringify(paths.map((p) => { const r = handler({request: {uri: p}});"
        " return r.statusCode ? [r.statusCode, r.body.data] : r.uri; })));"
    )
    out = subprocess.run(["node", "-e", script, json.dumps(PATHS)], capture_output=True, text=True, check=True).stdout
    routed = json.loads(out)
    files = set(WEB_SITE.files())
    not_found = (WEB_SITE.source / WEB_SITE.not_found).read_text(encoding="utf-8")
    for path, answer in zip(PATHS, routed, strict=True):
        page = WEB_SITE.page_for(path)
        if page is not None:
            # "/" is CloudFront's default root object; every other page path is rewritten to its file
            assert answer == (path if path in ("", "/") else f"/{page}"), path
        elif path in files:
            assert answer == path, path
        else:  # neither a page nor a file: the 404 page with status 404, as the local stack answers
            assert answer == [404, not_found], path
    assert "/staffing.html" not in files and "/static/css/site.css" in files


def test_cloudfront_function_fits_the_size_limit():
    # CloudFront Functions take at most 10 KB of code; the 404 page and the file list are inside it
    assert len(WEB_SITE.router_js().encode("utf-8")) <= 10 * 1024

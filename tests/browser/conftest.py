"""Browser tests: Debian's Chromium, driven by Playwright, against the session's local stack.

The browser is the system package (``/usr/bin/chromium``, installed by ``.ci/system-deps``); Playwright
never downloads one. The pages are those ``make run`` serves (``web/`` on the API's port, see
``local/web.py``). Every test:

- fails if a page throws an uncaught error, violates the Content-Security-Policy, or asks any host
  other than the local stack (no CDN, no web fonts, nothing outside);
- may save screenshots at desktop (1280 px) and phone (375 px) widths with ``shoot(page, name)``
  into ``test-artifacts/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("BIRTHREG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = (1280, 375)
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def _stack_environment(request):
    """The local stack's environment for every test (an in-process CDK synth may have changed it)."""
    if "stack" in request.fixturenames:
        stack = request.getfixturevalue("stack")
        if os.environ != stack.environment:
            os.environ.clear()
            os.environ.update(stack.environment)
    yield


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium with `bash .ci/system-deps` (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watch:
    """What the pages did that they must not: uncaught errors, CSP violations, outside hosts."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def request(self, request) -> None:
        url = urlsplit(request.url)
        if url.scheme in ("http", "https") and url.hostname not in LOCAL_HOSTS:
            self.problems.append(f"request to an outside host: {request.url}")

    def console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"CSP: {message.text}")

    def page_error(self, error) -> None:
        self.problems.append(f"uncaught error: {error}")

    def attach(self, page) -> None:
        page.on("console", self.console)
        page.on("pageerror", self.page_error)


@pytest.fixture
def new_context(browser, stack):
    """``new_context()`` → a fresh browser profile (its own sessionStorage) on the local stack."""
    contexts = []
    watch = Watch()

    def make(**kwargs):
        options = {
            "base_url": stack.api_url,
            "locale": "zh-CN",
            "timezone_id": "Asia/Shanghai",
            "viewport": {"width": WIDTHS[0], "height": 900},
            "accept_downloads": True,
            **kwargs,
        }
        ctx = browser.new_context(**options)
        ctx.set_default_timeout(20_000)
        ctx.on("request", watch.request)
        ctx.on("page", watch.attach)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
    assert not watch.problems, "\n".join(watch.problems)


@pytest.fixture
def page(new_context):
    return new_context().new_page()


# axe-core (WCAG 2.1 A/AA rules, bundled by axe-playwright-python, injected without the network):
# no serious or critical violation in any state a test photographs.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_BLOCKING = {"serious", "critical"}


def axe_problems(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
        if v.get("impact") in AXE_BLOCKING
    ]


def shoot(page, name: str) -> None:
    """Full-page screenshots of the current page at 1280 px and 375 px; the page must fit each width
    (no sideways scrolling of the whole page: wide tables scroll inside their own box) and pass axe
    (WCAG 2.1 AA: no serious or critical violation) at each width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(120)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{name}: the page is {overflow} px wide at a {width} px viewport"
        problems = axe_problems(page)
        assert not problems, f"{name} at {width} px, axe:\n" + "\n".join(problems)
    page.set_viewport_size(size)


@pytest.fixture
def clock(stack):
    """Moves the API's clock (``config.clock``) forward, e.g. past the 60 s SMS resend interval."""
    from tests.e2e.conftest import Clock

    c = Clock()
    yield c
    c.reset()

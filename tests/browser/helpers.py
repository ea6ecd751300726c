"""What a person does on the pages, as functions: fill the registration form from a JSON-contract
body, read the SMS code the local stack "sent", solve a captcha, decode the certificate's QR code.

Form controls are found by the ids ``web/static/js/form.js`` derives from the contract's paths
(``woman.id_number`` → ``#f-woman-id_number``), region pickers by their level
(``#f-woman-hukou-region_code-0`` is the province).
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.conftest import unique_phone

_serial = itertools.count(1)


def ready(page) -> None:
    """Waits until the page's script has attached its handlers and loaded what it needs (every
    page module marks ``body[data-ready=true]``); a click before that would go to no handler."""
    page.wait_for_selector("body[data-ready=true]")


# ---------------------------------------------------------------------------------------- couples
def new_couple(profile: str = "sichuan", *, matched: bool = True, scenario: str | None = None) -> dict[str, Any]:
    """A valid registration body of a couple no other test uses.

    ``matched``: the reference registries know the couple (instant path). ``scenario``: one of
    ``local.seed.SCENARIOS`` (e.g. ``"child_conflict"`` → manual review) with its registry records.
    """
    from chalicelib.domain import idcard
    from chalicelib.domain.demo import demo_registration
    from chalicelib.store import registry
    from local.seed import registry_records
    from local.seed import scenario as seed_scenario

    n = next(_serial)
    if scenario:
        body, records = seed_scenario(profile, scenario, serial=700 + n)
    else:
        body = demo_registration(profile)
        county = body["woman"]["id_number"][:6]
        # Birth dates no other test level uses, so couples never collide across the session.
        body["woman"]["id_number"] = idcard.make_id(county, date(1992, 2, 1) + timedelta(days=n), 200 + 2 * n)
        body["man"]["id_number"] = idcard.make_id(county, date(1990, 2, 1) + timedelta(days=n), 201 + 2 * n)
        body["marriage"]["certificate_number"] = f"J{county}-2021-9{n:05d}"
        records = registry_records(body) if matched else []
    body["woman"]["phone"], body["man"]["phone"] = unique_phone(), unique_phone()
    for key, data in records:
        registry.put(key, data)
    return body


def with_bad_checksum(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")


# ---------------------------------------------------------------------------------------- SMS, captcha
def last_code(phone: str, *, since: int = 0, timeout: float = 10) -> str:
    """The latest verification code the local stack sent to ``phone`` (its SMS outbox, in process),
    among the messages after the first ``since``."""
    from local import outbox

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for m in reversed(outbox.messages()[since:]):
            if m["phone"] == "+86" + phone and "验证码" in m["message"]:
                return re.search(r"验证码(\d{6})", m["message"]).group(1)
        time.sleep(0.1)
    raise AssertionError(f"no verification code sent to {phone}")


def request_code(button, phone: str) -> str:
    """Click a "获取验证码" button; the code that SMS brought."""
    from local import outbox

    since = len(outbox.messages())
    button.click()
    return last_code(phone, since=since)


def last_sms(phone: str) -> str:
    from local import outbox

    return next(m["message"] for m in reversed(outbox.messages()) if m["phone"] == "+86" + phone)


_captcha = threading.local()
_answers: dict[str, str] = {}


def install_captcha_spy() -> None:
    """Remember each captcha's answer by its image (a test reads the image's src, not its letters)."""
    from chalicelib.services.shared import captcha

    if getattr(captcha.create, "_browser_spy", False):
        return
    new_answer, create = captcha.new_answer, captcha.create

    def spy_answer() -> str:
        _captcha.answer = new_answer()
        return _captcha.answer

    def spy_create(*args, **kwargs) -> dict:
        result = create(*args, **kwargs)
        if "image" in result:
            _answers[result["image"]] = _captcha.answer
        return result

    spy_create._browser_spy = True  # type: ignore[attr-defined]
    captcha.new_answer = spy_answer
    captcha.create = spy_create


def captcha_answer(page, image_selector: str) -> str:
    page.wait_for_function(
        "sel => { const i = document.querySelector(sel); return i && i.src.startsWith('data:image'); }", arg=image_selector
    )
    return _answers[page.get_attribute(image_selector, "src")]


# ---------------------------------------------------------------------------------------- the form
def region_path(code: str) -> list[str]:
    """The picker's choices from the province down (placeholder prefectures skipped, as the API does)."""
    from chalicelib.domain import hierarchy

    return list(reversed(hierarchy.chain(code)))


def pick_region(page, base_id: str, code: str) -> None:
    for level, value in enumerate(region_path(code)):
        page.select_option(f"#{base_id}-{level}", value)


def open_prefilled(page, body: dict[str, Any]) -> None:
    """On register.html?modify=…: past 登记须知 to 女方信息, which holds the couple's own data."""
    from playwright.sync_api import expect

    page.wait_for_selector("body[data-ready=true]")
    page.check("#notice-accepted")
    next_step(page)
    expect(page.locator("#f-woman-name")).to_have_value(body["woman"]["name"])
    expect(page.locator("#f-woman-id_number")).to_have_value(body["woman"]["id_number"])


def next_step(page) -> None:
    page.locator(".step:not([hidden]) [data-next]").click()


def fill_person(page, role: str, p: dict[str, Any]) -> None:
    page.fill(f"#f-{role}-name", p["name"])
    page.fill(f"#f-{role}-id_number", p["id_number"])
    page.fill(f"#f-{role}-phone", p["phone"])
    page.fill(f"#f-{role}-employer", p.get("employer") or "")
    page.select_option(f"#f-{role}-marital_status", p["marital_status"])
    pick_region(page, f"f-{role}-hukou-region_code", p["hukou"]["region_code"])
    page.fill(f"#f-{role}-hukou-detail", p["hukou"]["detail"])
    same = p["residence"]["region_code"] == p["hukou"]["region_code"] and p["residence"]["detail"] == p["hukou"]["detail"]
    page.set_checked(f"#f-{role}-residence-same", same)
    if not same:
        pick_region(page, f"f-{role}-residence-region_code", p["residence"]["region_code"])
        page.fill(f"#f-{role}-residence-detail", p["residence"]["detail"])
    page.fill(f"#f-{role}-residence-since", p["residence"].get("since") or "")


def fill_family(page, body: dict[str, Any]) -> None:
    page.fill("#f-marriage-date", body["marriage"]["date"])
    page.fill("#f-marriage-certificate_number", body["marriage"]["certificate_number"])
    page.check(f'input[name="r-application-type"][value="{body["application"]["type"]}"]')
    if body["application"].get("rebirth_reason"):
        page.select_option("#f-application-rebirth_reason", body["application"]["rebirth_reason"])
    preg = body["pregnancy"]
    page.check(f'input[name="r-pregnancy-status"][value="{preg["status"]}"]')
    if preg["status"] == "pregnant":
        page.fill("#f-pregnancy-weeks", str(preg["weeks"]))
    if preg["status"] == "delivered":
        page.fill("#f-pregnancy-birth_date", preg["birth_date"])
    for i, child in enumerate(body["children"]):
        page.get_by_role("button", name="添加子女").click()
        page.fill(f"#f-children-{i}-name", child["name"])
        page.fill(f"#f-children-{i}-id_number", child.get("id_number") or "")
        page.fill(f"#f-children-{i}-birth_date", child["birth_date"])
        page.select_option(f"#f-children-{i}-sex", child["sex"])
        page.select_option(f"#f-children-{i}-relation", child["relation"])
        page.select_option(f"#f-children-{i}-health", child["health"])
        if child.get("disability_certificate"):
            page.fill(f"#f-children-{i}-disability_certificate", child["disability_certificate"])
        pick_region(page, f"f-children-{i}-birthplace_code", child["birthplace_code"])
    office = page.locator("select#f-application-office_code")
    if office.count():
        office.select_option(body["application"]["office_code"])


def fill_registration(page, body: dict[str, Any], *, shots: list[str] | None = None, shoot=None) -> None:
    """From 登记须知 to 登记确认 (which runs the precheck). ``shoot(page, name)`` after each step."""
    page.wait_for_selector("body[data-ready=true]")
    if shoot:
        shoot(page, "citizen-02-notice")
    page.check("#notice-accepted")
    next_step(page)
    fill_person(page, "woman", body["woman"])
    if shoot:
        shoot(page, "citizen-03-woman")
    next_step(page)
    fill_person(page, "man", body["man"])
    next_step(page)
    fill_family(page, body)
    if shoot:
        shoot(page, "citizen-04-family")
    next_step(page)


def confirm_and_request_code(page, phone: str) -> str:
    """登记确认 → 提交: tick the commitment, ask for the SMS code; returns the code."""
    page.wait_for_selector("#precheck-result[data-registrable=true]")
    page.check("#commitment")
    next_step(page)
    page.check(f'input[name=sms-phone][value="{phone}"]')
    return request_code(page.get_by_role("button", name="获取验证码"), phone)


# ---------------------------------------------------------------------------------------- certificates
def qr_url_of(pdf: bytes) -> str:
    """The URL in the certificate's QR code: page 1 rendered by pdftoppm, decoded by zbar."""
    from PIL import Image

    from tests.qrcodes import decode_qr

    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: bash .ci/system-deps (poppler-utils)"
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "certificate.pdf"
        source.write_bytes(pdf)
        subprocess.run([pdftoppm, "-r", "150", "-png", "-f", "1", "-l", "1", str(source), str(Path(tmp) / "page")], check=True)
        (png,) = Path(tmp).glob("page*.png")
        with Image.open(png) as image:
            found = decode_qr(image)
    assert len(found) == 1, found
    return found[0]


def download_certificate(page, button) -> bytes:
    with page.expect_download() as info:
        button.click()
    return Path(info.value.path()).read_bytes()


def query_by_code(page, query_code: str, name: str, case_id: str):
    """The query page's 查询码 + 姓名 tab (001 附件1 一); returns the card of ``case_id``."""
    page.goto("/query.html")
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("tab", name="查询码查询").click()
    page.fill("#q-code", query_code)
    page.fill("#q-name", name)
    page.locator("#panel-code").get_by_role("button", name="查询").click()
    return page.locator(f"article.case[data-case-id='{case_id}']")


def fill_onsite(page, body: dict[str, Any]) -> None:
    """The staff console's on-site form (现场登记), filled with ``body`` and the couple's signed commitment."""
    page.wait_for_selector("#onsite-form")
    fill_person(page, "woman", body["woman"])
    fill_person(page, "man", body["man"])
    fill_family(page, body)
    page.check("#onsite-commitment")

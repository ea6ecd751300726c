"""三孩预约 in a real browser (000 §2.1 "特殊情形再生育预约（三孩预约）"): the couple picks a township, a
day and slot, confirms with an SMS code, gets the number, cancels; the office sees its day, confirms
and starts the on-site registration from the appointment (pre-filled, linked). Screenshots and axe
at 1280 and 375 px in each state."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import fill_family, fill_person, last_sms, new_couple, pick_region, request_code
from tests.browser.test_staff_console import OPERATOR, log_in
from tests.e2e.appointment_support import book, publish_capacity
from tests.e2e.conftest import Api, unique_phone


def test_a_couple_books_a_slot_gets_the_number_by_sms_and_cancels(page, stack):
    api = Api(stack.api_url)
    publish_capacity(api, "510104023")
    couple = new_couple("sichuan")
    phone = unique_phone()

    page.goto("/special.html")
    page.get_by_role("link", name="特殊情形再生育预约（三孩预约）").click()
    expect(page.get_by_role("heading", name="特殊情形再生育预约（三孩预约）")).to_be_visible()
    page.wait_for_selector("body[data-ready=true]")  # the office picker has loaded its regions
    page.fill("#a-woman-name", couple["woman"]["name"])
    page.fill("#a-woman-id", couple["woman"]["id_number"])
    page.fill("#a-man-name", couple["man"]["name"])
    page.fill("#a-man-id", couple["man"]["id_number"])
    # her ID number's county is offered first (the responsible office is her hukou township)
    expect(page.locator("#a-office-2")).to_have_value(couple["woman"]["id_number"][:6])
    pick_region(page, "a-office", "510104023")
    first = page.locator("#slots input[type=radio]:not([disabled])").first
    expect(first).to_be_visible()
    first.check()
    page.fill("#a-phone", phone)
    page.fill("#as-code", request_code(page.locator("#book-form").get_by_role("button", name="获取验证码"), phone))
    shoot(page, "appointment-01-form")

    page.get_by_role("button", name="提交预约").click()
    result = page.locator("#result")
    expect(result).to_contain_text("已预约")
    number = re.search(r"预约号(YY\d{14})", last_sms(phone)).group(1)
    expect(result).to_contain_text(number)
    shoot(page, "appointment-02-booked")

    result.get_by_role("button", name="取消预约").click()
    page.get_by_role("button", name="确定取消").click()
    expect(result).to_contain_text("已取消")
    assert "已取消" in last_sms(phone)
    shoot(page, "appointment-03-cancelled")


def test_a_missing_slot_and_a_bad_id_number_are_shown_on_their_fields(page, stack):
    publish_capacity(Api(stack.api_url), "510104023")
    page.goto("/appointment.html")
    page.wait_for_selector("body[data-ready=true]")
    pick_region(page, "a-office", "510104023")
    expect(page.locator("#slots input[type=radio]").first).to_be_visible()
    page.fill("#a-woman-id", "51010419920301123")
    page.get_by_role("button", name="提交预约").click()
    expect(page.locator("#slots-field .field-error")).to_have_text("请选择预约日期和时段")
    expect(page.locator("#a-woman-id")).to_have_attribute("aria-invalid", "true")
    shoot(page, "appointment-04-errors")


def test_the_office_confirms_and_registers_the_couple_from_the_appointment(new_context, stack):
    api = Api(stack.api_url)
    publish_capacity(api, "510104022")
    couple = new_couple("sichuan")
    r, _, _ = book(api, couple, "510104022")
    assert r.status == 201, r.body
    number, day = r.body["appointment_number"], r.body["date"]

    page = new_context().new_page()
    page.goto("/staff/")
    log_in(page, OPERATOR)
    page.locator("#staff-nav").get_by_role("link", name="三孩预约").click()
    expect(page.get_by_role("heading", name="三孩预约", exact=True)).to_be_visible()
    page.fill("#appointments-day", day)
    page.get_by_role("button", name="查看").click()
    row = page.locator(f"#appointments-table tr[data-appointment='{number}']")
    expect(row).to_contain_text(couple["woman"]["id_number"])
    shoot(page, "staff-appointments-01-day")
    row.get_by_role("button", name="确认").click()
    expect(page.locator("#appointments-done")).to_contain_text("已确认")
    row = page.locator(f"#appointments-table tr[data-appointment='{number}']")
    expect(row).to_contain_text("已确认")

    row.get_by_role("link", name="现场登记").click()
    expect(page.locator("#onsite-appointment")).to_contain_text(number)
    expect(page.locator("#f-woman-name")).to_have_value(couple["woman"]["name"])
    expect(page.locator("#f-man-id_number")).to_have_value(couple["man"]["id_number"])
    fill_person(page, "woman", couple["woman"])
    fill_person(page, "man", couple["man"])
    fill_family(page, couple)
    page.check("#onsite-commitment")
    shoot(page, "staff-appointments-02-onsite")
    page.get_by_role("button", name="提交现场登记").click()
    page.get_by_role("button", name="确认无误，提交登记").click()
    case_id = page.locator("#onsite-case-id")
    expect(case_id).to_be_visible()

    from chalicelib.store import appointments as appointment_store

    linked = appointment_store.get(number)
    assert linked.status == "registered" and linked.case_id == case_id.inner_text()


def test_a_page_still_loading_does_not_replace_the_one_opened_after_it(new_context, stack):
    """The operator opens 三孩预约 while the work queue (the page after sign-in) is still loading: the
    queue's answer, arriving last, must not replace the appointments page (pages/staff.js Superseded)."""
    page = new_context().new_page()
    held = []
    page.route("**/v1/staff/tasks?**", lambda route: held.append(route))  # the queue's answer waits until released
    page.goto("/staff/")
    log_in(page, OPERATOR)
    page.locator("#staff-nav").get_by_role("link", name="三孩预约").click()
    expect(page.get_by_role("heading", name="三孩预约", exact=True)).to_be_visible()
    assert held, "the work queue was requested after sign-in"
    with page.expect_response(lambda r: "/v1/staff/tasks?" in r.url) as answered:
        held[0].continue_()
    answered.value.finished()
    # the page has run what the answer queued (a task, then a frame): the appointments page is still shown
    page.evaluate("() => new Promise((done) => setTimeout(() => requestAnimationFrame(() => done()), 0))")
    expect(page.get_by_role("heading", name="三孩预约", exact=True)).to_be_visible()
    expect(page.locator("#appointments-day")).to_be_visible()


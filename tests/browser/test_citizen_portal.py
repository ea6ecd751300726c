"""The citizen portal in a real browser (000 §2.1–2.5): home, guide, the registration steps, the PDF,
the QR code's verify page, field errors from the API, keyboard use."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from chalicelib.domain import idcard
from tests.browser.conftest import shoot
from tests.browser.helpers import (
    confirm_and_request_code,
    download_certificate,
    fill_family,
    fill_person,
    fill_registration,
    new_couple,
    next_step,
    qr_url_of,
    request_code,
    with_bad_checksum,
)


def test_home_has_the_four_modules_and_works_with_the_keyboard(page):
    page.goto("/")
    modules = page.locator(".modules .module strong")
    expect(modules).to_have_text(["办事指南", "网上登记", "再生育·特殊情形", "办件查询"])
    shoot(page, "citizen-01-home")

    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    page.goto("/guide.html")
    expect(page.get_by_role("heading", name="生育登记办理流程")).to_be_visible()
    shoot(page, "citizen-guide")
    page.goto("/special.html")
    expect(page.get_by_role("heading", name="再生育登记")).to_be_visible()
    shoot(page, "citizen-special")

    # 登记须知 by keyboard only: tick the commitment with Space, go on with Enter.
    page.goto("/register.html")
    page.wait_for_selector("body[data-ready=true]")
    page.focus("#notice-accepted")
    page.keyboard.press("Space")
    expect(page.locator("#notice-accepted")).to_be_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="开始登记")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="女方信息")).to_be_focused()


def id_born(area: str, born: date, *, male: bool) -> str:
    return idcard.make_id(area, born, 135 if male else 244)


def test_a_citizen_registers_downloads_the_pdf_and_its_qr_code_verifies(page, stack):
    body = new_couple("sichuan")
    woman_phone = body["woman"]["phone"]
    page.goto("/")
    page.locator(".modules").get_by_role("link", name=re.compile("网上登记")).click()
    fill_registration(page, body, shoot=shoot)

    # 登记确认: the precheck's office, child order and on-site answer
    result = page.locator("#precheck-result")
    expect(result).to_contain_text("四川省成都市锦江区春熙路街道")
    expect(result).to_contain_text("二孩")
    expect(result).to_contain_text("可网上办理")
    expect(page.locator("#summary")).to_contain_text(body["woman"]["id_number"])
    shoot(page, "citizen-05-confirm")

    code = confirm_and_request_code(page, woman_phone)
    expect(page.locator(".step:not([hidden]) .status-line")).to_contain_text("验证码已发送至")
    page.fill("#submit-code", code)
    shoot(page, "citizen-06-submit")
    page.get_by_role("button", name="提交登记").click()

    # 登记成功: case id, query code, then the certificate once the workflow has issued it
    expect(page.locator("#case-id")).to_have_text(re.compile(r"^\d{8}[0-9A-F]{10}$"), timeout=20_000)
    query_code = page.locator("#query-code").inner_text()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", query_code)
    case = page.locator("article.case")
    expect(case).to_have_attribute("data-status", "registered", timeout=30_000)
    expect(page.locator("#h-done")).to_have_text("登记成功")
    expect(case).to_contain_text("李*")  # masked as the API returns it
    expect(case).not_to_contain_text(body["woman"]["id_number"])

    pdf = download_certificate(page, case.get_by_role("button", name="打印生育登记证"))
    assert pdf.startswith(b"%PDF")

    # 评价 (好差评)
    case.locator("label[for$='-5']").click()
    case.locator("textarea[data-path=comment]").fill("办理很方便")
    case.get_by_role("button", name="提交评价").click()
    expect(page.locator("article.case .rating-done")).to_contain_text("5分 非常满意")
    shoot(page, "citizen-07-done")

    # The QR code of the printed certificate opens the verify page: valid
    url = qr_url_of(pdf)
    assert url.startswith(f"{stack.api_url}/v/"), url
    page.goto(url)
    verdict = page.locator("#verify-result")
    expect(verdict).to_have_attribute("data-result", "valid")
    expect(verdict).to_contain_text("有效")
    expect(verdict).to_contain_text("二孩")
    expect(verdict).not_to_contain_text(body["woman"]["name"])
    shoot(page, "citizen-08-verify-valid")

    # Full view: both ID numbers and an SMS code to a phone of the case (the man's: the woman's
    # phone had a code a moment ago and may have one a minute)
    man_phone = body["man"]["phone"]
    page.fill("#v-woman-id", body["woman"]["id_number"])
    page.fill("#v-man-id", body["man"]["id_number"])
    page.fill("#v-phone", man_phone)
    page.fill("#v-code", request_code(page.get_by_role("button", name="获取验证码"), man_phone))
    page.get_by_role("button", name="确定").click()
    details = page.locator("#full-details")
    expect(details).to_contain_text("李*")
    expect(details).to_contain_text(body["woman"]["id_number"][:6] + "*")
    expect(details.get_by_role("link", name="下载证件（PDF）")).to_be_visible()
    shoot(page, "citizen-09-verify-full")


def test_a_bad_id_number_is_reported_on_its_own_step_with_the_servers_message(page):
    body = new_couple("sichuan")
    body["woman"]["id_number"] = with_bad_checksum(body["woman"]["id_number"])
    page.goto("/register.html")
    page.wait_for_selector("body[data-ready=true]")
    page.check("#notice-accepted")
    next_step(page)
    fill_person(page, "woman", body["woman"])
    next_step(page)

    # Reported on 女方信息 itself, before 男方信息 and 婚育信息 (rules and messages from /v1/form-rules)
    expect(page.get_by_role("heading", name="女方信息")).to_be_visible()
    field = page.locator("#f-woman-id_number")
    expect(field).to_have_attribute("aria-invalid", "true")
    error = page.locator(".field.has-error .field-error")
    expect(error).to_have_text("身份证号码校验位不正确，请核对")
    described = field.get_attribute("aria-describedby")
    assert error.get_attribute("id") in described.split()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("女方身份证号码：身份证号码校验位不正确，请核对")
    shoot(page, "citizen-validation-error")

    # Corrected, the step goes on; a man under 22 is reported on his ID number, on his step
    page.fill("#f-woman-id_number", new_couple("sichuan")["woman"]["id_number"])
    next_step(page)
    expect(page.get_by_role("heading", name="男方信息")).to_be_visible()
    young = dict(body["man"], id_number=id_born("510104", date(2008, 3, 1), male=True))
    fill_person(page, "man", young)
    next_step(page)
    expect(page.get_by_role("heading", name="男方信息")).to_be_visible()
    expect(page.locator("#f-man-id_number")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field.has-error .field-error")).to_have_text("男方未达到法定婚龄（男22周岁、女20周岁），请核对身份证号码")
    shoot(page, "citizen-validation-under-age")

    page.fill("#f-man-id_number", body["man"]["id_number"])
    next_step(page)
    fill_family(page, body)
    next_step(page)
    expect(page.locator("#precheck-result")).to_have_attribute("data-registrable", "true")
    expect(page.locator(".field-error")).to_have_count(0)


def test_the_verify_page_of_a_forged_qr_code_says_invalid(page):
    page.goto("/v/eyJmYWtlIjoidG9rZW4ifQ.bm90LWEtc2lnbmF0dXJl")
    verdict = page.locator("#verify-result")
    expect(verdict).to_have_attribute("data-result", "invalid")
    expect(verdict).to_contain_text("无效二维码")
    expect(page.locator("#full-view")).to_be_hidden()
    shoot(page, "verify-invalid")

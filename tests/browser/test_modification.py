"""办件查询 and 修改登记信息 in a real browser (000 §2.4): a registered couple finds their case by the
registered phone (graphic captcha + SMS code), modifies it once; the new certificate is issued and
the first one's QR code now says revoked; the case offers no second modification."""

from __future__ import annotations

import urllib.request

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import (
    captcha_answer,
    install_captcha_spy,
    new_couple,
    next_step,
    open_prefilled,
    pick_region,
    qr_url_of,
    query_by_code,
    request_code,
)
from tests.e2e.conftest import Api, register, unique_phone, wait_for_status


def test_modifying_once_reissues_and_revokes_the_first_certificate(new_context, stack, clock):
    api = Api(stack.api_url)
    body = new_couple("sichuan")
    phone = body["woman"]["phone"]
    r = register(api, body)
    assert r.status == 201, r.body
    case_id, query_code = r.body["case_id"], r.body["query_code"]
    first = wait_for_status(api, case_id, query_code, {"registered"})["certificate"]
    with urllib.request.urlopen(first["download_url"], timeout=30) as response:
        first_qr = qr_url_of(response.read())
    clock.advance(61)  # the phone had its submit code a moment ago: one code per 60 s

    # 办件查询 by the registered phone: captcha, SMS code, query
    install_captcha_spy()
    page = new_context().new_page()
    page.goto("/query.html")
    page.wait_for_selector("body[data-ready=true]")
    form = page.locator("#panel-phone")
    page.fill("#q-phone", phone)
    page.fill("#qp-captcha_answer", captcha_answer(page, "#panel-phone .captcha img"))
    shoot(page, "citizen-query")
    page.fill("#qp-code", request_code(form.get_by_role("button", name="获取验证码"), phone))
    form.get_by_role("button", name="查询").click()
    case = page.locator(f"article.case[data-case-id='{case_id}']")
    expect(case).to_have_attribute("data-status", "registered")
    expect(case).to_contain_text("5101042026")  # the registration number
    shoot(page, "citizen-query-results")

    # 修改登记信息 → confirm → the registration steps again, pre-filled from the owner-only form endpoint
    case.get_by_role("button", name="修改登记信息").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("只允许被修改一次")
    dialog.get_by_role("button", name="确定").click()
    expect(page.get_by_role("heading", name=f"修改登记信息（办件号 {case_id}）")).to_be_visible()
    open_prefilled(page, body)  # the couple's own data, unmasked, nothing to retype
    expect(page.locator("#f-woman-hukou-detail")).to_have_value(body["woman"]["hukou"]["detail"])
    shoot(page, "citizen-modify-prefilled")
    page.fill("#f-woman-employer", "锦江区妇幼保健院")
    next_step(page)
    expect(page.locator("#f-man-id_number")).to_have_value(body["man"]["id_number"])
    if page.is_checked("#f-man-residence-same"):
        page.uncheck("#f-man-residence-same")
        pick_region(page, "f-man-residence-region_code", body["man"]["residence"]["region_code"])
    page.fill("#f-man-residence-detail", "红星路三段56号 2栋1单元56室")
    next_step(page)
    expect(page.locator("#f-marriage-certificate_number")).to_have_value(body["marriage"]["certificate_number"])
    next_step(page)
    page.wait_for_selector("#precheck-result[data-registrable=true]")
    page.check("#commitment")
    next_step(page)
    shoot(page, "citizen-modify-submit")
    page.get_by_role("button", name="提交修改").click()

    expect(page.locator("#h-done")).to_have_text("修改成功，已重新登记", timeout=30_000)
    reissued = page.locator("article.case")
    expect(reissued).to_have_attribute("data-status", "registered")
    expect(reissued).to_contain_text("第2版")
    expect(reissued).to_contain_text("已修改1次")
    expect(reissued.get_by_role("button", name="修改登记信息")).to_have_count(0)
    shoot(page, "citizen-modify-done")

    # The first certificate's QR code: revoked
    page.goto(first_qr)
    verdict = page.locator("#verify-result")
    expect(verdict).to_have_attribute("data-result", "revoked")
    expect(verdict).to_contain_text("已作废")
    shoot(page, "verify-revoked")

    # A later query offers printing only, no second modification (000 §2.4.2, 图2-24)
    again = query_by_code(page, query_code, body["man"]["name"], case_id)
    expect(again).to_have_attribute("data-status", "registered")
    expect(again.get_by_role("button", name="打印生育登记证")).to_be_visible()
    expect(again.locator("[data-action=modify]")).to_have_count(0)

    # From a new phone: both ID numbers, captcha and a code to the new phone find the case; acting on
    # it (here: the rating) then needs its query code, since the new phone is not the case's.
    new_phone = unique_phone()
    panel = page.locator("#panel-ids")
    page.get_by_role("tab", name="已更换手机号").click()
    page.fill("#q-woman-id", body["woman"]["id_number"])
    page.fill("#q-man-id", body["man"]["id_number"])
    page.fill("#q-new-phone", new_phone)
    page.fill("#qi-captcha_answer", captcha_answer(page, "#panel-ids .captcha img"))
    page.fill("#qi-code", request_code(panel.get_by_role("button", name="获取验证码"), new_phone))
    panel.get_by_role("button", name="查询").click()
    found = page.locator(f"article.case[data-case-id='{case_id}']")
    expect(found).to_have_attribute("data-status", "registered")
    expect(found.get_by_role("button", name="提交评价")).to_have_count(0)
    found.get_by_role("button", name="输入查询码以修改、上传材料或评价").click()
    page.fill(f"#code-{case_id}", query_code)
    page.get_by_role("button", name="确定").click()
    expect(page.locator(f"article.case[data-case-id='{case_id}']").get_by_role("button", name="提交评价")).to_be_visible()

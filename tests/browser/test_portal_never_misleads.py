"""Issue 17 in a real browser, at 1280 and 375 px (``shoot`` also runs axe at both widths): the last
step says what really happened; Back, Forward and reload move between steps; a draft survives closing
the browser and does not copy the hukou into the residence; the app is installable and works offline;
the verify page takes the certificate's own province and verifies by registration number; unknown URLs
get a page; each province's own words; the captcha at phone size and its text alternative; 长辈版."""

from __future__ import annotations

import re
import urllib.request

from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, shoot
from tests.browser.helpers import (
    confirm_and_request_code,
    fill_person,
    fill_registration,
    new_couple,
    next_step,
    qr_url_of,
    request_code,
)
from tests.e2e.conftest import Api, register, solve_text_captcha, unique_phone, wait_for_status


def test_the_last_step_says_what_happened_and_the_confirmation_fits_a_phone(page):
    body = new_couple("sichuan", matched=False)  # not in the registries: the case waits for proofs
    assert body["children"], "the demo couple has a child: the confirmation shows the children table"
    page.goto("/register.html")
    fill_registration(page, body)
    page.wait_for_selector("#precheck-result[data-registrable=true]")
    page.set_viewport_size({"width": 375, "height": 900})
    table = page.locator("#summary-children")
    expect(table).to_be_visible()
    # one card per child on a phone: nothing cut off, nothing to scroll sideways
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    expect(table.locator("td[data-th='出生地']")).to_have_count(len(body["children"]))
    shoot(page, "issue17-confirm-children")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("#submit-code", confirm_and_request_code(page, body["woman"]["phone"]))
    page.get_by_role("button", name="提交登记").click()
    case = page.locator("article.case")
    expect(case).to_have_attribute("data-status", re.compile("awaiting_proofs|awaiting_review"), timeout=30_000)
    last = page.locator('#steps li[data-step="done"]')
    label = case.locator(".badge").last.inner_text()
    expect(last).to_have_text(label)
    expect(last).not_to_have_class(re.compile(r"\bdone\b"))
    expect(last).not_to_contain_text("成功")
    expect(page.locator("#h-done")).not_to_have_text("登记成功")
    expect(case.locator("[data-field=province]")).to_have_text("四川省")
    shoot(page, "issue17-done-waiting")


def test_steps_live_in_the_history_and_the_draft_survives_a_restart(browser, stack, tmp_path):
    body = new_couple("guizhou")
    profile_dir = tmp_path / "profile"

    def launch():
        ctx = browser.browser_type.launch_persistent_context(
            str(profile_dir), executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=stack.api_url,
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 375, "height": 900},
        )
        ctx.set_default_timeout(20_000)
        return ctx, (ctx.pages[0] if ctx.pages else ctx.new_page())

    ctx, page = launch()
    page.goto("/register.html?profile=guizhou")
    page.wait_for_selector("body[data-ready=true]")
    page.check("#notice-accepted")
    next_step(page)
    assert "step=woman" in page.url
    fill_person(page, "woman", body["woman"])
    page.focus("#f-woman-name")
    page.keyboard.press("Enter")  # Enter in a text field does not submit the step
    expect(page.get_by_role("heading", name="女方信息")).to_be_visible()
    next_step(page)
    expect(page.get_by_role("heading", name="男方信息")).to_be_visible()
    assert "step=man" in page.url
    # the man's section is not filled: the restored draft must not tick "same as hukou" for it
    expect(page.locator("#f-man-residence-same")).not_to_be_checked()

    page.go_back()  # the phone's back gesture: the previous step, not the previous page
    expect(page.get_by_role("heading", name="女方信息")).to_be_visible()
    page.go_forward()
    expect(page.get_by_role("heading", name="男方信息")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="男方信息")).to_be_visible()
    expect(page.locator("#f-man-residence-same")).not_to_be_checked()
    expect(page.locator("#f-man-residence-region_code-0")).to_be_visible()

    # installable: what Chromium itself reports, once the service worker controls the page
    page.goto("/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = ctx.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert not manifest.get("errors"), manifest
    page.reload()  # now under the service worker's control
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # offline: the static pages from the cache, anything else the offline page
    ctx.set_offline(True)
    page.goto("/guide.html")
    expect(page.get_by_role("heading", name="生育登记办理流程")).to_be_visible()
    page.goto("/query-history-not-cached.html")
    expect(page.get_by_role("heading", name="当前没有网络连接")).to_be_visible()
    shoot(page, "issue17-offline")
    ctx.set_offline(False)
    ctx.close()

    # the browser (the installed app) closed and opened again: the draft is still there
    ctx, page = launch()
    page.goto("/register.html?profile=guizhou&step=man")
    page.wait_for_selector("body[data-ready=true]")
    expect(page.get_by_role("heading", name="男方信息")).to_be_visible()
    page.locator(".step:not([hidden]) [data-prev]").click()
    expect(page.locator("#f-woman-name")).to_have_value(body["woman"]["name"])
    expect(page.locator("#f-woman-id_number")).to_have_value(body["woman"]["id_number"])
    ctx.close()


def test_the_verify_page_is_the_certificates_province_and_verifies_by_number(new_context, stack):
    api = Api(stack.api_url)
    body = new_couple("chongqing")
    r = register(api, body)
    assert r.status == 201, r.body
    view = wait_for_status(api, r.body["case_id"], r.body["query_code"], {"registered"})
    with urllib.request.urlopen(view["certificate"]["download_url"], timeout=30) as response:
        url = qr_url_of(response.read())

    page = new_context().new_page()
    page.goto("/?profile=guizhou")  # the browser's last province is Guizhou
    page.wait_for_selector(".brand-title:has-text('贵州省')")
    page.goto(url)
    expect(page.locator("#verify-result")).to_have_attribute("data-result", "valid")
    expect(page.locator(".brand-title")).to_have_text("重庆市生育服务登记")
    assert "重庆市生育服务登记" in page.title()
    expect(page.locator(".province-switch")).to_be_hidden()
    expect(page.locator("#verify-result")).to_contain_text("重庆市生育服务证登记回执")
    shoot(page, "issue17-verify-chongqing")

    # 证件核验 without the QR code: registration number + both ID numbers
    number = view["certificate"]["registration_number"]
    page.goto("/verify.html")
    page.wait_for_selector("body[data-ready=true]")
    page.fill("#n-number", number)
    page.fill("#n-woman-id", body["woman"]["id_number"])
    page.fill("#n-man-id", body["woman"]["id_number"])
    page.get_by_role("button", name="核验").click()
    expect(page.get_by_role("alert")).to_contain_text("未查询到与登记编号和夫妻双方身份证号码一致的证件")
    page.fill("#n-man-id", body["man"]["id_number"])
    page.get_by_role("button", name="核验").click()
    expect(page.locator("#verify-result")).to_have_attribute("data-result", "valid")
    expect(page.locator("#verify-result")).to_contain_text(number)
    expect(page.locator("#number-couple")).to_contain_text(body["woman"]["name"][0] + "*")
    expect(page.locator("#number-couple")).not_to_contain_text(body["woman"]["id_number"])
    expect(page.locator(".brand-title")).to_have_text("重庆市生育服务登记")
    shoot(page, "issue17-verify-by-number")


def test_unknown_urls_and_each_provinces_words(page):
    response = page.goto("/no/such/page")
    assert response.status == 404
    expect(page.get_by_role("heading", name="您访问的页面不存在")).to_be_visible()
    shoot(page, "issue17-not-found")

    page.goto("/register.html?profile=guizhou")
    page.wait_for_selector("body[data-ready=true]")
    notice = page.locator('.step[data-step="notice"]')
    expect(notice).to_contain_text("户籍在本省")
    expect(notice).not_to_contain_text("本省（市）")
    expect(notice).to_contain_text("(电子)生育服务证")
    expect(page.locator("#f-marriage-certificate_number-hint")).to_contain_text("J520102")
    expect(page.locator(".site-footer")).to_contain_text("(电子)生育服务证与普通生育服务证同等有效")

    page.goto("/register.html?profile=chongqing")
    page.wait_for_selector("body[data-ready=true]")
    expect(notice).to_contain_text("户籍在本市")
    expect(notice).to_contain_text("生育服务证登记回执")
    expect(page.locator("#f-marriage-certificate_number-hint")).to_contain_text("J500103")
    expect(page.locator(".brand-title")).to_have_text("重庆市生育服务登记")
    shoot(page, "issue17-notice-chongqing")


def test_phone_layout_captcha_alternative_and_elder_mode(page):
    page.set_viewport_size({"width": 375, "height": 900})
    page.goto("/query.html")
    page.wait_for_selector("body[data-ready=true]")
    for tab in page.get_by_role("tab").all():  # all three tabs whole on a phone
        box = tab.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, tab.inner_text()
    tops = {round(li.bounding_box()["y"]) for li in page.locator(".site-nav li").all()}
    assert len(tops) == 1, f"the navigation is one row on a phone: {tops}"

    image = page.locator("#panel-phone .captcha img")
    page.wait_for_function("() => document.querySelector('#panel-phone .captcha img').naturalWidth > 0")
    assert image.evaluate("i => i.naturalWidth") == 240
    assert image.bounding_box()["width"] >= 200, "readable at phone size"
    expect(page.locator("#panel-phone [data-action=captcha-refresh]")).to_be_visible()
    shoot(page, "issue17-query-phone")

    # the accessible alternative: a question in words, answered in digits; it guards the SMS the same way
    page.locator("#panel-phone").get_by_role("button", name="看不清？改用文字题").click()
    question = page.locator("#panel-phone .captcha-question")
    expect(question).to_contain_text("等于多少")
    expect(page.locator("#qp-captcha_answer")).to_have_attribute("aria-describedby", re.compile("question"))
    phone = unique_phone()
    page.fill("#q-phone", phone)
    page.fill("#qp-captcha_answer", solve_text_captcha(question.inner_text()))
    request_code(page.locator("#panel-phone").get_by_role("button", name="获取验证码"), phone)
    expect(page.locator("#panel-phone .status-line")).to_contain_text("验证码已发送至")
    shoot(page, "issue17-captcha-text")

    # 长辈版: a switch on every page, larger type, and it stays on
    page.get_by_role("button", name="长辈版").click()
    expect(page.get_by_role("button", name="长辈版")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "20px"
    page.goto("/")
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    expect(page.get_by_role("button", name="长辈版")).to_have_attribute("aria-pressed", "true")
    shoot(page, "issue17-elder-home")
    page.goto("/register.html")
    page.wait_for_selector("body[data-ready=true]")
    shoot(page, "issue17-elder-register")

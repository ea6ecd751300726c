"""Guizhou's 补充完善 before 初审 in a real browser (001 附件1 一 "在填写的登记信息初审前，申报人能通过
“查询码+姓名”调取所填写的生育登记信息，并可对其进行补充、完善"): the 查询码 tab finds the case (masked),
an SMS code to the registered phone opens the couple's own form pre-filled, the supplement is
submitted and checked again; once 初审 has decided (001 三(一)1(2)) the page says it is too late.
Screenshots at 1280 and 375 px, each checked with axe."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import (
    captcha_answer,
    install_captcha_spy,
    new_couple,
    next_step,
    open_prefilled,
    query_by_code,
    request_code,
)
from tests.e2e.conftest import Api, register, wait_for_status
from tests.e2e.workflow_support import bearer, find_task, staff_token, wait_sms


def test_guizhou_couple_supplements_before_the_initial_review_and_not_after(new_context, stack, clock):
    api = Api(stack.api_url)
    body = new_couple("guizhou", scenario="child_conflict")
    phone = body["woman"]["phone"]
    r = register(api, body)
    assert r.status == 201, r.body
    case_id, code = r.body["case_id"], r.body["query_code"]
    wait_for_status(api, case_id, code, {"awaiting_review"})
    clock.advance(61)  # the phone had its submit code a moment ago: one code per 60 s

    install_captcha_spy()
    page = new_context().new_page()
    case = query_by_code(page, code, body["man"]["name"], case_id)
    expect(case).to_have_attribute("data-status", "awaiting_review")
    expect(case).not_to_contain_text(body["woman"]["id_number"])  # 查询码 alone: masked
    shoot(page, "guizhou-supplement-found")

    case.get_by_role("button", name="补充完善登记信息").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("初审前可补充、完善登记信息")
    dialog.get_by_role("button", name="确定").click()
    proof = page.locator(f"form[data-phone-proof='{case_id}']")
    expect(proof).to_contain_text("验证登记手机号码")
    proof.locator("input[data-path=captcha_answer]").fill(captcha_answer(page, f"form[data-phone-proof='{case_id}'] .captcha img"))
    proof.locator("input[data-path=code]").fill(request_code(proof.get_by_role("button", name="获取验证码"), phone))
    expect(proof).to_contain_text(f"验证码已发送至 {phone[:3]}****{phone[7:]}")
    shoot(page, "guizhou-supplement-sms")
    proof.get_by_role("button", name="验证并补充完善").click()

    # the registration form's steps, pre-filled with the couple's own data, unmasked
    expect(page.get_by_role("heading", name=f"补充完善登记信息（办件号 {case_id}）")).to_be_visible()
    open_prefilled(page, body)
    shoot(page, "guizhou-supplement-prefilled")
    page.fill("#f-woman-employer", "贵阳市南明区某某公司")
    next_step(page)
    expect(page.locator("#f-man-id_number")).to_have_value(body["man"]["id_number"])
    next_step(page)
    next_step(page)
    page.wait_for_selector("#precheck-result[data-registrable=true]")
    page.check("#commitment")
    next_step(page)
    page.get_by_role("button", name="提交修改").click()
    expect(page.locator("#h-done")).to_have_text("登记信息已补充完善", timeout=30_000)
    expect(page.locator("#done-lead")).to_contain_text("初审")
    shoot(page, "guizhou-supplement-done")
    view = wait_for_status(api, case_id, code, {"awaiting_review"})
    assert any(h["note"] == "申请人补充完善登记信息，重新核验" for h in view["history"])

    # 初审 passes (staff), the couple is told; the page now says supplementing is over
    township = staff_token(api, "gz-op-520102016")
    task = find_task(api, township, case_id)
    decided = api.post(f"/v1/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=bearer(township))
    assert decided.status == 200, decided.body
    wait_sms(phone, "已通过信息初审")
    again = query_by_code(page, code, body["woman"]["name"], case_id)
    expect(again).to_have_attribute("data-status", "awaiting_review")
    expect(again.locator("[data-action=modify]")).to_have_count(0)
    expect(again.locator("[data-notice=supplement-closed]")).to_contain_text("不能再网上补充完善")
    expect(again).to_contain_text("信息初审通过")
    shoot(page, "guizhou-supplement-closed")

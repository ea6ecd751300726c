"""The staff console in a real browser: a case that needs review is decided through its task link and
the citizen then sees it registered; the work queue, on-site entry and statistics with charts."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from local.seed import STAFF_PASSWORD
from tests.browser.conftest import shoot
from tests.browser.helpers import confirm_and_request_code, fill_onsite, fill_registration, new_couple
from tests.e2e.conftest import Api, register, unique_phone, wait_for_status

OPERATOR = "sc-op-510104022"  # 成都市锦江区春熙路街道, the office of the Sichuan demo couples (local/seed.py)
COUNTY = "sc-county-510104"


def staff_id_number() -> str:
    """A valid ID number for a new staff account's 附件2 data."""
    from datetime import date

    from chalicelib.domain import idcard

    return idcard.make_id("510104", date(1985, 3, 1), int(time.time() * 1000) % 1000)


def task_of(stack, case_id: str) -> dict:
    """The review task of a case, as the office's work queue lists it (its task_url is the link the
    office was sent by SNS)."""
    api = Api(stack.api_url)
    token = api.post("/v1/staff/login", {"username": OPERATOR, "password": STAFF_PASSWORD}).body["id_token"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = api.get("/v1/staff/tasks?limit=100", headers={"Authorization": f"Bearer {token}"})
        assert r.status == 200, r.body
        found = [t for t in r.body["tasks"] if t["case_id"] == case_id]
        if found:
            return found[0]
        time.sleep(0.3)
    raise AssertionError(f"no review task for {case_id}")


def log_in(page, username: str) -> None:
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.fill("#login-username", username)
    page.fill("#login-password", STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_case_needing_review_is_decided_through_its_task_link(new_context, stack):
    # The citizen registers a couple whose child's birth date differs from the population registry.
    body = new_couple("sichuan", scenario="child_conflict")
    citizen = new_context().new_page()
    citizen.goto("/register.html")
    fill_registration(citizen, body)
    citizen.fill("#submit-code", confirm_and_request_code(citizen, body["woman"]["phone"]))
    citizen.get_by_role("button", name="提交登记").click()
    case = citizen.locator("article.case")
    expect(case).to_have_attribute("data-status", "awaiting_review", timeout=30_000)
    expect(case).to_contain_text("已转工作人员审核")
    case_id = citizen.locator("#case-id").inner_text()
    query_code = citizen.locator("#query-code").inner_text()
    shoot(citizen, "citizen-awaiting-review")

    # A staff member opens the task link: sign in first, then the task page itself.
    task = task_of(stack, case_id)
    assert task["task_url"] == f"{stack.api_url}/staff/tasks/{task['task_id']}"
    staff = new_context().new_page()
    staff.goto(task["task_url"])
    expect(staff.get_by_text("登录后将打开审核任务。")).to_be_visible()
    shoot(staff, "staff-01-login")
    log_in(staff, OPERATOR)
    expect(staff).to_have_url(task["task_url"])
    expect(staff.locator("#task-case-id")).to_have_text(case_id)
    expect(staff.locator("#check-card")).to_contain_text("不一致")
    expect(staff.get_by_role("heading", name="女方信息")).to_be_visible()
    expect(staff.locator("main")).to_contain_text(body["woman"]["id_number"])  # staff see the full record
    shoot(staff, "staff-02-task")

    # Rejecting without a reason is refused on the page; accepting goes through.
    staff.check("#decision-reject")
    staff.get_by_role("button", name="提交审核结论").click()
    expect(staff.locator("#decision-form .field-error")).to_have_text("不予登记或要求补充材料必须填写原因")
    staff.check("#decision-accept")
    staff.get_by_role("button", name="提交审核结论").click()
    result = staff.locator("#decision-result")
    expect(result).to_contain_text("审核结论已提交")
    expect(result).to_contain_text("通过")
    expect(result).to_contain_text(OPERATOR)
    shoot(staff, "staff-03-task-decided")

    # The citizen then sees the case registered (办件查询 by query code + name) and can print it.
    citizen.goto("/query.html")
    citizen.get_by_role("tab", name="查询码查询").click()
    citizen.fill("#q-code", query_code)
    citizen.fill("#q-name", body["woman"]["name"])
    found = citizen.locator(f"article.case[data-case-id='{case_id}']")
    deadline = time.monotonic() + 30
    while True:
        citizen.locator("#panel-code").get_by_role("button", name="查询").click()
        expect(found).to_be_visible()
        if found.get_attribute("data-status") == "registered" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    expect(found).to_have_attribute("data-status", "registered")
    expect(found.get_by_role("button", name="打印生育登记证")).to_be_visible()
    expect(found).to_contain_text("人工审核")
    shoot(citizen, "citizen-query-registered")


def test_work_queue_on_site_entry_and_statistics(new_context, stack):
    api = Api(stack.api_url)
    waiting = new_couple("sichuan", scenario="registry_has_more")
    r = register(api, waiting)
    assert r.status == 201, r.body
    wait_for_status(api, r.body["case_id"], r.body["query_code"], {"awaiting_review"})

    page = new_context().new_page()
    page.goto("/staff/")
    log_in(page, OPERATOR)
    row = page.locator(f"#task-table tr:has-text('{r.body['case_id']}')")
    expect(row).to_be_visible()
    expect(page.locator("#queue-office")).to_have_text("四川省成都市锦江区春熙路街道")
    page.select_option("#filter-stage", "review")
    expect(row).to_be_visible()
    page.check("#filter-overdue")
    expect(row).to_be_hidden()  # not overdue yet
    page.uncheck("#filter-overdue")
    shoot(page, "staff-04-queue")

    # 现场登记: a couple at the counter, entered by the operator
    page.locator("#staff-nav").get_by_role("link", name="现场登记").click()
    counter = new_couple("sichuan")
    fill_onsite(page, counter)
    shoot(page, "staff-05-onsite")
    page.get_by_role("button", name="提交现场登记").click()
    # read back to the couple before it is submitted; 返回修改 keeps what was typed
    confirm = page.locator("#onsite-confirm-box")
    expect(confirm).to_contain_text(counter["woman"]["id_number"])
    expect(page.locator("#onsite-precheck")).to_contain_text("春熙路街道")
    shoot(page, "staff-05b-onsite-confirm")
    page.get_by_role("button", name="返回修改").click()
    expect(page.locator("#f-woman-name")).to_have_value(counter["woman"]["name"])
    page.get_by_role("button", name="提交现场登记").click()
    page.get_by_role("button", name="确认无误，提交登记").click()
    expect(page.locator("#onsite-case-id")).to_be_visible()
    expect(page.locator("#onsite-status")).to_contain_text("已登记", timeout=30_000)
    expect(page.locator("#onsite-status").get_by_role("button", name="打印生育登记证")).to_be_visible()
    shoot(page, "staff-06-onsite-done")

    # 统计监测 of the office: figures and hand-drawn SVG charts
    page.locator("#staff-nav").get_by_role("link", name="统计监测").click()
    expect(page.locator("#stats-region")).to_contain_text("春熙路街道")
    expect(page.locator(".kpi").first).to_be_visible()
    expect(page.locator("#chart-received svg rect").first).to_be_visible()
    expect(page.locator("#chart-outcomes svg")).to_have_attribute("role", "img")
    shoot(page, "staff-07-statistics")

    # …and of the county, with its townships as a drill-down
    county = new_context().new_page()
    county.goto("/staff/statistics")
    log_in(county, COUNTY)
    expect(county.locator("#stats-region")).to_contain_text("锦江区")
    link = county.locator("#stats-children").get_by_role("link", name="春熙路街道")
    expect(link).to_be_visible()
    expect(county.locator("#chart-received svg")).to_be_visible()
    shoot(county, "staff-08-statistics-county")
    link.click()
    expect(county.locator("#stats-region")).to_contain_text("春熙路街道")


def test_a_new_account_sets_its_password_and_authenticator_app_then_signs_in_with_a_code(new_context, stack):
    from tests.e2e.workflow_support import NEW_PASSWORD, totp_code

    api = Api(stack.api_url)
    admin = api.post("/v1/staff/login", {"username": "sc-admin", "password": STAFF_PASSWORD}).body["id_token"]
    username = f"web-mfa-{int(time.time() * 1000)}"
    r = api.post(
        "/v1/staff/accounts",
        {"username": username, "name": "省监测员", "role": "province_monitor", "region_code": "51", "id_number": staff_id_number(), "phone": unique_phone()},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert r.status == 201, r.body

    page = new_context().new_page()
    page.goto("/staff/login")
    page.fill("#login-username", username)
    page.fill("#login-password", r.body["temporary_password"])
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="首次登录请设置新密码")).to_be_visible()
    page.fill("#new-password", NEW_PASSWORD)
    page.get_by_role("button", name="确定").click()

    # The authenticator app: the key and the otpauth link to type into it, then its code.
    expect(page.get_by_role("heading", name="绑定身份验证器")).to_be_visible()
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    expect(page.locator("#mfa-uri")).to_contain_text(f"secret={secret}")
    shoot(page, "staff-mfa-setup")
    page.fill("#mfa-code", "12345")
    page.get_by_role("button", name="验证并登录").click()
    expect(page.locator(".error-summary")).to_contain_text("6 位数字")
    page.fill("#mfa-code", totp_code(secret))
    page.get_by_role("button", name="验证并登录").click()
    expect(page).to_have_url(f"{stack.api_url}/staff/statistics")  # a province monitor lands on its statistics

    # Signed out, the next sign-in asks the app's current code.
    page.get_by_role("button", name="退出").click()
    page.goto("/staff/login")
    page.fill("#login-username", username)
    page.fill("#login-password", NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="输入动态验证码")).to_be_visible()
    page.fill("#mfa-code", f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".error-summary")).to_contain_text("动态验证码不正确")
    page.fill("#mfa-code", totp_code(secret))
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{stack.api_url}/staff/statistics")

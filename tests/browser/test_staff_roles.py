"""Each staff role's job in the browser (issue 15): the reviewer compares the form with the registries
and decides, and sees the new state at once; the queue finds a case; a medical institution looks a
certificate up by number or QR code and records the birth; monitors land on their statistics and
export them; everyone is named in the header. Screenshots at 1280 and 375 px, axe on each."""

from __future__ import annotations

import csv
import io
import urllib.request

from playwright.sync_api import expect

from local.seed import STAFF_PASSWORD
from tests.browser.conftest import shoot
from tests.browser.helpers import new_couple, qr_url_of
from tests.browser.test_staff_console import task_of
from tests.e2e.conftest import Api, register, wait_for_status

OPERATOR = "sc-op-510104022"


def signed_in(new_context, username: str, path: str = "/staff/"):
    page = new_context().new_page()
    page.goto(path)
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    page.fill("#login-username", username)
    page.fill("#login-password", STAFF_PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def waiting_case(stack, scenario: str) -> tuple[dict, dict]:
    api = Api(stack.api_url)
    body = new_couple("sichuan", scenario=scenario)
    r = register(api, body)
    assert r.status == 201, r.body
    wait_for_status(api, r.body["case_id"], r.body["query_code"], {"awaiting_review"})
    return body, task_of(stack, r.body["case_id"])


def test_the_reviewer_sees_the_child_the_form_lacks_and_the_decision_at_once(new_context, stack):
    body, task = waiting_case(stack, "registry_has_more")
    page = signed_in(new_context, OPERATOR, f"/staff/tasks/{task['task_id']}")
    expect(page.locator("#userbox")).to_contain_text("春熙路街道操作员")  # the real name, not the login
    compare = page.locator("#compare-children")
    older = body["children"][0]["name"] + "一"  # recorded by the registry, missing on the form (local/seed.py)
    missing = compare.locator("tr[data-kind='only_in_registry']")
    expect(missing).to_contain_text(older)
    expect(missing).to_contain_text("登记表未填写该子女")
    expect(compare.locator("tr[data-kind='same']")).to_contain_text(body["children"][0]["name"])
    expect(page.locator("#compare-summary")).to_contain_text("1处差异")
    expect(page.locator("#compare-identity")).to_contain_text("姓名与身份证号码相符")
    expect(page.get_by_role("heading", name="办理记录")).to_be_visible()
    shoot(page, "staff-review-01-compare")

    page.check("#decision-accept")
    page.get_by_role("button", name="提交审核结论").click()
    expect(page.locator("#decision-result")).to_contain_text("审核结论已提交")
    # the case's new state at once, then whatever the workflow made of it, without a reload
    expect(page.locator("#case-status")).not_to_contain_text("待工作人员审核")
    expect(page.locator("#case-status")).to_contain_text("已登记", timeout=30_000)
    shoot(page, "staff-review-02-decided")

    # the queue shows the task as done (whatever the index still says), found by its case id
    page.locator("#staff-nav").get_by_role("link", name="工作任务").click()
    page.fill("#queue-search", task["case_id"])
    rows = page.locator("#task-table tbody tr[data-task-id]")
    expect(rows.filter(has_text="已办结").or_(page.locator("#task-table tbody td.muted"))).to_be_visible()
    page.select_option("#filter-state", "overdue")
    expect(rows).to_have_count(0)
    shoot(page, "staff-review-03-queue")


def test_a_differing_birth_date_is_marked_on_both_sides(new_context, stack):
    _, task = waiting_case(stack, "child_conflict")
    county = signed_in(new_context, "sc-county-510104", f"/staff/tasks/{task['task_id']}")
    row = county.locator("#compare-children tr[data-kind='differs']")
    expect(row).to_contain_text("不一致：出生日期")
    expect(row.locator("mark.diff")).to_have_count(2)  # the form's date and the registry's
    expect(row).to_contain_text("2023-05-10")
    expect(county.locator("#compare-card")).to_contain_text("已部分隐藏")  # the county oversees, the township decides
    expect(county.locator("#decision-form")).to_have_count(0)
    shoot(county, "staff-review-04-county-masked")


def test_the_queue_filters_and_searches_at_phone_width(new_context, stack):
    _, task = waiting_case(stack, "registry_has_more")
    page = signed_in(new_context, OPERATOR)
    expect(page).to_have_url(f"{stack.api_url}/staff/tasks")  # a township operator lands on its queue
    row = page.locator(f"#task-table tr[data-task-id='{task['task_id']}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text("人工审核（乡镇（街道））")
    page.fill("#queue-search", task["case_id"][-6:])
    expect(page.locator("#task-table tbody tr[data-task-id]")).to_have_count(1)
    page.fill("#queue-search", "NO-SUCH-CASE")
    expect(page.locator("#task-table tbody")).to_contain_text("没有与")
    page.fill("#queue-search", "")
    page.set_viewport_size({"width": 375, "height": 800})
    expect(row.get_by_role("link", name="办理")).to_be_visible()
    shoot(page, "staff-queue-375")


def test_a_medical_institution_looks_up_by_qr_code_and_records_the_birth(new_context, stack):
    api = Api(stack.api_url)
    r = register(api, new_couple("sichuan"))
    assert r.status == 201, r.body
    view = wait_for_status(api, r.body["case_id"], r.body["query_code"], {"registered"})
    number = view["certificate"]["registration_number"]
    with urllib.request.urlopen(view["certificate"]["download_url"], timeout=10) as f:
        qr = qr_url_of(f.read())

    page = signed_in(new_context, "sc-hospital-510104")
    expect(page).to_have_url(f"{stack.api_url}/staff/certificates")  # lands on what it does
    expect(page.locator("#staff-nav").get_by_role("link", name="工作任务")).to_be_hidden()
    shoot(page, "staff-hospital-01-lookup")
    page.fill("#cert-number", qr)  # what a handheld scanner types
    page.get_by_role("button", name="查询").click()
    card = page.locator("#cert-card")
    expect(card).to_have_attribute("data-result", "valid")
    expect(card).to_contain_text(number)
    expect(card).to_contain_text("未登记")
    page.get_by_role("button", name="提交出生信息").click()
    expect(page.locator("#birth-form .error-summary")).to_contain_text("请填写出生日期")
    page.fill("#birth-date", "2026-01-05")
    page.check("#birth-sex-female")
    page.get_by_role("button", name="提交出生信息").click()
    expect(page.locator("#cert-result")).to_contain_text("出生信息已登记")
    expect(card).to_contain_text("2026-01-05")
    expect(page.locator("#birth-form")).to_have_count(0)
    shoot(page, "staff-hospital-02-recorded")

    page.fill("#cert-number", "5101049999999999")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#cert-not-found")).to_be_visible()


def test_a_county_monitor_lands_on_statistics_and_exports_csv(new_context, stack):
    page = signed_in(new_context, "sc-county-510104")
    expect(page).to_have_url(f"{stack.api_url}/staff/statistics")
    expect(page.locator("#stats-region")).to_contain_text("锦江区")
    kpi = page.locator(".kpi", has_text="好差评")
    chart = page.locator("#chart-ratings")
    # one source: a count in the figure means bars in the chart, none means no data in both
    if "暂无" in kpi.inner_text():
        expect(chart).to_contain_text("暂无数据")
    else:
        expect(chart.locator("svg rect").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="导出CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["区域代码", "区域", "受理登记"]
    assert rows[1][0] == "510104" and any(r[0] == "510104022" for r in rows[2:])
    shown = page.locator(".kpi", has_text="受理登记").locator("b").inner_text()
    assert rows[1][2] == shown

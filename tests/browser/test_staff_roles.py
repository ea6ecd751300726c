"""Each staff role's job in the browser (issue 15): the reviewer compares the form with the registries
and decides, and sees the new state at once; the queue finds a case; a medical institution looks a
certificate up by number or QR code and records the birth; monitors land on their statistics and
export them; everyone is named in the header. Screenshots at 1280 and 375 px, axe on each."""

from __future__ import annotations

import csv
import io
import time
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
    expect(page.locator("#login-form")).to_have_count(0, timeout=20_000)
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
    expect(page.locator("#userbox")).to_contain_text("陈静")  # the real name (local/seed.py), not the login
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

    # the open queue no longer lists it; the search by its case id shows what became of it
    page.locator("#staff-nav").get_by_role("link", name="工作任务").click()
    expect(page.locator("#queue-count")).to_contain_text("已加载")
    expect(page.locator(f"#task-table tbody tr[data-task-id='{task['task_id']}']")).to_have_count(0)
    page.fill("#case-search-q", task["case_id"])
    page.get_by_role("button", name="查找", exact=True).click()
    expect(page.locator(f"#case-search-table tr[data-case-id='{task['case_id']}']")).to_contain_text("已登记")
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
    body, task = waiting_case(stack, "registry_has_more")
    page = signed_in(new_context, OPERATOR)
    expect(page).to_have_url(f"{stack.api_url}/staff/tasks")  # a township operator lands on its queue
    row = page.locator(f"#task-table tr[data-task-id='{task['task_id']}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text("人工审核（乡镇（街道））")
    expect(row).to_contain_text(body["woman"]["name"])  # in full at the handling counter
    expect(row).to_contain_text("二孩")
    expect(row).to_contain_text("登记表信息比系统记录少")
    page.check("#filter-overdue")  # the index's filter: not overdue yet
    expect(row).to_be_hidden()
    page.uncheck("#filter-overdue")
    expect(row).to_be_visible()
    page.fill("#case-search-q", task["case_id"])  # the server's search (tests/browser/test_staff_queue_search.py)
    page.get_by_role("button", name="查找", exact=True).click()
    expect(page.locator(f"#case-search-table tr[data-case-id='{task['case_id']}']")).to_be_visible()
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
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["region_code"] == "510104" and any(r["region_code"] == "510104022" for r in rows[1:])
    shown = page.locator(".kpi", has_text="受理登记").locator("b").inner_text()
    assert rows[0].get("received|total", "0") == shown  # the export and the page show the same figures


def test_an_administrator_manages_accounts_and_its_organisation(new_context, stack):
    from tests.browser.test_staff_console import staff_id_number
    from tests.e2e.conftest import unique_phone

    page = signed_in(new_context, "sc-admin")
    expect(page).to_have_url(f"{stack.api_url}/staff/accounts")  # lands on what it does
    expect(page.locator("#staff-nav").get_by_role("link", name="工作任务")).to_be_hidden()
    username = f"web-pm-{int(time.time() * 1000)}"
    page.select_option("#new-role", "province_monitor")
    page.fill("#new-username", username)
    page.get_by_role("button", name="创建账号").click()
    expect(page.locator("#account-create .error-summary")).to_contain_text("请填写姓名")
    page.fill("#new-name", "张监测")
    page.fill("#new-id", staff_id_number())
    page.fill("#new-phone", unique_phone())
    page.fill("#new-unit", "四川省卫生健康委")
    page.get_by_role("button", name="创建账号").click()
    expect(page.locator("#account-created")).to_contain_text(username)
    assert len(page.locator("#temporary-password").inner_text()) >= 12
    card = page.locator("#account-card")
    expect(card).to_contain_text("张监测")
    expect(card).to_contain_text("统计监测")  # the grant the role allows
    expect(page.locator(f"#account-table tr[data-username='{username}']")).to_be_visible()
    shoot(page, "staff-admin-01-created")

    page.get_by_role("button", name="编辑信息与权限").click()
    page.fill("#edit-position", "科长")
    page.get_by_role("button", name="保存修改").click()
    expect(page.locator("#account-detail")).to_contain_text("账号信息已保存")
    expect(card).to_contain_text("科长")

    page.get_by_role("button", name="停用账号").click()
    page.locator("dialog").get_by_role("button", name="停用").click()
    expect(page.locator("#account-detail")).to_contain_text("已在所有设备上退出登录")
    expect(card).to_have_attribute("data-enabled", "false")
    shoot(page, "staff-admin-02-disabled")
    page.get_by_role("button", name="启用账号").click()
    expect(card).to_have_attribute("data-enabled", "true")

    page.locator("#staff-nav").get_by_role("link", name="机构信息").click()
    page.fill("#office-head", "李主任")
    page.fill("#office-phone", "028-86000000")
    page.fill("#office-opening_hours", "周一至周五 9:00–17:00")
    page.get_by_role("button", name="保存机构信息").click()
    expect(page.locator("#office-status")).to_have_text("机构信息已保存")
    shoot(page, "staff-admin-03-organisation")
    public = Api(stack.api_url).get("/v1/offices/51").body
    assert (public["head"], public["phone"]) == ("李主任", "028-86000000")


def _balance(page, kind: str) -> int:
    """The stock page's balance of ``kind`` (0 where the office holds none: no row)."""
    row = page.locator(f"#stock-kinds tr[data-kind='{kind}']")
    return int(row.locator("td").nth(1).inner_text()) if row.count() else 0


def test_paper_certificates_are_taken_in_distributed_received_requested_and_written_off(new_context, stack):
    base = 10_000_000 + int(time.time()) % 1_000_000 * 100  # a range no other test takes in
    n = lambda k: f"{base + k:08d}"  # noqa: E731

    county = signed_in(new_context, "sc-county-510104", "/staff/stock")
    # the stack is shared: other tests may hold blanks at this county already, so count from here
    expect(county.locator("#stock-balances")).to_be_visible()
    held = _balance(county, "first")
    county.fill("#intake-first", n(0))
    county.fill("#intake-last", n(99))
    county.locator("#stock-intake").get_by_role("button", name="入库").click()
    expect(county.locator("#stock-done")).to_contain_text("已入库")
    expect(county.locator("#stock-kinds tr[data-kind='first'] td").nth(1)).to_have_text(str(held + 100))
    county.select_option("#dist-to", "510104022")
    county.fill("#dist-first", n(0))
    county.fill("#dist-last", n(200))  # more than held: refused, nothing moves
    county.locator("#stock-distribute").get_by_role("button", name="派发").click()
    expect(county.locator("#stock-distribute .error-summary")).to_be_visible()
    county.fill("#dist-last", n(29))
    county.locator("#stock-distribute").get_by_role("button", name="派发").click()
    expect(county.locator("#stock-done")).to_contain_text("已派发")
    # 二孩 blanks too: the demo couple registers its second child
    county.select_option("#intake-kind", "second")
    county.fill("#intake-first", n(500))
    county.fill("#intake-last", n(509))
    county.locator("#stock-intake").get_by_role("button", name="入库").click()
    expect(county.locator("#stock-kinds tr[data-kind='second']")).to_contain_text("10")
    county.select_option("#dist-to", "510104022")
    county.fill("#dist-first", n(500))
    county.fill("#dist-last", n(509))
    county.locator("#stock-distribute").get_by_role("button", name="派发").click()
    expect(county.locator("#stock-done")).to_contain_text("已派发")
    shoot(county, "staff-stock-01-county")

    township = signed_in(new_context, OPERATOR, "/staff/stock")
    shipment = township.locator("#stock-shipments tr", has_text=f"{n(0)}–{n(29)}")
    expect(shipment).to_contain_text("待领取")
    shipment.get_by_role("button", name="确认领取").click()
    expect(township.locator("#stock-done")).to_contain_text("已领取")
    township.locator("#stock-shipments tr", has_text=f"{n(500)}–{n(509)}").get_by_role("button", name="确认领取").click()
    expect(township.locator("#stock-kinds tr[data-kind='second']")).to_contain_text("10")

    # 发放: a registered couple of this office gets one numbered blank; the stock goes down by one
    api = Api(stack.api_url)
    r = register(api, new_couple("sichuan"))
    assert r.status == 201, r.body
    wait_for_status(api, r.body["case_id"], r.body["query_code"], {"registered"})
    township.fill("#issue-case", r.body["case_id"])
    township.fill("#issue-number", n(0))  # a 一孩 blank for a second child: refused
    township.locator("#stock-issue").get_by_role("button", name="发放").click()
    expect(township.locator("#stock-issue .error-summary")).to_contain_text("孩次不符")
    township.fill("#issue-number", n(500))
    township.locator("#stock-issue").get_by_role("button", name="发放").click()
    expect(township.locator("#stock-done")).to_contain_text("已发放")
    expect(township.locator("#stock-kinds tr[data-kind='second']")).to_contain_text("9")
    township.fill("#writeoff-number", n(3))
    township.fill("#writeoff-reason", "打印错位")
    township.locator("#stock-write-off").get_by_role("button", name="报废").click()
    expect(township.locator("#stock-done")).to_contain_text("已报废")
    expect(township.locator("#stock-movements")).to_contain_text("打印错位")
    balance = int(township.locator("#stock-kinds tr[data-kind='first'] td").nth(1).inner_text())
    township.fill("#threshold-value", str(balance + 10))
    township.locator("#stock-threshold").get_by_role("button", name="保存").click()
    expect(township.locator("#stock-kinds tr[data-kind='first']")).to_contain_text("低于预警")
    township.fill("#request-count", "20")
    township.fill("#request-note", "本月登记较多")
    township.locator("#stock-request").get_by_role("button", name="提交申请").click()
    expect(township.locator("#stock-requests")).to_contain_text("待处理")
    shoot(township, "staff-stock-02-township")

    county.reload()
    request = county.locator("#stock-requests tr", has_text="本月登记较多")
    request.get_by_role("button", name="按申请派发").click()
    county.fill("#dist-first", n(30))
    county.fill("#dist-last", n(49))
    county.locator("#stock-distribute").get_by_role("button", name="派发").click()
    expect(county.locator("#stock-requests tr", has_text="本月登记较多")).to_contain_text("已调配")

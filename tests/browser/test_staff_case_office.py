"""The staff console's case actions in a real browser (issue 14 item 3): the 需现场核实 decision
(Chongqing only, 004 (2)), 打印证书 for the couple (001 三(一)3), and the signed 《登记表》's scan on
the on-site page (002 五(二)5). Screenshots at 1280 and 375 px with axe on each (``shoot``)."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from local.seed import STAFF_PASSWORD
from tests.browser.conftest import shoot
from tests.browser.helpers import fill_onsite, new_couple
from tests.browser.test_staff_console import log_in
from tests.e2e.conftest import PDF_BYTES, Api, register, wait_for_status

CQ_OP = "cq-op-500103003"
SC_OP = "sc-op-510104022"


def open_task(api: Api, username: str, case_id: str, stage: str) -> dict:
    token = api.post("/v1/staff/login", {"username": username, "password": STAFF_PASSWORD}).body["id_token"]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = api.get("/v1/staff/tasks?limit=100", headers={"Authorization": f"Bearer {token}"})
        found = [t for t in r.body["tasks"] if t["case_id"] == case_id and t["stage"] == stage]
        if found:
            return found[0]
        time.sleep(0.3)
    raise AssertionError(f"no {stage} task for {case_id}")


def test_chongqing_reviewer_sends_the_couple_on_site_then_prints_the_certificate(new_context, stack):
    api = Api(stack.api_url)
    r = register(api, new_couple("chongqing", scenario="registry_has_more"))
    assert r.status == 201, r.body
    case_id, code = r.body["case_id"], r.body["query_code"]
    wait_for_status(api, case_id, code, {"awaiting_review"})
    task = open_task(api, CQ_OP, case_id, "review")

    page = new_context().new_page()
    page.goto(task["task_url"])
    log_in(page, CQ_OP)
    expect(page.locator("#task-case-id")).to_have_text(case_id)
    # the profile's decisions: 需现场核实 offered, 补充材料 not (002 六)
    expect(page.locator("#decision-onsite_verification")).to_be_visible()
    expect(page.locator("#decision-request_documents")).to_have_count(0)
    page.check("#decision-onsite_verification")
    page.fill("#decision-reason", "子女信息与行政记录不一致，请携带出生医学证明到现场核实")
    shoot(page, "staff-onsite-verification-decision")
    page.get_by_role("button", name="提交审核结论").click()
    expect(page.locator("#decision-result")).to_contain_text("需现场核实")
    wait_for_status(api, case_id, code, {"onsite_verification"})

    visit = open_task(api, CQ_OP, case_id, "onsite_verification")
    page.goto(visit["task_url"])
    expect(page.locator("#decision-onsite_verification")).to_have_count(0)  # after the visit: the outcome only
    expect(page.locator("main")).to_contain_text("需现场核实")
    page.check("#decision-accept")
    page.get_by_role("button", name="提交审核结论").click()
    wait_for_status(api, case_id, code, {"registered"})
    page.reload()
    button = page.locator("#print-certificate")
    expect(button).to_be_visible()
    with page.context.expect_page():
        button.click()
    expect(page.locator("#print-link")).to_be_visible()
    expect(page.locator("#print-status")).to_contain_text("已记录打印")
    shoot(page, "staff-print-certificate")


def test_the_on_site_page_files_the_signed_registration_form(new_context, stack):
    page = new_context().new_page()
    page.goto("/staff/onsite")
    log_in(page, SC_OP)
    counter = new_couple("sichuan")
    fill_onsite(page, counter)
    page.get_by_role("button", name="提交现场登记").click()
    page.get_by_role("button", name="确认无误，提交登记").click()
    expect(page.locator("#onsite-case-id")).to_be_visible()
    expect(page.locator("#scan-card")).to_contain_text("尚未上传")

    # a PNG is not a scan this step takes: refused before anything is sent
    page.set_input_files("#scan-file", files=[{"name": "scan.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}])
    page.get_by_role("button", name="上传存档").click()
    expect(page.locator("#scan-form .error-summary")).to_contain_text("仅支持PDF、JPG格式")

    page.set_input_files("#scan-file", files=[{"name": "登记表.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    page.get_by_role("button", name="上传存档").click()
    expect(page.locator("#scan-status")).to_contain_text("《登记表》已存档", timeout=30_000)
    expect(page.locator("#scan-list").get_by_role("link", name="查看扫描件")).to_be_visible()
    expect(page.locator("#onsite-status")).to_contain_text("已登记", timeout=30_000)
    shoot(page, "staff-onsite-registration-form")

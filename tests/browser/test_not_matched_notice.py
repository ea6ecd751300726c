"""The query page shows a case closed by a failed comparison as Chongqing's notice says it (002 五(一)5
"情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理"): the reason and the office to go to on site,
every word from the API."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import new_couple, query_by_code
from tests.e2e.conftest import Api, register, wait_for_status


def test_the_query_page_shows_the_not_matched_notice_with_the_on_site_option(page, stack):
    api = Api(stack.api_url)
    body = new_couple("chongqing", scenario="identity_mismatch")
    r = register(api, body)
    assert r.status == 201, r.body
    case_id, code = r.body["case_id"], r.body["query_code"]
    view = wait_for_status(api, case_id, code, {"not_matched"})

    case = query_by_code(page, code, body["woman"]["name"], case_id)
    expect(case).to_have_attribute("data-status", "not_matched")
    notice = case.locator("[data-notice=not_matched]")
    expect(notice).to_contain_text("审核比对未通过，不能办理")
    expect(notice).to_contain_text("原因：女方姓名与身份证号码不一致")
    expect(notice.locator("[data-field=onsite]")).to_contain_text("到登记机构现场核实办理")
    expect(notice.locator("[data-field=onsite]")).to_contain_text(view["notice"]["onsite"]["office_name"])
    expect(case.locator("[data-action=upload]")).to_have_count(0)
    shoot(page, "issue14-not-matched-notice")

"""The staff queue's search and server-side filters in the browser (issue 15 item 6, issue 14 item 3;
003 V(D)): a township operator finds a case by either spouse's ID number, a bad number is marked on
the field, another province's case is "not found"; the status and stage filters reload from the
server; the sections shown follow the sign-in answer's grants; the review page shows an accepted
proof inline. Screenshots at 1280 and 375 px, axe on each (``shoot``)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import new_couple
from tests.browser.test_staff_roles import OPERATOR, signed_in, waiting_case
from tests.e2e.conftest import Api, register, upload_proofs, wait_for_status


def test_a_case_is_found_by_a_spouses_id_number_within_the_jurisdiction(new_context, stack):
    body, task = waiting_case(stack, "registry_has_more")
    page = signed_in(new_context, OPERATOR)
    expect(page.locator("#task-table")).to_be_visible()
    page.fill("#case-search-q", body["man"]["id_number"])
    page.get_by_role("button", name="查找", exact=True).click()
    row = page.locator(f"#case-search-table tr[data-case-id='{task['case_id']}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text(body["woman"]["name"])
    expect(row).to_contain_text("待工作人员审核")
    shoot(page, "staff-case-search-found")

    wrong = body["woman"]["id_number"][:-1] + ("0" if body["woman"]["id_number"][-1] != "0" else "1")
    page.fill("#case-search-q", wrong)
    page.get_by_role("button", name="查找", exact=True).click()
    expect(page.locator("#case-search .field-error")).to_contain_text("校验")
    expect(page.locator("#case-search-q")).to_have_attribute("aria-invalid", "true")
    shoot(page, "staff-case-search-bad-number")

    # a Guizhou operator: the Sichuan couple's case is "not found", exactly like no case at all
    other = signed_in(new_context, "gz-op-520102016")
    other.fill("#case-search-q", body["woman"]["id_number"])
    other.get_by_role("button", name="查找", exact=True).click()
    expect(other.locator("#case-search-none")).to_contain_text("本辖区内未找到")
    expect(other.locator("#case-search-table")).to_have_count(0)

    # the case waits for review: its row opens the task
    page.fill("#case-search-q", task["case_id"])
    page.get_by_role("button", name="查找", exact=True).click()
    page.locator(f"#case-search-table tr[data-case-id='{task['case_id']}']").get_by_role("link", name="打开任务").click()
    page.wait_for_url(f"**/staff/tasks/{task['task_id']}")
    expect(page.locator("main")).to_contain_text(task["case_id"])


def test_status_and_stage_filters_reload_from_the_server_at_phone_width(new_context, stack):
    _, task = waiting_case(stack, "registry_has_more")
    page = signed_in(new_context, OPERATOR)
    page.set_viewport_size({"width": 375, "height": 800})
    row = page.locator(f"#task-table tr[data-task-id='{task['task_id']}']")
    expect(row).to_be_visible()
    expect(page.locator("#filter-stage option")).to_have_text(["全部环节", "人工审核"])  # the province's stages, from the API
    with page.expect_response(lambda r: "/v1/staff/tasks?" in r.url and "stage=review" in r.url):
        page.select_option("#filter-stage", "review")
    expect(row).to_be_visible()
    with page.expect_response(lambda r: "/v1/staff/tasks?" in r.url and "status=decided" in r.url):
        page.select_option("#filter-status", "decided")
    expect(row).to_have_count(0)
    expect(page.locator("#filter-overdue")).to_be_disabled()  # only open tasks are overdue or not
    page.select_option("#filter-status", "open")
    expect(row).to_be_visible()
    shoot(page, "staff-queue-filters")


def test_the_console_shows_only_the_sections_the_sign_in_answer_grants(new_context, stack):
    from chalicelib import auth
    from chalicelib.store import offices

    page = signed_in(new_context, OPERATOR)
    nav = page.locator("#staff-nav")
    for name in ("工作任务", "现场登记", "统计监测", "纸质证件"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    expect(page.locator("#userbox")).to_contain_text("陈静")  # the real name, from the sign-in answer

    # another township's operator whose administrator granted statistics only (the write the
    # account PATCH makes): no work queue, no on-site entry, and it lands on its statistics
    username = "sc-op-510104023"
    item = offices.profile(username)
    before = None if item.grants is None else list(item.grants)
    item.update(actions=[offices.OfficeItem.grants.set(["statistics"])])
    auth.forget(username)
    try:
        limited = signed_in(new_context, username)
        expect(limited).to_have_url(f"{stack.api_url}/staff/statistics")
        limited_nav = limited.locator("#staff-nav")
        expect(limited_nav.get_by_role("link", name="统计监测")).to_be_visible()
        expect(limited_nav.get_by_role("link", name="工作任务")).to_be_hidden()
        expect(limited_nav.get_by_role("link", name="现场登记")).to_be_hidden()
        assert limited.evaluate("JSON.parse(sessionStorage.getItem('birthreg.staff')).staff.grants") == ["statistics"]
    finally:
        restore = offices.OfficeItem.grants.remove() if before is None else offices.OfficeItem.grants.set(before)
        offices.profile(username).update(actions=[restore])
        auth.forget(username)


def test_an_accepted_proof_is_shown_inside_the_review_page(new_context, stack):
    api = Api(stack.api_url)
    body = new_couple("sichuan", scenario="identity_mismatch")
    r = register(api, body)
    assert r.status == 201, r.body
    case_id, code = r.body["case_id"], r.body["query_code"]
    wait_for_status(api, case_id, code, {"awaiting_proofs"})
    upload_proofs(api, case_id, code)
    wait_for_status(api, case_id, code, {"awaiting_review"})
    from tests.browser.test_staff_console import task_of

    task = task_of(stack, case_id)
    page = signed_in(new_context, OPERATOR, f"/staff/tasks/{task['task_id']}")
    shown = page.locator("#proofs-card .proof-view object")
    expect(shown).to_have_count(1)
    link = shown.get_attribute("data")
    assert "uploads" in link and "Signature=" in link  # a presigned GET of the upload bucket
    expect(shown).to_have_attribute("type", "application/pdf")
    shoot(page, "staff-review-proof-inline")

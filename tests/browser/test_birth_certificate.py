"""The birth medical certificate e-licence from the parents' page (issue 16; seed 003 一(一)2, 三(三)):
claim with the recorded ID number and an SMS code, upload the materials, see the e-licence issued
with its download and QR verification; every state photographed at 1280 and 375 px with axe."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import ready, request_code
from tests.e2e import test_births
from tests.e2e.conftest import PDF_BYTES, Api, unique_phone


def test_a_parent_claims_uploads_and_downloads_the_e_licence(page, stack):
    api = Api(stack.api_url)
    hospital = test_births.bearer(test_births.staff_token("medical_institution", test_births.COUNTY, test_births.INSTITUTION)[1])
    body, entered = test_births.enter(api, hospital)
    birth_id = entered["birth_id"]
    phone = unique_phone()

    page.goto(f"/birth.html?id={birth_id}")
    ready(page)
    shoot(page, "birth-claim")
    page.fill("#b-mother-id", body["mother"]["id_number"])
    page.fill("#b-name", "李小满")
    page.fill("#b-phone", phone)
    page.fill("#b-code", request_code(page.get_by_role("button", name="获取验证码"), phone))
    page.check("#b-confirm")
    page.get_by_role("button", name="签名提交").click()
    case = page.locator("article.case")
    expect(case).to_have_attribute("data-status", "claimed")
    expect(case).to_contain_text("母亲有效身份证件")
    shoot(page, "birth-claimed")

    for label in ("母亲有效身份证件", "父亲有效身份证件"):
        field = page.locator(".uploads .field", has_text=label)
        field.locator("input[type=file]").set_input_files({"name": "id.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
        field.get_by_role("button", name="上传").click()
        expect(page.locator("article.case")).to_contain_text(f"{label[:2]}", timeout=20_000)
        expect(page.locator(".uploads .field", has_text=label)).to_have_count(0, timeout=20_000)
    expect(page.locator("article.case")).to_contain_text("材料已齐全")

    assert api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital).status == 202
    test_births.wait_for(lambda: api.get(f"/v1/staff/births/{birth_id}", headers=hospital), lambda r: r.body["status"] == "issued")
    page.reload()
    ready(page)
    link = page.get_by_role("link", name="下载出生医学证明")
    expect(link).to_be_visible()
    shoot(page, "birth-issued")

    page.get_by_role("link", name="核验证照").click()
    result = page.locator("#verify-result")
    expect(result).to_have_attribute("data-result", "valid")
    expect(result).not_to_contain_text(body["mother"]["name"])
    shoot(page, "birth-verify")


def test_a_wrong_mother_id_is_shown_at_its_field(page, stack):
    api = Api(stack.api_url)
    hospital = test_births.bearer(test_births.staff_token("medical_institution", test_births.COUNTY, test_births.INSTITUTION)[1])
    _, entered = test_births.enter(api, hospital)
    other_mother, _ = test_births._ids()
    phone = unique_phone()
    page.goto(f"/birth.html?id={entered['birth_id']}")
    ready(page)
    page.fill("#b-mother-id", other_mother)
    page.fill("#b-name", "李小满")
    page.fill("#b-phone", phone)
    page.fill("#b-code", request_code(page.get_by_role("button", name="获取验证码"), phone))
    page.check("#b-confirm")
    page.get_by_role("button", name="签名提交").click()
    expect(page.locator(".error-summary")).to_contain_text("身份证件号码与出生医学证明首次签发登记信息不符")
    shoot(page, "birth-claim-mismatch")


def test_institution_staff_enter_review_and_stamp_check(page, stack):
    """003 一(一)1 entry with an electronic signature, 一(一)3 review and print, 一(一)4 stamp check."""
    from datetime import timedelta

    from chalicelib import config
    from local.seed import STAFF_PASSWORD

    api = Api(stack.api_url)
    login = api.post("/v1/staff/login", {"username": "gz-hospital-520102", "password": STAFF_PASSWORD}).body
    hospital = {"Authorization": f"Bearer {login['id_token']}"}
    page.goto("/birth-staff.html")
    page.evaluate("auth => sessionStorage.setItem('birthreg.staff', JSON.stringify(auth))", {"id_token": login["id_token"], "staff": login["staff"]})
    page.reload()
    ready(page)

    body = test_births.entry_body()
    page.check("input[name=sex][value=female]")
    page.fill("#e-born", (config.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#e-weight", "3250")
    page.fill("#e-mother-name", body["mother"]["name"])
    page.fill("#e-mother-id", body["mother"]["id_number"])
    page.fill("#e-father-name", body["father"]["name"])
    page.fill("#e-father-id", body["father"]["id_number"])
    page.get_by_role("button", name="电子签名并提交").click()
    expect(page.locator("#entry-status")).to_contain_text("已签名提交")
    birth_id = page.locator("#entry-status").text_content().split("登记号 ")[1].split("（")[0]
    expect(page.locator(f"tr[data-birth={birth_id}]")).to_have_attribute("data-status", "entered")
    shoot(page, "birth-staff-entered")

    claimed, token = test_births.claim(api, birth_id, body)
    assert claimed.status == 201, claimed.body
    page.reload()
    ready(page)
    row = page.locator(f"tr[data-birth={birth_id}]")
    row.get_by_role("button", name="审核签发").click()
    expect(row.locator(".status-line")).to_contain_text("请一次性补齐以下材料")
    shoot(page, "birth-staff-notice")

    test_births.upload(api, birth_id, token, ["MOTHER_ID", "FATHER_ID"])
    test_births.wait_for(lambda: test_births.citizen_view(api, birth_id, token), lambda v: not v.body["missing_materials"])
    page.reload()
    ready(page)
    page.locator(f"tr[data-birth={birth_id}]").get_by_role("button", name="审核签发").click()
    issued = test_births.wait_for(lambda: test_births.citizen_view(api, birth_id, token), lambda v: v.body["status"] == "issued").body
    page.reload()
    ready(page)
    row = page.locator(f"tr[data-birth={birth_id}]")
    expect(row).to_have_attribute("data-status", "issued")
    row.get_by_label("扫描二维码内容").fill(issued["certificate"]["verify_url"])
    row.get_by_role("button", name="盖章核对").click()
    expect(row.locator(".status-line")).to_contain_text("核对一致")
    shoot(page, "birth-staff-stamp-check")
    assert api.get(f"/v1/staff/births/{birth_id}", headers=hospital).body["status"] == "stamped"


def test_a_parent_declares_a_birth_outside_an_institution(page, stack):
    """003 二(一)1: the parent declares the birth (place, time, child, parents), chooses the
    county's issuing institution and signs; the status page then asks for the materials of
    二(二) (the paternity declaration or appraisal among them) and shows the issue."""
    from datetime import timedelta

    from chalicelib import config

    api = Api(stack.api_url)
    hospital = test_births.bearer(test_births.staff_token("medical_institution", test_births.COUNTY, test_births.INSTITUTION)[1])
    body = test_births.declaration_body()
    phone = unique_phone()

    page.goto("/birth.html")
    ready(page)
    page.get_by_role("link", name="本人申报").click()
    ready(page)
    expect(page.locator("h1")).to_contain_text("医疗机构外出生")
    # nothing filled: every required field is named, nothing is sent
    page.get_by_role("button", name="签名提交").click()
    expect(page.locator(".error-summary")).to_contain_text("出生地点")
    shoot(page, "birth-declare-errors")
    page.reload()
    ready(page)

    page.select_option("#d-county-1", "5201")
    page.select_option("#d-county-2", test_births.COUNTY)
    expect(page.locator(f"#d-issuer option[value={test_births.INSTITUTION}]")).to_have_count(1)
    page.select_option("#d-issuer", test_births.INSTITUTION)
    page.fill("#d-place", body["place"])
    page.fill("#d-born", (config.now() - timedelta(hours=30)).strftime("%Y-%m-%dT%H:%M"))
    page.check("input[name=sex][value=female]")
    page.fill("#d-name", body["newborn"]["name"])
    page.fill("#d-weight", "3100")
    page.fill("#d-mother-name", body["mother"]["name"])
    page.fill("#d-mother-id", body["mother"]["id_number"])
    page.fill("#d-father-name", body["father"]["name"])
    page.fill("#d-father-id", body["father"]["id_number"])
    page.fill("#d-phone", phone)
    page.fill("#d-code", request_code(page.get_by_role("button", name="获取验证码"), phone))
    page.check("#d-confirm")
    shoot(page, "birth-declare")
    page.get_by_role("button", name="签名提交").click()

    case = page.locator("article.case")
    expect(case).to_have_attribute("data-status", "claimed")
    expect(case).to_contain_text("医疗机构外出生")
    expect(case).to_contain_text(body["place"])
    expect(page.locator(".uploads")).to_contain_text("亲子关系声明或具有法定鉴定资质机构出具的亲子鉴定证明")
    shoot(page, "birth-declared")
    birth_id = page.url.split("id=")[1]

    field = page.locator(".uploads .field", has_text="亲子关系声明")
    field.locator("input[type=file]").set_input_files({"name": "声明.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    field.get_by_role("button", name="上传").click()
    expect(page.locator(".uploads .field", has_text="亲子关系声明")).to_have_count(0, timeout=20_000)
    token = page.evaluate(f"sessionStorage.getItem('birth-token:{birth_id}')")
    test_births.upload(api, birth_id, token, ["MOTHER_ID", "FATHER_ID"])
    test_births.wait_for(lambda: test_births.citizen_view(api, birth_id, token), lambda v: not v.body["missing_materials"])
    assert api.post(f"/v1/staff/births/{birth_id}/review", headers=hospital).status == 202
    test_births.wait_for(lambda: test_births.citizen_view(api, birth_id, token), lambda v: v.body["status"] == "issued")
    page.reload()
    ready(page)
    expect(page.get_by_role("link", name="下载出生医学证明")).to_be_visible()
    shoot(page, "birth-declared-issued")


def test_the_county_department_reissues_from_the_staff_page(page, stack):
    """003 四(二)1 "to the original issuing agency county (district) level health administrative
    department to apply for reissue ... scanned pieces"; 四(二)2 the original invalidated."""
    from local.seed import STAFF_PASSWORD

    api = Api(stack.api_url)
    hospital = test_births.bearer(test_births.staff_token("medical_institution", test_births.COUNTY, test_births.INSTITUTION)[1])
    done = test_births.issued(api, hospital)
    number = done["view"]["certificate"]["number"]
    login = api.post("/v1/staff/login", {"username": "gz-county-520102", "password": STAFF_PASSWORD}).body
    page.goto("/birth-staff.html")
    page.evaluate("auth => sessionStorage.setItem('birthreg.staff', JSON.stringify(auth))", {"id_token": login["id_token"], "staff": login["staff"]})
    page.reload()
    ready(page)
    expect(page.locator("#reissue")).to_be_visible()
    expect(page.locator("#entry")).to_be_hidden()
    page.get_by_role("button", name="上传并申请补发").click()
    expect(page.locator("#reissue-form .error-summary")).to_contain_text("原证照编号")
    shoot(page, "birth-county-reissue-errors")

    page.fill("#r-number", number)
    page.fill("#r-application", "原证遗失，申请补发")
    page.set_input_files("#r-scan", {"name": "申请.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES})
    page.get_by_role("button", name="上传并申请补发").click()
    expect(page.locator("#reissue-status")).to_contain_text("已受理补发", timeout=40_000)
    shoot(page, "birth-county-reissued")
    view = test_births.wait_for(lambda: test_births.citizen_view(api, done["birth_id"], done["token"]),
                                lambda v: v.body["certificate"]["number"] != number).body
    assert view["certificate"]["status"] == "valid"
    assert number in test_births.revoked_numbers(api, limit=100)

"""Proof uploads from the browser (000 §2.3.5): a failed identity check asks for the ID card; the page
posts the file straight to the object store with the presigned POST, CheckUpload accepts it and the
case goes on to staff review."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import shoot
from tests.browser.helpers import confirm_and_request_code, fill_registration, new_couple

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(200))


def test_a_requested_proof_is_uploaded_from_the_page(page):
    body = new_couple("sichuan", scenario="identity_mismatch")
    page.goto("/register.html")
    fill_registration(page, body)
    page.fill("#submit-code", confirm_and_request_code(page, body["woman"]["phone"]))
    page.get_by_role("button", name="提交登记").click()
    case = page.locator("article.case")
    expect(case).to_have_attribute("data-status", "awaiting_proofs", timeout=30_000)
    field = case.locator(".uploads .field").first
    expect(field).to_contain_text("身份证")

    # the wrong kind of file is refused on the page, before anything is sent
    field.locator("input[type=file]").set_input_files({"name": "id.txt", "mimeType": "text/plain", "buffer": b"hello"})
    field.get_by_role("button", name="上传").click()
    expect(field.locator(".field-error")).to_have_text("仅支持PDF、JPG、PNG格式")

    field.locator("input[type=file]").set_input_files({"name": "id.png", "mimeType": "image/png", "buffer": PNG})
    field.get_by_role("button", name="上传").click()
    expect(field.locator(".status-line")).to_have_text("文件已通过检查", timeout=20_000)
    shoot(page, "citizen-upload")
    # all requested documents are in: the workflow goes on to manual review
    expect(page.locator("article.case")).to_have_attribute("data-status", "awaiting_review", timeout=20_000)

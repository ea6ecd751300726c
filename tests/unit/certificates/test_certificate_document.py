"""The issued document (services/certificates/issuance.py + the renderer), without AWS: what a stored
certificate renders to is fixed, and its QR code carries a token that verifies.

Needs poppler-utils (pdftoppm), libzbar0 and pyzbar, like tests/unit/documents.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.parse
from datetime import date

import pytest

from chalicelib.adapters import signing
from chalicelib.domain.demo import demo_registration
from chalicelib.domain.evaluation import evaluate
from chalicelib.domain.form import parse_registration
from chalicelib.services.certificates import issuance as certificates
from chalicelib.store.cases import Case
from chalicelib.store.certificates import VALID, CertificateRecord

TODAY = date(2026, 5, 6)


@pytest.fixture(scope="module")
def signer() -> signing.LocalSigner:
    return signing.LocalSigner("0b7e5d6c-2f4a-4e8b-9c1d-3a5f7e9b1c2d")


@pytest.fixture(scope="module", params=["sichuan", "guizhou", "chongqing"])
def issued(request, signer):
    form = parse_registration(demo_registration(request.param), today=TODAY)
    evaluation = evaluate(form, today=TODAY).to_dict()
    case = Case("20260506ABCDEF0123", profile=form.profile, form_json=form.model_dump_json(),
                evaluation_json=json.dumps(evaluation, ensure_ascii=False), office_code=evaluation["jurisdiction"]["office_code"])
    number = f"{case.office_code[:6]}2026000042"
    token = signing.sign(signing.Claims(number, 1, 1778040000), signer)
    record = CertificateRecord(
        number, case_id=case.case_id, version=1, status=VALID, office_code=case.office_code,
        issued_at="2026-05-06T09:20:00+08:00", token=token, pdf_key="certificates/x/v1.pdf", profile=form.profile,
        title="标题", office_name=evaluation["jurisdiction"]["office_name"],
        child_order_label=evaluation["child_order"]["registration_label"],
    )
    return case, record, form


def test_rendering_a_stored_certificate_is_deterministic(issued):
    case, record, _ = issued
    first = certificates.render_pdf(case, record)
    assert first.startswith(b"%PDF") and len(first) <= 80 * 1024
    assert certificates.render_pdf(case, record) == first


def test_printed_fields_come_from_the_case_and_the_stored_certificate(issued, monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://birthreg.example.gov.cn/")
    case, record, form = issued
    data = certificates.certificate_data(case, record)
    assert data.registration_number == record.registration_number
    assert data.registration_date == date(2026, 5, 6)
    assert data.verify_url == f"https://birthreg.example.gov.cn/v/{record.token}"
    assert data.woman_id != form.woman.id_number and data.woman_id.endswith(form.woman.id_number[-4:])
    assert data.validity_statement == certificates.VALIDITY[form.profile]


def test_the_qr_code_on_the_page_carries_a_verifiable_token(issued, signer, tmp_path):
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.fail("pdftoppm is not installed (apt-get install poppler-utils)")
    from PIL import Image

    from tests.qrcodes import decode_qr

    case, record, form = issued
    (tmp_path / "c.pdf").write_bytes(certificates.render_pdf(case, record))
    subprocess.run([pdftoppm, "-r", "100", "-png", "-f", "1", "-l", "1", str(tmp_path / "c.pdf"), str(tmp_path / "p")], check=True)
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as image:
        (url,) = decode_qr(image)
    token = urllib.parse.urlparse(url).path.rsplit("/", 1)[-1]
    assert signing.verify(token, signer.keys()) == signing.Claims(record.registration_number, 1, 1778040000)
    for personal in (form.woman.name, form.woman.id_number, form.man.id_number, form.woman.phone):
        assert personal not in url

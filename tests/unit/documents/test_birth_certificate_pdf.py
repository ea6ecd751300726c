"""The 出生医学证明 PDF (chalicelib/documents/birth_certificate_pdf.py): its text and its QR code,
read back with poppler and zbar as for the 生育服务证."""

from __future__ import annotations

from datetime import datetime

from chalicelib.documents.birth_certificate_pdf import BirthCertificateData, render_birth_certificate
from tests.unit.documents.test_certificate_pdf import run, tool, zbar_decode

DATA = BirthCertificateData(
    number="Q5201022026000001",
    child_name="李小满",
    sex_label="女",
    born_at=datetime.fromisoformat("2026-06-01T08:30:00+08:00"),
    place_of_birth="南明区妇幼保健院",
    weight_grams=3250,
    mother_name="王芳",
    mother_id="520102********0028",
    father_name="",
    father_id="",
    issuer="南明区妇幼保健院",
    issued_at=datetime.fromisoformat("2026-06-02T10:00:00+08:00"),
    verify_url="https://birthreg.example.gov.cn/vb/eyJhbGciOiJFUzI1NiJ9.e30.sig",
)


def test_text_qr_and_deterministic_bytes(tmp_path):
    pdf = render_birth_certificate(DATA)
    assert pdf == render_birth_certificate(DATA)
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    text = run(tool("pdftotext"), str(path), "-")
    for expected in ("出生医学证明", DATA.number, "李小满", "2026年6月1日8时30分", "3250克", "未提供"):
        assert expected in text, expected
    run(tool("pdftoppm"), "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page"))
    assert zbar_decode(tmp_path / "page.png") == [DATA.verify_url]

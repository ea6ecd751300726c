"""The certificate PDF, checked the way a reader of the printout would: through poppler (fonts,
text, raster) and a QR decoder (zbar), not by looking at reportlab calls.

Needs poppler-utils (pdffonts, pdftoppm, pdftotext), libzbar0 and pyzbar==0.1.9. A missing tool
fails the test with the install hint; nothing is skipped.
"""

from __future__ import annotations

import dataclasses
import os
import random
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from chalicelib.documents.certificate_pdf import (
    CertificateData,
    render_certificate,
    render_floor,
)

REPO = Path(__file__).resolve().parents[3]
MAX_BYTES = 80 * 1024

SAMPLE = CertificateData(
    title="重庆市生育服务证登记回执",
    registration_number="500103202403010023",
    child_order_label="二孩",
    born=True,
    birth_date=date(2024, 3, 5),
    woman_name="张晓梅",
    woman_id="500103199001011234",
    woman_hukou="重庆市渝中区解放碑街道民族路社区",
    woman_residence="重庆市渝北区龙溪街道金紫山社区红锦大道88号金紫山小区3栋2单元1201室",
    man_name="阿卜杜热合曼·买买提",
    man_id="650102198805052345",
    man_hukou="新疆维吾尔自治区乌鲁木齐市天山区",
    man_residence="重庆市渝北区龙溪街道金紫山社区",
    office_name="重庆市渝中区解放碑街道办事处",
    registration_date=date(2024, 3, 1),
    # 002 五(一)6: the receipt has the same effect as the paper certificate and can be checked.
    validity_statement="本登记回执作为电子化生育服务证登记结果，与纸质生育服务证具有同等效力，可扫描二维码查验真伪。",
    version=2,
    verify_url="https://verify.birthreg.example.gov.cn/v1/certificates/500103202403010023?v=2"
    "&sig=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo",
)


def tool(name: str, hint: str = "apt-get install poppler-utils") -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed; the certificate tests need it ({hint})")
    return path


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def zbar_decode(png: Path) -> list[str]:
    from PIL import Image

    from tests.qrcodes import decode_qr

    with Image.open(png) as image:
        return decode_qr(image)


def rasterise(pdf: bytes, tmp: Path, dpi: int = 100) -> Path:
    (tmp / "c.pdf").write_bytes(pdf)
    run(tool("pdftoppm"), "-r", str(dpi), "-png", "-f", "1", "-l", "1", str(tmp / "c.pdf"), str(tmp / "page"))
    pages = sorted(tmp.glob("page*.png"))
    assert len(pages) == 1, pages
    return pages[0]


def write(pdf: bytes, tmp: Path, name: str = "c.pdf") -> str:
    path = tmp / name
    path.write_bytes(pdf)
    return str(path)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_certificate(SAMPLE)


@pytest.fixture(scope="module")
def page(pdf, tmp_path_factory) -> Path:
    return rasterise(pdf, tmp_path_factory.mktemp("page"))


def test_is_a_small_pdf(pdf):
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) <= MAX_BYTES, f"{len(pdf)} bytes"


def test_long_fields_of_rare_characters_stay_within_size(tmp_path):
    # Every distinct character is one more glyph in the embedded subset: 4 x 40 characters
    # drawn at random from the whole CJK block is far more than any real address uses.
    rnd = random.Random(7)
    rare = lambda n: "".join(chr(rnd.randrange(0x4E00, 0x9FA5)) for _ in range(n))  # noqa: E731
    data = dataclasses.replace(
        SAMPLE, woman_hukou=rare(40), woman_residence=rare(40), man_hukou=rare(40), man_residence=rare(40)
    )
    out = render_certificate(data)
    assert len(out) <= MAX_BYTES, f"{len(out)} bytes"
    assert data.woman_residence[:10] in run(tool("pdftotext"), write(out, tmp_path), "-")


def test_all_fonts_are_embedded_subsets_and_the_cjk_one_is_truetype(pdf, tmp_path):
    listing = run(tool("pdffonts"), write(pdf, tmp_path)).splitlines()[2:]
    fonts = [line.split() for line in listing if line.strip()]
    assert fonts, "no fonts listed"
    cjk = [f for f in fonts if "DroidSansFallback" in f[0]]
    assert len(cjk) == 1, listing
    name, kind, _enc, emb, sub, uni = cjk[0][:6]
    assert re.fullmatch(r"[A-Z]{6}\+DroidSansFallback", name)
    assert (kind, emb, sub, uni) == ("TrueType", "yes", "yes", "yes")
    # No font is left to the viewer (the Latin one is embedded too; no stray Helvetica).
    for f in fonts:
        assert f[-5:-2] == ["yes", "yes", "yes"], f


def test_text_is_real_text(pdf, tmp_path):
    text = run(tool("pdftotext"), "-layout", write(pdf, tmp_path), "-")
    for expected in (
        SAMPLE.title,
        SAMPLE.woman_name,
        SAMPLE.registration_number,
        SAMPLE.woman_id,
        SAMPLE.man_name,
        SAMPLE.office_name,
        "2024年3月5日",
        "第2版",
        "登记孩次",
    ):
        assert expected in text, expected


def test_page_is_a4_and_not_blank(page):
    from PIL import Image

    with Image.open(page) as image:
        width, height = image.size
        gray = image.convert("L")
        dark = sum(gray.histogram()[:128]) / (width * height)
    assert abs(width - 827) <= 1 and abs(height - 1169) <= 1  # 210 x 297 mm at 100 dpi (poppler rounds up)
    assert abs(height / width - 297 / 210) < 0.01
    assert 0.03 < dark < 0.30, f"dark share {dark:.3f}"


def test_qr_code_on_the_printed_page_decodes_to_the_verify_url(page):
    assert zbar_decode(page) == [SAMPLE.verify_url]


@pytest.mark.parametrize("length", [20, 120, 300])
def test_qr_code_decodes_for_short_and_long_urls(length, tmp_path):
    url = ("https://v.example.cn/c/" + "a1B2-c3D4_" * 40)[:length]
    out = render_certificate(dataclasses.replace(SAMPLE, verify_url=url))
    assert zbar_decode(rasterise(out, tmp_path)) == [url]


def test_same_data_gives_identical_bytes(pdf):
    assert render_certificate(SAMPLE) == pdf
    assert render_certificate(dataclasses.replace(SAMPLE)) == pdf


def test_identical_bytes_across_processes(pdf):
    # A fresh interpreter with another hash seed: nothing may depend on set or dict order,
    # object ids or the clock.
    code = (
        "import sys, dataclasses;"
        "from tests.unit.documents.test_certificate_pdf import SAMPLE;"
        "from chalicelib.documents.certificate_pdf import render_certificate;"
        "sys.stdout.buffer.write(render_certificate(SAMPLE))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, check=True, capture_output=True).stdout
    assert out == pdf


def test_every_field_changes_the_bytes(pdf):
    assert render_certificate(dataclasses.replace(SAMPLE, version=3)) != pdf
    assert render_certificate(dataclasses.replace(SAMPLE, verify_url=SAMPLE.verify_url + "x")) != pdf
    assert render_certificate(dataclasses.replace(SAMPLE, born=False, birth_date=None)) != pdf


def test_unborn_child_shows_no_birth_date(tmp_path):
    out = render_certificate(dataclasses.replace(SAMPLE, born=False, birth_date=None, child_order_label="一孩"))
    text = run(tool("pdftotext"), write(out, tmp_path), "-")
    assert "未出生" in text and "出生日期" not in text


def test_overlong_fields_are_refused_not_drawn_over_the_footer():
    with pytest.raises(ValueError, match="too long"):
        render_certificate(dataclasses.replace(SAMPLE, woman_hukou="重庆市渝北区龙溪街道" * 150))


def test_long_fields_shrink_and_still_fit(tmp_path):
    address = "重庆市渝北区龙溪街道金紫山社区红锦大道88号金紫山小区3栋2单元1201室" * 3
    data = dataclasses.replace(
        SAMPLE, woman_hukou=address, woman_residence=address, man_hukou=address, man_residence=address
    )
    out = render_certificate(data)
    text = run(tool("pdftotext"), write(out, tmp_path), "-")
    assert SAMPLE.validity_statement[:20] in text
    assert zbar_decode(rasterise(out, tmp_path)) == [SAMPLE.verify_url]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"child_order_label": "五孩"}, "child_order_label"),
        ({"born": True, "birth_date": None}, "birth_date is required"),
        ({"born": False}, "birth_date must be None"),
        ({"version": 0}, "version"),
        ({"verify_url": ""}, "verify_url"),
    ],
)
def test_inconsistent_data_is_rejected(change, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(SAMPLE, **change)


def test_floor_draws_the_same_text_and_qr(tmp_path):
    floor = render_floor(SAMPLE)
    assert floor.startswith(b"%PDF-")
    text = run(tool("pdftotext"), write(floor, tmp_path), "-")
    assert SAMPLE.woman_name in text and SAMPLE.registration_number in text
    assert zbar_decode(rasterise(floor, tmp_path)) == [SAMPLE.verify_url]


def test_missing_font_names_the_setting(monkeypatch):
    monkeypatch.setenv("CERT_FONT_PATH", "/nonexistent/font.ttf")
    with pytest.raises(FileNotFoundError, match="CERT_FONT_PATH"):
        render_certificate(SAMPLE)


def test_importing_the_module_does_not_import_reportlab_or_qrcode():
    # STYLE.md: the HTTP API must not pay for the PDF libraries.
    code = (
        "import sys, chalicelib.documents.certificate_pdf;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('reportlab', 'qrcode', 'PIL')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ).stdout
    assert out.strip() == "[]"


# -- issue 17: issuing body, seal area, real creation date, Chinese metadata --------------------------
def _info(pdf: bytes, tmp: Path) -> dict[str, str]:
    out = run(tool("pdfinfo"), "-isodates", write(pdf, tmp))
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def test_issuing_body_and_seal_area_are_printed(pdf, tmp_path):
    text = re.sub(r"\s+", "", run(tool("pdftotext"), write(pdf, tmp_path), "-"))
    assert "登记机关：重庆市渝中区解放碑街道办事处" in text
    assert "签发日期：2024年3月1日" in text
    assert "电子印章" in text


def test_an_explicit_issuer_is_printed_in_full(tmp_path):
    out = render_certificate(dataclasses.replace(SAMPLE, office_name="重庆市渝中区解放碑街道", issuer="重庆市渝中区解放碑街道办事处"))
    text = re.sub(r"\s+", "", run(tool("pdftotext"), write(out, tmp_path), "-"))
    assert "登记机关：重庆市渝中区解放碑街道办事处" in text


def test_metadata_is_chinese_and_created_at_the_issue_time(tmp_path):
    issued = datetime(2024, 3, 1, 10, 15, 30, tzinfo=timezone(timedelta(hours=8)))
    out = render_certificate(dataclasses.replace(SAMPLE, issued_at=issued))
    info = _info(out, tmp_path)
    assert info["Title"] == "重庆市生育服务证登记回执"
    assert info["Subject"] == "生育登记电子证件　登记编号：500103202403010023　第2版"
    assert info["Author"] == "重庆市渝中区解放碑街道办事处"
    assert info["CreationDate"].startswith("2024-03-01T10:15:30+08"), info["CreationDate"]
    assert "2000" not in info["CreationDate"]
    # still deterministic: the same certificate renders to the same bytes
    assert render_certificate(dataclasses.replace(SAMPLE, issued_at=issued)) == out


def test_without_an_issue_time_the_registration_date_is_the_creation_date(pdf, tmp_path):
    assert _info(pdf, tmp_path)["CreationDate"].startswith("2024-03-01T00:00:00+08")


def test_documents_rendered_on_several_threads_at_once_are_the_ones_rendered_alone():
    """reportlab's fonts are shared by the process and not safe for two documents at once; a host
    with threads (the local stack runs every function in one process) must still get, for each
    certificate, the bytes it gets alone -- not a KeyError, not another certificate's glyphs."""
    import threading

    variants = [dataclasses.replace(SAMPLE, registration_number=f"50010320240{n:05d}", woman_name=name)
                for n, name in enumerate(("张晓梅", "李娟", "王芳", "陈静", "刘洋", "赵敏"))]
    alone = [render_certificate(v) for v in variants]
    results: dict[tuple[int, int], bytes | Exception] = {}

    def render(i: int) -> None:
        for round_ in range(16):
            try:
                results[(i, round_)] = render_certificate(variants[i])
            except Exception as exc:  # the failure the test is about
                results[(i, round_)] = exc

    threads = [threading.Thread(target=render, args=(i,)) for i in range(len(variants))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wrong = {k: (type(v).__name__ if isinstance(v, Exception) else "other bytes") for k, v in results.items() if v != alone[k[0]]}
    assert len(results) == 96 and not wrong, wrong

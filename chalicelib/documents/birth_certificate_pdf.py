"""The 出生医学证明 e-licence as a PDF (issue 16; seed 003 一(一)3 "the 'birth certificate' can be
printed"): one A4 page, printable on the official paper, with the signed QR code of its
verification URL. Same fonts, text runs and vector QR code as the 生育服务证
(``certificate_pdf.py``); deterministic bytes for the same data.

reportlab and qrcode are imported inside the functions: only the IssueBirthCertificate task
function (the certificate bundle, infra/package.py) renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.documents import certificate_pdf as base

TITLE = "出生医学证明"


@dataclass(frozen=True)
class BirthCertificateData:
    number: str  # Q<county><year><seq>
    child_name: str
    sex_label: str
    born_at: datetime  # China time
    place_of_birth: str  # 医疗机构名称, or the words for a birth outside an institution
    weight_grams: int
    mother_name: str
    mother_id: str  # masked
    father_name: str  # "" when no father's information was given (003 一(二)3)
    father_id: str  # masked, or ""
    issuer: str  # 签发机构
    issued_at: datetime
    verify_url: str
    reissue_of: str = ""  # the number of the e-licence this one replaces (003 四)


def _rows(data: BirthCertificateData) -> list[tuple[str, str]]:
    born = data.born_at
    return [
        ("新生儿姓名", data.child_name),
        ("性别", data.sex_label),
        ("出生时间", f"{born.year}年{born.month}月{born.day}日{born.hour}时{born.minute}分"),
        ("出生体重", f"{data.weight_grams}克"),
        ("出生地点", data.place_of_birth),
        ("母亲姓名", data.mother_name),
        ("母亲有效身份证件号码", data.mother_id),
        ("父亲姓名", data.father_name or "未提供"),
        ("父亲有效身份证件号码", data.father_id or "未提供"),
        ("签发机构", data.issuer),
        ("签发日期", f"{data.issued_at.year}年{data.issued_at.month}月{data.issued_at.day}日"),
    ]


@base.one_render_at_a_time
def render_birth_certificate(data: BirthCertificateData) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    fonts = base.load_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts.latin, lang="zh-CN")
    at = data.issued_at
    offset = int((at.utcoffset().total_seconds() if at.utcoffset() else 0) // 60)
    created = f"D:{at:%Y%m%d%H%M%S}{'+' if offset >= 0 else '-'}{abs(offset) // 60:02d}'{abs(offset) % 60:02d}'"
    canvas.setDateFormatter(lambda *_: created)
    canvas.setTitle(TITLE)
    canvas.setSubject(f"出生医学证明电子证照　编号：{data.number}")
    canvas.setAuthor(data.issuer)
    canvas.setCreator("出生医学证明电子证照")
    w = base.Writer(canvas, fonts)
    width, height = A4
    left, right = 62.0, width - 62.0

    y = height - 92
    w.draw(width / 2, y, TITLE, 26, align="center", bold=True, char_space=6)
    y -= 20
    canvas.setLineWidth(1.6)
    canvas.line(left, y, right, y)

    modules = base.qr_modules(data.verify_url)
    qr = min(150.0, max(96.0, 1.6 * len(modules)))
    qr_top = y - 18
    base.draw_qr(canvas, modules, right - qr, qr_top - qr, qr)
    w.draw(right - qr / 2, qr_top - qr - 14, "扫码核验", 9, align="center", gray=0.3)
    w.draw(left, qr_top - 30, f"编号：{data.number}", 14)
    if data.reissue_of:
        w.draw(left, qr_top - 52, f"补发（原证编号 {data.reissue_of} 已作废）", 10.5, gray=0.3)

    y = qr_top - qr - 44
    canvas.setLineWidth(0.5)
    for label, value in _rows(data):
        canvas.line(left, y - 8, right, y - 8)
        w.draw(left + 6, y, label, 11.5, gray=0.25)
        for i, line in enumerate(w.wrap(value, 11.5, right - left - 170)):
            w.draw(left + 164, y - i * 15, line, 11.5)
        y -= 30
    w.draw(
        left,
        y - 10,
        "本电子证照由签发机构在线签发，盖章前须与系统首次签发登记信息核对一致；可扫描二维码查验真伪。",
        9.5,
        gray=0.3,
    )
    w.draw(right, 90, f"{data.issuer}（盖章）", 11.5, align="right")
    w.finish()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

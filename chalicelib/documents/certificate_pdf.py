"""A4 PDF of a birth-service registration certificate (生育登记证 / 生育服务证 / 登记回执).

What is printed, and why:
- the fields of 重庆市生育服务证登记回执 (002 附件2: 登记编号, 二维码, 登记孩次, 未出生/已出生 +
  出生日期, 女方/男方 姓名, 身份证号, 户籍地, 居住地, 登记单位, 登记日期, 说明), in a bordered
  table like the paper form;
- on A4, because citizens print it themselves (000 §2.3.8 "公众可自行打印A4纸证件信息");
- with a QR code for checking it (003 §5(D): the Guizhou (electronic) certificate "contains the QR
  code ... so ... you can quickly check whether the maternity service card is valid ... by scanning
  the QR code"; 002 五(一)6: the receipt "与纸质生育服务证具有同等效力。可登陆…查验真伪");
- with a version number, so a re-issued certificate can be told apart from the one it replaces;
- with the issuing body's full name and date over an electronic-seal area (登记机关 + 签发日期, where
  a paper certificate carries the office's seal), and document properties in Chinese (title, subject,
  author = the issuing body, creation date = the issue time, so the same certificate always has the
  same bytes).

Fonts: Chinese text is set in Droid Sans Fallback (TrueType outlines, Apache-2.0), embedded as a
subset. That font has no ASCII glyphs at all (no digits, no Latin letters), so every character it
lacks is set in Bitstream Vera Sans (also embedded as a subset); both files live in assets/fonts/.
A character neither font has (e.g. some rare name characters outside the BMP) prints as an empty box.

reportlab and qrcode are imported inside the functions: this module may be imported by code that
the HTTP API imports, and the API must not pay for them (STYLE.md, anti-patterns).
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NamedTuple

CHILD_ORDER_LABELS = ("一孩", "二孩", "三孩", "四孩及以上")  # 002 附件2 "登记孩次"

_FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
DEFAULT_CJK_FONT_PATH = _FONT_DIR / "DroidSansFallbackFull.ttf"
DEFAULT_LATIN_FONT_PATH = _FONT_DIR / "Vera.ttf"
CJK_FONT_ENV = "CERT_FONT_PATH"
LATIN_FONT_ENV = "CERT_LATIN_FONT_PATH"


@dataclass(frozen=True)
class CertificateData:
    """Everything printed on the certificate, already in the form the province prints it.

    The caller decides masking (woman_id/man_id are printed verbatim) and wording
    (title, office_name, validity_statement).
    """

    title: str  # 四川省生育登记证 / 贵州省(电子)生育服务证 / 重庆市生育服务证登记回执
    registration_number: str
    child_order_label: str  # one of CHILD_ORDER_LABELS
    born: bool
    birth_date: date | None  # required when born, must be None otherwise
    woman_name: str
    woman_id: str
    woman_hukou: str
    woman_residence: str
    man_name: str
    man_id: str
    man_hukou: str
    man_residence: str
    office_name: str
    registration_date: date
    validity_statement: str
    version: int
    verify_url: str
    issuer: str = ""  # the issuing body's full name (domain/profiles.issuing_authority); office_name if empty
    issued_at: datetime | None = None  # the PDF's creation date; registration_date at 00:00 China time if None

    def __post_init__(self) -> None:
        if self.child_order_label not in CHILD_ORDER_LABELS:
            raise ValueError(f"child_order_label must be one of {CHILD_ORDER_LABELS}, got {self.child_order_label!r}")
        if self.born and not isinstance(self.birth_date, date):
            raise ValueError("birth_date is required when born is True")
        if not self.born and self.birth_date is not None:
            raise ValueError("birth_date must be None when born is False")
        if not isinstance(self.registration_date, date):
            raise ValueError("registration_date must be a date")
        if isinstance(self.version, bool) or not isinstance(self.version, int) or self.version < 1:
            raise ValueError(f"version must be an int >= 1, got {self.version!r}")
        if not self.verify_url:
            raise ValueError("verify_url is required (it is encoded in the QR code)")
        if not self.title or not self.registration_number:
            raise ValueError("title and registration_number are required")


# --------------------------------------------------------------------------------------------
# Content: every string the certificate prints, built once and shared with render_floor().


class _Row(NamedTuple):
    """One table row: (label, value) pairs; a single pair spans the full width.

    A value is either text or a tuple of (option, checked) check boxes followed by trailing text.
    """

    cells: tuple


class _Content(NamedTuple):
    title: str
    number: str
    qr_caption: str
    rows: tuple[_Row, ...]
    statement: str
    footer: str
    issuer: str
    issued_on: str
    seal_caption: str


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _content(data: CertificateData) -> _Content:
    order = tuple((label, label == data.child_order_label) for label in CHILD_ORDER_LABELS)
    birth = (("未出生", not data.born), ("已出生", data.born))
    birth_trailer = f"出生日期：{_cn_date(data.birth_date)}" if data.born else ""
    rows = (
        _Row((("登记孩次", (order, "")),)),
        _Row((("出生情况", (birth, birth_trailer)),)),
        _Row((("女方姓名", data.woman_name), ("女方身份证号", data.woman_id))),
        _Row((("女方户籍地", data.woman_hukou),)),
        _Row((("女方居住地", data.woman_residence),)),
        _Row((("男方姓名", data.man_name), ("男方身份证号", data.man_id))),
        _Row((("男方户籍地", data.man_hukou),)),
        _Row((("男方居住地", data.man_residence),)),
        _Row((("登记单位", data.office_name),)),
        _Row((("登记日期", _cn_date(data.registration_date)), ("版本", f"第{data.version}版"))),
    )
    return _Content(
        title=data.title,
        number=f"登记编号：{data.registration_number}",
        qr_caption="扫码查验真伪",
        rows=rows,
        statement=f"说明：{data.validity_statement}",
        # Identifies a printed page on its own (title, number, version), like a form's footer.
        footer=f"{data.title}　登记编号 {data.registration_number}　第{data.version}版",
        issuer=f"登记机关：{data.issuer or data.office_name}",
        issued_on=f"签发日期：{_cn_date(data.registration_date)}",
        seal_caption="电子印章",
    )


def _texts(content: _Content) -> list[str]:
    """All strings of the page, flattened (what render_floor draws)."""
    out = [content.title, content.number, content.qr_caption, content.issuer, content.issued_on, content.seal_caption]
    for row in content.rows:
        for label, value in row.cells:
            out.append(label)
            if isinstance(value, tuple):
                options, trailer = value
                out.extend(option for option, _ in options)
                if trailer:
                    out.append(trailer)
            else:
                out.append(value)
    out.append(content.statement)
    out.append(content.footer)
    return out


# --------------------------------------------------------------------------------------------
# Fonts: registered once per process (parsing the 4 MB CJK font costs ~80-140 ms).


class Fonts(NamedTuple):
    cjk: str  # reportlab font names
    latin: str
    cjk_chars: dict  # code point -> glyph id, i.e. what the CJK font can draw
    latin_chars: dict


_FONTS: dict[tuple[str, str], Fonts] = {}
_FONTS_LOCK = threading.Lock()
# reportlab's registered fonts are shared by every document of the process and are not safe for
# two documents at once: the subsetting reads the font file through one shared cursor (measured:
# 4 KeyError/IndexError in 240 renders on 6 threads). A Lambda container renders one document at
# a time anyway; a process with threads (the local stack) renders them one after the other.
_RENDER_LOCK = threading.Lock()


def one_render_at_a_time(render: Callable[..., bytes]) -> Callable[..., bytes]:
    @functools.wraps(render)
    def locked(*args: Any, **kwargs: Any) -> bytes:
        with _RENDER_LOCK:
            return render(*args, **kwargs)

    return locked


def _font_paths() -> tuple[str, str]:
    return (
        os.environ.get(CJK_FONT_ENV) or str(DEFAULT_CJK_FONT_PATH),
        os.environ.get(LATIN_FONT_ENV) or str(DEFAULT_LATIN_FONT_PATH),
    )


def load_fonts() -> Fonts:
    paths = _font_paths()
    fonts = _FONTS.get(paths)
    if fonts is None:
        with _FONTS_LOCK:
            fonts = _FONTS.get(paths)
            if fonts is None:
                fonts = _FONTS[paths] = _register_fonts(*paths, suffix=len(_FONTS))
    return fonts


def _register_fonts(cjk_path: str, latin_path: str, suffix: int) -> Fonts:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for env, path in ((CJK_FONT_ENV, cjk_path), (LATIN_FONT_ENV, latin_path)):
        if not os.path.isfile(path):
            raise FileNotFoundError(f"certificate font not found: {path} (set {env} or ship assets/fonts/)")
    # asciiReadable=False: otherwise every subset starts with all 95 printable ASCII glyphs
    # (18 KB of Vera for the ~20 Latin characters a certificate uses). Text stays extractable
    # through the ToUnicode map reportlab writes for each subset.
    cjk = TTFont(f"CertCJK{suffix}", cjk_path, asciiReadable=False)
    latin = TTFont(f"CertLatin{suffix}", latin_path, asciiReadable=False)
    pdfmetrics.registerFont(cjk)
    pdfmetrics.registerFont(latin)
    return Fonts(cjk.fontName, latin.fontName, cjk.face.charToGlyph, latin.face.charToGlyph)


def _runs(text: str, fonts: Fonts) -> list[tuple[str, str]]:
    """Split text into (font name, substring) runs: CJK font where it has the glyph, else Latin."""
    cjk_chars, latin_chars = fonts.cjk_chars, fonts.latin_chars
    runs: list[tuple[str, str]] = []
    start, current = 0, None
    for i, ch in enumerate(text):
        code = ord(ch)
        font = fonts.latin if code not in cjk_chars and code in latin_chars else fonts.cjk
        if font != current:
            if current is not None:
                runs.append((current, text[start:i]))
            start, current = i, font
    if current is not None:
        runs.append((current, text[start:]))
    return runs


# --------------------------------------------------------------------------------------------
# Drawing helpers shared by the certificate and the floor.


def _pdf_date(data: CertificateData) -> str:
    """The certificate's issue time as a PDF date (D:YYYYMMDDHHmmSS+08'00')."""
    from chalicelib.domain.tz import SHANGHAI as CHINA_TZ

    at = data.issued_at or datetime(data.registration_date.year, data.registration_date.month, data.registration_date.day)
    at = at.replace(tzinfo=CHINA_TZ) if at.tzinfo is None else at.astimezone(CHINA_TZ)
    offset = at.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return f"D:{at:%Y%m%d%H%M%S}{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _new_canvas(buffer, data: CertificateData, fonts: Fonts):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    # invariant=1: fixed document id, so the same data gives the same bytes; the creation date is
    # the certificate's issue time (not reportlab's invariant 2000-01-01, not the render time).
    # initialFontName: otherwise the page references an unembedded Helvetica it never uses.
    canvas = Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=fonts.latin, lang="zh-CN")
    created = _pdf_date(data)
    canvas.setDateFormatter(lambda *_: created)
    canvas.setTitle(data.title)
    canvas.setSubject(f"生育登记电子证件　登记编号：{data.registration_number}　第{data.version}版")
    canvas.setAuthor(data.issuer or data.office_name)
    canvas.setKeywords(["生育登记", data.title, data.registration_number])
    canvas.setCreator("生育登记网上便民服务")
    return canvas


QR_MASK = 2


def qr_modules(url: str) -> list[list[bool]]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    # A fixed mask: choosing the best of the 8 (penalty scoring of each) took 14.6 of the 22 ms of
    # a certificate; any mask decodes (ISO/IEC 18004 §7.8), the choice only lowers the penalty
    # score. Mask 2 (vertical stripes every third column) scores well on these URLs and is
    # checked to decode (tests/unit/documents, with zbar).
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.modules


def draw_qr(canvas, modules: list[list[bool]], x: float, y: float, size: float) -> None:
    """Dark modules as one filled path of horizontal runs: vector (sharp at any zoom, unlike an
    upscaled bitmap that viewers smooth), a few KB, and no seams between modules. The operators are
    formatted here rather than through reportlab's path object, whose per-number formatting made
    this the slowest step of the page."""
    n = len(modules)
    m = size / n
    ops = ["q 0 g"]
    for r, row in enumerate(modules):
        bottom = y + size - (r + 1) * m
        start = None
        for col in range(n + 1):
            dark = col < n and row[col]
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                ops.append(f"{x + start * m:.2f} {bottom:.2f} {(col - start) * m:.2f} {m:.2f} re")
                start = None
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))


class Writer:
    """Text on one page: a single text object per weight, mixed-font runs, widths and wrapping."""

    def __init__(self, canvas, fonts: Fonts):
        from reportlab.pdfbase.pdfmetrics import getFont

        self.canvas = canvas
        self.fonts = fonts
        self._font = {fonts.cjk: getFont(fonts.cjk), fonts.latin: getFont(fonts.latin)}
        self.normal = canvas.beginText()
        self.bold = None
        self._style = {}  # text object -> (gray, char space) last set, to emit operators only on change

    def width(self, text: str, size: float) -> float:
        return sum(self._font[f].stringWidth(t, size) for f, t in _runs(text, self.fonts))

    def draw(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        align: str = "left",
        bold: bool = False,
        gray: float = 0.0,
        char_space: float = 0.0,
    ) -> None:
        if not text:
            return
        if align != "left":
            w = self.width(text, size) + char_space * (len(text) - 1)
            x -= w if align == "right" else w / 2
        if bold:
            if self.bold is None:
                self.bold = self.canvas.beginText()
                self.bold.setTextRenderMode(2)  # fill + stroke: a heavier title from a one-weight font
            t = self.bold
        else:
            t = self.normal
        if self._style.get(id(t)) != (gray, char_space):
            t.setFillGray(gray)
            t.setCharSpace(char_space)
            self._style[id(t)] = (gray, char_space)
        t.setTextOrigin(x, y)
        for font, run in _runs(text, self.fonts):
            t.setFont(font, size)
            t.textOut(run)

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        """Greedy line breaking: between any two Chinese characters, but not inside a run of
        Latin letters/digits (an ID or house number) unless that run is longer than a line; keeps
        closing punctuation off the start of a line."""
        lines: list[str] = []
        line, used = "", 0.0
        for token in _TOKENS.findall(text):
            tw = self.width(token, size)
            if len(token) > 1 and tw > width:  # a word longer than a line: break it anywhere
                pieces = list(token)
            else:
                pieces = [token]
            for piece in pieces:
                pw = tw if len(pieces) == 1 else self.width(piece, size)
                if line and used + pw > width:
                    if piece[0] in _NO_LINE_START and len(line) > 1:
                        lines.append(line[:-1])
                        line = line[-1]
                        used = self.width(line, size)
                    else:
                        lines.append(line)
                        line, used = "", 0.0
                line += piece
                used += pw
        if line or not lines:
            lines.append(line)
        return lines

    def finish(self) -> None:
        self.canvas.drawText(self.normal)
        if self.bold is not None:
            self.canvas.saveState()
            self.canvas.setLineWidth(0.45)
            self.canvas.setStrokeGray(0)
            self.canvas.drawText(self.bold)
            self.canvas.restoreState()


_NO_LINE_START = set("，。、；：？！）》」』”’,.;:?!)")
_TOKENS = re.compile(r"[0-9A-Za-z*#\-]+|.", re.S)


# --------------------------------------------------------------------------------------------
# Layout (points; A4 = 595.28 x 841.89, origin bottom left).

_PAGE_W, _PAGE_H = 595.2756, 841.8898
_LEFT = 62.0
_RIGHT = _PAGE_W - 62.0
# Four columns: label | value | label | value. The second value column is wider so that an
# 18-character ID number fits on one line.
_COLUMNS = (88.0, 130.0, 92.0, _RIGHT - _LEFT - 88.0 - 130.0 - 92.0)
# Table type sizes, largest first: long addresses shrink the table rather than push it into the
# footer. (size, leading, padding, minimum row height)
_TABLE_TYPE = ((11.5, 16.0, 8.0, 38.0), (10.5, 14.5, 7.0, 33.0), (9.5, 13.0, 6.0, 28.0), (8.5, 11.5, 5.0, 24.0))
_BASELINE = 0.36  # baseline offset below the visual centre of a CJK line, in em
_STATEMENT_SIZE, _STATEMENT_LEADING = 10.5, 18.0
_FOOTER_RULE_Y = 58.0
_SEAL_R = 40.0  # the electronic-seal ring, a 28 mm circle
_SEAL_BLOCK = 2 * _SEAL_R + 12


def _qr_size(modules: list) -> float:
    """96 pt (34 mm) square, larger for long URLs so a module stays >= 1.6 pt (0.56 mm): dense
    codes stay readable from a 100 dpi scan or a phone camera. Keep verify_url short anyway."""
    return min(150.0, max(96.0, 1.6 * len(modules)))


def _fit(w: Writer, text: str, size: float, width: float, char_space: float = 0.0) -> float:
    """Largest size <= size at which text fits on one line of width (titles, numbers)."""
    natural = w.width(text, size) + char_space * (len(text) - 1)
    return size if natural <= width else size * width / natural


def _layout_table(w: Writer, rows, type_: tuple) -> tuple[list, list]:
    size, leading, pad, row_min = type_
    full_w = _RIGHT - _LEFT
    heights, laid = [], []
    for row in rows:
        if len(row.cells) == 1:
            widths = [(_COLUMNS[0], full_w - _COLUMNS[0])]
        else:
            widths = [(_COLUMNS[0], _COLUMNS[1]), (_COLUMNS[2], _COLUMNS[3])]
        cells = []
        for (label, value), (lw, vw) in zip(row.cells, widths, strict=True):
            lines = [value] if isinstance(value, tuple) else w.wrap(value, size, vw - 2 * pad)
            cells.append((label, lines, lw, vw))
        heights.append(max(row_min, max(len(c[1]) for c in cells) * leading + 2 * pad))
        laid.append(cells)
    return heights, laid


@one_render_at_a_time
def render_certificate(data: CertificateData) -> bytes:
    """The certificate as an A4 PDF (one page, fonts embedded as subsets, deterministic bytes).

    Raises ValueError if the fields are too long to fit one page even at the smallest table type.
    """
    import io

    fonts = load_fonts()
    content = _content(data)
    modules = qr_modules(data.verify_url)

    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, data, fonts)
    w = Writer(canvas, fonts)
    full_w = _RIGHT - _LEFT

    # Title, with a double rule under it.
    y = _PAGE_H - 92
    size = _fit(w, content.title, 24, full_w, char_space=2)
    w.draw(_PAGE_W / 2, y, content.title, size, align="center", bold=True, char_space=2)
    y -= 20
    canvas.setLineWidth(1.6)
    canvas.line(_LEFT, y, _RIGHT, y)
    canvas.setLineWidth(0.5)
    canvas.line(_LEFT, y - 3.5, _RIGHT, y - 3.5)

    # Header: registration number on the left, QR code (and its caption) on the right.
    qr = _qr_size(modules)
    qr_top = y - 18
    qr_x = _RIGHT - qr
    draw_qr(canvas, modules, qr_x, qr_top - qr, qr)
    w.draw(qr_x + qr / 2, qr_top - qr - 14, content.qr_caption, 9, align="center", gray=0.3)
    size = _fit(w, content.number, 14, full_w - qr - 24)
    w.draw(_LEFT, qr_top - qr / 2 - 0.36 * size, content.number, size)
    top = qr_top - qr - 30

    # Table, at the largest type that leaves room for the statement above the footer.
    statement = w.wrap(content.statement, _STATEMENT_SIZE, full_w)
    room = top - (_FOOTER_RULE_Y + 24 + 26 + len(statement) * _STATEMENT_LEADING + _SEAL_BLOCK)
    for type_ in _TABLE_TYPE:
        heights, laid = _layout_table(w, content.rows, type_)
        if sum(heights) <= room:
            break
    else:
        raise ValueError("certificate fields are too long to fit on one A4 page")
    size, leading, pad, _ = type_
    bottom = top - sum(heights)

    shade = canvas.beginPath()
    grid = canvas.beginPath()
    boxes = canvas.beginPath()
    ticks = canvas.beginPath()
    row_top = top
    for cells, h in zip(laid, heights, strict=True):
        row_bottom = row_top - h
        mid = row_top - h / 2
        if row_top != top:
            grid.moveTo(_LEFT, row_top)
            grid.lineTo(_RIGHT, row_top)
        x = _LEFT
        for label, lines, lw, vw in cells:
            shade.rect(x, row_bottom, lw, h)
            w.draw(x + lw / 2, mid - _BASELINE * size, label, size, align="center")
            vx = x + lw
            grid.moveTo(vx, row_top)
            grid.lineTo(vx, row_bottom)
            if x != _LEFT:
                grid.moveTo(x, row_top)
                grid.lineTo(x, row_bottom)
            first = mid + (len(lines) - 1) * leading / 2 - _BASELINE * size
            for i, line in enumerate(lines):
                if isinstance(line, tuple):
                    _draw_checks(w, boxes, ticks, vx + pad, first, line, size)
                else:
                    w.draw(vx + pad, first - i * leading, line, size)
            x = vx + vw
        row_top = row_bottom

    canvas.saveState()
    canvas.setFillGray(0.93)
    canvas.drawPath(shade, stroke=0, fill=1)
    canvas.setLineWidth(0.6)
    canvas.drawPath(grid, stroke=1, fill=0)
    canvas.drawPath(boxes, stroke=1, fill=0)
    canvas.setLineWidth(1.2)
    canvas.drawPath(ticks, stroke=1, fill=0)
    canvas.rect(_LEFT, bottom, full_w, top - bottom, stroke=1, fill=0)
    canvas.restoreState()

    # Validity statement under the table.
    y = bottom - 26
    for line in statement:
        w.draw(_LEFT, y, line, _STATEMENT_SIZE)
        y -= _STATEMENT_LEADING

    # 登记机关 and 签发日期 at the bottom right, over the electronic-seal area (a dashed red ring:
    # where the office's electronic seal is applied; the QR code's signature is what proves it).
    cy = y - _SEAL_R - 4
    cx = _RIGHT - _SEAL_R - 40
    canvas.saveState()
    canvas.setStrokeColorRGB(0.75, 0.16, 0.14)
    canvas.setLineWidth(1.2)
    canvas.setDash(4, 2)
    canvas.circle(cx, cy, _SEAL_R, stroke=1, fill=0)
    canvas.restoreState()
    w.draw(cx, cy + _SEAL_R - 16, content.seal_caption, 8, align="center", gray=0.45)
    size = _fit(w, content.issuer, 12, full_w * 0.75)
    w.draw(_RIGHT, cy + 4, content.issuer, size, align="right")
    w.draw(_RIGHT, cy - 16, content.issued_on, 12, align="right")

    # Footer.
    canvas.setLineWidth(0.4)
    canvas.setStrokeGray(0.55)
    canvas.line(_LEFT, _FOOTER_RULE_Y, _RIGHT, _FOOTER_RULE_Y)
    size = _fit(w, content.footer, 8.5, full_w)
    w.draw(_PAGE_W / 2, _FOOTER_RULE_Y - 14, content.footer, size, align="center", gray=0.4)

    w.finish()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_checks(w: Writer, boxes, ticks, x: float, baseline: float, value, size: float) -> None:
    """附件2 prints all options of 登记孩次 / 出生 with the applicable one ticked."""
    options, trailer = value
    box = 0.8 * size
    for option, checked in options:
        by = baseline - 0.1 * size
        boxes.rect(x, by, box, box)
        if checked:
            ticks.moveTo(x + 0.18 * box, by + 0.52 * box)
            ticks.lineTo(x + 0.42 * box, by + 0.22 * box)
            ticks.lineTo(x + 0.86 * box, by + 0.86 * box)
        x += box + 0.35 * size
        w.draw(x, baseline, option, size)
        x += w.width(option, size) + 1.6 * size
    if trailer:
        w.draw(x + 0.9 * size, baseline, trailer, size)


@one_render_at_a_time
def render_floor(data: CertificateData) -> bytes:
    """The cheapest PDF with the same text and QR code: same fonts (embedded subsets), same strings,
    same QR encoding and drawing, same canvas settings, but no layout, wrapping or table styling.
    Benchmarks divide render_certificate() time by this."""
    import io

    fonts = load_fonts()
    modules = qr_modules(data.verify_url)
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, data, fonts)
    text = canvas.beginText()
    y = _PAGE_H - 60
    for s in _texts(_content(data)):
        text.setTextOrigin(40, y)
        for font, run in _runs(s, fonts):
            text.setFont(font, 11)
            text.textOut(run)
        y -= 14
    canvas.drawText(text)
    qr = _qr_size(modules)
    draw_qr(canvas, modules, _RIGHT - qr, _PAGE_H - 60 - qr, qr)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()

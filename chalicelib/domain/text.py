"""Character policy for what people type: names and free text (addresses, comments, reasons).

Why: the API stored names and addresses carrying NUL, control, bidi (U+202E), zero-width
characters, HTML and emoji, and four issued certificates printed a name different from the stored
one (issue 12). The seeds say nothing about which characters a name may hold, so this is a
decision, written down here:

- **Names** (``check_name``): CJK ideographs (the unified blocks and their extensions, as on the
  resident ID card), the middle dot ``·`` between the parts of a transliterated minority or foreign
  name (``阿依古丽·买买提``; look-alike dots ``・ ‧ • ∙ ⋅ ･ ． .`` are normalised to U+00B7), and
  Latin letters (A–Z, a–z, ü as in Hanyu Pinyin, GB/T 28039-2011) for names written in the Latin
  alphabet, with single spaces only between two Latin letters. Full-width forms are folded (NFKC).
  A name starts and ends with a letter or ideograph; two separators never follow each other.
- **Free text** (``check_text``): printable characters only. Refused everywhere: control characters
  (NUL, C0/C1; a line break only where ``multiline``), format characters (bidi controls such as
  U+202E, zero-width characters, the BOM), private-use, unassigned and surrogate code points, line
  and paragraph separators, emoji and their variation selectors, and ``<`` ``>`` (no markup).

Both are pure functions returning the normalised value or raising ``TextRejected`` (a stable code,
a Chinese message and the offending position); ``Name``/``Text`` wrap them as pydantic types.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

NAME_CHARACTERS = "NAME_CHARACTERS"
TEXT_CHARACTERS = "TEXT_CHARACTERS"

MIDDLE_DOT = "\u00b7"
# Dots people type for the separator of a minority name; all mean U+00B7.
_DOT_VARIANTS = str.maketrans({c: MIDDLE_DOT for c in "\u30fb\u2027\u2022\u2219\u22c5\uff65\uff0e\u0387\u2e31."})

_CJK = (
    "\u3400-\u4dbf"  # Extension A
    "\u4e00-\u9fff"  # Unified Ideographs
    "\U00020000-\U0002a6df\U0002a700-\U0002ebef\U00030000-\U0003134f"  # Extensions B-H
    "\u3007"  # 〇 (used in names)
)
_LATIN = "A-Za-z\u00fc\u00dc"
_NAME_RE = re.compile(
    rf"[{_CJK}{_LATIN}]+(?:(?:{MIDDLE_DOT}|(?<=[{_LATIN}]) (?=[{_LATIN}]))[{_CJK}{_LATIN}]+)*"
)
_NAME_CHAR = re.compile(rf"[{_CJK}{_LATIN} {MIDDLE_DOT}]")

# Emoji: the pictographic blocks, dingbats/misc symbols, keycap and variation selectors.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\ufe00-\ufe0f\u20e3\U000e0000-\U000e007f]"
)
_BAD_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


class TextRejected(ValueError):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X}" if not ch.isprintable() or unicodedata.category(ch) in _BAD_CATEGORIES else f"“{ch}”"


def normalise_name(value: str) -> str:
    return unicodedata.normalize("NFKC", value).translate(_DOT_VARIANTS).strip()


def check_name(value: str) -> str:
    """The normalised name, or ``TextRejected(NAME_CHARACTERS)``."""
    name = normalise_name(value)
    if _NAME_RE.fullmatch(name):
        return name
    for i, ch in enumerate(name, start=1):
        if not _NAME_CHAR.fullmatch(ch):
            raise TextRejected(
                NAME_CHARACTERS, f"姓名只能包含汉字、拉丁字母和间隔号“·”，第{i}个字符 {_describe(ch)} 不允许"
            )
    raise TextRejected(NAME_CHARACTERS, "姓名格式不正确：间隔号“·”或空格只能出现在两个字之间，且不能连续出现")


def check_text(value: str, *, multiline: bool = False) -> str:
    """``value`` (NFC) if every character is printable text, else ``TextRejected(TEXT_CHARACTERS)``."""
    text = unicodedata.normalize("NFC", value)
    for i, ch in enumerate(text, start=1):
        if multiline and ch in "\n\t":
            continue
        if ch in "<>" or _EMOJI.match(ch) or unicodedata.category(ch) in _BAD_CATEGORIES:
            raise TextRejected(
                TEXT_CHARACTERS,
                f"第{i}个字符 {_describe(ch)} 不允许：不能包含控制字符、不可见字符、表情符号或尖括号",
            )
    return text


def _pydantic(check):
    def validate(value: str) -> str:
        try:
            return check(value)
        except TextRejected as exc:
            raise PydanticCustomError(exc.code, exc.message) from None

    return validate


def _multiline(value: str) -> str:
    return check_text(value, multiline=True)


# pydantic field types: ``Name`` for people's names, ``Text`` for one-line text (addresses,
# employers), ``LongText`` for comments and reasons (line breaks allowed).
Name = Annotated[str, Field(min_length=1, max_length=50), AfterValidator(_pydantic(check_name))]
Text = AfterValidator(_pydantic(check_text))
LongText = AfterValidator(_pydantic(_multiline))


__all__ = ["NAME_CHARACTERS", "TEXT_CHARACTERS", "LongText", "Name", "Text", "TextRejected", "check_name", "check_text"]

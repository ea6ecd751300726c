"""Character policy (domain/text.py): names and free text, and the form fields that use it."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import text
from chalicelib.domain.demo import demo_registration
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.form import parse_registration

TODAY = date(2026, 5, 6)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("李娟", "李娟"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),  # katakana middle dot
        ("阿依古丽•买买提", "阿依古丽·买买提"),  # bullet
        ("阿依古丽．买买提", "阿依古丽·买买提"),  # full-width full stop
        ("Zhang Wei", "Zhang Wei"),
        ("Ｌｉ　Ｌｅｉ", "Li Lei"),  # full-width letters and ideographic space folded
        ("Lü Xin", "Lü Xin"),
        ("王〇", "王〇"),
        ("𠀾明", "𠀾明"),  # Extension B ideograph
    ],
)
def test_names_accepted_and_normalised(typed, stored):
    assert text.check_name(typed) == stored


# The four certificates of issue 12 whose PDF printed another name than the stored one, and the rest
# of the findings: NUL, control, bidi, zero-width, HTML, emoji.
@pytest.mark.parametrize(
    "name",
    [
        "张\x00三",
        "李\u202e娟王",
        "王\u200b芳",
        "陈静😀",
        "张\x07三",
        "<b>李娟</b>",
        "李娟1",
        "张 三",  # a space only between Latin letters
        "·李娟",
        "阿依古丽··买买提",
        "Zhang  Wei",
        "张\ufe0f三",
    ],
)
def test_names_refused(name):
    with pytest.raises(text.TextRejected) as exc:
        text.check_name(name)
    assert exc.value.code == "NAME_CHARACTERS"
    assert "姓名" in exc.value.message


@pytest.mark.parametrize("value", ["民族路12号 6栋3单元12室", "人民南路四段（近地铁站）#3", "第1、2栋"])
def test_addresses_accepted(value):
    assert text.check_text(value) == value


@pytest.mark.parametrize(
    "value", ["民族路\x00号", "民族路\u202e12号", "民族路\u200d12号", "<script>alert(1)</script>", "民族路🏠", "a\nb", "\ufeff民族路"]
)
def test_free_text_refused(value):
    with pytest.raises(text.TextRejected) as exc:
        text.check_text(value)
    assert exc.value.code == "TEXT_CHARACTERS"
    assert "不允许" in exc.value.message


def test_comments_may_have_line_breaks_but_nothing_else_invisible():
    assert text.check_text("办理很快\n谢谢", multiline=True) == "办理很快\n谢谢"
    with pytest.raises(text.TextRejected):
        text.check_text("办理很快\u2028谢谢", multiline=True)


@given(st.text(max_size=12))
def test_an_accepted_name_holds_only_ideographs_latin_letters_dots_and_spaces(typed):
    try:
        name = text.check_name(typed)
    except text.TextRejected:
        return
    assert name and name == name.strip()
    assert all(text._NAME_CHAR.fullmatch(ch) for ch in name)
    assert "··" not in name and "  " not in name


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        (("woman", "name"), "陈\u202e静", "NAME_CHARACTERS"),
        (("man", "name"), "刘洋\x00", "NAME_CHARACTERS"),
        (("children", 0, "name"), "刘欣然😀", "NAME_CHARACTERS"),
        (("woman", "hukou", "detail"), "民族路<img src=x>", "TEXT_CHARACTERS"),
        (("man", "residence", "detail"), "民族路\u200b12号", "TEXT_CHARACTERS"),
    ],
)
def test_the_form_reports_the_field(path, value, code):
    body = demo_registration("chongqing")
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationFailed) as exc:
        parse_registration(body, today=TODAY)
    assert [(d.path, d.code) for d in exc.value.details] == [(".".join(map(str, path)), code)]


def test_the_form_stores_the_normalised_name():
    body = demo_registration("chongqing")
    body["woman"]["name"] = "阿依古丽・买买提"
    assert parse_registration(body, today=TODAY).woman.name == "阿依古丽·买买提"

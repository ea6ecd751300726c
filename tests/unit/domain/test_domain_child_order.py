"""登记孩次 / 生养孩次 (002 二, 002 附件1 说明, 002 附件2 labels)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.child_order import compute_child_order, order_label
from chalicelib.domain.demo import demo_registration
from chalicelib.domain.form import parse_registration

TODAY = date(2026, 5, 6)


def child(i, born, relation="joint", health="healthy"):
    return {
        "name": "孩子" + "".join("〇一二三四五六七八九"[int(d)] for d in str(i)),
        "id_number": None,
        "birth_date": born,
        "sex": "female" if i % 2 else "male",
        "birthplace_code": "500103",
        "relation": relation,
        "health": health,
        "disability_certificate": "CERT" + str(i) if health == "disabled" else None,
    }


NOT_PREGNANT = {"status": "not_pregnant", "weeks": None, "birth_date": None}


def order(children, pregnancy=None, **extra):
    overrides = {"children": children, **extra}
    if pregnancy is not None:
        overrides["pregnancy"] = pregnancy
    form = parse_registration(demo_registration("chongqing", **overrides), today=TODAY)
    return compute_child_order(form)


# 002 二(一) "夫妻共同生育一孩、二孩、三孩的分别登记一孩、二孩、三孩；再婚夫妻再婚前所生育子女不合并计算登记孩次。"
# 002 二(二) "依法再生育子女的，根据共同生育的存活子女数孩次进行再生育登记。"
# 002 附件1 说明 "“登记孩次”为夫妻共同生育子女孩次，“生养孩次”为夫妻（含再婚夫妻与前配偶）所有生养子女合计孩次。"
TABLE = [
    # (case, children, pregnancy, extra, registration, label, upbringing, rebirth)
    ("no children yet", [], NOT_PREGNANT, {}, 1, "一孩", 1, False),
    ("one joint child, pregnant", [child(1, "2022-01-01")], None, {}, 2, "二孩", 2, False),
    (
        "earlier-marriage children do not count for 登记孩次",
        [child(1, "2022-01-01"), child(2, "2012-01-01", "woman"), child(3, "2011-01-01", "man")],
        None,
        {},
        2,
        "二孩",
        4,
        False,
    ),
    ("two joint children -> 三孩", [child(1, "2020-01-01"), child(2, "2022-01-01")], None, {}, 3, "三孩", 3, False),
    (
        "three joint -> 四孩及以上 label",
        [child(1, "2018-01-01"), child(2, "2020-01-01"), child(3, "2022-01-01")],
        None,
        {},
        4,
        "四孩及以上",
        4,
        False,
    ),
    (
        "re-birth counts surviving joint children only",
        [child(1, "2018-01-01"), child(2, "2020-01-01", health="deceased"), child(3, "2022-01-01")],
        None,
        {"application.rebirth_reason": "child_deceased"},
        3,
        "三孩",
        4,
        True,
    ),
    (
        "re-birth: a disabled child is alive and counts",
        [child(1, "2018-01-01"), child(2, "2020-01-01", health="disabled"), child(3, "2022-01-01")],
        None,
        {"application.rebirth_reason": "child_disabled"},
        4,
        "四孩及以上",
        4,
        True,
    ),
    (
        # 002 一(二) "已经生育三个子女的夫妻…可以依法再生育": with two children there is no re-birth; the
        # flag changes nothing and the child is an ordinary 三孩 (002 二(一)), the deceased child counted
        "re-birth flag with two joint children does not change the count",
        [child(1, "2018-01-01", health="deceased"), child(2, "2020-01-01")],
        None,
        {"application.rebirth_reason": "child_deceased"},
        3,
        "三孩",
        3,
        False,
    ),
    (
        "re-birth flag with one joint child does not change the count",
        [child(1, "2018-01-01", health="disabled")],
        None,
        {"application.rebirth_reason": "child_disabled"},
        2,
        "二孩",
        2,
        False,
    ),
    (
        "delivered child listed among children is not counted twice",
        [child(1, "2022-01-01"), child(2, "2026-04-01")],
        {"status": "delivered", "weeks": None, "birth_date": "2026-04-01"},
        {"application.type": "late"},
        2,
        "二孩",
        2,
        False,
    ),
    (
        "delivered child not listed adds one",
        [child(1, "2022-01-01")],
        {"status": "delivered", "weeks": None, "birth_date": "2026-04-01"},
        {"application.type": "late"},
        2,
        "二孩",
        2,
        False,
    ),
    (
        "delivered twins listed with the same date are one birth",
        [child(1, "2022-01-01"), child(2, "2026-04-01"), child(3, "2026-04-01")],
        {"status": "delivered", "weeks": None, "birth_date": "2026-04-01"},
        {"application.type": "late"},
        2,
        "二孩",
        2,
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "children", "pregnancy", "extra", "registration", "label", "upbringing", "rebirth"),
    TABLE,
    ids=[t[0] for t in TABLE],
)
def test_child_order(case, children, pregnancy, extra, registration, label, upbringing, rebirth):
    o = order(children, pregnancy, **extra)
    assert (o.registration_order, o.registration_label, o.upbringing_order, o.rebirth) == (
        registration,
        label,
        upbringing,
        rebirth,
    )
    assert o.upbringing_label == order_label(upbringing)


def test_subject_listed_flag():
    o = order(
        [child(1, "2026-04-01")],
        {"status": "delivered", "weeks": None, "birth_date": "2026-04-01"},
        **{"application.type": "late"},
    )
    assert o.subject_listed and o.registration_order == 1
    assert o.to_dict()["citation"].startswith("002 二")


@pytest.mark.parametrize(("n", "label"), [(1, "一孩"), (2, "二孩"), (3, "三孩"), (4, "四孩及以上"), (9, "四孩及以上")])
def test_labels(n, label):
    # 002 附件2 "登记孩次：一孩 二孩 三孩 四孩及以上"
    assert order_label(n) == label


def test_label_rejects_zero():
    with pytest.raises(ValueError):
        order_label(0)


# ---------------------------------------------------------------- property

KIDS = st.lists(
    st.tuples(st.sampled_from(["joint", "woman", "man"]), st.sampled_from(["healthy", "disabled", "deceased"])),
    max_size=8,
)


@settings(max_examples=120, deadline=None)
@given(KIDS, st.booleans())
def test_earlier_marriage_children_never_count(kids, pregnant):
    children = [
        child(i, (date(2010, 1, 1) + timedelta(days=200 * i)).isoformat(), rel, health)
        for i, (rel, health) in enumerate(kids)
    ]
    preg = None if pregnant else NOT_PREGNANT
    with_all = order(children, preg)
    joint_only = order([c for c in children if c["relation"] == "joint"], preg)
    joint = sum(1 for rel, _ in kids if rel == "joint")
    assert with_all.registration_order == joint_only.registration_order == joint + 1
    assert with_all.upbringing_order == len(kids) + 1


def test_the_profiles_name_the_re_birth_threshold_and_say_where_it_comes_from():
    from chalicelib.domain.profiles import PROFILES

    for profile in PROFILES.values():
        assert profile.rebirth_after_children == 3
    assert PROFILES["chongqing"].citations["rebirth_after_children"].startswith("002 一(二)")
    assert "silent" in PROFILES["sichuan"].citations["rebirth_after_children"]
    assert "silent" in PROFILES["guizhou"].citations["rebirth_after_children"]

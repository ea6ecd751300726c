"""Province-true wording (issue 17): each province's own certificate name in its SMS and portal, the
query page's 查询码 + 姓名 in the SMS, one SMS each, and the issuing body's full name."""

from __future__ import annotations

import pytest

from chalicelib.domain.profiles import PROFILES, issuing_authority

CASE_ID, CODE, NUMBER = "20260506ABCDEF1234", "ABCD2345", "5101042026000001"


@pytest.mark.parametrize("profile", PROFILES.values(), ids=lambda p: p.code)
def test_sms_texts_fit_one_message_and_say_what_the_query_page_asks(profile):
    w = profile.wording
    texts = [
        w.receipt_sms.format(case_id=CASE_ID, query_code=CODE),
        w.registered_sms.format(number=NUMBER),
        w.not_registered_sms.format(case_id=CASE_ID),
    ]
    for text in texts:
        assert len(text) <= 70 and text.startswith("【生育登记】"), text
        assert "查询码和姓名" in text and "办件号和查询码" not in text
    assert w.certificate in w.registered_sms
    assert profile.certificate_title.endswith(w.certificate), "the portal's word is the PDF's title"


@pytest.mark.parametrize("profile", PROFILES.values(), ids=lambda p: p.code)
def test_the_message_after_the_initial_review_fits_one_sms_where_a_second_stage_follows(profile):
    """001 附件1 一 "初审结果状态通知", 附件1 二 "初审通过后…3个工作日内…结果状态通知": said where 初审 is
    followed by another stage (Guizhou, 001 三(一)1(2)(3)); a single-stage province has nothing between."""
    text = profile.wording.initial_review_passed_sms
    if len(profile.review_stages) < 2:
        assert text is None
        return
    days = profile.review_stages[1].working_days
    sms = text.format(case_id=CASE_ID, days=days)
    assert len(sms) <= 70 and sms.startswith("【生育登记】") and CASE_ID in sms and f"{days}个工作日" in sms, sms


def test_wording_differs_where_the_provinces_do():
    words = {code: p.wording for code, p in PROFILES.items()}
    assert words["chongqing"].area == "本市" and words["sichuan"].area == words["guizhou"].area == "本省"
    examples = {code: w.marriage_certificate_example for code, w in words.items()}
    assert examples["guizhou"].startswith("J52") and examples["chongqing"].startswith("J50")
    assert examples["sichuan"].startswith("J51")
    assert PROFILES["guizhou"].to_dict()["wording"]["site"] == "贵州省生育服务网上登记平台"


@pytest.mark.parametrize(
    ("office", "issuer"),
    [
        ("成都市锦江区春熙路街道", "成都市锦江区春熙路街道办事处"),
        ("贵阳市花溪区青岩镇", "贵阳市花溪区青岩镇人民政府"),
        ("某县某乡", "某县某乡人民政府"),
        ("重庆市渝中区人民政府", "重庆市渝中区人民政府"),
    ],
)
def test_issuing_authority_is_the_townships_government_or_street_office(office, issuer):
    assert issuing_authority(office) == issuer


@pytest.mark.parametrize("profile", PROFILES.values(), ids=lambda p: p.code)
def test_every_step_message_fits_one_sms(profile):
    """The messages of each step of the process (issue 14), with the longest values they take."""
    w = profile.wording
    texts = [
        t.format(case_id=CASE_ID, query_code=CODE, due="12月31日前")
        for t in (w.not_matched_sms, w.manual_acceptance_sms, w.proofs_requested_sms, w.proofs_before_issue_sms, w.proofs_overdue_sms)
        if t
    ]
    assert len(texts) >= 3
    for text in texts:
        assert len(text) <= 70 and text.startswith("【生育登记】"), text

"""Which review decisions each province's reviewers may take, where each leads, and on-site uploads
(domain/review_decisions.py, the profile settings ``review_decisions``, ``onsite_verification``,
``onsite_uploads``; domain/routing.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain import profiles, review_decisions, routing
from chalicelib.domain.case_status import ACTIVE_STATUSES, ONSITE_VERIFICATION, status_label

ISSUE = {"issue": True, "update_registry": False}


def _available(profile: profiles.Profile, stage: str, channel: str = "online") -> tuple[str, ...]:
    onsite = profile.onsite_verification.code if profile.onsite_verification else None
    return review_decisions.available(profile.review_decisions, stage=stage, onsite_stage=onsite, uploads=profile.uploads_for(channel))


def test_only_chongqing_reviewers_may_send_a_couple_on_site():
    # 004 (2) "Online registration review requires on-site verification"; 002 五(一)5 "或到登记机构现场核实办理"
    assert "onsite_verification" in _available(profiles.CHONGQING, "review")
    assert "onsite_verification" not in _available(profiles.SICHUAN, "review")
    assert "onsite_verification" not in _available(profiles.GUIZHOU, "initial_review")
    # 002 六 "网上登记…登记机构不需要提交证件材料": no 补充材料 in Chongqing, online or on site
    assert "request_documents" not in _available(profiles.CHONGQING, "review")
    assert "request_documents" in _available(profiles.SICHUAN, "review")


def test_after_the_visit_only_the_outcome_is_left():
    assert _available(profiles.CHONGQING, "onsite_verification") == ("accept", "reject")


def test_routes_of_the_on_site_verification():
    stages = ["review"]
    assert review_decisions.route_after("onsite_verification", stage="review", stages=stages, onsite_stage="onsite_verification") == (
        "review",
        "onsite_verification",
    )
    # after the visit: registered (registry update, then the certificate) or not
    assert review_decisions.route_after("accept", stage="onsite_verification", stages=stages, onsite_stage="onsite_verification") == (
        "update_registry",
        None,
    )
    assert review_decisions.route_after("reject", stage="onsite_verification", stages=stages)[0] == "rejected"


def test_the_visit_stage_is_a_stage_of_the_profile_and_its_status_is_active():
    stage = profiles.CHONGQING.stage("onsite_verification")
    assert stage.configurable and "not in 002/004" in stage.citation  # no seed states the days
    assert ONSITE_VERIFICATION in ACTIVE_STATUSES and status_label(ONSITE_VERIFICATION) == "需现场核实"
    assert "004 (2)" in profiles.CHONGQING.citations["review_decisions"]
    described = profiles.CHONGQING.to_dict()
    assert [d["label"] for d in described["review_decisions"]] == ["通过", "不予登记", "需现场核实"]
    assert profiles.SICHUAN.to_dict()["onsite_verification"] is None


def test_a_decision_or_stage_a_province_cannot_have_is_refused_at_load():
    with pytest.raises(ValueError, match="unknown review decision"):
        profiles.check_review_decisions({"x": replace(profiles.SICHUAN, review_decisions=("accept", "approve"))})
    with pytest.raises(ValueError, match="needs its stage"):
        profiles.check_review_decisions({"x": replace(profiles.SICHUAN, review_decisions=("accept", "onsite_verification"))})
    with pytest.raises(ValueError, match="needs its stage"):
        profiles.check_review_decisions({"x": replace(profiles.CHONGQING, review_decisions=("accept", "reject"))})


def test_chongqing_on_site_cases_ask_for_no_uploads():
    # 002 六 "现场登记带上夫妻双方身份证、结婚证原件（含电子证件）"
    assert not profiles.CHONGQING.uploads_for("onsite") and profiles.CHONGQING.uploads_for("online")
    assert profiles.SICHUAN.uploads_for("onsite")
    assert "002 六" in profiles.CHONGQING.citations["onsite_uploads"]
    # a failed check on such a case goes to the reviewer, not to an upload request
    cq = profiles.CHONGQING
    assert routing.choose_route(cq, failed=["public_security"], problems=[], decision=ISSUE, uploads=cq.uploads_for("onsite")) == "review"
    # online, the same failure is the 比对未通过 notice (002 五(一)5); in Sichuan an upload request (000 §2.3.5)
    assert routing.choose_route(cq, failed=["public_security"], problems=[], decision=ISSUE, uploads=cq.uploads_for("online")) == "not_matched"
    assert routing.choose_route(profiles.SICHUAN, failed=["public_security"], problems=[], decision=ISSUE, uploads=True) == "proofs"

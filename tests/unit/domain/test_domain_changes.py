"""When a citizen may change a submitted registration online (domain/changes.py)."""

from __future__ import annotations

import pytest

from chalicelib.domain import changes
from chalicelib.domain.profiles import get_profile

SICHUAN, GUIZHOU, CHONGQING = (get_profile(p) for p in ("sichuan", "guizhou", "chongqing"))


def _never_asked():
    raise AssertionError("review_started must not be read here")


@pytest.mark.parametrize(
    ("status", "modifications", "expected"),
    [
        ("registered", 0, None),
        ("rejected", 0, None),
        ("registered", 1, changes.EXHAUSTED),
        ("submitted", 0, changes.UNTIL_FINISHED),
        ("checking", 0, changes.UNTIL_FINISHED),
        ("awaiting_review", 0, changes.UNTIL_FINISHED),
        ("awaiting_proofs", 0, changes.NOT_IN_THIS_STATUS),
        ("incomplete", 0, changes.NOT_IN_THIS_STATUS),
    ],
)
def test_sichuan_modifies_a_finished_case_once(status, modifications, expected):
    assert changes.refusal(SICHUAN, status=status, modifications=modifications, review_started=_never_asked) == expected


@pytest.mark.parametrize(
    ("status", "started", "expected"),
    [
        ("awaiting_review", False, None),
        ("awaiting_proofs", False, None),
        ("awaiting_review", True, changes.REVIEW_STARTED),
        ("registered", False, changes.REVIEW_STARTED),
        ("checking", False, changes.CHECKING_NOW),
    ],
)
def test_guizhou_supplements_before_the_review_decides(status, started, expected):
    assert changes.refusal(GUIZHOU, status=status, modifications=3, review_started=lambda: started) == expected


def test_chongqing_offers_no_online_change():
    assert changes.refusal(CHONGQING, status="registered", modifications=0, review_started=_never_asked) == changes.NOT_OFFERED


def test_a_supplement_keeps_the_office_a_modification_may_move_it():
    assert changes.office_change_refused(GUIZHOU, before="520102001", after="520102002")
    assert not changes.office_change_refused(GUIZHOU, before="520102001", after="520102001")
    assert not changes.office_change_refused(SICHUAN, before="510104001", after="510104002")
    # both are checked again like a new submission (000 §2.4.2; a supplement before 初审, 001 附件1 一)
    assert changes.reruns_workflow(SICHUAN) and changes.reruns_workflow(GUIZHOU)
    assert not changes.reruns_workflow(CHONGQING)


def test_only_a_staff_decision_ends_the_time_before_the_initial_review():
    """001 附件1 一 "初审前": an escalation (the deadline passing) or a read is no decision."""
    assert changes.DECISION_ACTIONS == {"review.accept", "review.reject", "review.request_documents", "review.onsite_verification"}
    assert "review.escalated" not in changes.DECISION_ACTIONS and "task.view" not in changes.DECISION_ACTIONS


def test_changed_paths_are_dotted():
    before = {"woman": {"name": "张三", "phone": "13800000000"}, "children": [{"name": "a"}]}
    after = {"woman": {"name": "张三", "phone": "13900000000"}, "children": [{"name": "b"}]}
    assert changes.changed_paths(before, after) == ["children.0.name", "woman.phone"]

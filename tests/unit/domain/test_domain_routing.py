"""The route VerifyRecords takes (domain/routing.py): precedence of the routes, what counts as a
problem at check time, and which document answers which failed check."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from chalicelib.domain import routing
from chalicelib.domain.profiles import CHONGQING, GUIZHOU, SICHUAN
from chalicelib.domain.reasons import Reason

ISSUE = {"issue": True, "update_registry": False, "reason": "CONSISTENT"}
UPDATE = {"issue": True, "update_registry": True, "reason": "FORM_HAS_MORE"}
CONFLICT = {"issue": False, "update_registry": False, "reason": "CONFLICT"}
NO_RECORD = {"issue": False, "update_registry": False, "reason": "UNVERIFIABLE"}


@pytest.mark.parametrize(
    ("failed", "problems", "decision", "route"),
    [
        (["public_security"], [], ISSUE, "proofs"),  # a failed check wins over everything
        (["civil_affairs"], ["X"], CONFLICT, "proofs"),
        ([], ["X"], ISSUE, "review"),  # a rule problem sends a consistent case to a person
        ([], [], CONFLICT, "review"),  # the comparison does not allow issuing
        ([], [], UPDATE, "update_registry"),
        ([], [], ISSUE, "issue"),
    ],
)
def test_route_precedence(failed, problems, decision, route):
    assert routing.choose_route(SICHUAN, failed=failed, problems=problems, decision=decision) == route


@pytest.mark.parametrize(
    ("profile", "route"),
    [
        # 000 §2.3.5 "录入的对象信息没有校验通过的，系统会给出未通过的原因，此时需上传相关证明材料"
        (SICHUAN, "proofs"),
        # 002 五(一)5 "情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理"
        (CHONGQING, "not_matched"),
        # 003 V(B) "If the automatic comparison is unsuccessful … transfer … to the manual acceptance process"
        (GUIZHOU, "review"),
    ],
    ids=lambda v: getattr(v, "code", v),
)
def test_a_failed_identity_check_takes_the_provinces_own_route(profile, route):
    for failed in (["public_security"], ["civil_affairs"], ["public_security", "civil_affairs"]):
        assert routing.choose_route(profile, failed=failed, problems=[], decision=ISSUE) == route


def test_sichuan_registers_directly_when_the_population_registry_does_not_know_the_couple():
    """000 §1 "登记后直接办理生育登记"; §2.3.5 checks 公安 and 民政 only."""
    assert routing.choose_route(SICHUAN, failed=[], problems=[], decision=NO_RECORD) == "issue"
    assert routing.population_confirms(NO_RECORD, SICHUAN)
    # a record that contradicts the form still goes to a person (not in 000: the registry and the form disagree)
    assert routing.choose_route(SICHUAN, failed=[], problems=[], decision=CONFLICT) == "review"
    # where the comparison is one of the checks of direct registration, no record is not enough
    assert routing.choose_route(GUIZHOU, failed=[], problems=[], decision=NO_RECORD) == "review"  # 003 V(B)
    assert not routing.population_confirms(NO_RECORD, GUIZHOU)


def test_proofs_required_before_issue_are_waited_for_then_reviewed():
    """000 §2.3.5 "如果男女双方户籍地均未在四川省内…则需上传其中一方的身份证及在四川省内的现居住证明文件"."""
    required = ["ID_CARD", "RESIDENCE_PROOF"]
    assert routing.choose_route(SICHUAN, failed=[], problems=[], decision=ISSUE, proofs_required=required) == "proofs"
    assert (
        routing.choose_route(SICHUAN, failed=[], problems=[], decision=ISSUE, proofs_required=required, proofs_accepted={"ID_CARD"})
        == "proofs"
    )
    both = routing.choose_route(SICHUAN, failed=[], problems=[], decision=UPDATE, proofs_required=required, proofs_accepted=set(required))
    assert both == "review"  # accepted: a person reads them before issue
    assert routing.proofs_for([], required, {"ID_CARD"}) == ["RESIDENCE_PROOF"]
    assert routing.proofs_for(["public_security"], required, ()) == ["ID_CARD", "RESIDENCE_PROOF"]  # once each


def test_failed_checks_and_their_documents_keep_the_checks_order():
    results = {"civil_affairs": {"status": "mismatch"}, "public_security": {"status": "mismatch"}, "population": {"status": "x"}}
    failed = routing.failed_checks(results, SICHUAN)
    assert failed == ["public_security", "civil_affairs"]
    assert routing.proofs_for(failed) == ["ID_CARD", "MARRIAGE_PROOF"]
    assert routing.failed_checks({"public_security": {"status": "match"}, "civil_affairs": {"status": "match"}}, SICHUAN) == []


def test_an_unverifiable_marriage_follows_the_commitment_only_where_it_prevails():
    """002 五(三) "申请登记信息无法核实确认的以《登记表》承诺信息为准" (Chongqing); 000 §2.3.5 "没有校验通过的" (Sichuan)."""
    results = {"public_security": {"status": "match"}, "civil_affairs": {"status": "unverifiable"}}
    assert routing.failed_checks(results, CHONGQING) == []
    assert routing.failed_checks(results, SICHUAN) == ["civil_affairs"]
    assert routing.failed_checks(results, GUIZHOU) == ["civil_affairs"]
    mismatch = {"public_security": {"status": "mismatch"}, "civil_affairs": {"status": "match"}}
    assert routing.failed_checks(mismatch, CHONGQING) == ["public_security"]


def test_no_province_is_named_in_the_routing():
    """The profile's settings decide (STYLE: no ``if province == ...``)."""
    source = Path(routing.__file__).read_text(encoding="utf-8")
    for named in ("profile.code", "province_code", '"sichuan"', '"guizhou"', '"chongqing"', '"51"', '"52"', '"50"'):
        assert named not in source


def _evaluation(*, eligible=True, onsite=False, office="510104001", order=2):
    return SimpleNamespace(
        eligible=eligible,
        reasons=(Reason("ELIGIBLE_OR_NOT", "解释", "000 §2"),),
        onsite_required=onsite,
        onsite_reasons=(Reason("ONSITE", "须现场办理", "004 (two)"),),
        jurisdiction=SimpleNamespace(office_code=office, rule="000 注 3"),
        child_order=SimpleNamespace(registration_order=order),
    )


def test_no_problem_when_nothing_changed():
    assert routing.problems_at_check(_evaluation(), channel="online", office_code="510104001", child_order=2) == []


def test_reasons_count_only_when_not_eligible_and_onsite_only_online():
    codes = [r.code for r in routing.problems_at_check(_evaluation(eligible=False, onsite=True), channel="online", office_code="510104001", child_order=2)]
    assert codes == ["ELIGIBLE_OR_NOT", "ONSITE"]
    assert routing.problems_at_check(_evaluation(onsite=True), channel="onsite", office_code="510104001", child_order=2) == []


def test_jurisdiction_and_child_order_changes_since_submission():
    problems = routing.problems_at_check(_evaluation(office="510104002", order=3), channel="online", office_code="510104001", child_order=2)
    assert [(r.code, r.citation) for r in problems] == [("JURISDICTION_CHANGED", "000 注 3"), ("CHILD_ORDER_CHANGED", "child_order")]
    # an office the rules cannot decide now is not a change (the submitted one stands)
    assert routing.changes_since_submission(_evaluation(office=None), office_code="510104001", child_order=2) == []

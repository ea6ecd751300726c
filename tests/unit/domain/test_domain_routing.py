"""The route ApplyRules takes (domain/routing.py): precedence of the routes, what counts as a
problem at check time, and which document answers which failed check."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.domain import routing
from chalicelib.domain.reasons import Reason

ISSUE = {"issue": True, "update_registry": False}
UPDATE = {"issue": True, "update_registry": True}
NO_ISSUE = {"issue": False, "update_registry": False}


@pytest.mark.parametrize(
    ("failed", "problems", "decision", "route"),
    [
        (["public_security"], [], ISSUE, "proofs"),  # a failed check wins over everything
        (["civil_affairs"], ["X"], NO_ISSUE, "proofs"),
        ([], ["X"], ISSUE, "review"),  # a rule problem sends a consistent case to a person
        ([], [], NO_ISSUE, "review"),  # the comparison does not allow issuing
        ([], [], UPDATE, "update_registry"),
        ([], [], ISSUE, "issue"),
    ],
)
def test_route_precedence(failed, problems, decision, route):
    assert routing.choose_route(failed=failed, problems=problems, decision=decision) == route


def test_failed_checks_and_their_documents_keep_the_checks_order():
    results = {"civil_affairs": {"status": "not_found"}, "public_security": {"status": "mismatch"}, "population": {"status": "x"}}
    failed = routing.failed_checks(results)
    assert failed == ["public_security", "civil_affairs"]
    assert routing.proofs_for(failed) == ["ID_CARD", "MARRIAGE_PROOF"]
    assert routing.failed_checks({"public_security": {"status": "match"}, "civil_affairs": {"status": "match"}}) == []


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

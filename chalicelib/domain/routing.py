"""Where a case goes after the automated checks: state ``ApplyRules``
(statemachines/registration.asl.json) records the results, this module decides.

Routes, in order of precedence:

- ``wait_window`` — public security answers only in working hours (000 §2.3.5 注
  "公安校验只在正常工作时间范围内开放"): the checks run again when the window opens.
- ``proofs`` — a registry could not confirm the couple's data: the citizen uploads the document that
  proves it (000 §2.3.5 "录入的对象信息没有校验通过的…此时需上传相关证明材料"), ``PROOF_FOR_CHECK``.
- ``review`` — a rule stops an online registration at check time (``problems_at_check``) or the
  comparison with the population registry does not allow issuing (002 五(三)): a person decides.
- ``update_registry`` — "《登记表》信息比系统行政记录记载信息多…应及时增加或更新办证系统信息并视同审核比对一致"
  (002 五(三)): the registry is updated and the case treated as consistent.
- ``issue`` — everything consistent: the certificate is issued with no person involved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .documents import PROOF_FOR_CHECK
from .reasons import Reason

if TYPE_CHECKING:  # pragma: no cover
    from .evaluation import Evaluation

WAIT_WINDOW = "wait_window"
PROOFS = "proofs"
REVIEW = "review"
UPDATE_REGISTRY = "update_registry"
ISSUE = "issue"
ROUTES = (WAIT_WINDOW, PROOFS, REVIEW, UPDATE_REGISTRY, ISSUE)
# Consistent with the registries, or treated as consistent (002 五(三) "视同审核比对一致").
MATCHED = frozenset({ISSUE, UPDATE_REGISTRY})

# The checks whose failure the citizen answers with a document (the population comparison is
# decided by ``domain/comparison.py`` and, when it cannot issue, by a person).
PROOF_CHECKS = tuple(PROOF_FOR_CHECK)


def changes_since_submission(evaluation: Evaluation, *, office_code: str | None, child_order: int) -> list[Reason]:
    """The rules, applied again at check time, no longer give what the case was stored with: the
    office that owns it (jurisdiction) or the child's registration order. The case was accepted on
    the submitted answer, so a person confirms the new one."""
    changed: list[Reason] = []
    office = evaluation.jurisdiction.office_code
    if office and office != office_code:
        changed.append(Reason("JURISDICTION_CHANGED", "归属登记机构与提交时不同，需人工确认", evaluation.jurisdiction.rule))
    if int(evaluation.child_order.registration_order) != int(child_order):
        changed.append(Reason("CHILD_ORDER_CHANGED", "登记孩次与提交时不同，需人工确认", "child_order"))
    return changed


def problems_at_check(evaluation: Evaluation, *, channel: str, office_code: str | None, child_order: int) -> list[Reason]:
    """What would stop the case at check time: not eligible (the evaluation's ``reasons`` explain
    eligibility either way, so they count only then), an online case that must be handled on the
    spot, and the changes since submission."""
    problems = [] if evaluation.eligible else list(evaluation.reasons)
    if evaluation.onsite_required and channel == "online":
        problems += evaluation.onsite_reasons
    return problems + changes_since_submission(evaluation, office_code=office_code, child_order=child_order)


def failed_checks(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The registry checks (``public_security``, ``civil_affairs``) that did not confirm the data."""
    return [system for system in PROOF_CHECKS if results[system]["status"] != "match"]


def choose_route(*, failed: Sequence[str], problems: Sequence[Any], decision: Mapping[str, Any], uploads: bool = True) -> str:
    """The route after checks that ran (``wait_window`` is decided before, from the identity check).
    ``decision``: the population comparison's (``domain/comparison.py``: ``issue``, ``update_registry``).
    ``uploads``: may the couple be asked for documents (``Profile.uploads_for`` the case's channel)?
    Where not (Chongqing on site, 002 六: the originals are shown at the counter), a failed check
    goes to the reviewer."""
    if failed:
        return PROOFS if uploads else REVIEW
    if problems or not decision["issue"]:
        return REVIEW
    if decision["update_registry"]:
        return UPDATE_REGISTRY
    return ISSUE


def proofs_for(failed: Sequence[str]) -> list[str]:
    """The documents that answer the failed checks, in the order of the checks."""
    return [PROOF_FOR_CHECK[system] for system in failed]


__all__ = [
    "ISSUE",
    "MATCHED",
    "PROOFS",
    "REVIEW",
    "ROUTES",
    "UPDATE_REGISTRY",
    "WAIT_WINDOW",
    "changes_since_submission",
    "choose_route",
    "failed_checks",
    "problems_at_check",
    "proofs_for",
]

"""Where a case goes after the automated checks: state ``VerifyRecords``
(statemachines/registration.asl.json) records the results, this module decides from the province's
profile (``domain/profiles.py``: ``failed_check``, ``direct_registration_checks``,
``unverifiable_policy``, ``proofs``) -- no province is named here.

Routes, in order of precedence:

- ``wait_window`` — public security answers only in working hours, where the profile says so
  (``verification_window``; 000 §2.3.5 注): the checks run again when the window opens.
- a failed identity or marriage check (``failed_checks``), by the profile's ``failed_check``:
  ``proofs`` — the citizen uploads the document that proves it (000 §2.3.5 "录入的对象信息没有校验通过的…
  此时需上传相关证明材料", ``PROOF_FOR_CHECK``); ``not_matched`` — the case closes with a 比对未通过 notice
  carrying the reason and the on-site option (002 五(一)5 "情况不属实告知审核比对未通过不能办理或到登记机构
  现场核实办理"); ``review`` — manual acceptance by the township (003 V(B)).
- ``review`` — a rule stops an online registration at check time (``problems_at_check``) or the
  comparison with the population registry does not allow issuing (002 五(三)): a person decides.
  Where the population registry is not among the profile's ``direct_registration_checks`` (Sichuan,
  000 §1 "登记后直接办理生育登记"), only a record that contradicts the form stops the case; no record
  at all does not.
- ``proofs`` (again) — documents the profile requires before issue (``Evaluation.proofs_required``:
  Sichuan's resident spouse, 000 §2.3.5) are still outstanding; once accepted, ``review``: a person
  reads them before issue.
- ``update_registry`` — "《登记表》信息比系统行政记录记载信息多…应及时增加或更新办证系统信息并视同审核比对一致"
  (002 五(三)): the registry is updated and the case treated as consistent.
- ``issue`` — everything consistent: the certificate is issued with no person involved.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .documents import PROOF_FOR_CHECK
from .reasons import Reason

if TYPE_CHECKING:  # pragma: no cover
    from .evaluation import Evaluation
    from .profiles import Profile

WAIT_WINDOW = "wait_window"
PROOFS = "proofs"
REVIEW = "review"
NOT_MATCHED = "not_matched"
UPDATE_REGISTRY = "update_registry"
ISSUE = "issue"
CLOSED = "closed"  # nothing more for this execution to do (Route -> Closed)
ROUTES = (WAIT_WINDOW, PROOFS, REVIEW, NOT_MATCHED, UPDATE_REGISTRY, ISSUE)
# The route each ``Profile.failed_check`` takes.
FAILED_CHECK_ROUTES = {"proofs": PROOFS, "not_matched_notice": NOT_MATCHED, "manual_acceptance": REVIEW}
# The note of a case registered although the population registry does not know the couple.
DIRECT_REGISTRATION_NOTE = "公安、民政校验通过，直接办理生育登记（人口信息系统暂无该夫妇记录）"
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


def failed_checks(results: Mapping[str, Mapping[str, Any]], profile: Profile) -> list[str]:
    """The registry checks (``public_security``, ``civil_affairs``) that did not confirm the data. A
    record the registry cannot check (``unverifiable``) does not count where the commitment prevails
    (002 五(三) "申请登记信息无法核实确认的以《登记表》承诺信息为准")."""
    commitment = profile.unverifiable_policy == "commitment_prevails"
    return [
        system
        for system in PROOF_CHECKS
        if results[system]["status"] != "match" and not (commitment and results[system]["status"] == "unverifiable")
    ]


def population_confirms(decision: Mapping[str, Any], profile: Profile) -> bool:
    """Does the population comparison let the case through? Its own decision, or -- where the
    profile does not require it for direct registration -- the mere absence of a record."""
    if decision["issue"]:
        return True
    return "population" not in profile.direct_registration_checks and decision.get("reason") == "UNVERIFIABLE"


def choose_route(
    profile: Profile,
    *,
    failed: Sequence[str],
    problems: Sequence[Any],
    decision: Mapping[str, Any],
    proofs_required: Sequence[str] = (),
    proofs_accepted: Collection[str] = (),
    uploads: bool = True,
) -> str:
    """The route after checks that ran (``wait_window`` is decided before, from the identity check).
    ``decision``: the population comparison's (``domain/comparison.py``: ``issue``, ``update_registry``);
    ``proofs_required``: the documents the profile requires before issue, ``proofs_accepted``: the
    ones already accepted. ``uploads``: may the couple be asked for documents (``Profile.uploads_for``
    the case's channel)? Where not (Chongqing on site, 002 六: the originals are shown at the counter,
    where staff verify them, 002 五(一)5 "到登记机构现场核实办理"), a failed check goes to the reviewer."""
    if failed:
        return FAILED_CHECK_ROUTES[profile.failed_check] if uploads else REVIEW
    if problems or not population_confirms(decision, profile):
        return REVIEW
    if proofs_required and uploads:
        return PROOFS if set(proofs_required) - set(proofs_accepted) else REVIEW
    if decision["update_registry"]:
        return UPDATE_REGISTRY
    return ISSUE


def proofs_for(failed: Sequence[str], required: Sequence[str] = (), accepted: Collection[str] = ()) -> list[str]:
    """The documents to ask for: those that answer the failed checks, in the order of the checks,
    then those the profile requires before issue that are not accepted yet."""
    wanted = [PROOF_FOR_CHECK[system] for system in failed] + [code for code in required if code not in accepted]
    return list(dict.fromkeys(wanted))


__all__ = [
    "DIRECT_REGISTRATION_NOTE",
    "FAILED_CHECK_ROUTES",
    "ISSUE",
    "MATCHED",
    "NOT_MATCHED",
    "PROOFS",
    "REVIEW",
    "ROUTES",
    "UPDATE_REGISTRY",
    "WAIT_WINDOW",
    "changes_since_submission",
    "choose_route",
    "failed_checks",
    "population_confirms",
    "problems_at_check",
    "proofs_for",
]

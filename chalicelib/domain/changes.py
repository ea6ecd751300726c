"""Whether a citizen may change a submitted registration online, and what changed.

- Sichuan (profile ``modify_once``), 000 §2.4.2 注 "登记信息只允许被修改一次": once the case is
  finished (registered or rejected), once; the new version runs the workflow again.
- Guizhou (profile ``supplement_before_review``), 001 附件1 一 "在填写的登记信息初审前…可对其进行补充、完善":
  while the case waits for the initial review (or for proofs the check asked for) and no staff
  member has decided anything on it, as often as needed; the office stays the same and the
  supplemented version is checked again like a new submission.

When "初审前" ends: at the first staff decision on the case (``DECISION_ACTIONS``: accept,
reject, request documents — the 初审 stage's decision, 001 三(一)1(2) 受理/不受理). Opening the task
is not taking it (a read; a decision on a task a supplement replaced is refused, so nobody decides
on a superseded version), and an escalation of the overdue task is the deadline passing, not a
decision: neither takes the couple's right away.
- Chongqing: neither.

``refusal`` answers why not (a code the use case turns into its error), or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .case_status import AWAITING_PROOFS, AWAITING_REVIEW, CHECKING, REGISTERED, REJECTED, SUBMITTED
from .profiles import Profile
from .review_decisions import DECISIONS

# Sichuan: modifiable once its workflow has finished (000 §2.4.2: offered on a case found by 办件查询).
MODIFIABLE_ONCE = frozenset({REGISTERED, REJECTED})
# Guizhou: before the initial review decides (001 附件1 一 "初审前"): waiting for it, or for proof
# documents the automatic check asked for — and no staff decision on the case yet.
SUPPLEMENTABLE = frozenset({AWAITING_REVIEW, AWAITING_PROOFS})
IN_FLIGHT = frozenset({SUBMITTED, CHECKING})
# The audit actions of a staff decision on a review task (services/workflow/review.decide): the
# first one ends "初审前". ``review.escalated`` is not one of them.
DECISION_ACTIONS = frozenset(f"review.{decision}" for decision in DECISIONS)

# Reasons for ``refusal``.
EXHAUSTED = "EXHAUSTED"  # modify once: done already
UNTIL_FINISHED = "UNTIL_FINISHED"  # modify once: the case is still being handled
NOT_IN_THIS_STATUS = "NOT_IN_THIS_STATUS"  # modify once: a status that cannot be modified
CHECKING_NOW = "CHECKING_NOW"  # supplement: the automatic checks are running
REVIEW_STARTED = "REVIEW_STARTED"  # supplement: staff have started (or finished)
NOT_OFFERED = "NOT_OFFERED"  # the province offers no online change


def refusal(profile: Profile, *, status: str, modifications: int, review_started: Callable[[], bool]) -> str | None:
    """Why the case cannot be changed online now, or ``None``. ``review_started`` is asked only
    when the answer depends on it (it reads the audit log)."""
    if profile.modify_once:
        if modifications >= 1:
            return EXHAUSTED
        if status in IN_FLIGHT or status == AWAITING_REVIEW:
            return UNTIL_FINISHED
        if status not in MODIFIABLE_ONCE:
            return NOT_IN_THIS_STATUS
        return None
    if profile.supplement_before_review:
        if status in IN_FLIGHT:
            return CHECKING_NOW
        if status not in SUPPLEMENTABLE or review_started():
            return REVIEW_STARTED
        return None
    return NOT_OFFERED


def reruns_workflow(profile: Profile) -> bool:
    """A modification and a supplement are checked like a new submission (the workflow runs again):
    the supplemented names, ID numbers or marriage record are what the records must match."""
    return profile.modify_once or profile.supplement_before_review


def office_change_refused(profile: Profile, *, before: str | None, after: str | None) -> bool:
    """A supplement cannot move the case to another office: 初审 belongs to the township the couple
    declared (001 附件1 一 申报登记地; 三(一)1(1) 接收任务)."""
    return profile.supplement_before_review and after != before


def changed_paths(before: Any, after: Any, prefix: str = "") -> list[str]:
    """Dotted paths whose values differ (``woman.name``, ``children.1.birth_date``)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after), key=str):
            out += changed_paths(before.get(key), after.get(key), f"{prefix}{key}.")
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            out += changed_paths(b, a, f"{prefix}{i}.")
        return out
    return [] if before == after else [prefix.rstrip(".")]


__all__ = [
    "DECISION_ACTIONS",
    "IN_FLIGHT",
    "MODIFIABLE_ONCE",
    "SUPPLEMENTABLE",
    "changed_paths",
    "office_change_refused",
    "refusal",
    "reruns_workflow",
]

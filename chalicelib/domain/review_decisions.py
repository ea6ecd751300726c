"""What a reviewer may decide on a review task, what each decision needs, and where the case goes
next (the output of the waiting state ``AwaitReview``, statemachines/registration.asl.json).

- ``accept`` (通过): the next review stage of the province's profile (``Profile.review_stages``,
  e.g. Guizhou's 初审 then 审核), after the last one the registry update and the certificate.
- ``reject`` (不予登记): the case ends, not registered; the reason is required and told to the couple.
- ``request_documents`` (补充材料): the couple uploads the chosen documents, then the same stage
  reviews again; the reason (what is missing) is required.
- ``onsite_verification`` (需现场核实): only where the profile lists it (``Profile.review_decisions``,
  Chongqing: 004 (2) "Online registration review requires on-site verification", 002 五(一)5
  "情况不属实告知审核比对未通过不能办理或到登记机构现场核实办理"). The case waits for the couple's
  visit at its office (the profile's ``onsite_verification`` stage, a review task of its own); after
  the visit staff complete it with ``accept`` (registered) or ``reject``. The reason (what must be
  verified) is required: the couple reads it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .documents import DOCUMENT_LABELS, REVIEW_REQUESTABLE

ACCEPT = "accept"
REJECT = "reject"
REQUEST_DOCUMENTS = "request_documents"
ONSITE_VERIFICATION = "onsite_verification"
DECISIONS = {ACCEPT: "通过", REJECT: "不予登记", REQUEST_DOCUMENTS: "补充材料", ONSITE_VERIFICATION: "需现场核实"}
# What every province's reviewers may decide; a profile adds to it (``Profile.review_decisions``).
COMMON_DECISIONS = (ACCEPT, REJECT, REQUEST_DOCUMENTS)
# After the on-site visit only the outcome is left: registered or not (004 (2); 002 五(二)2
# "情况属实及时办理。情况不属实告知审核比对未通过不能办理及其原因").
AFTER_VISIT = (ACCEPT, REJECT)
REASON_REQUIRED = frozenset({REJECT, REQUEST_DOCUMENTS, ONSITE_VERIFICATION})
MAX_REASON = 200
# The documents a reviewer may ask for, with their labels (one table: domain/documents.py).
REQUESTABLE_DOCUMENTS = {code: DOCUMENT_LABELS[code] for code in REVIEW_REQUESTABLE}


def available(profile_decisions: Sequence[str], *, stage: str, onsite_stage: str | None, uploads: bool) -> tuple[str, ...]:
    """The decisions open at ``stage`` of a case: the profile's list, only accept/reject at the
    on-site verification stage itself, no document request where the couple uploads nothing
    (``uploads``: the profile's answer for the case's channel)."""
    if onsite_stage is not None and stage == onsite_stage:
        return AFTER_VISIT
    return tuple(d for d in profile_decisions if d in DECISIONS and (uploads or d != REQUEST_DOCUMENTS))


def route_after(decision: str, *, stage: str, stages: Sequence[str], onsite_stage: str | None = None) -> tuple[str, str | None]:
    """``(route, next stage)`` after a decision at ``stage``, given the profile's stage codes in
    order. A stage the profile no longer lists counts as its last (the case is not sent round again);
    so does the on-site verification stage: after the visit the case is registered or not."""
    if decision == REJECT:
        return "rejected", None
    if decision == REQUEST_DOCUMENTS:
        return "proofs", stage
    if decision == ONSITE_VERIFICATION:
        return "review", onsite_stage
    index = stages.index(stage) if stage in stages else len(stages) - 1
    if index + 1 < len(stages):
        return "review", stages[index + 1]
    return "update_registry", None  # then issue


__all__ = [
    "ACCEPT",
    "AFTER_VISIT",
    "COMMON_DECISIONS",
    "DECISIONS",
    "MAX_REASON",
    "ONSITE_VERIFICATION",
    "REASON_REQUIRED",
    "REJECT",
    "REQUESTABLE_DOCUMENTS",
    "REQUEST_DOCUMENTS",
    "available",
    "route_after",
]

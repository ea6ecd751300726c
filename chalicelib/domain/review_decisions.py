"""What a reviewer may decide on a review task, what each decision needs, and where the case goes
next (the output of the waiting state ``AwaitReview``, statemachines/registration.asl.json).

- ``accept`` (通过): the next review stage of the province's profile (``Profile.review_stages``,
  e.g. Guizhou's 初审 then 审核), after the last one the registry update and the certificate.
- ``reject`` (不予登记): the case ends, not registered; the reason is required and told to the couple.
- ``request_documents`` (补充材料): the couple uploads the chosen documents, then the same stage
  reviews again; the reason (what is missing) is required.
"""

from __future__ import annotations

from collections.abc import Sequence

from .documents import DOCUMENT_LABELS, REVIEW_REQUESTABLE

ACCEPT = "accept"
REJECT = "reject"
REQUEST_DOCUMENTS = "request_documents"
DECISIONS = {ACCEPT: "通过", REJECT: "不予登记", REQUEST_DOCUMENTS: "补充材料"}
REASON_REQUIRED = frozenset({REJECT, REQUEST_DOCUMENTS})
MAX_REASON = 200
# The documents a reviewer may ask for, with their labels (one table: domain/documents.py).
REQUESTABLE_DOCUMENTS = {code: DOCUMENT_LABELS[code] for code in REVIEW_REQUESTABLE}


def route_after(decision: str, *, stage: str, stages: Sequence[str]) -> tuple[str, str | None]:
    """``(route, next stage)`` after a decision at ``stage``, given the profile's stage codes in
    order. A stage the profile no longer lists counts as its last (the case is not sent round again)."""
    if decision == REJECT:
        return "rejected", None
    if decision == REQUEST_DOCUMENTS:
        return "proofs", stage
    index = stages.index(stage) if stage in stages else len(stages) - 1
    if index + 1 < len(stages):
        return "review", stages[index + 1]
    return "update_registry", None  # then issue


__all__ = ["ACCEPT", "DECISIONS", "MAX_REASON", "REASON_REQUIRED", "REJECT", "REQUESTABLE_DOCUMENTS", "REQUEST_DOCUMENTS", "route_after"]

"""Evaluation of the service (好差评): 000 §2.3.7 "对此次登记的评价和建议"; 002 五(一)7 / 五(二)4
"登记对象可对生育登记服务工作进行'好差评'评价".

One rating per completed case (registered, rejected or closed as incomplete): a score 1–5 and
an optional comment of at most 200 characters, stored on the case with a does-not-exist
condition and counted in the office's statistics (``statistics.record_rating``, once per case).
``summary`` gives staff the ratings of one office from those counters (no read of its cases).
"""

from __future__ import annotations

import logging
from typing import Any

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.domain.case_status import COMPLETED_STATUSES
from chalicelib.services.citizen.access import authorize
from chalicelib.services.shared import statistics
from chalicelib.store.repositories import cases as case_store

log = logging.getLogger("birthreg.ratings")

COMPLETED = COMPLETED_STATUSES  # 办结 (domain/case_status.py)
MAX_COMMENT = 200


class RatingExists(errors.Conflict):
    code = "RATING_EXISTS"
    default_message = "该办件已评价，每个办件只能评价一次"


class CaseNotCompleted(errors.Conflict):
    code = "CASE_NOT_COMPLETED"
    default_message = "办件办结后方可评价"


def _as_dict(rating: Any) -> dict[str, Any] | None:
    if rating is None:
        return None
    return rating.as_dict() if hasattr(rating, "as_dict") else dict(rating)


def view(case: case_store.Case) -> dict[str, Any] | None:
    rating = _as_dict(case.rating)
    if rating is None:
        return None
    return {"score": int(rating["score"]), "comment": rating.get("comment") or "", "at": rating["at"]}


def can_rate(case: case_store.Case) -> bool:
    return case.status in COMPLETED and case.rating is None


def rate(case_id: str, body: dict[str, Any], *, query_code: str | None = None, token: str | None = None) -> dict[str, Any]:
    """``body``: validated by ``api/models.Rating`` (score 1-5, comment of at most MAX_COMMENT)."""
    case = authorize(case_id, query_code=query_code, token=token)
    score, comment = body["score"], body.get("comment") or ""
    at = config.now().isoformat(timespec="seconds")
    rating = {"score": score, "comment": comment, "at": at}
    if case.rating is not None:
        raise RatingExists()
    if case.status not in COMPLETED:
        raise CaseNotCompleted()
    # One conditional write that does not move the case's version (store/cases.CaseAttachments).
    if not case_store.record_rating(case.case_id, rating, completed_statuses=COMPLETED):
        current = case_store.get(case.case_id)
        raise (RatingExists() if current.rating is not None else CaseNotCompleted()) from None
    _count(case, score, at, comment)
    return {"case_id": case.case_id, **rating}


def _count(case: case_store.Case, score: int, at: str, comment: str) -> None:
    """Add the rating to the office's statistics counters (services/shared/statistics.py). The rating on
    the case is the record; a failed counter is logged, not an error."""
    try:
        statistics.record_rating(case.office_code, score, case_id=case.case_id, at=at, comment=comment)
    except Exception:
        log.exception("rating counter not updated", extra={"case_id": case.case_id})


def summary(office_code: str) -> dict[str, Any]:
    """Ratings of one office's cases this year (for staff statistics): count, average, distribution,
    latest comments — from counters kept on write (services/shared/statistics.py), not from the cases."""
    return statistics.ratings_summary(office_code)

"""Staff find a case (issue 15 item 6, issue 14 item 3): by its case id, or by either spouse's ID
number -- 003 V(D): a couple that lost its query code is looked up at the township.

ID numbers are never stored in clear for this: each case carries a keyed hash of each spouse's
number (``citizen/access.person_key``) on two KEYS_ONLY indexes (store/cases.py ``WomanIdIndex``,
``ManIdIndex``): a search is two Queries and one BatchGetItem of at most ``MAX_RESULTS`` cases,
whatever the size of the office.

Jurisdiction: a case is found only if the staff member could act on it (``auth.reaches``: its
own area; a township operator, any office of its province, 001 三(一)3(2)). A case outside it
is answered exactly like a case that does not exist -- 404 ``CASE_NOT_FOUND`` with the same
message --, so a search never tells whether another area's couple has a case. Every search is
audited (the ID number only as its keyed hash). A waiting case's row names its open task
(``open_task_id``), which the console links to.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import auth
from chalicelib.domain import errors, hierarchy, idcard
from chalicelib.domain.case_status import status_label
from chalicelib.services.citizen.access import person_key, person_keys
from chalicelib.services.workflow import review
from chalicelib.store.repositories import audit
from chalicelib.store.repositories import cases as case_store

MAX_RESULTS = 20


def _not_found() -> errors.NotFound:
    return errors.NotFound("本辖区内未找到相符的办件，请核对办件号或身份证号", code="CASE_NOT_FOUND")


def _row(case: case_store.Case, principal: auth.StaffPrincipal) -> dict[str, Any]:
    # the open task of a waiting case (its review or its proofs request), for the link to it: one
    # GetItem for a waiting case only, at most MAX_RESULTS
    task = review.waiting_task(case)
    return {
        "case_id": case.case_id,
        "status": case.status,
        "status_label": status_label(case.status),
        "office_code": case.office_code,
        "office_name": hierarchy.name_of(case.office_code),
        "created_at": case.created_at,
        "open_task_id": task.task_id if task is not None else None,
        **review.applicant(case, principal),
    }


def _matching(body: dict[str, Any]) -> tuple[str, list[str]]:
    """(what was searched, the candidate case ids) of a search body with exactly one criterion."""
    case_id, id_number = body.get("case_id"), body.get("id_number")
    if bool(case_id) == bool(id_number):
        message = "请输入办件号或一方的身份证号（二选一）"
        raise errors.ValidationFailed(details=[errors.FieldError("case_id" if not case_id else "id_number", "ONE_OF_REQUIRED", message)])
    if case_id:
        return "case_id", [case_id.upper()]
    number = idcard.require_valid_id(id_number.upper(), path="id_number")
    return "id_number", case_store.by_person(person_key(number), limit=MAX_RESULTS)


def search(principal: auth.StaffPrincipal, body: dict[str, Any]) -> dict[str, Any]:
    """The cases matching ``body`` (``case_id`` or ``id_number``) within the principal's reach,
    newest first; ``CASE_NOT_FOUND`` (404) when none is (absent and out of reach alike)."""
    if principal.role not in auth.CASE_ROLES:
        raise errors.RoleNotAllowed("您的账号角色不能查询办件")
    by, ids = _matching(body)
    found = [c for c in case_store.load(ids) if auth.reaches(principal, c.office_code)]
    searched = {"by": by, "found": len(found)}
    if by == "id_number":
        searched["person_key"] = person_key(body["id_number"].upper())
    audit.append(f"STAFF#{principal.staff_id}", actor=principal.staff_id, action="case.search", detail=searched)
    if not found:
        raise _not_found()
    found.sort(key=lambda c: c.created_at, reverse=True)
    return {"by": by, "cases": [_row(c, principal) for c in found]}


def backfill_person_keys() -> dict[str, int]:
    """Give every case created before the ID-number indexes its spouses' keys (the deployment's
    one-off ``python -m tools.person_keys``). Idempotent: a case that has its keys is not
    written again, so a second run writes nothing; a case whose form lacks a number is skipped."""
    scanned = written = skipped = 0
    for case_id, form_json, woman_key, man_key in case_store.scan_person_keys():
        scanned += 1
        form = json.loads(form_json)
        woman, man = (form.get(p, {}).get("id_number") for p in ("woman", "man"))
        if not woman or not man:
            skipped += 1
            continue
        keys = person_keys(woman, man)
        if keys != (woman_key, man_key) and case_store.set_person_keys(case_id, woman_key=keys[0], man_key=keys[1]):
            written += 1
    return {"scanned": scanned, "written": written, "skipped": skipped}

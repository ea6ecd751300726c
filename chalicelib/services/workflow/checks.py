"""The automated part of the registration workflow (statemachines/registration.asl.json).

- ``verify_records`` — state ``VerifyRecords``: the three lookups below at once (each a registry
  round trip: I/O bound), then ``apply_rules`` on their results -- one Lambda invocation instead
  of four (issue 18: each paid a request, its logs and now and then a cold start).
- ``identity_check`` — public security: names and ID numbers of both spouses against public
  security, only inside the working-hours window (000 §2.3.5 注 "公安校验只在正常工作时间范围内开放");
  outside it the answer is ``window_closed`` with the wait until the next window (working-day
  calendar, holidays included).
- ``marriage_check`` — civil affairs: certificate number + both ID numbers + date against
  civil affairs (000 §2.3.5 "结婚证号…查验…四川民政信息").
- ``auto_compare`` — population registry: two-way comparison of the children with the population
  registry (002 五(三); 003 (B)), decided by ``chalicelib.domain.comparison`` and the profile.
- ``apply_rules`` — records the three results on the case, applies the domain
  rules again (eligibility, jurisdiction, child order: ``domain.evaluation.evaluate``, the same
  function as at submission) and takes the route the domain chooses from the province's profile
  (``domain/routing.py``): ``wait_window``, ``proofs``, ``review``, ``not_matched``,
  ``update_registry`` or ``issue``. ``not_matched`` closes the case here with its notice (the
  reasons, the on-site option; Notify sends the SMS); a failed check that goes to manual
  acceptance sends the profile's SMS with the query code (003 V(B)).
- ``update_registry`` — state ``UpdateRegistry``: "《登记表》信息比系统行政记录记载信息多…应及时增加或
  更新办证系统信息并视同审核比对一致" (002 五(三)).

The three lookups only read; ``apply_rules`` is the one writer. A failed lookup fails the whole
step before anything is written, and the step's Retry runs it all again: the lookups read, and
``apply_rules`` is idempotent (the statistics count once per case, the SMS goes through the outbox
under an event id; a second run records the status and the checks again, with one more history
line). A run that finds the case past its checks (waiting for a person, registered, closed: a
second execution of the same start) changes nothing and ends (``VERIFIED_STATUSES``).
"""

from __future__ import annotations

import contextvars
import json
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from chalicelib import config, observability
from chalicelib.adapters import civil_affairs, population, public_security
from chalicelib.domain import comparison, routing
from chalicelib.domain.case_status import NOT_MATCHED
from chalicelib.domain.evaluation import evaluate
from chalicelib.domain.form import RegistrationForm
from chalicelib.domain.profiles import get_profile
from chalicelib.services.shared import statistics, working_calendar
from chalicelib.services.workflow import notifications, review
from chalicelib.store.repositories import audit
from chalicelib.store.repositories import cases as case_store

_ROLE = {"woman": "女方", "man": "男方"}
IDENTITY_MESSAGES = {
    "not_found": ("IDENTITY_NOT_FOUND", "id_number", "身份证号码未能在公安信息中查到"),
    "name_mismatch": ("IDENTITY_NAME_MISMATCH", "name", "姓名与身份证号码不一致"),
}
MARRIAGE_MESSAGES = {
    "not_found": ("MARRIAGE_NOT_FOUND", "marriage.certificate_number", "结婚证号未能在民政婚姻登记信息中查到"),
    "parties_mismatch": ("MARRIAGE_PARTIES_MISMATCH", "marriage.certificate_number", "结婚证登记的当事人与填写的男女双方不一致"),
    "date_mismatch": ("MARRIAGE_DATE_MISMATCH", "marriage.date", "结婚登记日期与民政记录不一致"),
    "unverifiable": ("MARRIAGE_UNVERIFIABLE", "marriage.certificate_number", "结婚登记不在本省民政信息中，无法核验"),
}
COMPARE_MESSAGES = {
    "FORM_HAS_LESS": ("REGISTRY_FORM_HAS_LESS", "children"),
    "CONFLICT": ("REGISTRY_CONFLICT", "children"),
    "UNVERIFIABLE": ("REGISTRY_UNVERIFIABLE", "children"),
}


def _form(case: case_store.Case):
    return RegistrationForm.model_validate_json(case.form_json)


def _iso(dt) -> str:
    return dt.isoformat(timespec="seconds")


# ------------------------------------------------------------------------------ VerifyRecords
# The statuses the checks run on: a new or supplemented case (submitted), one whose identity check
# waited for the working-hours window (checking), one an operator restarts after a failure.
VERIFIED_STATUSES = frozenset({case_store.SUBMITTED, case_store.CHECKING, case_store.NEEDS_ATTENTION})


def verify_records(state: dict[str, Any]) -> dict[str, Any]:
    """The three lookups concurrently, then the rules; returns the next workflow state.

    ``state`` is the workflow state: the case id, and after ``WaitForWindow`` the route
    ``wait_window`` (the window has opened: the identity check runs without asking the clock).
    A lookup that raises fails the step (the first such in this order), once the others have ended,
    with nothing written. A case no longer in ``VERIFIED_STATUSES`` is left as it is (route ``closed``).
    """
    case_id = state["case_id"]
    lookups = (
        partial(identity_check, case_id, window_waited=state.get("route") == routing.WAIT_WINDOW),
        partial(marriage_check, case_id),
        partial(auto_compare, case_id),
    )
    with ThreadPoolExecutor(max_workers=len(lookups), thread_name_prefix="verify-records") as pool:
        # each in a copy of this context: the unit's settings (config.unit_environment) and log keys
        futures = [pool.submit(contextvars.copy_context().run, lookup) for lookup in lookups]
        found = [future.result() for future in futures]
    return apply_rules({**state, "checks": found})


# ------------------------------------------------------------------------------ identity (public security)
def identity_check(case_id: str, *, window_waited: bool = False) -> dict[str, Any]:
    now = config.now()
    case = case_store.get(case_id)
    # only where the province's document limits the check to working hours (profile verification_window)
    window = working_calendar.verification_window() if get_profile(case.profile).verification_window else None
    if window is not None and not window_waited:
        opens = working_calendar.calendar().next_window_start(now, window)
        if opens > now:
            return {
                "system": "public_security",
                "status": "window_closed",
                "opens_at": _iso(opens),
                "wait_seconds": config.workflow_seconds((opens - now).total_seconds()),
            }
    form = _form(case)
    queries = [public_security.IdentityQuery(role, p.name, p.id_number) for role, p in form.spouses()]
    answers = public_security.default().verify(queries)
    return {
        "system": "public_security",
        "status": "match" if all(a.status == "match" for a in answers) else "mismatch",
        "people": [{"role": a.role, "status": a.status} for a in answers],
        "checked_at": _iso(now),
    }


# ------------------------------------------------------------------------------ marriage (civil affairs)
def marriage_check(case_id: str) -> dict[str, Any]:
    case = case_store.get(case_id)
    form = _form(case)
    answer = civil_affairs.default().verify(
        civil_affairs.MarriageQuery(
            certificate_number=form.marriage.certificate_number,
            woman_id=form.woman.id_number,
            man_id=form.man.id_number,
            date=form.marriage.date.isoformat(),
            province_code=get_profile(form.profile).province_code,
        )
    )
    status = {"match": "match", "unverifiable": "unverifiable"}.get(answer.status, "mismatch")
    return {"system": "civil_affairs", "status": status, "detail": answer.status, "checked_at": _iso(config.now())}


# ------------------------------------------------------------------------------ comparison (population registry)
def auto_compare(case_id: str) -> dict[str, Any]:
    case = case_store.get(case_id)
    form = _form(case)
    recorded = population.default().household(form.woman.id_number, form.man.id_number)
    result = comparison.compare(
        comparison.form_facts(form.children),
        None if recorded is None else [comparison.ChildFacts(r.name, r.birth_date, r.sex, r.id_number) for r in recorded],
    )
    decision = comparison.decide(result, get_profile(form.profile).unverifiable_policy)
    return {
        "system": "population",
        **result.to_dict(),
        "decision": {
            "issue": decision.issue,
            "update_registry": decision.update_registry,
            "reason": decision.reason,
            "message": decision.message,
            "citation": decision.citation,
        },
        "checked_at": _iso(config.now()),
    }


# ------------------------------------------------------------------------------ rules and route
def _mismatches(identity: dict, marriage: dict, compare: dict, rule_reasons: list[dict]) -> list[dict[str, str]]:
    out = []
    for person in identity.get("people", []):
        if person["status"] in IDENTITY_MESSAGES:
            code, field, message = IDENTITY_MESSAGES[person["status"]]
            out.append({"code": code, "path": f"{person['role']}.{field}", "message": _ROLE[person["role"]] + message})
    if marriage.get("detail") in MARRIAGE_MESSAGES:
        code, path, message = MARRIAGE_MESSAGES[marriage["detail"]]
        out.append({"code": code, "path": path, "message": message})
    reason = compare.get("decision", {}).get("reason")
    if reason in COMPARE_MESSAGES:
        code, path = COMPARE_MESSAGES[reason]
        out.append({"code": code, "path": path, "message": compare["decision"]["message"]})
    out += [{"code": r["code"], "path": "", "message": r["message"]} for r in rule_reasons]
    return out


def _rule_reasons(case: case_store.Case) -> list[dict[str, str]]:
    """The domain's evaluation, again, at check time: what would stop an online registration."""
    evaluation = evaluate(_form(case), today=config.today())
    problems = routing.problems_at_check(evaluation, channel=case.channel, office_code=case.office_code, child_order=int(case.child_order))
    return [r.to_dict() for r in problems]


def _first_check(case: case_store.Case) -> bool:
    return not any(h.status == case_store.CHECKING for h in case.history)


def apply_rules(state: dict[str, Any]) -> dict[str, Any]:
    """Record the checks (``state["checks"]``: identity, marriage, comparison) and choose the
    route; returns the next workflow state."""
    case_id = state["case_id"]
    checks = {c["system"]: c for c in state["checks"]}
    identity, marriage, compare = checks["public_security"], checks["civil_affairs"], checks["population"]
    case = case_store.get(case_id)
    if case.status not in VERIFIED_STATUSES:
        # a second execution of one start (the outbox delivers at least once; Express does not
        # refuse a name it ran before) finds the case past its checks: it leaves the case alone
        return {"case_id": case_id, "route": routing.CLOSED}
    at = _iso(config.now())
    first = _first_check(case)

    if identity["status"] == "window_closed":
        if first:
            statistics.received(case.office_code, case.channel, case_id=case_id)
        opens = identity["opens_at"]
        note = f"公安校验仅在工作时间开放，将于{opens[5:7]}月{opens[8:10]}日{opens[11:16]}进行校验"
        _transition(case, case_store.CHECKING, at=at, note=note)
        return {"case_id": case_id, "route": routing.WAIT_WINDOW, "wait_seconds": identity["wait_seconds"]}

    profile = get_profile(case.profile)
    reasons = _rule_reasons(case)
    failed = routing.failed_checks(checks, profile)
    decision = compare["decision"]
    required, accepted = _proofs_before_issue(case)
    route = routing.choose_route(
        profile,
        failed=failed,
        problems=reasons,
        decision=decision,
        proofs_required=required,
        proofs_accepted=accepted,
        uploads=profile.uploads_for(case.channel),
    )
    if first and route not in routing.MATCHED:
        # a case issued at once is counted received with its completion: one transaction
        # (statistics.completed; RecordFailure's needs_attention if the issue fails)
        statistics.received(case.office_code, case.channel, case_id=case_id)
    mismatches = _mismatches(identity, marriage, compare, reasons)
    if not decision["issue"] and routing.population_confirms(decision, profile):
        # no population record, and the comparison is not a check of the province's direct registration
        mismatches = [m for m in mismatches if m["code"] != COMPARE_MESSAGES["UNVERIFIABLE"][0]]
    failed_messages = [m["message"] for m in mismatches if m["code"].startswith(("IDENTITY", "MARRIAGE"))]
    failures = "；".join(failed_messages)
    record = {
        # the registries confirm the couple (documents required before issue may still be outstanding)
        "matched": route in routing.MATCHED or (not failed and not reasons and routing.population_confirms(decision, profile)),
        "mismatches": mismatches,
        "route": route,
        "identity": {"status": identity["status"], "people": identity.get("people", [])},
        "marriage": {"status": marriage["status"], "detail": marriage["detail"]},
        "population": {k: compare[k] for k in ("outcome", "only_in_form", "only_in_registry", "differences", "decision")},
        "rules": {"ok": not reasons, "reasons": reasons},
        "checked_at": at,
    }
    notes = {
        "issue": decision["message"] if decision["issue"] else routing.DIRECT_REGISTRATION_NOTE,
        "update_registry": decision["message"],
        "proofs": "信息核验未通过：" + failures if failed else "请上传登记前须提交的证明材料（000 §2.3.5）",
        "review": "转人工审核：" + "；".join(m["message"] for m in mismatches),
        "not_matched": f"审核比对未通过不能办理：{failures}。可到登记机构现场核实办理",
    }
    if route == routing.NOT_MATCHED:
        # 002 五(一)5: the reason and the on-site option; the office's address is added when read
        record["notice"] = {"reasons": failed_messages, "onsite": True, "citation": profile.citations["failed_check"]}
    status = NOT_MATCHED if route == routing.NOT_MATCHED else case_store.CHECKING
    case = _transition(case, status, at=at, note=notes[route][:200], check_json=json.dumps(record, ensure_ascii=False))

    if route in routing.MATCHED:
        observability.count("IssuedInstantly")  # no person looked at it: consistent with the registries
    next_state: dict[str, Any] = {"case_id": case_id, "route": route}
    if route == routing.PROOFS:
        wanted = routing.proofs_for(failed, required, accepted)
        next_state["proofs"] = review.plan_proofs(case, wanted, reason=notes["proofs"], before_issue=not failed)
    elif route == routing.REVIEW:
        next_state["review"] = review.plan_review(case)
        if failed or not routing.population_confirms(decision, profile):
            notifications.manual_acceptance(case)
    return next_state


def _proofs_before_issue(case: case_store.Case) -> tuple[list[str], set[str]]:
    """The documents the profile requires before issue (``Evaluation.proofs_required``, 000 §2.3.5)
    and the ones the couple's accepted uploads already give."""
    required = [p["code"] for p in case.evaluation.get("proofs_required", [])]
    entries = [e.as_dict() if hasattr(e, "as_dict") else dict(e) for e in (case.uploads or [])]
    return required, {e["document"] for e in entries if e.get("status") == "accepted"}


def _transition(case: case_store.Case, status: str, *, at: str, note: str, **changes: Any) -> case_store.Case:
    """``case_store.transition`` with a reload when another writer (an upload, a rating) came first."""
    for _ in range(5):
        try:
            return case_store.transition(case, status, at=at, by="system", note=note, **changes)
        except case_store.ConcurrentChange:
            case = case_store.get(case.case_id)
    raise case_store.ConcurrentChange(case.case_id)


# ------------------------------------------------------------------------------ UpdateRegistry
def update_registry(case_id: str) -> dict[str, Any]:
    """Add the children the form has and the registry lacks (only after the comparison said so)."""
    case = case_store.get(case_id)
    check = case.check or {}
    extra = (check.get("population") or {}).get("only_in_form") or []
    outcome = (check.get("population") or {}).get("outcome")
    if not extra or outcome != "form_has_more":
        return {"added": 0}
    form = _form(case)
    children = [
        population.RecordedChild(
            name=c.name,
            birth_date=c.birth_date.isoformat(),
            sex=c.sex,
            id_number=c.id_number.upper() if c.id_number else None,
            relation=c.relation,
        )
        for i, c in enumerate(form.children)
        if i in extra
    ]
    added = population.default().add_children(form.woman.id_number, form.man.id_number, children, source=case_id)
    if added:
        at = _iso(config.now())
        audit.append(
            f"CASE#{case_id}",
            actor="system",
            action="registry.children_added",
            after={"children": [{"birth_date": c.birth_date, "sex": c.sex} for c in children], "added": added},
            detail={"citation": "002 五(三)", "system": "population"},
            at=at,
        )
        _transition(case, case.status, at=at, note=f"已向人口信息系统增加子女记录{added}条（002 五(三)）")
    return {"added": added}

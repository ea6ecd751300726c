"""The citizen services' use cases on the in-memory store and fake adapters (issue 13 item 3):
submission (instant path, review path, duplicate, idempotent replay), modification rules, ratings,
query limits, upload decisions. The e2e suite proves the same flows through the real stack."""

from __future__ import annotations

import pytest

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.domain.demo import demo_registration
from chalicelib.services.citizen import modification, query, ratings, registration, uploads
from chalicelib.services.shared import tokens
from chalicelib.store import cases as case_store
from tests.unit.services.scenarios import known_couple, run_checks, submit

pytestmark = pytest.mark.usefixtures("memory", "adapters")


def test_submit_stores_the_case_and_commits_its_messages_with_it(memory, adapters):
    body = known_couple()
    result = submit(body)
    case = memory.cases.get(result["case_id"])
    assert (case.status, case.channel, case.version) == (case_store.SUBMITTED, "online", 1)
    assert result["query_code"] not in str(memory.cases.items[case.case_id])  # only its keyed hash is stored
    # delivered right after the commit: the workflow start and the receipt with the query code
    assert adapters.executions == [(case.case_id, case.case_id)]
    [(phone, text, ref)] = adapters.sms.sent
    assert (phone, ref) == (body["woman"]["phone"], f"sms:receipt:{case.case_id}") and result["query_code"] in text
    assert {m.queue for m in memory.outbox.messages()} == {None}  # both delivered


def test_instant_path_when_the_registries_agree(memory):
    case_id = submit(known_couple())["case_id"]
    assert run_checks(case_id)["route"] == "issue"
    case = memory.cases.get(case_id)
    assert case.status == case_store.CHECKING and case.check["matched"] is True


def test_review_path_when_the_population_registry_differs(memory):
    body = known_couple(children=[{"name": "别人", "id_number": None, "birth_date": "2015-01-01", "sex": "male", "relation": "son"}])
    case_id = submit(body)["case_id"]
    state = run_checks(case_id)
    assert state["route"] == "review"
    assert state["review"]["office_code"] == memory.cases.get(case_id).office_code


def test_proofs_path_when_the_marriage_is_unknown(memory):
    case_id = submit(known_couple(marriage=False))["case_id"]
    state = run_checks(case_id)
    assert state["route"] == "proofs" and state["proofs"]["codes"]


def test_a_duplicate_is_refused_and_nothing_is_written(memory, adapters):
    body = known_couple()
    first = submit(body)
    with pytest.raises(errors.DuplicateRegistration) as refused:
        submit(body)
    assert registration.mask_reference(first["case_id"]) in refused.value.details[0].message
    assert list(memory.cases.items) == [first["case_id"]]
    assert len(adapters.sms.sent) == 1


def test_a_submission_in_progress_for_the_same_child_is_refused(memory):
    """A concurrent submit that passed the duplicate check holds the couple's lock (store/codes.py)."""
    from chalicelib.domain.evaluation import couple_key, evaluate
    from chalicelib.domain.form import parse_registration

    body = known_couple()
    form = parse_registration(body, today=config.today())
    order = evaluate(form, today=config.today()).child_order.registration_order
    assert memory.codes.claim(registration._submission_lock(couple_key(form, secret=config.secret_key()), order), seconds=30)
    with pytest.raises(registration.SubmissionInProgress):
        submit(body)
    assert memory.cases.items == {}


def test_an_idempotent_replay_answers_the_first_result_without_a_second_case(memory, adapters):
    body = known_couple()
    phone = body["woman"]["phone"]
    first, replayed = registration.submit_online(body, phone=phone, idempotency_key="key-0001-abcdefgh")
    again, replayed_again = registration.submit_online(body, phone=phone, idempotency_key="key-0001-abcdefgh")
    assert (replayed, replayed_again) == (False, True)
    assert again == first  # the query code too (sealed in the record)
    assert len(memory.cases.items) == 1 and len(adapters.sms.sent) == 1
    changed = {**body, "children": []}
    from chalicelib.services.shared import idempotency

    with pytest.raises(idempotency.KeyReused):
        registration.submit_online(changed, phone=phone, idempotency_key="key-0001-abcdefgh")


def test_a_failed_transaction_releases_the_submission_lock(memory):
    body = known_couple()
    original = memory.cases.create

    def failing(case, *, also=()):  # the case's transaction fails (throttled), nothing written
        raise RuntimeError("throttled")

    memory.cases.create = failing
    with pytest.raises(RuntimeError):
        submit(body)
    memory.cases.create = original
    assert submit(body)["status"] == case_store.SUBMITTED  # not SUBMISSION_IN_PROGRESS


# ------------------------------------------------------------------------------- modification
def _finish(case_id: str, status: str) -> None:
    from chalicelib.store.repositories import cases

    cases.transition(cases.get(case_id), status, at=config.now().isoformat(timespec="seconds"), by="system")


def test_modify_once_after_the_case_is_closed(memory, adapters):
    body = known_couple()
    result = submit(body)
    case_id, code = result["case_id"], result["query_code"]
    changed = {**body, "man": {**body["man"], "employer": "成都某某科技有限公司"}}
    with pytest.raises(errors.Conflict):  # still in flight
        modification.modify(case_id, changed, query_code=code)
    _finish(case_id, case_store.REJECTED)
    out, _ = modification.modify(case_id, changed, query_code=code)
    assert (out["status"], out["modifications"], out["version"]) == (case_store.SUBMITTED, 1, 2)
    case = memory.cases.get(case_id)
    assert case.modifications == 1 and case.check_json is None
    assert (case_id, f"{case_id}-v2") in adapters.executions  # the re-run started with the change
    _finish(case_id, case_store.REJECTED)
    with pytest.raises(errors.ModificationExhausted):
        modification.modify(case_id, {**changed, "children": []}, query_code=code)


def test_a_modification_without_changes_is_refused(memory):
    body = known_couple()
    result = submit(body)
    _finish(result["case_id"], case_store.REJECTED)
    with pytest.raises(errors.ValidationFailed) as refused:
        modification.modify(result["case_id"], body, query_code=result["query_code"])
    assert refused.value.details[0].code == "NO_CHANGES"
    assert memory.cases.get(result["case_id"]).modifications is None


# ------------------------------------------------------------------------------------ ratings
def test_a_completed_case_is_rated_once_and_counted_once(memory):
    result = submit(known_couple())
    case_id, code = result["case_id"], result["query_code"]
    with pytest.raises(ratings.CaseNotCompleted):
        ratings.rate(case_id, {"score": 5, "comment": "好"}, query_code=code)
    _finish(case_id, case_store.REGISTERED)
    assert ratings.rate(case_id, {"score": 4, "comment": "很方便"}, query_code=code)["score"] == 4
    with pytest.raises(ratings.RatingExists):
        ratings.rate(case_id, {"score": 1}, query_code=code)
    office = memory.cases.get(case_id).office_code
    summary = ratings.summary(office)
    assert summary["count"] == 1 and summary["average"] == 4


# -------------------------------------------------------------------------------------- query
def test_query_by_phone_lists_the_phones_cases_newest_first_at_most_the_limit(memory, clock, monkeypatch):
    monkeypatch.setattr(query, "MAX_CASES", 2)
    phone = "13900000001"
    for n in range(3):
        memory.cases.create(
            case_store.Case(
                f"C{n}", profile="sichuan", status=case_store.SUBMITTED, form_json=demo_registration_json(), evaluation_json="{}",
                query_code_hash="h", phone_key=config.keyed_hash("phone", phone), contact_phone=phone, office_code="510104022",
                couple_key=f"k{n}", child_order=1, created_at=f"2026-01-0{n + 1}T00:00:00", updated_at="x",
            )
        )
    listed = query.by_phone(tokens.issue(phone, "query"))["cases"]
    assert [c["case_id"] for c in listed] == ["C2", "C1"]
    assert query.by_phone(tokens.issue("13900000002", "query")) == {"cases": []}


def demo_registration_json() -> str:
    from chalicelib.domain.form import parse_registration

    return parse_registration(demo_registration("sichuan"), today=config.today()).model_dump_json()


def test_query_by_code_is_limited_per_client(memory, monkeypatch):
    monkeypatch.setenv("QUERY_IP_LIMIT", "2")
    result = submit(known_couple())
    name = demo_registration("sichuan")["woman"]["name"]
    ok = query.by_query_code({"query_code": result["query_code"], "name": name}, client_ip="10.0.0.1")
    assert [c["case_id"] for c in ok["cases"]] == [result["case_id"]]
    with pytest.raises(errors.NotFound):
        query.by_query_code({"query_code": result["query_code"], "name": "别人"}, client_ip="10.0.0.1")
    with pytest.raises(errors.DomainError) as limited:
        query.by_query_code({"query_code": result["query_code"], "name": name}, client_ip="10.0.0.1")
    assert limited.value.status == 429
    assert query.by_query_code({"query_code": result["query_code"], "name": name}, client_ip="10.0.0.2")["cases"]


# ------------------------------------------------------------------------------------ uploads
def test_uploads_are_appended_up_to_the_limit_and_decided_once(memory, monkeypatch):
    result = submit(known_couple())
    case_id = result["case_id"]
    _finish(case_id, case_store.AWAITING_PROOFS)
    monkeypatch.setattr(uploads, "MAX_UPLOADS_PER_CASE", 2)
    case = memory.cases.get(case_id)
    for n in range(2):
        uploads._append(case, {"upload_id": f"u{n}", "document": "ID_CARD", "status": uploads.PENDING})
    with pytest.raises(errors.Conflict) as full:
        uploads._append(case, {"upload_id": "u2", "document": "ID_CARD", "status": uploads.PENDING})
    assert full.value.code == "UPLOAD_LIMIT_REACHED"
    decided = uploads._replace(memory.cases.get(case_id), {"upload_id": "u1", "document": "ID_CARD", "status": uploads.ACCEPTED, "key": "k1"})
    assert uploads.accepted_documents(decided) == {"ID_CARD"}
    with pytest.raises(uploads.AlreadyDecided):
        uploads._replace(decided, {"upload_id": "u1", "document": "ID_CARD", "status": uploads.REJECTED})
    _finish(case_id, case_store.REJECTED)
    with pytest.raises(uploads.UploadsClosed):
        uploads._append(memory.cases.get(case_id), {"upload_id": "u3", "document": "ID_CARD", "status": uploads.PENDING})

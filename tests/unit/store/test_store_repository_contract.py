"""The fakes stay honest: every case here runs against the in-memory fake (``store/memory.py``) and
against the DynamoDB store on moto (in-process ``mock_aws``, tables created from
``infra/resources.py`` as the local stack creates them). A behaviour the services rely on --
a condition that holds or not, a version check, a transaction that is all or nothing, what an
index returns and in which order, a cursor -- that differs between the two fails here.

Also: each fake has exactly its store module's ``OPERATIONS``, with the same signatures.
"""

from __future__ import annotations

import inspect
from datetime import timedelta
from types import SimpleNamespace

import pytest

from chalicelib import config
from chalicelib.store import cases as case_store
from chalicelib.store import certificates as certificate_store
from chalicelib.store import codes as code_store
from chalicelib.store import idempotency as idempotency_store
from chalicelib.store import memory as memory_store
from chalicelib.store import outbox as outbox_store
from chalicelib.store import repositories
from chalicelib.store import tasks as task_store
from chalicelib.store.memory import InMemoryStore


@pytest.fixture(scope="module")
def _moto():
    """moto's DynamoDB in process, every declared table created once for the module."""
    from moto import mock_aws

    from chalicelib.store import connection
    from infra import resources as r
    from local.deploy import create_table

    mp = pytest.MonkeyPatch()
    for name in ("AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        mp.delenv(name, raising=False)
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        config.reset_clients()
        connection._connections.clear()
        client = config.client("dynamodb")
        for table in r.TABLES:  # each table's name as the code reads it (config.<suffix>_table())
            create_table(client, table, getattr(config, f"{table.suffix}_table")())
        yield client
    config.reset_clients()
    connection._connections.clear()
    mp.undo()


def _empty_tables(client) -> None:
    for name in client.list_tables()["TableNames"]:
        keys = [k["AttributeName"] for k in client.describe_table(TableName=name)["Table"]["KeySchema"]]
        for item in client.scan(TableName=name)["Items"]:
            client.delete_item(TableName=name, Key={k: item[k] for k in keys})


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    """The repositories, as the services see them (``store.cases.get`` ...), backed by the fake or by moto."""
    if request.param == "memory":
        with memory_store.in_memory():
            yield SimpleNamespace(**repositories.SLOTS)
        return
    client = request.getfixturevalue("_moto")
    _empty_tables(client)
    yield SimpleNamespace(**repositories.SLOTS)


@pytest.fixture
def later():
    """Moves ``config.now()`` forward (expiry), put back after the test."""
    start = config.clock.offset

    def advance(seconds: float) -> None:
        config.clock.offset += timedelta(seconds=seconds)

    yield advance
    config.clock.offset = start


def test_each_fake_has_its_modules_operations_with_the_same_signatures():
    memory = InMemoryStore().repositories()
    for name, slot in repositories.SLOTS.items():
        fake = memory[name]
        public = {n for n in vars(type(fake)) if not n.startswith("_") and callable(getattr(fake, n))}
        assert set(slot.operations) <= public, name
        for op in slot.operations:
            real = inspect.signature(getattr(slot.module, op))
            mine = inspect.signature(getattr(fake, op))
            assert [(p.name, p.kind, p.default) for p in real.parameters.values()] == [
                (p.name, p.kind, p.default) for p in mine.parameters.values()
            ], f"{name}.{op}"


def test_outside_the_block_the_slots_are_dynamodb():
    with memory_store.in_memory() as memory:
        assert repositories.cases.get.__self__ is memory.cases
    assert repositories.cases.get is case_store.get
    assert repositories.cases.Case is case_store.Case  # record types and errors: always the module's


# ---------------------------------------------------------------------------------------- cases
def new_case(case_id: str = "C1", **values) -> case_store.Case:
    base = dict(
        profile="sichuan",
        status=case_store.SUBMITTED,
        form_json="{}",
        evaluation_json="{}",
        query_code_hash="h-" + case_id,
        phone_key="phone-1",
        contact_phone="13800000000",
        office_code="510104022",
        couple_key="couple-1",
        child_order=1,
        created_at="2026-01-01T00:00:00",
        updated_at="2026-01-01T00:00:00",
    )
    base.update(values)
    return case_store.Case(case_id, **base)


def test_case_create_get_and_no_overwrite(store):
    case = new_case()
    store.cases.create(case)
    assert case.version == 1
    got = store.cases.get("C1")
    assert (got.status, got.version, got.office_code) == (case_store.SUBMITTED, 1, "510104022")
    with pytest.raises(case_store.CaseExists):
        store.cases.create(new_case())
    with pytest.raises(case_store.CaseNotFound):
        store.cases.get("nope")


def test_transition_is_versioned(store):
    store.cases.create(new_case())
    first, second = store.cases.get("C1"), store.cases.get("C1")
    store.cases.transition(first, case_store.CHECKING, at="2026-01-01T00:01:00", by="system", note="n")
    assert (first.status, first.version) == (case_store.CHECKING, 2)
    with pytest.raises(case_store.ConcurrentChange):
        store.cases.transition(second, case_store.REJECTED, at="2026-01-01T00:02:00", by="x")
    got = store.cases.get("C1")
    assert got.status == case_store.CHECKING
    assert [(h.status, h.by, h.note) for h in got.history] == [(case_store.CHECKING, "system", "n")]
    store.cases.transition(got, case_store.REGISTERED, at="t", by="s", check_json='{"ok": true}')
    assert store.cases.get("C1").check == {"ok": True}


def test_create_with_further_writes_is_all_or_nothing(store):
    message = outbox_store.OutboxMessage("sms:1", kind="sms", payload="{}", queue=outbox_store.PENDING, due_at="2026", created_at="2026")
    store.idempotency.claim("K1", body_hash="b", nonce="n1", now=1000, ttl=100, lock_seconds=10)
    store.cases.create(
        new_case(),
        also=(store.outbox.put_operation(message), store.idempotency.complete_operation("K1", nonce="n1", status_code=201, response="r")),
    )
    assert store.outbox.get("sms:1").kind == "sms"
    assert store.idempotency.get("K1").status == idempotency_store.COMPLETED
    # the same event id again: the transaction is cancelled, the second case is not written
    again = outbox_store.OutboxMessage("sms:1", kind="sms", payload="{}", queue=outbox_store.PENDING, due_at="2026", created_at="2026")
    with pytest.raises(case_store.TransactionCancelled):
        store.cases.create(new_case("C2"), also=(store.outbox.put_operation(again),))
    with pytest.raises(case_store.CaseNotFound):
        store.cases.get("C2")
    # a completion on someone else's claim cancels the case's write too
    store.idempotency.claim("K2", body_hash="b", nonce="mine", now=1000, ttl=100, lock_seconds=10)
    with pytest.raises(case_store.TransactionCancelled):
        store.cases.create(new_case("C3"), also=(store.idempotency.complete_operation("K2", nonce="other", status_code=201, response="r"),))
    with pytest.raises(case_store.CaseNotFound):
        store.cases.get("C3")
    assert store.idempotency.get("K2").status == idempotency_store.IN_PROGRESS


def _modify(store, case, *, rerun: bool, once: bool | None = None, office: str = "510104022", also=(), person_keys=None):
    return store.cases.modify(
        case,
        form_json='{"v": 2}',
        evaluation_json="{}",
        couple_key="couple-2",
        child_order=2,
        office_code=office,
        status=case_store.SUBMITTED if rerun else case.status,
        at="2026-01-02T00:00:00",
        note="modified",
        rerun=rerun,
        once=rerun if once is None else once,
        also=also,
        person_keys=person_keys,
    )


def test_modify_once_on_rerun_and_only_in_the_status_read_otherwise(store):
    store.cases.create(new_case(check_json='{"old": 1}', status=case_store.REJECTED))
    case = store.cases.get("C1")
    _modify(store, case, rerun=True)
    got = store.cases.get("C1")
    assert (got.modifications, got.status, got.couple_key, got.check_json, got.version) == (1, case_store.SUBMITTED, "couple-2", None, 2)
    with pytest.raises(case_store.ConcurrentChange):
        _modify(store, got, rerun=True)  # a second modification of a re-run profile
    store.cases.create(new_case("C2", status=case_store.AWAITING_REVIEW))
    stale = store.cases.get("C2")
    moved = store.cases.get("C2")
    store.cases.transition(moved, case_store.REGISTERED, at="t", by="s")
    stale.version = moved.version  # even with the current version: the status read has changed
    with pytest.raises(case_store.ConcurrentChange):
        _modify(store, stale, rerun=False)
    fresh = store.cases.get("C2")
    _modify(store, fresh, rerun=False)
    assert store.cases.get("C2").modifications == 1


def test_a_supplement_reruns_as_often_as_needed_but_only_in_the_status_read(store):
    """Guizhou before 初审 (001 附件1 一): re-run, not once; the status read must still hold."""
    store.cases.create(new_case(check_json='{"old": 1}', status=case_store.AWAITING_REVIEW))
    _modify(store, store.cases.get("C1"), rerun=True, once=False)
    got = store.cases.get("C1")
    assert (got.modifications, got.status, got.check_json) == (1, case_store.SUBMITTED, None)
    store.cases.transition(got, case_store.AWAITING_REVIEW, at="t", by="s")
    _modify(store, store.cases.get("C1"), rerun=True, once=False)
    assert store.cases.get("C1").modifications == 2
    stale = store.cases.get("C1")
    moved = store.cases.get("C1")
    store.cases.transition(moved, case_store.REJECTED, at="t", by="s")
    stale.version = moved.version
    with pytest.raises(case_store.ConcurrentChange):
        _modify(store, stale, rerun=True, once=False)


def test_modify_in_a_transaction_keeps_the_callers_attributes_but_moves_its_version(store):
    store.cases.create(new_case())
    case = store.cases.get("C1")
    message = outbox_store.OutboxMessage("sms:m", kind="sms", payload="{}", queue=outbox_store.PENDING, due_at="2026", created_at="2026")
    _modify(store, case, rerun=True, also=(store.outbox.put_operation(message),))
    assert (case.version, case.couple_key) == (2, "couple-1")
    assert store.cases.get("C1").couple_key == "couple-2"


def test_uploads_append_within_limits_and_are_decided_once(store):
    store.cases.create(new_case(status=case_store.AWAITING_PROOFS))
    open_ = frozenset({case_store.AWAITING_PROOFS})
    for i in range(2):
        assert store.cases.append_upload("C1", {"upload_id": f"u{i}", "status": "pending"}, open_statuses=open_, max_uploads=2)
    assert not store.cases.append_upload("C1", {"upload_id": "u2", "status": "pending"}, open_statuses=open_, max_uploads=2)
    assert not store.cases.append_upload("C1", {"upload_id": "u2", "status": "pending"}, open_statuses=frozenset({"x"}), max_uploads=9)
    assert not store.cases.append_upload("nope", {"upload_id": "u2", "status": "pending"}, open_statuses=open_, max_uploads=9)
    accepted = {"upload_id": "u1", "status": "accepted", "key": "k"}
    assert store.cases.decide_upload("C1", 1, accepted, pending="pending")
    assert not store.cases.decide_upload("C1", 1, {"upload_id": "u1", "status": "rejected"}, pending="pending")
    assert not store.cases.decide_upload("C1", 0, {"upload_id": "u1", "status": "accepted"}, pending="pending")  # wrong id
    case = store.cases.get("C1")
    assert [dict(u.as_dict()) if hasattr(u, "as_dict") else dict(u) for u in case.uploads][1]["status"] == "accepted"
    assert case.version == 1  # attachments do not move the case's version


def test_a_rating_is_recorded_once_on_a_completed_case(store):
    store.cases.create(new_case())
    done = frozenset({case_store.REGISTERED})
    assert not store.cases.record_rating("C1", {"score": 5}, completed_statuses=done)
    store.cases.transition(store.cases.get("C1"), case_store.REGISTERED, at="t", by="s")
    assert store.cases.record_rating("C1", {"score": 5, "comment": "好"}, completed_statuses=done)
    assert not store.cases.record_rating("C1", {"score": 1}, completed_statuses=done)
    case = store.cases.get("C1")
    assert (int(case.rating["score"]), case.version) == (5, 2)


def test_case_indexes(store):
    store.cases.create(new_case("A", created_at="2026-01-01T00:00:01", query_key="Q1"))
    store.cases.create(new_case("B", created_at="2026-01-01T00:00:03"))
    store.cases.create(new_case("C", created_at="2026-01-01T00:00:02", phone_key="phone-2", couple_key="couple-2"))
    assert [c.case_id for c in store.cases.by_phone("phone-1", limit=5)] == ["B", "A"]
    assert [c.case_id for c in store.cases.by_phone("phone-1", limit=1)] == ["B"]
    assert store.cases.by_phone("phone-1", limit=1)[0].form_json == "{}"  # full items
    couple = list(store.cases.by_couple("couple-1"))
    assert [(c.case_id, c.status, c.child_order) for c in couple] == [("A", "submitted", 1), ("B", "submitted", 1)]
    assert couple[0].form_json is None  # the index projects keys, status and child order only
    assert store.cases.by_query_key("Q1", limit=5) == [("A", "h-A")]
    assert store.cases.by_query_key("Q9", limit=5) == []
    assert [c.case_id for c in store.cases.load(["C", "missing", "A", "C"])] == ["C", "A"]


def test_cases_by_either_spouses_key_the_backfill_and_a_corrected_number(store):
    store.cases.create(new_case("A", created_at="2026-01-01T00:00:01", woman_key="w1", man_key="m1"))
    store.cases.create(new_case("B", created_at="2026-01-01T00:00:03", woman_key="w2", man_key="w1"))  # w1 as the man (a key is per person)
    store.cases.create(new_case("C", created_at="2026-01-01T00:00:02"))  # before the indexes: no keys
    assert store.cases.by_person("w1", limit=5) == ["B", "A"]
    assert store.cases.by_person("w1", limit=1) == ["B"]
    assert store.cases.by_person("m1", limit=5) == ["A"]
    assert store.cases.by_person("nobody", limit=5) == []
    assert {row[0]: row[2:] for row in store.cases.scan_person_keys()} == {"A": ("w1", "m1"), "B": ("w2", "w1"), "C": (None, None)}
    assert store.cases.set_person_keys("C", woman_key="w3", man_key="m3")
    assert not store.cases.set_person_keys("C", woman_key="w3", man_key="m3")  # has them: nothing written
    assert not store.cases.set_person_keys("missing", woman_key="w3", man_key="m3")
    assert store.cases.by_person("m3", limit=5) == ["C"] and store.cases.get("C").version == 1  # the version does not move
    _modify(store, store.cases.get("A"), rerun=True, person_keys=("w9", "m1"))
    assert store.cases.by_person("w9", limit=5) == ["A"] and store.cases.by_person("w1", limit=5) == ["B"]


# ---------------------------------------------------------------------------------------- tasks
def new_task(task_id: str, *, office: str | None = "510104022", due: str = "2026-01-05T00:00:00", **values) -> task_store.Task:
    values = {"task_token": "tok", "stage": "initial", **values}
    return task_store.Task(task_id, case_id="C1", office_code=office, assigned_office=office, due_at=due, created_at="2026", **values)


def test_task_put_close_once(store):
    store.tasks.put(new_task("T1"))
    with pytest.raises(task_store.TaskExists):
        store.tasks.put(new_task("T1"))
    task = store.tasks.get("T1")
    store.tasks.record_decision(task, decision="approve", reason=None, by="staff-1", at="2026-01-02", outcome={"next": "x"})
    assert (task.status, task.office_code, task.decided_by) == (task_store.DECIDED, None, "staff-1")
    with pytest.raises(task_store.AlreadyClosed):
        store.tasks.close(store.tasks.get("T1"), task_store.ESCALATED, at="2026-01-03")
    assert store.tasks.get("T1").outcome == {"next": "x"}
    assert store.tasks.find("nope") is None
    with pytest.raises(task_store.TaskNotFound):
        store.tasks.get("nope")


def test_task_refresh_and_replace(store):
    store.tasks.put_or_refresh(new_task("T1"))
    store.tasks.put_or_refresh(new_task("T1", task_token="tok-2"))
    assert store.tasks.get("T1").task_token == "tok-2"
    store.tasks.close(store.tasks.get("T1"), task_store.ESCALATED, at="x")
    with pytest.raises(task_store.AlreadyClosed):
        store.tasks.put_or_refresh(new_task("T1", task_token="tok-3"))
    store.tasks.replace_closed(new_task("T1", task_token="tok-4", documents=["ID_CARD"]))
    replaced = store.tasks.get("T1")
    assert (replaced.status, replaced.task_token, replaced.documents) == (task_store.OPEN, "tok-4", ["ID_CARD"])
    store.tasks.replace_closed(new_task("T1", task_token="tok-5", documents=["B"], due="2027"))
    refreshed = store.tasks.get("T1")
    assert (refreshed.task_token, refreshed.documents, refreshed.due_at, refreshed.status) == ("tok-5", ["B"], "2027", task_store.OPEN)


def test_the_work_queue_pages_by_deadline(store):
    for i, due in enumerate(["2026-01-04", "2026-01-02", "2026-01-03", "2026-01-05", "2026-01-01"]):
        store.tasks.put(new_task(f"T{i}", due=due))
    store.tasks.put(new_task("other", office="510104099", due="2026-01-01"))
    store.tasks.put(new_task("other-2", office="510104099", due="2026-01-02"))
    store.tasks.put(new_task("closed", due="2025-12-01"))
    store.tasks.close(store.tasks.get("closed"), task_store.DECIDED, at="x")
    seen, cursor, pages = [], None, 0
    while True:
        page, cursor = store.tasks.queue("510104022", limit=2, cursor=cursor)
        seen += [t.due_at for t in page]
        pages += 1
        if cursor is None:
            break
    assert seen == ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"]
    assert pages == 3
    page, cursor = store.tasks.queue("510104022", limit=5)
    assert len(page) == 5
    # A Query that stops at its Limit may answer a LastEvaluatedKey though nothing follows (DynamoDB
    # does, moto does not; the fake does, as DynamoDB): the next page is then empty and final.
    if cursor is not None:
        assert store.tasks.queue("510104022", limit=5, cursor=cursor) == ([], None)
    _, other = store.tasks.queue("510104099", limit=1)
    assert other is not None
    with pytest.raises(task_store.BadCursor):
        store.tasks.queue("510104022", cursor=other)
    assert store.tasks.count_overdue("510104022", "2026-01-03") == 2


def test_the_work_queue_filters_by_status_stage_and_overdue_in_the_key_condition(store):
    for i, (stage, due) in enumerate([("initial_review", "2026-01-03"), ("registration", "2026-01-01"), ("initial_review", "2026-01-01"),
                                      ("registration", "2026-01-04"), ("initial_review", "2026-01-05")]):
        store.tasks.put(new_task(f"T{i}", due=due, stage=stage))
    store.tasks.put(new_task("elsewhere", office="510104099", due="2026-01-01", stage="initial_review"))
    store.tasks.record_decision(store.tasks.get("T2"), decision="accept", reason=None, by="op", at="2026-01-02")
    store.tasks.close(store.tasks.get("T3"), task_store.ESCALATED, at="2026-01-05")
    store.tasks.put(new_task("P", office=None, due="2026-01-01", kind=task_store.PROOFS))  # not a review task: never queued

    def ids(**filters) -> list[str]:
        seen, cursor = [], None
        while True:
            page, cursor = store.tasks.queue("510104022", limit=1, cursor=cursor, now_iso="2026-01-04", **filters)
            seen += [t.task_id for t in page]
            if cursor is None:
                return seen

    assert ids() == ["T1", "T0", "T4"]  # open, every stage, by deadline
    assert ids(stage="initial_review") == ["T0", "T4"]
    assert ids(stage="initial_review", overdue=True) == ["T0"]
    assert ids(stage="initial_review", overdue=False) == ["T4"]
    assert ids(stage="registration") == ["T1"]
    assert ids(status=task_store.DECIDED) == ["T2"]
    assert ids(status=task_store.ESCALATED, stage="registration") == ["T3"]
    assert ids(status=task_store.ESCALATED, stage="initial_review") == []
    page, _ = store.tasks.queue("510104022", limit=5, status=task_store.DECIDED)
    assert (page[0].decision, page[0].decided_by, page[0].case_id) == ("accept", "op", "C1")  # the queue's columns are projected
    # a cursor continues only its own filter and office
    _, cursor = store.tasks.queue("510104022", limit=1, stage="initial_review")
    assert cursor is not None
    with pytest.raises(task_store.BadCursor):
        store.tasks.queue("510104022", limit=1, stage="registration", cursor=cursor)
    with pytest.raises(task_store.BadCursor):
        store.tasks.queue("510104022", limit=1, cursor=cursor)  # the deadline index's cursor has other keys
    with pytest.raises(ValueError):
        store.tasks.queue("510104022", status=task_store.DECIDED, overdue=True)


# ---------------------------------------------------------------------------------------- codes
def test_limits_are_all_or_nothing(store, later):
    day = code_store.Limit("DAY", "RATE#day#x", "window", limit=2, resets_at=int(config.now().timestamp()) + 100)
    gap = code_store.Limit("GAP", "RATE#interval#x", "interval", seconds=60)
    store.codes.take([day, gap])
    with pytest.raises(code_store.LimitExceeded) as refused:
        store.codes.take([day, gap])
    assert refused.value.name == "GAP" and 1 <= refused.value.retry_after <= 60
    assert store.codes.count("RATE#day#x") == 1  # the refused take counted nothing
    later(61)
    store.codes.take([day, gap])
    later(61)
    with pytest.raises(code_store.LimitExceeded) as refused:
        store.codes.take([gap, day])
    assert refused.value.name == "DAY"
    store.codes.give_back(day)
    assert store.codes.count("RATE#day#x") == 1
    store.codes.give_back(code_store.Limit("N", "RATE#none", "window"))
    assert store.codes.count("RATE#none") == 0


def _sends(day: str, *, free: bool, ends_in: int = 3600) -> code_store.Sends:
    return code_store.Sends(
        "sms#x", day=day, day_ends_at=int(config.now().timestamp()) + ends_in, per_day=3, gap=60, free=free,
        gap_name="GAP", day_name="DAY", free_name="FREE",
    )


def test_one_item_holds_a_phones_gap_daily_count_and_free_send(store, later):
    """otp._limits: one code per 60 s, at most ``per_day`` a day, one send a day without a captcha."""
    store.codes.take([_sends("d1", free=True)])
    with pytest.raises(code_store.LimitExceeded) as refused:
        store.codes.take([_sends("d1", free=False)])
    assert refused.value.name == "GAP" and 1 <= refused.value.retry_after <= 60
    later(61)
    with pytest.raises(code_store.LimitExceeded) as refused:
        store.codes.take([_sends("d1", free=True)])  # the day's send without a captcha is taken
    assert refused.value.name == "FREE"
    for _ in range(2):
        store.codes.take([_sends("d1", free=False)])
        later(61)
    with pytest.raises(code_store.LimitExceeded) as refused:
        store.codes.take([_sends("d1", free=False)])
    assert refused.value.name == "DAY" and refused.value.retry_after > 1
    store.codes.take([_sends("d2", free=True)])  # a new day: the count and the free send start again
    later(30)
    with pytest.raises(code_store.LimitExceeded) as refused:
        store.codes.take([_sends("d3", free=True)])  # the gap holds across midnight
    assert refused.value.name == "GAP"


def test_a_refused_send_takes_nothing_from_the_other_limits(store, later):
    ip = code_store.Limit("IP", "RATE#ip#x", "window", limit=5, resets_at=int(config.now().timestamp()) + 600)
    store.codes.take([ip, _sends("d1", free=False)])
    with pytest.raises(code_store.LimitExceeded) as refused:
        store.codes.take([ip, _sends("d1", free=False)])
    assert refused.value.name == "GAP"
    assert store.codes.count("RATE#ip#x") == 1


def test_locks_expire(store, later):
    assert store.codes.claim("SUBMIT#a", seconds=30)
    assert not store.codes.claim("SUBMIT#a", seconds=30)
    later(31)
    assert store.codes.claim("SUBMIT#a", seconds=30)
    store.codes.release("SUBMIT#a")
    assert store.codes.claim("SUBMIT#a", seconds=30)


def test_secrets_single_use_attempts_and_expiry(store, later):
    store.codes.put_secret("OTP#x", "right", ttl_seconds=300)
    with pytest.raises(code_store.SecretRejected) as wrong:
        store.codes.use_secret("OTP#x", "wrong", max_attempts=2)
    assert (wrong.value.reason, wrong.value.attempts_left) == ("mismatch", 1)
    store.codes.use_secret("OTP#x", "right", max_attempts=2)
    with pytest.raises(code_store.SecretRejected) as used:
        store.codes.use_secret("OTP#x", "right", max_attempts=2)
    assert used.value.reason == "used"
    store.codes.put_secret("OTP#y", "right", ttl_seconds=300)
    for reason in ("mismatch", "locked"):
        with pytest.raises(code_store.SecretRejected) as caught:
            store.codes.use_secret("OTP#y", "wrong", max_attempts=2)
        assert caught.value.reason == reason
    with pytest.raises(code_store.SecretRejected) as locked:
        store.codes.use_secret("OTP#y", "right", max_attempts=2)
    assert locked.value.reason == "locked"
    store.codes.put_secret("OTP#z", "right", ttl_seconds=10)
    later(11)
    with pytest.raises(code_store.SecretRejected) as expired:
        store.codes.use_secret("OTP#z", "right", max_attempts=2)
    assert expired.value.reason == "expired"
    with pytest.raises(code_store.SecretRejected) as missing:
        store.codes.use_secret("OTP#none", "right", max_attempts=2)
    assert missing.value.reason == "missing"


def test_a_captcha_answer_is_consumed_by_its_first_check(store):
    store.codes.put_secret("CAPTCHA#1", "right", ttl_seconds=300)
    with pytest.raises(code_store.SecretRejected) as wrong:
        store.codes.consume_secret("CAPTCHA#1", "wrong")
    assert wrong.value.reason == "mismatch"
    with pytest.raises(code_store.SecretRejected) as used:
        store.codes.consume_secret("CAPTCHA#1", "right")
    assert used.value.reason == "used"
    store.codes.put_secret("CAPTCHA#2", "right", ttl_seconds=300)
    store.codes.consume_secret("CAPTCHA#2", "right")


# ---------------------------------------------------------------------------------- idempotency
def test_idempotency_claims(store):
    store.idempotency.claim("K", body_hash="b", nonce="n1", now=1000, ttl=100, lock_seconds=10)
    with pytest.raises(idempotency_store.AlreadyClaimed):
        store.idempotency.claim("K", body_hash="b", nonce="n2", now=1005, ttl=100, lock_seconds=10)
    store.idempotency.claim("K", body_hash="b", nonce="n3", now=1011, ttl=100, lock_seconds=10)  # the first request died
    assert not store.idempotency.complete("K", nonce="n1", status_code=201, response="old")
    assert store.idempotency.complete("K", nonce="n3", status_code=201, response="r")
    record = store.idempotency.get("K")
    assert (record.status, record.status_code, record.response, record.in_progress_expiry) == (idempotency_store.COMPLETED, 201, "r", None)
    with pytest.raises(idempotency_store.AlreadyClaimed):
        store.idempotency.claim("K", body_hash="b", nonce="n4", now=1050, ttl=100, lock_seconds=10)
    store.idempotency.claim("K", body_hash="b", nonce="n5", now=1111, ttl=100, lock_seconds=10)  # its lifetime is over
    store.idempotency.release("K", nonce="other")
    assert store.idempotency.get("K").nonce == "n5"
    store.idempotency.release("K", nonce="n5")
    assert store.idempotency.get("K") is None


# --------------------------------------------------------------------------------------- outbox
def message(event_id: str, due: str) -> outbox_store.OutboxMessage:
    return outbox_store.OutboxMessage(event_id, kind="sms", payload="{}", queue=outbox_store.PENDING, due_at=due, attempts=0, created_at=due)


def test_outbox_lease_fail_dead_requeue_deliver(store):
    assert store.outbox.put_new(message("e2", "2026-01-02"))
    assert store.outbox.put_new(message("e1", "2026-01-01"))
    assert not store.outbox.put_new(message("e1", "2026-01-03"))
    store.outbox.put_new(message("e3", "2026-01-09"))
    assert [m.event_id for m in store.outbox.due("2026-01-05", 10)] == ["e1", "e2"]
    leased = store.outbox.lease("e1", now=100, seconds=30)
    assert leased.lease_until == 130
    assert store.outbox.lease("e1", now=120, seconds=30) is None
    store.outbox.mark_failed(leased, error="x" * 900, retry_at=None, at="2026-01-05")
    assert (leased.queue, leased.attempts, len(leased.last_error), leased.alerted) == (outbox_store.DEAD, 1, 500, False)
    assert [m.event_id for m in store.outbox.dead()] == ["e1"]
    store.outbox.mark_alerted(leased)
    assert store.outbox.get("e1").alerted is True
    assert store.outbox.requeue("e1", at="2026-01-06")
    assert not store.outbox.requeue("e1", at="2026-01-06")
    again = store.outbox.lease("e1", now=200, seconds=30)
    store.outbox.mark_delivered(again, at="2026-01-06", keep_seconds=50, now=200)
    delivered = store.outbox.get("e1")
    assert (delivered.queue, delivered.payload, delivered.expires_at, delivered.attempts) == (None, None, 250, 1)
    assert store.outbox.lease("e1", now=300, seconds=30) is None
    assert store.outbox.lease("missing", now=300, seconds=30) is None
    store.outbox.mark_failed(store.outbox.lease("e2", now=1, seconds=1), error="e", retry_at="2026-01-07", at="x")
    assert [m.event_id for m in store.outbox.due("2026-01-06", 10)] == []
    assert list(store.outbox.dead()) == []


# --------------------------------------------------------------------------------- certificates
def certificate(number: str, case_id: str = "C1", version: int = 1) -> certificate_store.CertificateRecord:
    return certificate_store.CertificateRecord(number, case_id=case_id, version=version, status=certificate_store.VALID, office_code="510104022")


def test_certificate_numbers_and_idempotent_issue(store):
    first = store.certificates.next_registration_number("510104022", 2026)
    second = store.certificates.next_registration_number("510104099", 2026)
    assert (first, second) == ("5101042026000001", "5101042026000002")
    assert store.certificates.create_issued(certificate(first)).registration_number == first
    assert store.certificates.create_issued(certificate(second)).registration_number == first  # the same case version
    assert store.certificates.get(second) is None
    assert store.certificates.get("SEQ#510104#2026") is None
    assert store.certificates.issuance("C1", 1).registration_number == first
    store.certificates.create_issued(certificate("5101042026000003", version=2))
    assert [r.registration_number for r in store.certificates.issued_for_case("C1", 3)] == [first, "5101042026000003"]


def test_revoke_and_record_birth_once(store):
    store.certificates.create_issued(certificate("1"))
    store.certificates.create_issued(certificate("2", case_id="C2"))
    record = store.certificates.get("1")
    assert store.certificates.record_birth(record, birth_date="2026-05-01", sex="F", at="t", by="b", office="o")
    assert not store.certificates.record_birth(store.certificates.get("1"), birth_date="2026-05-02", sex="M", at="t", by="b", office="o")
    assert store.certificates.revoke(store.certificates.get("1"), at="2026-02-01", by="s", reason="r")
    assert not store.certificates.revoke(store.certificates.get("1"), at="2026-02-02", by="s", reason="r")
    assert store.certificates.revoke(store.certificates.get("2"), at="2026-03-01", by="s", reason="r")
    assert not store.certificates.record_birth(store.certificates.get("2"), birth_date="2026-05-02", sex="M", at="t", by="b", office="o")
    assert [r.registration_number for r in store.certificates.revocations()] == ["1", "2"]
    assert [r.registration_number for r in store.certificates.revocations("2026-02-15")] == ["2"]
    assert store.certificates.get("1").birth_date == "2026-05-01"


def test_paper_certificate_once_per_case_and_serial(store):
    store.certificates.record_paper("C1", paper_number="P1", issued_on="2026-01-01", office_code="o", at="t", by="b")
    with pytest.raises(certificate_store.AlreadyRecorded):
        store.certificates.record_paper("C1", paper_number="P2", issued_on="2026-01-01", office_code="o", at="t", by="b")
    with pytest.raises(certificate_store.AlreadyRecorded):
        store.certificates.record_paper("C2", paper_number="P1", issued_on="2026-01-01", office_code="o", at="t", by="b")
    assert store.certificates.paper_certificate("C1").paper_number == "P1"
    assert store.certificates.paper_certificate("C2") is None


# ------------------------------------------------------------------- audit, statistics, registry
def test_audit_is_ordered_by_time(store):
    store.audit.append("CASE#1", actor="a", action="x", at="2026-01-01T00:00:02", after={"v": 1})
    store.audit.append("CASE#1", actor="b", action="y", at="2026-01-01T00:00:01")
    store.audit.append("CASE#2", actor="a", action="z", at="2026-01-01T00:00:03")
    assert [e.action for e in store.audit.for_subject("CASE#1")] == ["x", "y"]
    assert [e.action for e in store.audit.for_subject("CASE#1", newest_first=False, limit=1)] == ["y"]
    assert [e.action for e in store.audit.by_actor("a")] == ["z", "x"]
    assert next(iter(store.audit.for_subject("CASE#1"))).to_dict()["after"] == {"v": 1}


def test_statistics_count_each_event_once(store):
    assert store.statistics.add(["510104022", "510104", "510104"], "2026", {"received|online": 1, "x": 2}, once="C1#received")
    assert not store.statistics.add(["510104022", "510104"], "2026", {"received|online": 1}, once="C1#received")
    assert not store.statistics.add(["510104022"], "2026", {}, once="C1#none")
    assert store.statistics.get("510104", "2026") == {"received|online": 1, "x": 2}
    assert store.statistics.get("51", "2026") == {}
    assert store.statistics.get_many(["510104022", "51"], "2026") == {"510104022": {"received|online": 1, "x": 2}}
    for at in ("2026-01-02", "2026-01-01", "2026-01-03"):
        store.statistics.add_comment("510104022", at, "C1", {"at": at})
    assert [c["at"] for c in store.statistics.comments("510104022", 2)] == ["2026-01-03", "2026-01-02"]


def test_registry_records(store):
    from chalicelib.store import registry

    store.registry.put(registry.person_key("510104199001011234"), {"name": "张三"})
    assert store.registry.get(registry.person_key("510104199001011234")) == {"name": "张三"}
    assert store.registry.get(registry.person_key("x")) is None


# ------------------------------------------------------------------------------------ appointments
def _appointment(number: str, woman: str, start: str = "09:00", day: str = "2026-12-08"):
    from chalicelib.store import appointments as appointment_store

    return appointment_store.Appointment(number, "510104022", day, start, "10:00", "booked", woman, '{"sealed": 1}', "2026-12-01T10:00:00", "citizen")


def test_appointments_fill_a_slot_once_per_place_and_one_per_woman(store):
    from chalicelib.store import appointments as appointment_store

    store.appointments.book(_appointment("YY1", "w1"), places=2)
    with pytest.raises(appointment_store.WomanHasActive):
        store.appointments.book(_appointment("YY2", "w1", start="14:00"), places=2)
    with pytest.raises(appointment_store.NumberTaken):
        store.appointments.book(_appointment("YY1", "w9", start="14:00"), places=2)
    store.appointments.book(_appointment("YY3", "w2"), places=2)
    with pytest.raises(appointment_store.SlotTaken):
        store.appointments.book(_appointment("YY4", "w3"), places=2)
    assert store.appointments.get("YY4") is None and store.appointments.get("YY2") is None  # nothing written
    assert store.appointments.taken("510104022", "2026-12-08", "2026-12-08") == {("2026-12-08", "09:00"): 2}
    assert [a.number for a in store.appointments.day("510104022", "2026-12-08")] == ["YY1", "YY3"]
    assert store.appointments.day("510104022", "2026-12-09") == []
    assert store.appointments.get("YY1") == _appointment("YY1", "w1")


def test_appointment_moves_are_conditional_and_release_what_they_say(store):
    from chalicelib.store import appointments as appointment_store

    a = _appointment("YY1", "w1")
    store.appointments.book(a, places=1)
    moved = store.appointments.move(a, from_statuses=("booked",), to="confirmed", at="t1", by="op", release=False, free_place=False)
    assert moved and store.appointments.get("YY1").status == "confirmed"
    assert not store.appointments.move(a, from_statuses=("booked",), to="confirmed", at="t2", by="op", release=False, free_place=False)
    with pytest.raises(appointment_store.WomanHasActive):  # confirming kept her marker
        store.appointments.book(_appointment("YY2", "w1", start="14:00"), places=1)
    assert store.appointments.move(a, from_statuses=("booked", "confirmed"), to="cancelled", at="t3", by="citizen", release=True, free_place=True)
    assert store.appointments.get("YY1").status == "cancelled" and store.appointments.get("YY1").by == "citizen"
    assert store.appointments.taken("510104022", "2026-12-08", "2026-12-08") == {("2026-12-08", "09:00"): 0}
    store.appointments.book(_appointment("YY2", "w1"), places=1)  # her marker and the place are free again
    b = _appointment("YY2", "w1")
    assert store.appointments.move(b, from_statuses=("booked",), to="registered", at="t4", by="op", case_id="C1", release=True, free_place=False)
    assert store.appointments.get("YY2").case_id == "C1"


def test_a_booking_that_conflicts_with_a_concurrent_transaction_runs_again(monkeypatch):
    """DynamoDB cancels a transaction that meets another on the same item (TransactionConflict,
    no condition failed); moto never does, so the conflict is staged here."""
    from chalicelib.store import appointments as appointment_store
    from chalicelib.store import conditions

    class Cancelled(Exception):
        def __init__(self, code):
            self.cancellation_reasons = [SimpleNamespace(code=code, message=""), None]

    assert conditions.conflicted(Cancelled("TransactionConflict"))
    assert not conditions.conflicted(Cancelled("ConditionalCheckFailed"))
    runs = []

    def transacted(write):
        runs.append(1)
        if len(runs) < 3:
            raise Cancelled("TransactionConflict")
        return None

    monkeypatch.setattr(appointment_store, "transacted", transacted)
    monkeypatch.setattr(appointment_store.time, "sleep", lambda s: None)
    appointment_store.book(_appointment("YY1", "w1"), places=1)
    assert len(runs) == 3
    runs.clear()
    monkeypatch.setattr(appointment_store, "CONFLICT_TRIES", 2)
    with pytest.raises(appointment_store.SlotBusy):
        appointment_store.book(_appointment("YY1", "w1"), places=1)
    monkeypatch.setattr(appointment_store, "transacted", lambda write: (_ for _ in ()).throw(Cancelled("ValidationError")))
    with pytest.raises(Cancelled):  # anything else is raised as it is
        appointment_store.book(_appointment("YY1", "w1"), places=1)

"""VerifyRecords (``services/workflow/checks.verify_records``): the three registry lookups of one case
run at once, in the invocation's context, and a failed lookup fails the step with nothing written.

The registries are the reference implementations (the in-memory Registry records) behind a gate:
each lookup waits at a shared ``threading.Barrier(3)`` before asking its registry, so the step
only gets through when the three are in flight together -- run one after the other, the first
would wait alone and the barrier times out.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from chalicelib import config
from chalicelib.adapters import civil_affairs, population, public_security
from chalicelib.adapters.registries import RegistryUnavailable
from chalicelib.domain import routing
from chalicelib.services.workflow import checks
from tests.unit.services.scenarios import known_couple, run_checks, submit

BARRIER_SECONDS = 5


class Gate:
    """The three registries, each lookup waiting for the other two; records what each saw."""

    def __init__(self, fail: str | None = None) -> None:
        self.barrier = threading.Barrier(3, timeout=BARRIER_SECONDS)
        self.fail = fail
        self.seen: dict[str, tuple[str, str]] = {}  # system -> (thread name, the unit's setting)

    def _arrive(self, system: str) -> None:
        self.barrier.wait()  # BrokenBarrierError if the three are not in flight together
        self.seen[system] = (threading.current_thread().name, config.optional_setting("VERIFY_RECORDS_TEST_PROBE"))
        if system == self.fail:
            raise RegistryUnavailable(f"{system} did not answer")

    def install(self, monkeypatch) -> None:
        gate = self

        class Identity(public_security.ReferencePublicSecurity):
            def verify(self, people):
                gate._arrive("public_security")
                return super().verify(people)

        class Marriage(civil_affairs.ReferenceCivilAffairs):
            def verify(self, query):
                gate._arrive("civil_affairs")
                return super().verify(query)

        class Population(population.ReferencePopulationRegistry):
            def household(self, woman_id, man_id):
                gate._arrive("population")
                return super().household(woman_id, man_id)

        monkeypatch.setattr(public_security, "default", Identity)
        monkeypatch.setattr(civil_affairs, "default", Marriage)
        monkeypatch.setattr(population, "default", Population)


def test_the_three_lookups_of_one_case_run_at_once(memory, adapters, monkeypatch):
    case_id = submit(known_couple())["case_id"]
    gate = Gate()
    gate.install(monkeypatch)
    # the unit's own environment (the local stack's overlay, a context variable) reaches each lookup
    with config.unit_environment({"VERIFY_RECORDS_TEST_PROBE": "unit-value"}, frozenset()):
        state = run_checks(case_id)
    assert state == {"case_id": case_id, "route": routing.ISSUE}
    assert set(gate.seen) == {"public_security", "civil_affairs", "population"}
    assert len({thread for thread, _ in gate.seen.values()}) == 3
    assert threading.current_thread().name not in {thread for thread, _ in gate.seen.values()}
    assert {setting for _, setting in gate.seen.values()} == {"unit-value"}
    # apply_rules recorded the three results, in the branch order's meaning
    check = memory.cases.get(case_id).check
    assert check["matched"] is True and check["route"] == routing.ISSUE
    assert (check["identity"]["status"], check["marriage"]["status"]) == ("match", "match")


def test_run_one_after_the_other_the_gate_would_not_open(memory, adapters, monkeypatch):
    """The gate's own check: a lookup alone at the barrier fails instead of passing."""
    case_id = submit(known_couple())["case_id"]
    gate = Gate()
    gate.barrier = threading.Barrier(3, timeout=0.2)
    gate.install(monkeypatch)
    with pytest.raises(threading.BrokenBarrierError):
        checks.marriage_check(case_id)


@pytest.mark.parametrize("failing", ["public_security", "civil_affairs", "population"])
def test_a_failed_lookup_fails_the_step_and_records_nothing(memory, adapters, monkeypatch, failing):
    case_id = submit(known_couple())["case_id"]
    before = memory.cases.get(case_id)
    counters, sent = dict(memory.statistics.counters), list(adapters.sms.sent)
    Gate(fail=failing).install(monkeypatch)
    with pytest.raises(RegistryUnavailable, match=failing):
        run_checks(case_id)
    after = memory.cases.get(case_id)
    assert before.check is None
    assert (after.status, after.check, len(after.history)) == (before.status, None, len(before.history))
    assert memory.statistics.counters == counters  # "received" is counted by apply_rules, which did not run
    assert adapters.sms.sent == sent

    # the step's Retry runs all of it again: the registry answers now, the case is recorded once
    Gate().install(monkeypatch)
    assert run_checks(case_id)["route"] == routing.ISSUE
    assert memory.cases.get(case_id).check["route"] == routing.ISSUE


def test_the_handler_turns_a_registry_outage_into_the_error_the_workflow_retries(memory, adapters, monkeypatch):
    from functions import verify_records
    from functions._runtime import TransientError

    context = SimpleNamespace(
        function_name="birthreg-ci-verify-records",
        memory_limit_in_mb=256,
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:birthreg-ci-verify-records",
        aws_request_id="req-1",
    )
    case_id = submit(known_couple())["case_id"]
    Gate(fail="population").install(monkeypatch)
    with pytest.raises(TransientError, match="population did not answer"):
        verify_records.handler({"case_id": case_id, "route": routing.WAIT_WINDOW}, context)
    assert memory.cases.get(case_id).check is None



@pytest.mark.parametrize("past", ["registered", "awaiting_review"])
def test_a_second_execution_of_one_start_leaves_a_case_past_its_checks_alone(memory, adapters, past):
    """The outbox delivers the start at least once and Express runs a name twice: the second run
    must not set a case that waits for a reviewer (or is registered) back to 'checking'."""
    from chalicelib.services.certificates import issuance
    from chalicelib.services.workflow import review

    if past == "registered":
        case_id = submit(known_couple())["case_id"]
        assert run_checks(case_id)["route"] == routing.ISSUE
        issuance.issue_certificate(case_id)
    else:
        other_child = [{"name": "别人", "id_number": None, "birth_date": "2015-01-01", "sex": "male", "relation": "son"}]
        case_id = submit(known_couple(children=other_child))["case_id"]
        state = run_checks(case_id)
        assert state["route"] == routing.REVIEW
        review.await_review(case_id, "token-1", state["review"])
    before = memory.cases.get(case_id)
    assert before.status == past
    entries, sms = len(before.history), len(adapters.sms.sent)
    assert checks.verify_records({"case_id": case_id}) == {"case_id": case_id, "route": routing.CLOSED}
    after = memory.cases.get(case_id)
    assert (after.status, len(after.history), len(adapters.sms.sent)) == (past, entries, sms)

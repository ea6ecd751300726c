"""Fault injection (issue 12 item 6): 20 registrations while 20 % of the AWS and registry calls fail.
Every case the clients were told about exists and ends in a terminal status, none is duplicated,
every "needs attention" case raised an operator alert, and the outbox has nothing left pending."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_twenty_registrations_at_twenty_percent_faults(stack):
    from benchmarks.fault_run import run_on
    from local import faults

    result = run_on(stack, 20, rate=0.2, workers=4, timeout=300, first_serial=1100)
    why = {k: result[k] for k in ("unfinished_ids", "lost_ids", "wrong_outcome_ids", "errors", "needs_attention_steps", "injected")}

    assert faults.rate() == 0.0, "the switch is off again"
    assert result["fault_run_faults_injected"] > 0, "faults were injected"
    assert result["fault_run_cases"] == 20, why
    assert result["fault_run_acknowledged"] == 20, why
    assert result["fault_run_lost"] == 0, why
    assert result["fault_run_unfinished"] == 0, why
    assert result["fault_run_duplicates"] == 0, why
    assert result["fault_run_wrong_outcome"] == 0, result["wrong_outcome_ids"]
    assert result["fault_run_unacknowledged"] == 0, why
    terminal = result["fault_run_registered"] + result["fault_run_in_review"] + result["fault_run_needs_attention"]
    assert terminal == 20, why
    assert result["fault_run_needs_attention_alerted"] == result["fault_run_needs_attention"], why
    assert result["fault_run_outbox_pending"] == 0, why

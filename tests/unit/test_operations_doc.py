"""docs/operations.md covers every alarm the stack creates and the subjects of issue 11 item 9."""

from __future__ import annotations

from pathlib import Path

from infra.observability import ALARMS

RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def test_every_alarm_has_a_row_saying_what_to_do():
    text = RUNBOOK.read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| **")}
    for alarm in ALARMS:
        assert any(row.startswith(f"**{alarm.id}**") for row in rows), alarm.id


def test_runbook_sections():
    headings = [line for line in RUNBOOK.read_text(encoding="utf-8").splitlines() if line.startswith("## ")]
    for subject in (
        "Bootstrap and deploy",
        "First administrator",
        "Secrets",
        "SMS gateway",
        "Custom domain",
        "Holiday table",
        "Signing-key rotation",
        "Alarms",
        "restore drill",
        "retention",
    ):
        assert any(subject in h for h in headings), subject

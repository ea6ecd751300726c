"""Operator alerts: the OperatorAlerts topic (e-mail, paging). Raised by the outbox (a dead
message), the workflow (a case that needs attention, an escalation nobody can take) and anything
else that must reach a person; the alert carries no personal data."""

from __future__ import annotations

from typing import Any

from chalicelib import config
from chalicelib.adapters import events


def alert_operators(subject: str, detail: dict[str, Any]) -> str:
    """Publish an operator alert (the OperatorAlerts topic: e-mail, paging)."""
    return events.publish(config.alerts_topic_arn(), subject[:100], {"type": "operator.alert", **detail}, event_type="operator.alert")

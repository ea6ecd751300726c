"""Publishing to SNS topics: staff notifications and the completion event for other departments."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import config


def publish(
    topic_arn: str, subject: str, message: dict[str, Any], *, event_type: str, attributes: dict[str, str] | None = None
) -> str:
    """``attributes`` become SNS message attributes, e.g. ``office_code``: subscribers filter on
    them (an office's staff subscribe with a filter policy on their own office code)."""
    message_attributes = {"event_type": {"DataType": "String", "StringValue": event_type}}
    for name, value in (attributes or {}).items():
        message_attributes[name] = {"DataType": "String", "StringValue": value}
    response = config.client("sns").publish(
        TopicArn=topic_arn,
        Subject=subject,
        Message=json.dumps(message, ensure_ascii=False),
        MessageAttributes=message_attributes,
    )
    return response["MessageId"]

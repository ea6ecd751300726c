"""Publishing to SNS topics: staff notifications and the completion event for other departments."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import config


def publish(topic_arn: str, subject: str, message: dict[str, Any], *, event_type: str) -> str:
    response = config.client("sns").publish(
        TopicArn=topic_arn,
        Subject=subject,
        Message=json.dumps(message, ensure_ascii=False),
        MessageAttributes={"event_type": {"DataType": "String", "StringValue": event_type}},
    )
    return response["MessageId"]

"""The local stack's SMS outbox: every SMS published through SNS to a phone number.

SNS (moto) keeps the messages; this module lists them at ``GET /_dev/outbox`` on the local
API and prints a log line as each one is sent. It exists only in the local stack.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime

log = logging.getLogger("birthreg.sms")
_sent: list[dict[str, str]] = []


def install() -> None:
    from moto.sns.models import SNSBackend

    if getattr(SNSBackend.publish, "_outbox", False):
        return
    original = SNSBackend.publish

    @functools.wraps(original)
    def publish(self, message, *args, **kwargs):
        message_id = original(self, message, *args, **kwargs)
        phone = kwargs.get("phone_number")
        if phone:
            entry = {"id": message_id, "phone": phone, "message": message, "at": datetime.now(UTC).isoformat()}
            _sent.append(entry)
            log.warning("SMS to %s: %s", phone, message)
        return message_id

    publish._outbox = True
    SNSBackend.publish = publish


def messages() -> list[dict[str, str]]:
    return list(_sent)


def clear() -> None:
    _sent.clear()

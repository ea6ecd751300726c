"""Sending SMS to citizens.

``SmsSender.send(phone, text)``. Default: Amazon SNS direct publish to the phone number.
SNS cannot deliver to mainland +86 numbers in practice, so production deployments in
mainland China configure ``SMS_SENDER=gateway`` (a domestic SMS gateway's HTTP API).
Templates are Chinese and at most 70 characters (one SMS segment).
"""

from __future__ import annotations

from typing import Protocol

from chalicelib import config

MAX_LENGTH = 70


class SmsTooLong(ValueError):
    pass


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> str: ...


def e164(phone: str) -> str:
    return phone if phone.startswith("+") else f"+86{phone}"


def check_length(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise SmsTooLong(f"SMS of {len(text)} characters exceeds {MAX_LENGTH}")


class SnsSmsSender:
    def send(self, phone: str, text: str) -> str:
        check_length(text)
        response = config.client("sns").publish(
            PhoneNumber=e164(phone),
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
        return response["MessageId"]


def default_sender() -> SmsSender:
    kind = config.setting("SMS_SENDER", "sns")
    if kind == "sns":
        return SnsSmsSender()
    raise RuntimeError(f"unknown SMS_SENDER {kind!r}")

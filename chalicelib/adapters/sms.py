"""Sending SMS to citizens.

``SmsSender.send(phone, text) -> message id``. Two implementations, chosen by ``SMS_SENDER``
(declared in ``infra/settings.py``):

``gateway`` (the default of every deployed stage)
    A domestic SMS gateway's HTTP API, configured by ``SMS_GATEWAY_URL``,
    ``SMS_GATEWAY_APP_KEY`` (settings; the synth fails without them), the app secret (field
    ``secret`` of the ``SmsGatewayCredentials`` secret in Secrets Manager, by ARN in
    ``SMS_GATEWAY_SECRET_ARN``), ``SMS_GATEWAY_TIMEOUT_SECONDS`` (5) and ``SMS_GATEWAY_RETRIES`` (2).

``sns`` (the local stack's, whose outbox catches the publishes; elsewhere only when set explicitly)
    Amazon SNS direct publish to the phone number (transactional). SNS cannot deliver to
    mainland +86 numbers in practice, so mainland deployments use the gateway.

Gateway interface (what a gateway, or the adapter in front of a vendor, must implement)::

    POST <SMS_GATEWAY_URL>
    Content-Type: application/json; charset=utf-8
    X-App-Key:    <app key>
    X-Timestamp:  <unix time, seconds>
    X-Nonce:      <32 hex characters, new for every attempt>
    X-Signature:  hex(HMAC-SHA256(<secret>, "POST\\n<path>\\n<timestamp>\\n<nonce>\\n<hex SHA-256 of the body>"))
                  (the scheme of every system we deliver to: adapters/signed_http.py)

    {"phone": "13800001111", "content": "【生育登记】…", "client_ref": "<outbox event id, the same on every retry>"}

    200 {"code": "OK", "message_id": "..."}       accepted
    200 {"code": "<other>", "message": "..."}     refused (e.g. blacklisted number)  -> SmsRejected
    4xx {"code": "...", "message": "..."}         refused (bad signature, bad number) -> SmsRejected, not retried
    5xx, 429, timeout, connection error           retried with backoff, then SmsUnavailable

The gateway should reject a timestamp more than 5 minutes off and a nonce it has seen, and
should treat ``client_ref`` as an idempotency key, so a retry after a lost answer does not
send twice.

Templates are Chinese and at most 70 characters (one SMS segment); ``send`` refuses longer.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from typing import Protocol

from chalicelib import config
from chalicelib.adapters import signed_http

log = logging.getLogger("birthreg.sms")

MAX_LENGTH = 70


class SmsTooLong(ValueError):
    pass


class SmsError(Exception):
    """Sending failed."""


class SmsRejected(SmsError):
    """The gateway refused the message (4xx or a non-OK answer): retrying will not help."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"SMS gateway refused the message: HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class SmsUnavailable(SmsError):
    """The gateway did not accept the message after every retry (5xx, timeouts)."""


class SmsSender(Protocol):
    # ref: the sender's id of this message (an outbox event id); the same on every retry
    def send(self, phone: str, text: str, ref: str | None = None) -> str: ...


def e164(phone: str) -> str:
    return phone if phone.startswith("+") else f"+86{phone}"


def domestic(phone: str) -> str:
    return phone[3:] if phone.startswith("+86") else phone


def check_length(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise SmsTooLong(f"SMS of {len(text)} characters exceeds {MAX_LENGTH}")


class SnsSmsSender:
    def send(self, phone: str, text: str, ref: str | None = None) -> str:  # SNS has no client reference
        check_length(text)
        response = config.client("sns").publish(
            PhoneNumber=e164(phone),
            Message=text,
            MessageAttributes={
                "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            },
        )
        return response["MessageId"]


class GatewaySmsSender:
    def __init__(
        self,
        url: str,
        app_key: str,
        secret: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = signed_http.check_url(url, "SMS_GATEWAY_URL")
        self.app_key = app_key
        self.secret = secret
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    @classmethod
    def from_env(cls) -> GatewaySmsSender:
        return cls(
            config.setting("SMS_GATEWAY_URL"),
            config.setting("SMS_GATEWAY_APP_KEY"),
            # the app secret lives in Secrets Manager (SmsGatewayCredentials), never in the environment
            config.secret_field("SMS_GATEWAY_SECRET_ARN", "secret"),
            timeout=float(config.setting("SMS_GATEWAY_TIMEOUT_SECONDS")),
            retries=config.int_setting("SMS_GATEWAY_RETRIES"),
        )

    def send(self, phone: str, text: str, ref: str | None = None) -> str:
        check_length(text)
        body = json.dumps(
            {"phone": domestic(phone), "content": text, "client_ref": ref or uuid.uuid4().hex}, ensure_ascii=False
        ).encode()
        last: str = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                status, answer = self._post(body)
            except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
                last = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
                log.warning("SMS gateway attempt %d failed: %s", attempt + 1, last)
                continue
            if status >= 500 or status == 429:
                last = f"HTTP {status}"
                log.warning("SMS gateway attempt %d failed: %s", attempt + 1, last)
                continue
            code = str(answer.get("code", ""))
            if 200 <= status < 300 and code == "OK" and answer.get("message_id"):
                return str(answer["message_id"])
            raise SmsRejected(status, code or "UNKNOWN", str(answer.get("message", "")))
        raise SmsUnavailable(f"SMS gateway unavailable after {self.retries + 1} attempts ({last})")

    def _post(self, body: bytes) -> tuple[int, dict]:
        return signed_http.post_json(self.url, self.app_key, self.secret, body, timeout=self.timeout)


def default_sender() -> SmsSender:
    # "gateway" outside the local stage (infra/settings.py): SNS cannot deliver to +86 numbers.
    kind = config.setting("SMS_SENDER")
    if kind == "sns":
        return SnsSmsSender()
    if kind == "gateway":
        return GatewaySmsSender.from_env()
    raise RuntimeError(f"unknown SMS_SENDER {kind!r}")

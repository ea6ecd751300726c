"""Delivering registrations to the province's other government systems (domain/sharing.py says who
receives what and why): 渝快办 for Chongqing, PIS for Guizhou.

Each receiving system is reached over HTTPS with the signed-request scheme of
``adapters/signed_http.py``; the outbox (``services/shared/outbox.py``, kind ``share``) calls
``receiver(system).deliver(record, event_id=...)`` at least once per event, with backoff, and
dead-letters what keeps failing (operators replay it with ``python -m tools.outbox replay <event id>``).

Interface a receiving system (or the adapter in front of it) implements::

    POST <SHARING_<SYSTEM>_URL>
    X-App-Key / X-Timestamp / X-Nonce / X-Signature   (adapters/signed_http.py)
    X-Event-Id:   share:<system>:<case id>:<step>     (the same on every retry of one event)

    {"schema_version": 1, "type": "registration.registered", "case_id": ..., "registration_number": ...,
     "registered_at": ..., "channel": "online" | "onsite", "office": {"code", "name"}, "child_order": ...,
     "application_type": ..., "woman": {"name", "id_number"}, "man": {"name", "id_number"},
     "marriage": {"date", "certificate_number"}, "event_id": ...}

    200/201 {"receipt": "..."}      recorded; the same event id again answers the first receipt
    4xx (not 408/429)               refused: ShareRefused (retried, then dead-lettered: a record the
                                    receiver refuses needs a person, not more attempts)
    5xx, 408, 429, timeout, reset   ShareUnavailable: retried by the outbox with backoff

Settings per system (infra/settings.py): ``SHARING_<SYSTEM>_URL``, ``SHARING_<SYSTEM>_APP_KEY``; the
secret is field ``<system>`` of the ``SharingCredentials`` secret (``SHARING_SECRET_ARN``);
``SHARING_TIMEOUT_SECONDS``. The local stack runs a reference receiver for each (local/receivers.py).
"""

from __future__ import annotations

import json
import urllib.error
from dataclasses import dataclass
from typing import Any

from chalicelib import config
from chalicelib.adapters import signed_http


class ShareError(Exception):
    """A delivery that did not reach the receiving system's records."""


class ShareRefused(ShareError):
    def __init__(self, system: str, status: int, answer: dict) -> None:
        super().__init__(f"{system} refused the record: HTTP {status} {answer.get('code', '')} {answer.get('message', '')}".strip())
        self.status, self.answer = status, answer


class ShareUnavailable(ShareError):
    pass


@dataclass(frozen=True)
class HttpReceiver:
    system: str
    url: str
    app_key: str
    secret: str
    timeout: float = 5.0

    def deliver(self, record: dict[str, Any], *, event_id: str) -> str:
        """The receiver's receipt for ``record``; raises ``ShareUnavailable`` (try again later) or
        ``ShareRefused``."""
        body = json.dumps({**record, "event_id": event_id}, ensure_ascii=False).encode()
        try:
            status, answer = signed_http.post_json(
                self.url, self.app_key, self.secret, body, timeout=self.timeout, headers={"X-Event-Id": event_id}
            )
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            raise ShareUnavailable(f"{self.system}: {type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
        if status >= 500 or status in (408, 429):
            raise ShareUnavailable(f"{self.system}: HTTP {status}")
        if 200 <= status < 300 and answer.get("receipt"):
            return str(answer["receipt"])
        raise ShareRefused(self.system, status, answer)


# system -> (URL, app key), settings declared in infra/settings.py
_ENDPOINTS = {
    "yukuaiban": lambda: (config.setting("SHARING_YUKUAIBAN_URL"), config.setting("SHARING_YUKUAIBAN_APP_KEY")),
    "pis": lambda: (config.setting("SHARING_PIS_URL"), config.setting("SHARING_PIS_APP_KEY")),
}


def receiver(system: str) -> HttpReceiver:
    """The configured receiver of ``system`` (``yukuaiban`` or ``pis``)."""
    url, app_key = _ENDPOINTS[system]()
    return HttpReceiver(
        system,
        signed_http.check_url(url, f"SHARING_{system.upper()}_URL"),
        app_key,
        # the shared secret lives in Secrets Manager (SharingCredentials), never in the environment
        config.secret_field("SHARING_SECRET_ARN", system),
        timeout=float(config.setting("SHARING_TIMEOUT_SECONDS")),
    )

"""What the three external registries share: errors and the HTTP client of their HTTP implementations.

The registries (000 §2.3.5 "查验国家公安信息和四川民政信息"; 002 五(三) 办证系统行政记录; 003 (B) PCMIS):

=====================  ===========================================  =======================================
system                 interface (module)                           selects the HTTP implementation
=====================  ===========================================  =======================================
public security 公安    ``public_security.PublicSecurity.verify``     ``PUBLIC_SECURITY_URL``
civil affairs 民政      ``civil_affairs.CivilAffairs.verify``         ``CIVIL_AFFAIRS_URL``
population 全员人口     ``population.PopulationRegistry``              ``POPULATION_REGISTRY_URL``
=====================  ===========================================  =======================================

Each has a reference implementation over the Registry table (``chalicelib/store/registry.py``;
seeded synthetic records, used by the local stack and the tests) and an HTTP implementation
against a configurable base URL, used when the variable is set.

Errors: ``RegistryUnavailable`` — the system did not answer in time or answered 5xx/429 after
the client's own retries; the workflow retries the step with backoff and then marks the case
"needs attention". ``RegistryError`` — the system answered something we cannot use (4xx,
malformed JSON); retrying does not help.

HTTP: JSON over POST (personal data never in a URL), ``REGISTRY_HTTP_TIMEOUT_SECONDS``
(default 5) per attempt, ``REGISTRY_HTTP_ATTEMPTS`` (default 3) attempts with exponential
backoff (0.2 s, 0.4 s, ...) on connection errors, timeouts, 429 and 5xx.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any

from chalicelib import config

log = logging.getLogger("birthreg.registries")

BACKOFF_SECONDS = 0.2


class RegistryUnavailable(Exception):
    """Transient: the registry did not answer (timeout, connection refused, 5xx, 429)."""


class RegistryError(Exception):
    """Permanent: the registry's answer is unusable (4xx, not JSON, unknown status)."""


def post_json(base_url: str, path: str, payload: dict[str, Any], *, system: str) -> dict[str, Any]:
    """POST ``payload`` as JSON to ``base_url + path``; the decoded JSON answer."""
    timeout = float(config.setting("REGISTRY_HTTP_TIMEOUT_SECONDS"))
    attempts = max(1, config.int_setting("REGISTRY_HTTP_ATTEMPTS"))
    data = json.dumps(payload, ensure_ascii=False).encode()
    url = base_url + path
    last: Exception | None = None
    for attempt in range(attempts):
        if attempt:
            time.sleep(BACKOFF_SECONDS * 2 ** (attempt - 1))
        request = urllib.request.Request(  # noqa: S310 - the operator configures an http(s) URL
            url, data=data, method="POST", headers={"Content-Type": "application/json", "Accept": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                last = exc
                log.warning("%s answered %s (attempt %d/%d)", system, exc.code, attempt + 1, attempts)
                continue
            raise RegistryError(f"{system} answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            last = exc
            log.warning("%s unreachable: %s (attempt %d/%d)", system, type(exc).__name__, attempt + 1, attempts)
            continue
        try:
            answer = json.loads(body)
        except ValueError as exc:
            raise RegistryError(f"{system} answered something that is not JSON") from exc
        if not isinstance(answer, dict):
            raise RegistryError(f"{system} answered a JSON {type(answer).__name__}, not an object")
        return answer
    raise RegistryUnavailable(f"{system} unavailable after {attempts} attempts") from last


def expect(answer: dict[str, Any], field: str, allowed: tuple[str, ...], *, system: str) -> str:
    value = answer.get(field)
    if value not in allowed:
        raise RegistryError(f"{system} answered {field}={value!r}, expected one of {allowed}")
    return value

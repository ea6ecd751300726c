"""One local stack for the whole end-to-end session: the same wiring as ``make run``."""

from __future__ import annotations

import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from local.stack import LocalStack, free_port


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: Any
    raw: bytes


class Api:
    def __init__(self, base: str) -> None:
        self.base = base

    def request(self, method: str, path: str, body: Any = None, *, headers: dict[str, str] | None = None,
                raw: bytes | None = None) -> HttpResult:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        hdrs = {"Content-Type": "application/json", "Connection": "close", **(headers or {})}
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                content = resp.read()
                status, rh = resp.status, dict(resp.headers)
        except urllib.error.HTTPError as err:
            content = err.read()
            status, rh = err.code, dict(err.headers)
        try:
            parsed = json.loads(content) if content else None
        except ValueError:
            parsed = None
        return HttpResult(status, rh, parsed, content)

    def get(self, path: str, **kw) -> HttpResult:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw) -> HttpResult:
        return self.request("POST", path, body, **kw)


@pytest.fixture(scope="session")
def stack():
    s = LocalStack(api_port=free_port()).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def api(stack) -> Api:
    return Api(stack.api_url)


_serial = itertools.count(1)


@pytest.fixture
def couple(stack):
    """A fresh demo couple (unique ID numbers and marriage certificate) for one test.

    ``couple(profile, matched=True)`` returns a valid registration body; with
    ``matched=True`` the reference registries know the couple, so the instant path applies.
    """
    from chalicelib.domain import idcard
    from chalicelib.domain.demo import demo_registration
    from chalicelib.store import registry
    from local.seed import registry_records

    def make(profile: str = "sichuan", *, matched: bool = True) -> dict:
        n = next(_serial)
        body = demo_registration(profile)
        for role, parity in (("woman", 0), ("man", 1)):
            old = body[role]["id_number"]
            born: date = idcard.birth_date(old)
            body[role]["id_number"] = idcard.make_id(old[:6], born, (2 * n + parity) % 1000)
        body["marriage"]["certificate_number"] = f"J{n:06d}-E2E"
        if matched:
            for key, data in registry_records(body):
                registry.put(key, data)
        return body

    return make


def wait_for_status(api: Api, case_id: str, code: str, statuses: set[str], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = api.get(f"/v1/registrations/{case_id}", headers={"X-Query-Code": code})
        if last.status == 200 and last.body["status"] in statuses:
            return last.body
        time.sleep(0.2)
    raise AssertionError(f"case {case_id} did not reach {statuses}: last {last.status if last else None} {last.body if last else None}")

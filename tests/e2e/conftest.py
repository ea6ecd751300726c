"""One local stack for the whole end-to-end session: the same wiring as ``make run``.

Citizen helpers: every submission goes through a real SMS code (read from the local stack's
outbox, in process) and a submit token, like a citizen's browser does:

- ``register(api, body)`` — code to the woman's phone, verify, ``POST /v1/registrations``
  with ``X-Citizen-Token`` and a fresh ``Idempotency-Key``; returns the ``HttpResult``.
- ``citizen_token(api, phone, purpose)`` — a citizen token (solves the captcha for "query").
- the ``clock`` fixture moves ``config.clock`` forward (expiry, rate-limit windows) and puts
  it back after the test; ``citizen_token(..., clock=clock)`` waits out the 60 s resend
  interval by moving the clock instead of sleeping.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest


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

    def put(self, path: str, body: Any = None, **kw) -> HttpResult:
        return self.request("PUT", path, body, **kw)


# The session's ``stack`` fixture (one local stack per pytest process) is in tests/conftest.py:
# tests/browser uses the same one.


@pytest.fixture(autouse=True)
def _stack_environment(request):
    """Give every test the local stack's environment, whatever an earlier test left behind.

    The in-process CDK synth (``chalice package`` of the API) sets the deployed stage's variables
    (``${Token[...]}`` names) in ``os.environ``; every later test would talk to tables that do
    not exist.
    """
    if "stack" in request.fixturenames:
        stack = request.getfixturevalue("stack")
        for name, value in stack.environment.items():
            if os.environ.get(name) != value:
                os.environ[name] = value
    yield


class _OperatorMonkeyPatch(pytest.MonkeyPatch):
    """``setenv``/``delenv`` of a declared setting (infra/settings.py) reconfigure the local stack's
    units that declare it, as an operator reconfigures a deployment (``LocalStack.configure``): each
    unit reads only its own environment there (local/iam.py), not this process's."""

    def __init__(self, request) -> None:
        super().__init__()
        self._request = request
        self._changed: list[tuple[str, dict]] = []

    def _configure(self, name: str, value: str | None) -> None:
        from infra.settings import by_name

        if name in by_name() and "stack" in self._request.fixturenames:
            stack = self._request.getfixturevalue("stack")
            self._changed.append((name, stack.configure(name, value)))

    def setenv(self, name, value, prepend=None) -> None:
        super().setenv(name, value, prepend)
        self._configure(name, os.environ[name])

    def delenv(self, name, raising=True) -> None:
        super().delenv(name, raising)
        self._configure(name, None)

    def undo(self) -> None:
        if self._changed:
            stack = self._request.getfixturevalue("stack")
            for name, previous in reversed(self._changed):
                stack.restore(name, previous)
            self._changed.clear()
        super().undo()


@pytest.fixture
def monkeypatch(request):
    """pytest's ``monkeypatch``; a declared setting it changes reaches the units as deployed."""
    patch = _OperatorMonkeyPatch(request)
    yield patch
    patch.undo()


@pytest.fixture(autouse=True)
def _no_access_denied(request):
    """Fail a test during which a unit made an AWS call its deployed role does not allow, even where
    the code caught the error (local/iam.py)."""
    if "stack" not in request.fixturenames:
        yield
        return
    from local import iam

    start = len(iam.denials)
    yield
    if request.node.get_closest_marker("denies_access") is None:
        assert iam.denials[start:] == [], "calls the deployed IAM policy does not allow"


@pytest.fixture(scope="session")
def api(stack) -> Api:
    return Api(stack.api_url)


_serial = itertools.count(1)
_phone_prefix = random.randrange(10_000)


def unique_phone() -> str:
    """A mobile number no other test uses (SMS limits are per phone)."""
    return f"15{_phone_prefix:04d}{next(_serial):05d}"


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
            # 500 couples per birth date (the sequence code has 3 digits): the next 500 are born a
            # day later, so no two couples of one test session share an ID number
            born: date = idcard.birth_date(old) + timedelta(days=n // 500)
            body[role]["id_number"] = idcard.make_id(old[:6], born, (2 * n + parity) % 1000)
        body["marriage"]["certificate_number"] = f"J{n:06d}-E2E"
        body["woman"]["phone"], body["man"]["phone"] = unique_phone(), unique_phone()
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


# ---------------------------------------------------------------------------------------------
# Citizen helpers: SMS codes, captchas, tokens, submission
# ---------------------------------------------------------------------------------------------
class Clock:
    """Moves ``config.clock`` forward; the fixture puts it back after the test."""

    def __init__(self) -> None:
        from chalicelib import config

        self._clock = config.clock
        self._start = config.clock.offset

    def advance(self, seconds: float) -> None:
        self._clock.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self._clock.offset = self._start


@pytest.fixture
def clock(stack):
    c = Clock()
    yield c
    c.reset()


_captcha_answers: list[str] = []


def _install_captcha_spy() -> None:
    """Remember each captcha answer as it is drawn (the tests cannot read the image)."""
    from chalicelib.services.shared import captcha

    if getattr(captcha.new_answer, "_spy", False):
        return
    original = captcha.new_answer

    def spy() -> str:
        answer = original()
        _captcha_answers.append(answer)
        return answer

    spy._spy = True  # type: ignore[attr-defined]
    captcha.new_answer = spy


def new_captcha(api: Api) -> tuple[str, str]:
    """``(captcha_id, answer)`` of a fresh captcha."""
    _install_captcha_spy()
    r = api.post("/v1/captchas")
    assert r.status == 201, r.body
    return r.body["captcha_id"], _captcha_answers[-1]


def last_code(phone: str) -> str:
    from local import outbox

    for m in reversed(outbox.messages()):
        if m["phone"] == "+86" + phone and "验证码" in m["message"]:
            return re.search(r"验证码(\d{6})", m["message"]).group(1)
    raise AssertionError(f"no verification code sent to {phone}")


def send_code(api: Api, phone: str, purpose: str, *, clock: Clock | None = None, **extra: Any) -> HttpResult:
    """Request a code (with a solved captcha where needed: always for "query", from the second
    send of the day for the other purposes); with ``clock``, wait out the resend interval."""
    body = {"phone": phone, "purpose": purpose, **extra}
    own_captcha = "captcha_id" not in extra
    if purpose == "query" and own_captcha:
        body["captcha_id"], body["captcha_answer"] = new_captcha(api)
    r = api.post("/v1/sms-codes", body)
    if r.status == 400 and own_captcha and r.body["error"]["code"] == "CAPTCHA_REQUIRED":
        body["captcha_id"], body["captcha_answer"] = new_captcha(api)
        r = api.post("/v1/sms-codes", body)
    if r.status == 429 and clock is not None and r.body["error"]["code"] == "SMS_TOO_FREQUENT":
        clock.advance(int(r.headers["Retry-After"]))
        if "captcha_id" in body and own_captcha:
            body["captcha_id"], body["captcha_answer"] = new_captcha(api)
        r = api.post("/v1/sms-codes", body)
    return r


def citizen_token(api: Api, phone: str, purpose: str, *, clock: Clock | None = None) -> str:
    sent = send_code(api, phone, purpose, clock=clock)
    assert sent.status == 202, sent.body
    r = api.post("/v1/sms-codes/verify", {"phone": phone, "purpose": purpose, "code": last_code(phone)})
    assert r.status == 200, r.body
    return r.body["token"]


def register(api: Api, body: dict, *, phone: str | None = None, key: str | None = None,
             token: str | None = None, clock: Clock | None = None) -> HttpResult:
    """Submit as a citizen: SMS code to ``phone`` (default: the woman's), token, idempotency key."""
    if token is None:
        token = citizen_token(api, phone or body["woman"]["phone"], "submit", clock=clock)
    headers = {"X-Citizen-Token": token, "Idempotency-Key": key or uuid.uuid4().hex}
    return api.post("/v1/registrations", body, headers=headers)


# ---------------------------------------------------------------------------------------------
# Proof uploads: what a browser does with the presigned POST of POST /v1/registrations/{id}/uploads
# ---------------------------------------------------------------------------------------------
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def post_file(url: str, fields: dict[str, str], content: bytes, content_type: str) -> int:
    """POST multipart/form-data (the presigned fields, then the file) to S3; the HTTP status."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="proof"\r\n'
        f"Content-Type: {content_type}\r\n\r\n".encode() + content + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def upload_proofs(api: Api, case_id: str, code: str, documents: list[str] | None = None) -> list[str]:
    """Upload a valid PDF for each document the case still asks for (or ``documents``)."""
    headers = {"X-Query-Code": code}
    if documents is None:
        documents = api.get(f"/v1/registrations/{case_id}", headers=headers).body["actions"]["upload"]
    for document in documents:
        p = api.post(
            f"/v1/registrations/{case_id}/uploads",
            {"document": document, "content_type": "application/pdf", "filename": f"{document}.pdf"},
            headers=headers,
        )
        assert p.status == 201, p.body
        assert post_file(p.body["url"], p.body["fields"], PDF_BYTES, "application/pdf") in (200, 201, 204)
    return documents


# The accessible captcha's question in words ("十四 加 二 等于多少？…"), answered as a person would.
_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九十")}


def _numeral(words: str) -> int:
    return 10 + _NUMERALS.get(words[1:], 0) if words.startswith("十") and len(words) > 1 else _NUMERALS[words]


def solve_text_captcha(question: str) -> str:
    a, op, b = question.split(" ")[:3]
    return str(_numeral(a) + _numeral(b) if op == "加" else _numeral(a) - _numeral(b))


@pytest.fixture
def window(stack):
    """Set the VerificationWindow parameter as an operator does (ssm put-parameter, no redeploy);
    the functions' 300 s cache is dropped instead of waited out."""
    import boto3

    from chalicelib import config
    from infra import resources as R

    ssm = boto3.client("ssm")
    name = stack.names[R.VERIFICATION_WINDOW.id]
    before = ssm.get_parameter(Name=name)["Parameter"]["Value"]

    def put(value: str) -> None:
        ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
        config.forget_parameters()

    yield put
    put(before)

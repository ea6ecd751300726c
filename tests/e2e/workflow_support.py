"""Helpers of the workflow and staff end-to-end tests (test_workflow_*.py, test_staff_*.py).

- ``submit_scenario(api, profile, name)`` — a fresh couple of a ``local.seed`` scenario (its registry
  records written), submitted as a citizen; returns ``Submitted``.
- ``staff_token(api, username)`` — signs in a seeded staff account (``local.seed.STAFF``) through
  ``POST /v1/staff/login``; ``bearer(...)`` the header.
- ``first_sign_in(api, username, temporary)`` — a new account's first sign-in: new password, then
  the authenticator app set up (``totp_code(secret)``, the code such an app shows); returns the
  whole answer (tokens).
- ``find_task(api, token, case_id)`` — the open review task of a case, from the staff work queue.
- ``AlertInbox`` — an SQS queue subscribed to the OperatorAlerts topic.
- ``at(clock, iso)`` — moves ``config.clock`` to a Shanghai time (with the ``clock`` fixture).
- ``execution(stack, name)`` — the case's workflow: its Waiting (Standard) execution once the
  automated steps handed it over, else its Registration (Express) one; ``handed_over(stack, name)``
  the Waiting executions of that name. The local stack only: on AWS an Express execution has no
  DescribeExecution (moto 5.2.5 answers it, and names Express executions like Standard ones).
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tests.e2e.conftest import Api, register, unique_phone, wait_for_status

_serial = itertools.count(1)
_tokens: dict[str, str] = {}


@dataclass
class Submitted:
    case_id: str
    code: str
    body: dict[str, Any]


def scenario_body(profile: str, name: str) -> dict[str, Any]:
    """A fresh couple of the scenario, its registry records written."""
    from chalicelib.store import registry
    from local.seed import scenario

    body, records = scenario(profile, name, serial=next(_serial) + 100)
    body["woman"]["phone"], body["man"]["phone"] = unique_phone(), unique_phone()
    for key, data in records:
        registry.put(key, data)
    return body


def submit_scenario(api: Api, profile: str, name: str) -> Submitted:
    body = scenario_body(profile, name)
    r = register(api, body)
    assert r.status == 201, r.body
    return Submitted(r.body["case_id"], r.body["query_code"], body)


def wait_status(api: Api, case: Submitted, *statuses: str, timeout: float = 60) -> dict:
    return wait_for_status(api, case.case_id, case.code, set(statuses), timeout=timeout)


def staff_token(api: Api, username: str) -> str:
    from local.seed import STAFF_PASSWORD

    if username not in _tokens:
        r = api.post("/v1/staff/login", {"username": username, "password": STAFF_PASSWORD})
        assert r.status == 200, r.body
        _tokens[username] = r.body["id_token"]
    return _tokens[username]


NEW_PASSWORD = "Chosen-Passw0rd!"


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for ``secret`` (base32, SHA1, 6 digits, 30 s).

    Cognito (and moto) accept the current 30-second step only: near the end of a step this waits
    (at most 2 s) for the next one, so the code cannot expire between here and the check.
    """
    import base64

    from cryptography.hazmat.primitives.hashes import SHA1
    from cryptography.hazmat.primitives.twofactor.totp import TOTP

    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    while 30 - time.time() % 30 < 2:
        time.sleep(0.05)
    # SHA1: what RFC 6238 authenticator apps and Cognito use for TOTP, not a hash for security here
    return TOTP(key, 6, SHA1(), 30, enforce_key_length=False).generate(time.time()).decode()  # noqa: S303


def first_sign_in(api: Api, username: str, temporary: str) -> dict[str, Any]:
    r = api.post("/v1/staff/login", {"username": username, "password": temporary})
    assert r.status == 200 and r.body["challenge"] == "NEW_PASSWORD_REQUIRED", r.body
    r = api.post("/v1/staff/login/new-password", {"username": username, "session": r.body["session"], "new_password": NEW_PASSWORD})
    assert r.status == 200 and r.body["challenge"] == "MFA_SETUP", r.body
    done = api.post("/v1/staff/login/mfa-setup", {"username": username, "session": r.body["session"], "code": totp_code(r.body["secret_code"])})
    assert done.status == 200, done.body
    return done.body


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def find_task(api: Api, token: str, case_id: str, *, office: str | None = None, timeout: float = 30) -> dict:
    """The open review task of ``case_id`` in the caller's (or ``office``'s) queue."""
    deadline = time.monotonic() + timeout
    while True:
        cursor = None
        while True:
            query = "?limit=100" + (f"&office={office}" if office else "") + (f"&cursor={cursor}" if cursor else "")
            r = api.get("/v1/staff/tasks" + query, headers=bearer(token))
            assert r.status == 200, r.body
            for t in r.body["tasks"]:
                if t["case_id"] == case_id:
                    return t
            cursor = r.body["next_cursor"]
            if not cursor:
                break
        if time.monotonic() > deadline:
            raise AssertionError(f"no open task for {case_id}")
        time.sleep(0.2)


def history_notes(api: Api, case: Submitted) -> list[str]:
    r = api.get(f"/v1/registrations/{case.case_id}", headers={"X-Query-Code": case.code})
    return [h.get("note") or "" for h in r.body["history"]]


def sms_to(phone: str) -> list[str]:
    from local import outbox

    return [m["message"] for m in outbox.messages() if m["phone"] == "+86" + phone]


def at(clock, iso: str) -> None:
    """Move ``config.clock`` (through the conftest ``clock`` fixture) to ``iso`` in Shanghai time."""
    from chalicelib import config

    clock.reset()
    clock.advance((datetime.fromisoformat(iso) - config.now()).total_seconds())


class AlertInbox:
    """An SQS queue subscribed to the OperatorAlerts topic."""

    def __init__(self, stack) -> None:
        import boto3

        self.sqs = boto3.client("sqs")
        name = f"alerts-{next(_serial)}"
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        boto3.client("sns").subscribe(TopicArn=stack.names["OperatorAlerts"], Protocol="sqs", Endpoint=arn)
        self.seen: list[dict] = []

    def messages(self) -> list[dict]:
        while True:
            got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not got:
                return self.seen
            for m in got:
                self.seen.append(json.loads(json.loads(m["Body"])["Message"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])

    def wait_for(self, case_id: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.messages():
                if m.get("case_id") == case_id:
                    return m
            time.sleep(0.2)
        raise AssertionError(f"no operator alert for {case_id}")


def audit_actions(case_id: str) -> list[dict]:
    from chalicelib.store import audit

    return [e.to_dict() for e in audit.for_subject(f"CASE#{case_id}", newest_first=False)]


def wait_sms(phone: str, *fragments: str, timeout: float = 30) -> str:
    """The first SMS to ``phone`` containing every fragment (the result SMS follows the status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for text in sms_to(phone):
            if all(f in text for f in fragments):
                return text
        time.sleep(0.1)
    raise AssertionError(f"no SMS to {phone} with {fragments}: {sms_to(phone)}")


def _described(stack, machine: str, name: str) -> dict | None:
    import boto3

    sfn = boto3.client("stepfunctions")
    arn = stack.names[machine].replace(":stateMachine:", ":execution:") + f":{name}"
    try:
        return sfn.describe_execution(executionArn=arn)
    except sfn.exceptions.ExecutionDoesNotExist:
        return None


def handed_over(stack, name: str) -> list[dict]:
    """The Waiting (Standard) executions named ``name``: none for an automated case, one after a hand-over."""
    import boto3

    pages = boto3.client("stepfunctions").get_paginator("list_executions").paginate(stateMachineArn=stack.names["Waiting"])
    return [e for page in pages for e in page["executions"] if e["name"] == name]


def execution(stack, name: str) -> dict:
    """The execution carrying the case now: the Waiting one if the case was handed over."""
    found = _described(stack, "Waiting", name) or _described(stack, "Registration", name)
    assert found is not None, f"no execution {name}"
    return found

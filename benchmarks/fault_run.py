"""Fault run (issue 12, item 6): N registrations through the API while a share of every AWS call and
every registry call fails (``local/faults.py``); nothing may be lost or duplicated.

``python -m benchmarks.fault_run [N] [--rate 0.1] [--workers 8] [--timeout SECONDS]`` (N defaults to
1,000; ``make bench`` runs it with the defaults). It starts the local stack in this process, makes
N fresh couples (90 % whose records match -- registered at once -- and 10 % whose population
record lists one child more -- sent to staff review), then, at the fault rate, submits each as a
browser does: one Idempotency-Key per registration, the same key again after a 5xx, a timeout or
"in progress" (409 with Retry-After). A submit token is minted for each couple (the SMS-code step
is not what this run measures). Then it waits until every case is terminal -- registered, in
review, awaiting proofs, rejected or needs attention -- and counts, with the faults off, straight
from the tables:

- ``fault_run_lost``: a case the client was told about (case id) that does not exist or has no
  status; ``fault_run_unfinished``: one not terminal when the wait (``--timeout``) ended;
- ``fault_run_duplicates``: certificates beyond one per couple and child, and cases beyond one;
- ``fault_run_unacknowledged``: cases stored for a couple whose client never got an answer;
- ``fault_run_wrong_outcome``: cases whose final status is neither the one their couple's registry
  records lead to nor "needs attention" (a fault changed a business result);
- the cases by final status, how many of the "needs attention" ones raised an operator alert,
  the outbox (delivered / still pending / dead), and the faults injected;
- for each "needs attention" case, from its execution history: the step that failed, how many of
  its attempts failed, and the error and cause its ``Catch`` took (``docs/fault_run.md``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ACCOUNT, REGION = "123456789012", "us-east-1"
TERMINAL = {"registered", "awaiting_review", "awaiting_proofs", "rejected", "incomplete", "needs_attention"}
EXPECTED = {"instant": "registered", "registry_has_more": "awaiting_review"}  # final status by scenario
RETRYABLE_CONFLICTS = {"IDEMPOTENCY_IN_PROGRESS", "SUBMISSION_IN_PROGRESS"}


def _post(base: str, path: str, body: Any, headers: dict[str, str], timeout: float) -> tuple[int, Any]:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - the local stack
        base + path, data=data, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:  # noqa: S310
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw or b"null")
        except ValueError:
            return e.code, {"raw": raw[:200].decode(errors="replace")}


def submit_like_a_browser(base: str, body: dict[str, Any], token: str, *, attempts: int = 12, timeout: float = 120) -> dict[str, Any]:
    """One registration: the same Idempotency-Key on every retry (after a 5xx, a 429, "in
    progress", or no answer within ``timeout`` -- long: on a loaded machine a request abandoned
    early still runs to its end, and its retry only adds load). ``{"case_id", "query_code",
    "attempts", "statuses"}`` or ``{"error", ...}`` when it gave up."""
    key = uuid.uuid4().hex
    statuses: list[int | str] = []
    for attempt in range(attempts):
        if attempt:
            time.sleep(min(0.25 * 2 ** (attempt - 1), 4.0))
        try:
            status, answer = _post(base, "/v1/registrations", body, {"X-Citizen-Token": token, "Idempotency-Key": key}, timeout)
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            statuses.append(type(exc).__name__)
            continue
        statuses.append(status)
        if status == 201:
            return {"case_id": answer["case_id"], "query_code": answer["query_code"], "attempts": attempt + 1, "statuses": statuses}
        code = (answer or {}).get("error", {}).get("code") if isinstance(answer, dict) else None
        if status >= 500 or status == 429 or (status == 409 and code in RETRYABLE_CONFLICTS):
            continue
        return {"error": code or status, "attempts": attempt + 1, "statuses": statuses, "answer": answer}
    return {"error": "GAVE_UP", "attempts": attempts, "statuses": statuses}


def _items(table: str) -> list[dict[str, Any]]:
    """Every item of a table, straight from the moto backend (no AWS call, no fault)."""
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[ACCOUNT][REGION]
    out = []
    for item in backend.get_table(table).all_items():
        out.append({k: v.value for k, v in item.attrs.items()})
    return out


class AlertQueue:
    """An SQS queue subscribed to the OperatorAlerts topic (created before the faults start)."""

    def __init__(self, topic_arn: str) -> None:
        import boto3

        self.sqs = boto3.client("sqs")
        self.url = self.sqs.create_queue(QueueName=f"fault-run-alerts-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        boto3.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)

    def drain(self) -> list[dict[str, Any]]:
        seen = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
            if not got:
                return seen
            for m in got:
                seen.append(json.loads(json.loads(m["Body"])["Message"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])


def prepare(n: int, *, first_serial: int = 1200, review_every: int = 10) -> list[dict[str, Any]]:
    """N fresh couples with their registry records; every ``review_every``-th goes to review.
    Serials (``local.seed.scenario``) 1200 on: born 1993-1996, apart from the tests' couples."""
    from chalicelib.store.registry import RegistryRecord
    from local.seed import scenario

    couples = []
    with RegistryRecord.batch_write() as batch:  # 25 records a request: one request each took minutes for 1,000
        for i in range(n):
            serial = first_serial + i
            name = "registry_has_more" if i % review_every == review_every - 1 else "instant"
            body, records = scenario("sichuan", name, serial=serial)
            body["woman"]["phone"], body["man"]["phone"] = f"139{serial:08d}", f"136{serial:08d}"
            for (pk, sk), data in records:
                batch.save(RegistryRecord(pk, sk, data=json.dumps(data, ensure_ascii=False)))
            couples.append({"body": body, "scenario": name})
    return couples


def _short(text: str) -> str:
    """An error message without what differs between cases, to group by: for an AWS error its
    code, operation and table; otherwise the message without ids and numbers."""
    aws = re.search(r"error occurred \(([^)]*)\).*?(?:on table \(([^)]*)\))? when calling the (\w+) operation", text)
    if aws:
        code, table, operation = aws.groups()
        return f"{text.split(':', 1)[0]}: {code} on {operation} {table or ''}".strip()
    text = re.sub(r"[0-9a-f]{8,}|\d+(\.\d+)?", "#", text)
    return re.sub(r"\s+", " ", text).strip()[:110]


def _state_of(event: dict[str, Any] | None, by_id: dict[int, dict[str, Any]]) -> str:
    """The state an execution history event belongs to (its chain of previous events)."""
    while event is not None:
        if event["type"].endswith("StateEntered"):
            return event["stateEnteredEventDetails"]["name"]
        event = by_id.get(event.get("previousEventId"))
    return "?"


def _details(event: dict[str, Any]) -> dict[str, Any]:
    """The error and cause of a failure event (``taskFailedEventDetails`` and the like)."""
    return next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict) and "error" in v), {})


def failures(case_ids: list[str]) -> Counter:
    """Why each case needs attention, from its execution history (straight from moto, no AWS call):
    ``"<state that failed> x<failed attempts>: <error> <- <cause's error type and message>"``."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    wanted = set(case_ids)
    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    why: Counter = Counter()
    for execution in backend._get_executions():
        if execution.name not in wanted:
            continue
        events = execution.to_history_output()["events"]
        by_id = {e["id"]: e for e in events}

        failed = [e for e in events if e["type"].endswith("Failed") and _details(e) and e["type"] != "ExecutionFailed"]
        attempts = Counter(_state_of(e, by_id) for e in failed)
        last = None
        for e in events:  # the failure the Catch took: the last one before RecordFailure
            if e["type"].endswith("StateEntered") and e["stateEnteredEventDetails"]["name"] == "RecordFailure":
                break
            if e in failed:
                last = e
        if last is None:
            why["no failed task (route?)"] += 1
            continue
        details = _details(last)
        cause = details.get("cause", "")
        try:
            payload = json.loads(cause)
            cause = f"{payload.get('errorType')}: {payload.get('errorMessage')}"
        except (TypeError, ValueError):
            pass
        state = _state_of(last, by_id)
        why[f"{state} x{attempts[state]}: {details.get('error')} <- {_short(str(cause))}"] += 1
    return why


def wait_executions_ended(case_ids: list[str], timeout: float) -> None:
    """Until no workflow execution of these cases runs (straight from moto, no AWS call). A case's
    status is final before its execution ends: RecordFailure records "needs attention" first, then
    alerts the operators, and a failed alert is retried with backoff (up to a minute)."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    wanted = set(case_ids)
    backend = stepfunctions_parser_backends[ACCOUNT][REGION]
    deadline = time.monotonic() + timeout
    while wanted and time.monotonic() < deadline:
        running = [
            e for e in backend._get_executions()
            if getattr(e.exec_status, "value", e.exec_status) == "RUNNING" and e.name.split("-")[0] in wanted
        ]
        if not running:
            return
        time.sleep(0.2)


def wait_terminal(case_ids: list[str], cases_table: str, timeout: float, *, progress: bool = False) -> dict[str, str | None]:
    deadline = time.monotonic() + timeout
    reported = time.monotonic()
    while True:
        statuses = {c["case_id"]: c.get("status") for c in _items(cases_table)}
        current = {case_id: statuses.get(case_id) for case_id in case_ids}
        if all(s in TERMINAL for s in current.values()) or time.monotonic() > deadline:
            return current
        if progress and time.monotonic() - reported > 30:
            reported = time.monotonic()
            open_ = Counter(s for s in current.values() if s not in TERMINAL)
            print(f"[fault_run] waiting: {dict(open_)} not terminal yet", file=sys.stderr, flush=True)
        time.sleep(1.0)


def wait_outbox_settled(table: str, timeout: float) -> Counter:
    deadline = time.monotonic() + timeout
    while True:
        queues = Counter(item.get("queue", "delivered") for item in _items(table))
        if not queues.get("pending") or time.monotonic() > deadline:
            return queues
        time.sleep(1.0)


def run(n: int, rate: float, workers: int, timeout: float, submit_for: float | None = None) -> dict[str, Any]:
    """Start a local stack in this process and ``run_on`` it."""
    from local.stack import LocalStack, free_port

    stack = LocalStack(api_port=free_port()).start()
    try:
        return run_on(stack, n, rate=rate, workers=workers, timeout=timeout, submit_for=submit_for, progress=True)
    finally:
        stack.stop()


def run_on(
    stack,
    n: int,
    *,
    rate: float,
    workers: int,
    timeout: float,
    first_serial: int = 1200,
    submit_for: float | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """The fault run against a started local stack (also used by tests/e2e/test_fault_run.py).
    ``submit_for``: seconds after which no further registration is started (the run then counts
    the ones it sent)."""
    from chalicelib.services.shared import tokens
    from local import faults

    faults.injected.clear()
    alerts = AlertQueue(stack.names["OperatorAlerts"])
    couples = prepare(n, first_serial=first_serial)
    for couple in couples:
        couple["token"] = tokens.issue(couple["body"]["woman"]["phone"], "submit", ttl_seconds=24 * 3600)
    faults.set_rate(rate)
    try:
        started = time.monotonic()
        stop_at = started + submit_for if submit_for else None
        done: list[dict[str, Any]] = []

        def one(couple: dict[str, Any]) -> dict[str, Any]:
            if stop_at is not None and time.monotonic() > stop_at:
                return {"skipped": True}  # out of time: never sent, not counted
            answer = submit_like_a_browser(stack.api_url, couple["body"], couple["token"])
            done.append(answer)
            if progress and len(done) % 50 == 0:
                print(f"[fault_run] {len(done)} submitted in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
            return answer

        with ThreadPoolExecutor(max_workers=workers) as pool:
            answers = list(pool.map(one, couples))
        couples = [c for c, a in zip(couples, answers, strict=True) if not a.get("skipped")]
        answers = [a for a in answers if not a.get("skipped")]
        submitted_in = time.monotonic() - started
        acknowledged = [a["case_id"] for a in answers if "case_id" in a]
        final = wait_terminal(acknowledged, os.environ["CASES_TABLE"], timeout, progress=progress)
        wait_executions_ended([c for c, s in final.items() if s == "needs_attention"], 120)
        settled_in = time.monotonic() - started
        outbox = wait_outbox_settled(os.environ["OUTBOX_TABLE"], 60)
    finally:
        faults.set_rate(0.0)
    return count(couples, answers, final, alerts, outbox, faults.injected, submitted_in, settled_in, rate)


def count(couples, answers, final, alerts, outbox, injected, submitted_in, settled_in, rate) -> dict[str, Any]:
    phones = {c["body"]["woman"]["phone"] for c in couples}
    cases = [c for c in _items(os.environ["CASES_TABLE"]) if c.get("contact_phone") in phones]  # this run's only
    by_couple: Counter = Counter((c["couple_key"], int(c["child_order"])) for c in cases)
    ours = {c["case_id"] for c in cases}
    certificates = [
        c for c in _items(os.environ["CERTIFICATES_TABLE"]) if str(c["registration_number"]).isdigit() and c.get("case_id") in ours
    ]
    certificates_per_case = Counter(c["case_id"] for c in certificates)
    couple_of_case = {c["case_id"]: (c["couple_key"], int(c["child_order"])) for c in cases}
    certificates_per_couple: Counter = Counter()
    for case_id, k in certificates_per_case.items():
        certificates_per_couple[couple_of_case.get(case_id)] += k
    acknowledged = {a["case_id"] for a in answers if "case_id" in a}
    lost = sorted(case_id for case_id, status in final.items() if not status)  # missing, or no status
    unfinished = sorted(case_id for case_id, status in final.items() if status and status not in TERMINAL)
    received = alerts.drain()
    alerted = {m.get("case_id") for m in received}
    # why cases need attention: the failed step's error, and the state it was in before
    why = Counter(f"{m.get('error')} after {m.get('previous_status')}" for m in received if m.get("case_id") in final)
    needs_attention = [case_id for case_id, s in final.items() if s == "needs_attention"]
    # a fault must never change the business result: the branch each couple's records lead to
    scenario_of = {c["body"]["woman"]["phone"]: c["scenario"] for c in couples}
    wrong_outcome = sorted(
        c["case_id"] for c in cases
        if final.get(c["case_id"]) not in (EXPECTED[scenario_of[c["contact_phone"]]], "needs_attention", None)
    )
    failed_steps = failures(needs_attention)
    return {
        "fault_run_cases": len(answers),
        "fault_run_fault_rate": rate,
        "fault_run_acknowledged": len(acknowledged),
        "fault_run_lost": len(lost),
        "fault_run_unfinished": len(unfinished),
        "fault_run_duplicates": sum(k - 1 for k in certificates_per_couple.values() if k > 1) + sum(k - 1 for k in by_couple.values() if k > 1),
        "fault_run_unacknowledged": len({c["case_id"] for c in cases} - acknowledged),
        "fault_run_gave_up": sum(1 for a in answers if "error" in a),
        "fault_run_registered": sum(1 for s in final.values() if s == "registered"),
        "fault_run_in_review": sum(1 for s in final.values() if s in ("awaiting_review", "awaiting_proofs")),
        "fault_run_needs_attention": len(needs_attention),
        "fault_run_wrong_outcome": len(wrong_outcome),
        "fault_run_needs_attention_alerted": sum(1 for c in needs_attention if c in alerted),
        "fault_run_outbox_delivered": outbox.get("delivered", 0),
        "fault_run_outbox_pending": outbox.get("pending", 0),
        "fault_run_outbox_dead": outbox.get("dead", 0),
        "fault_run_faults_injected": sum(injected.values()),
        "fault_run_submit_retries": sum(a["attempts"] - 1 for a in answers),
        "fault_run_submit_seconds": round(submitted_in, 1),
        "fault_run_settled_seconds": round(settled_in, 1),
        "lost_ids": lost,
        "unfinished_ids": unfinished,
        "wrong_outcome_ids": wrong_outcome,
        "errors": Counter(str(a["error"]) for a in answers if "error" in a),
        "needs_attention_why": dict(why.most_common(8)),
        "needs_attention_steps": dict(failed_steps.most_common(20)),
        "injected": dict(injected.most_common(12)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=0.1)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for every case to be terminal")
    parser.add_argument("--submit-for", type=float, default=None, help="start no registration after this many seconds")
    args = parser.parse_args(argv)
    # Thousands of injected faults: their warnings and tracebacks would cost more than the run.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "CRITICAL")
    logging.basicConfig(level=logging.CRITICAL)
    for name in ("birthreg", "werkzeug", "botocore", "pynamodb"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    result = run(args.n, args.rate, args.workers, args.timeout, args.submit_for)
    for name, value in result.items():
        if name.startswith("fault_run_"):
            print(f"{name}: {value}")
    print(f"details: lost {result['lost_ids'][:20]} unfinished {result['unfinished_ids'][:20]} errors {dict(result['errors'])}")
    print(f"details: wrong outcome {result['wrong_outcome_ids'][:20]}")
    print(f"details: injected {result['injected']}")
    print(f"details: needs attention {result['needs_attention_why']}")
    for step, k in result["needs_attention_steps"].items():
        print(f"details: needs attention {k} x {step}")
    zeros = ("fault_run_lost", "fault_run_duplicates", "fault_run_unfinished", "fault_run_wrong_outcome")
    return 0 if all(result[name] == 0 for name in zeros) else 1


if __name__ == "__main__":
    sys.exit(main())

"""AWS requests and modelled AWS cost of one registration, on the local stack (issue 5).

Runs the embedded local stack in this process and counts every request that reaches the AWS
endpoint (the moto server) — from the API, from the task functions and from Step Functions
itself (its Lambda invocations) — by service and operation, while one registration travels:

- **instant path**: the citizen requests and confirms an SMS code, submits, the workflow checks
  the three registries and issues at once, the citizen looks the result up once;
- **manual path**: the same, but the population registry records one child more than the form
  (002 五(三) "登记表信息少"), so the case waits for staff; the township operator (signed in
  beforehand: a sign-in is per working day, not per case) lists the work queue, opens the task
  link and accepts; the certificate is issued; the citizen looks the result up once.

Also measured: the Step Functions billing of each path -- the automated steps run in the Express
workflow (Registration: one request, and its duration x memory), a case that waits for a person or
the working-hours window is handed over to the Standard workflow (Waiting: its state transitions,
from its history, after the window) -- the Lambda GB-seconds (each in-process invocation's wall time × its configured memory), DynamoDB
capacity units (item sizes read from the moto backend) and the number of Scans on any request
path (target 0; the staff queue and the statistics page are measured as a third window).

Cost model (``PRICES``): AWS list prices, us-east-1, on-demand, as published on the pricing
pages below (the prices as known in mid-2025; this machine has no network to re-check them —
update ``PRICES`` and ``PRICES_AS_OF`` when they change). Not in the model: SMS delivery (a
per-message fee of the SMS provider; mainland deployments use a domestic gateway,
chalicelib/adapters/sms.py — the count of SMS is printed; the local stack's SMS go through SNS and
are listed as ``Publish(SMS)``, not priced), Cognito (billed per monthly
active staff user, not per case), storage at rest, data transfer, CloudWatch metrics.
What runs on a clock rather than per case -- the outbox sweeper (``resources.OUTBOX_SWEEP``) -- is
kept out of the per-case windows (the local stack's scheduler is slowed down for the benchmark) and
priced apart: one tick is measured and multiplied by the ticks of a month
(``outbox_sweeper_usd_per_month``).
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PRICES_AS_OF = "2025-06 (AWS pricing pages, us-east-1)"
PRICES = {
    # https://aws.amazon.com/step-functions/pricing/ — Standard workflows: $0.025 per 1,000 state transitions
    "stepfunctions_transition": 0.025 / 1000,
    # same page — Express workflows: $1.00 per 1M requests; duration $0.00001667 per GB-second (first
    # 1,000K GB-hours), billed in 100 ms increments and 64 MB steps of memory (64 MB at least)
    "stepfunctions_express_request": 1.00 / 1_000_000,
    "stepfunctions_express_gb_second": 0.00001667,
    # https://aws.amazon.com/lambda/pricing/ — $0.20 per 1M requests; $0.0000166667 per GB-second (x86)
    "lambda_request": 0.20 / 1_000_000,
    "lambda_gb_second": 0.0000166667,
    # https://aws.amazon.com/dynamodb/pricing/on-demand/ — $0.625 per million write, $0.125 per million read request units
    "dynamodb_wru": 0.625 / 1_000_000,
    "dynamodb_rru": 0.125 / 1_000_000,
    # https://aws.amazon.com/s3/pricing/ — PUT, COPY, POST, LIST $0.005 per 1,000; GET and others $0.0004 per 1,000
    "s3_write": 0.005 / 1000,
    "s3_read": 0.0004 / 1000,
    # https://aws.amazon.com/sns/pricing/ — $0.50 per 1M publishes (topic deliveries to SQS/Lambda are free)
    "sns_publish": 0.50 / 1_000_000,
    # https://aws.amazon.com/kms/pricing/ — asymmetric (ECC Sign/Verify) $0.15 per 10,000; others $0.03 per 10,000
    "kms_asymmetric": 0.15 / 10_000,
    "kms_symmetric": 0.03 / 10_000,
    # https://aws.amazon.com/api-gateway/pricing/ — REST APIs $3.50 per million requests (first 333 million)
    "api_gateway_request": 3.50 / 1_000_000,
    # https://aws.amazon.com/cloudwatch/pricing/ — logs ingestion $0.50 per GB; ~1 KB of JSON log per invocation
    "log_bytes": 0.50 / 1024**3,
}
LOG_BYTES_PER_INVOCATION = 1024
TARGET_COST_PER_1000 = 0.10
TARGET_MANUAL_COST_PER_1000 = 0.25
# Cold starts: since 2025-08 Lambda bills the INIT phase of managed runtimes like the invocation.
# Share of invocations that start a new container (an assumption: at ~1,000 registrations a day
# each function is called every minute or two and stays mostly warm), and the INIT time: the
# bundle's cold import CPU time measured by benchmarks/bundles.py (build/bench/cold_init.json),
# scaled to the memory's CPU share (1,769 MB = one vCPU).
COLD_START_SHARE = float(os.environ.get("BENCH_COLD_START_SHARE", "0.10"))
COLD_INIT_FILE = Path(os.environ.get("BENCH_COLD_INIT_FILE", ROOT / "build" / "bench" / "cold_init.json"))
DEFAULT_COLD_INIT_MS = {"api": 600.0, "tasks": 500.0, "certificate": 900.0}  # when bundles.py did not run
# Express memory is billed by what the definition and the state take, in 64 MB steps: these
# states carry a case id and a route (a few hundred bytes), so the first step.
EXPRESS_BILLED_MB = 64
EXPRESS_BILLED_MS_STEP = 100
REGISTRATIONS = int(os.environ.get("BENCH_REGISTRATIONS", "12"))
ACCOUNT, REGION = "123456789012", "us-east-1"

_S3_WRITES = {"PutObject", "PostObject", "CopyObject", "ListObjects", "ListObjectsV2", "CreateMultipartUpload"}


# ------------------------------------------------------------------------------- request counting
class Recorder:
    def __init__(self) -> None:
        self.window: str | None = None
        self.requests: dict[str, Counter] = defaultdict(Counter)
        self.rru: Counter = Counter()
        self.wru: Counter = Counter()
        self.sms: Counter = Counter()
        self.lambda_gb_s: Counter = Counter()
        self.lambda_ms: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self.index_wru: dict[str, Counter] = defaultdict(Counter)
        self.wru_by: dict[str, Counter] = defaultdict(Counter)  # write units by request kind, index writes apart
        self.lock = threading.Lock()

    def add_index_writes(self, table: str, wru: float) -> None:
        """Index write units: billed like table writes, but no request of their own."""
        with self.lock:
            if self.window:
                self.index_wru[self.window][table] += wru
                self.wru[self.window] += wru
                self.wru_by[self.window][f"index writes:{table}"] += wru

    def add(self, key: str, *, rru: float = 0, wru: float = 0) -> None:
        with self.lock:
            if self.window:
                self.requests[self.window][key] += 1
                self.rru[self.window] += rru
                self.wru[self.window] += wru
                if wru:
                    self.wru_by[self.window][key.split(":", 1)[-1]] += wru


recorder = Recorder()


def _operation(service: str, environ: dict[str, Any], body: bytes) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace")) if b"Action=" in body else {}
    action = (query.get("Action") or form.get("Action") or [None])[0]
    if action:
        return action
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
    if service == "lambda" and path.endswith("/invocations"):
        return "Invoke"
    if service == "s3":
        parts = [p for p in path.split("/") if p]
        host_bucket = not environ.get("HTTP_HOST", "").startswith(("127.0.0.1", "localhost"))
        has_key = len(parts) >= (1 if host_bucket else 2)
        return {("GET", True): "GetObject", ("PUT", True): "PutObject", ("HEAD", True): "HeadObject",
                ("DELETE", True): "DeleteObject", ("POST", False): "PostObject", ("HEAD", False): "HeadBucket"}.get(
            (method, has_key), f"{method}{'Object' if has_key else 'Bucket'}"
        )
    if service == "cognito-idp" and path.endswith("jwks.json"):
        return "GetJWKS(public)"
    return f"{method} {re.sub(r'/[^/]+', '/…', path)}"


def _dynamodb_units(op: str, request: dict[str, Any], response: bytes, sizes: tuple[int, int]) -> tuple[float, float]:
    """(read units, write units) of one DynamoDB request."""
    before, after = sizes
    if op in ("PutItem", "UpdateItem", "DeleteItem"):
        return 0.0, float(max(1, math.ceil(max(before, after) / 1024)))
    if op in ("GetItem",):
        factor = 1.0 if request.get("ConsistentRead") else 0.5
        return max(1, math.ceil(after / 4096)) * factor, 0.0
    if op == "TransactWriteItems":  # billed per item by the caller (_transaction_wru): sizes differ
        return 0.0, 0.0
    if op in ("Query", "Scan", "BatchGetItem"):
        factor = 1.0 if request.get("ConsistentRead") else 0.5
        # the answer's JSON is a little larger than the items' DynamoDB size: a slight overestimate
        read = len(response)
        if op in ("Query", "Scan"):
            # A FilterExpression is applied after the read: DynamoDB bills every item the key
            # condition matched (ScannedCount), not only those returned (Count).
            answer = json.loads(response or b"{}")
            scanned, count = int(answer.get("ScannedCount", 0)), int(answer.get("Count", 0))
            if scanned > count:
                read = read * scanned / count if count else scanned * 1024
        return max(1, math.ceil(read / 4096)) * factor, 0.0
    return 0.0, 0.0


def _item(table: str, key: dict[str, Any] | None) -> dict[str, Any] | None:
    """A copy of the item's attributes (moto changes items in place), or None."""
    if not key:
        return None
    from moto.dynamodb.models import dynamodb_backends

    try:
        item = dynamodb_backends[ACCOUNT][REGION].get_item(table, key)
    except Exception:  # a table or key the benchmark does not know: no item
        return None
    return copy.deepcopy(item.attrs) if item is not None else None


def _size(attrs: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + value.size() for name, value in (attrs or {}).items())


def _declared_table(physical: str):
    from infra import resources

    return next((t for t in resources.TABLES if physical.endswith("-" + t.suffix)), None)


def _index_wru(physical: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> float:
    """Write units the table's GSIs add to one item write (DynamoDB bills index writes like table
    writes): none if no index key or projected attribute changed; one write of the projected entry
    if it appeared, changed or disappeared; two (delete + put) if its index key changed."""
    table = _declared_table(physical)
    if table is None:
        return 0.0
    base_keys = [a.name for a in (table.hash_key, table.range_key) if a]
    units = 0.0
    for ix in table.indexes:
        keys = [a.name for a in (ix.hash_key, ix.range_key) if a]
        projection = getattr(ix, "projection", "ALL")
        wanted = None if projection == "ALL" else {*keys, *base_keys, *getattr(ix, "include", ())}

        def entry(attrs, keys=keys, wanted=wanted):
            if not attrs or any(k not in attrs for k in keys):
                return None
            return {n: v for n, v in attrs.items() if wanted is None or n in wanted}

        old, new = entry(before), entry(after)
        if old == new:
            continue
        if old is not None and new is not None and any(old[k] != new[k] for k in keys):
            units += math.ceil(_size(old) / 1024) + math.ceil(_size(new) / 1024)
        else:
            units += max(1, math.ceil(_size(new if new is not None else old) / 1024))
    return units


def _key_of(table: str, request: dict[str, Any]) -> dict[str, Any] | None:
    if "Key" in request:
        return request["Key"]
    item = request.get("Item")
    if not item:
        return None
    from moto.dynamodb.models import dynamodb_backends

    t = dynamodb_backends[ACCOUNT][REGION].get_table(table)
    return {k: item[k] for k in (t.hash_key_attr, t.range_key_attr) if k and k in item}


def _transaction_wru(request: dict[str, Any], sizes: list[tuple[int, int]]) -> float:
    """Write units of a TransactWriteItems: two per KB of each item (the larger of before and
    after, as for a single write), a ConditionCheck like a write of the item it reads."""
    units = sum(2.0 * max(1, math.ceil(max(b, a) / 1024)) for b, a in sizes)
    for entry in request.get("TransactItems", []):
        if "ConditionCheck" in entry:
            part = entry["ConditionCheck"]
            units += 2.0 * max(1, math.ceil(_size(_item(part["TableName"], _key_of(part["TableName"], part))) / 1024))
    return units


def _transaction_writes(request: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(table, key) of each item a TransactWriteItems request puts, updates or deletes."""
    writes = []
    for entry in request.get("TransactItems", []):
        for kind in ("Put", "Update", "Delete"):
            if kind in entry:
                part = entry[kind]
                key = _key_of(part["TableName"], part)
                if key:
                    writes.append((part["TableName"], key))
    return writes


def install_counter() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def counting(self, environ, start_response):
        if recorder.window is None:
            return original(self, environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service = getattr(self.get_application(environ), "service", "unknown")
        service = {"awslambda": "lambda"}.get(service, service)
        op = _operation(service, environ, body)
        request = json.loads(body) if service == "dynamodb" and body else {}
        table = request.get("TableName", "")
        key = _key_of(table, request) if op in ("PutItem", "UpdateItem", "DeleteItem", "GetItem") else None
        before = _item(table, key) if op in ("PutItem", "UpdateItem", "DeleteItem") else None
        # the items a transaction writes: their index writes are billed like those of single writes
        written = _transaction_writes(request) if op == "TransactWriteItems" else []
        befores = [_item(t, k) for t, k in written]
        chunks = list(original(self, environ, start_response))
        response = b"".join(chunks)
        if service == "dynamodb":
            after = _item(table, key)
            rru, wru = _dynamodb_units(op, request, response, (_size(before), _size(after)))
            changes = [(table, before, after)] if op in ("PutItem", "UpdateItem", "DeleteItem") else []
            transacted = [(t, b, _item(t, k)) for (t, k), b in zip(written, befores, strict=True)]
            changes += transacted
            if op == "TransactWriteItems":
                wru = _transaction_wru(request, [(_size(b), _size(a)) for _, b, a in transacted])
            for physical, old, new in changes:
                index_wru = _index_wru(physical, old, new)
                if index_wru:
                    recorder.add_index_writes(physical.rsplit("-", 1)[-1], index_wru)
            if not table and op == "TransactWriteItems":
                tables = {v["TableName"] for item in request.get("TransactItems", []) for v in item.values()}
                table = "+".join(sorted(t.rsplit("-", 1)[-1] for t in tables))
            elif not table and op == "BatchGetItem":
                table = "+".join(sorted(t.rsplit("-", 1)[-1] for t in request.get("RequestItems", {})))
            recorder.add(f"dynamodb:{op}:{table.rsplit('-', 1)[-1]}", rru=rru, wru=wru)
        else:
            if service == "sns" and op == "Publish" and b"PhoneNumber=" in body:
                recorder.sms[recorder.window] += 1
                # the local stack sends SMS through SNS; a deployment through the domestic gateway
                # (SMS_SENDER=gateway, HTTPS, no AWS request): the provider's fee is not modelled
                op = "Publish(SMS)"
            if service == "stepfunctions" and op == "StartExecution":  # which workflow: billed apart
                op += ":" + json.loads(body)["stateMachineArn"].rsplit("-", 1)[-1]
            recorder.add(f"{service}:{op}")
        return chunks

    DomainDispatcherApplication.__call__ = counting


def _function_suffix(function_name: str) -> str:
    """The declared function (``resources.Function.suffix``) a deployed function name is of."""
    from infra import resources

    names = [f.suffix for f in resources.FUNCTIONS if function_name.endswith("-" + f.suffix)]
    return max(names, key=len) if names else function_name


def install_lambda_timer() -> None:
    from moto.awslambda.models import LambdaFunction

    original = LambdaFunction._invoke_lambda

    def timed(self, event=None):
        started = time.perf_counter()
        try:
            return original(self, event)
        finally:
            elapsed = time.perf_counter() - started
            window = recorder.window
            if window:
                with recorder.lock:
                    recorder.lambda_gb_s[window] += math.ceil(elapsed * 1000) / 1000 * int(self.memory_size) / 1024
                    recorder.lambda_ms[window].append((_function_suffix(self.function_name), elapsed * 1000))

    LambdaFunction._invoke_lambda = timed


# ------------------------------------------------------------------------------- the scenarios
class Client:
    def __init__(self, base: str) -> None:
        self.base = base
        self.api_requests: Counter = Counter()

    def call(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        import urllib.error
        import urllib.request

        if recorder.window:
            self.api_requests[recorder.window] += 1
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the local stack
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as r:  # noqa: S310
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


def _sms_code(phone: str) -> str:
    from local import outbox

    for m in reversed(outbox.messages()):
        if m["phone"] == "+86" + phone and "验证码" in m["message"]:
            return re.search(r"验证码(\d{6})", m["message"]).group(1)
    raise RuntimeError("no SMS code")


def _case_status(case_id: str) -> str | None:
    """Read the case straight from the moto backend (not an AWS request, not counted)."""
    from moto.dynamodb.models import dynamodb_backends

    item = dynamodb_backends[ACCOUNT][REGION].get_item(os.environ["CASES_TABLE"], {"case_id": {"S": case_id}})
    return item.attrs["status"].value if item else None


def _wait(case_id: str, statuses: set[str], timeout: float = 60, poll: float = 0.05) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = _case_status(case_id)
        if status in statuses:
            return status
        time.sleep(poll)
    raise RuntimeError(f"{case_id} did not reach {statuses}")


def _execution(stack, machine: str, name: str):
    """The moto execution ``name`` of the state machine ``machine`` (moto 5.2.5 names Express
    executions like Standard ones), or None; read from the backend, not an AWS request."""
    from moto.stepfunctions.exceptions import ExecutionDoesNotExist
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    arn = stack.names[machine].replace(":stateMachine:", ":execution:") + f":{name}"
    try:
        return stepfunctions_parser_backends[ACCOUNT][REGION].describe_execution(arn)
    except ExecutionDoesNotExist:
        return None


def _execution_done(stack, case_id: str, timeout: float = 60) -> None:
    """The case's Express execution ended, the Standard one it handed over to, if any, and the
    Express one that took the case back after the staff decision (HandBack), if any."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        express, waiting = _execution(stack, "Registration", case_id), _execution(stack, "Waiting", case_id)
        decided = _execution(stack, "Registration", f"{case_id}-d1")
        if (
            express is not None
            and express.status != "RUNNING"
            and (waiting is None or waiting.status != "RUNNING")
            and (decided is None or decided.status != "RUNNING")
        ):
            return
        time.sleep(0.05)
    raise RuntimeError(f"execution {case_id} still running")


def _express_gb_seconds(stack, case_id: str) -> float:
    """Billed GB-seconds of the case's Express executions (the first, and the one after a staff
    decision): each one's duration (100 ms steps) x 64 MB."""
    total = 0.0
    for name in (case_id, f"{case_id}-d1"):
        execution = _execution(stack, "Registration", name)
        if execution is not None:
            ms = (execution.stop_date - execution.start_date).total_seconds() * 1000
            total += math.ceil(ms / EXPRESS_BILLED_MS_STEP) * EXPRESS_BILLED_MS_STEP / 1000 * EXPRESS_BILLED_MB / 1024
    return total


def _transitions(stack, case_id: str) -> int:
    """Billed transitions: the states entered by the Standard execution (none if not handed over)."""
    import boto3

    if _execution(stack, "Waiting", case_id) is None:
        return 0
    arn = stack.names["Waiting"].replace(":stateMachine:", ":execution:") + f":{case_id}"
    events = boto3.client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return sum(1 for e in events if e["type"].endswith("StateEntered"))


_serial = iter(range(3000, 3100))  # scenario() turns it into birth dates (1998-ish): of age


def _prepare(scenario_name: str) -> dict[str, Any]:
    from chalicelib.store import registry
    from local.seed import scenario

    n = next(_serial)
    body, records = scenario("sichuan", scenario_name, serial=n)
    body["woman"]["phone"], body["man"]["phone"] = f"1370000{n:04d}", f"1370001{n:04d}"
    for key, data in records:
        registry.put(key, data)
    return body


def citizen_submits(client: Client, body: dict[str, Any]) -> tuple[str, str]:
    phone = body["woman"]["phone"]
    status, _ = client.call("POST", "/v1/sms-codes", {"phone": phone, "purpose": "submit"})
    assert status == 202, status
    status, r = client.call("POST", "/v1/sms-codes/verify", {"phone": phone, "purpose": "submit", "code": _sms_code(phone)})
    assert status == 200, r
    headers = {"X-Citizen-Token": r["token"], "Idempotency-Key": uuid.uuid4().hex}
    status, r = client.call("POST", "/v1/registrations", body, headers)
    assert status == 201, r
    return r["case_id"], r["query_code"]


def citizen_looks(client: Client, case_id: str, code: str) -> dict:
    status, view = client.call("GET", f"/v1/registrations/{case_id}", headers={"X-Query-Code": code})
    assert status == 200, view
    return view


def run_instant(stack, client: Client, window: str | None) -> str:
    body = _prepare("instant")
    recorder.window = window
    case_id, code = citizen_submits(client, body)
    _wait(case_id, {"registered"})
    _execution_done(stack, case_id)
    assert citizen_looks(client, case_id, code)["status"] == "registered"
    recorder.window = None
    return case_id


def run_manual(stack, client: Client, token: str, window: str | None) -> str:
    body = _prepare("registry_has_more")
    auth = {"Authorization": f"Bearer {token}"}
    recorder.window = window
    case_id, code = citizen_submits(client, body)
    _wait(case_id, {"awaiting_review"})
    time.sleep(0.2)  # the AwaitReview task publishes the staff notification after the status
    status, queue = client.call("GET", "/v1/staff/tasks?limit=20", headers=auth)
    assert status == 200, queue
    task = next(t for t in queue["tasks"] if t["case_id"] == case_id)
    status, view = client.call("GET", f"/staff/tasks/{task['task_id']}", headers=auth)
    assert status == 200 and view["can_decide"], view
    status, decided = client.call("POST", f"/staff/tasks/{task['task_id']}", {"decision": "accept"}, headers=auth)
    assert status == 200, decided
    _wait(case_id, {"registered"})
    _execution_done(stack, case_id)
    assert citizen_looks(client, case_id, code)["status"] == "registered"
    recorder.window = None
    return case_id


def run_latency(stack, client: Client, n: int) -> tuple[list[float], float]:
    """``n`` instant registrations one after another (not counted as AWS requests): the time from
    the submit's answer to the case being registered, and the CPU time of this process (the whole
    local stack runs in it: moto, Step Functions, the task functions, the API) per registration."""
    latencies = []
    cpu_start = time.process_time()
    for _ in range(n):
        body = _prepare("instant")
        case_id, _code = citizen_submits(client, body)
        submitted = time.perf_counter()
        _wait(case_id, {"registered"}, poll=0.005)
        latencies.append((time.perf_counter() - submitted) * 1000)
        _execution_done(stack, case_id)
    return latencies, (time.process_time() - cpu_start) * 1000 / n


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def run_staff_pages(client: Client, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    recorder.window = "staff_pages"
    for path in ("/v1/staff/tasks?limit=20", "/v1/staff/statistics"):
        status, _ = client.call("GET", path, headers=auth)
        assert status == 200, path
    recorder.window = None


def run_sweep(stack) -> None:
    """One tick of the outbox sweeper (``resources.OUTBOX_SWEEP``), as its EventBridge rule invokes it."""
    import boto3

    from infra import resources

    recorder.window = "sweep"
    boto3.client("lambda").invoke(FunctionName=stack.names[resources.OUTBOX_SWEEP.function], Payload=b"{}")
    recorder.window = None


def sweeps_per_month() -> int:
    from infra import resources

    return 30 * 24 * 60 // resources.OUTBOX_SWEEP.rate_minutes


# ------------------------------------------------------------------------------- cost model
def _cold_init_ms() -> tuple[dict[str, float], str]:
    if COLD_INIT_FILE.is_file():
        measured = json.loads(COLD_INIT_FILE.read_text())
        return {**DEFAULT_COLD_INIT_MS, **measured}, f"measured ({COLD_INIT_FILE}: {', '.join(sorted(measured))})"
    return dict(DEFAULT_COLD_INIT_MS), "assumed (benchmarks.bundles did not run)"


def _memory_mb() -> dict[str, int]:
    """Memory of each function by its suffix (as recorder.lambda_ms names them)."""
    from infra import resources

    return {f.suffix: f.memory for f in resources.FUNCTIONS}


def _function_init_ms(suffix: str, init_ms: dict[str, Any]) -> float:
    """A function's own INIT (benchmarks.bundles measures each), else its bundle's."""
    from infra import package, resources

    own = init_ms.get("functions", {}).get(suffix)
    if own is not None:
        return own
    fn = next((f for f in resources.FUNCTIONS if f.suffix == suffix), None)
    return init_ms[package.bundle_for(fn.id).name if fn else "tasks"]


def init_cost(window: str, api_requests: int) -> float:
    """Expected INIT billing per registration: each invocation starts cold with COLD_START_SHARE."""
    init_ms, _ = _cold_init_ms()
    memory = _memory_mb()
    gb_s = 0.0
    for name, _ms in recorder.lambda_ms[window]:
        mb = memory.get(name, 512)
        seconds = _function_init_ms(name, init_ms) / 1000 * 1769 / mb
        gb_s += COLD_START_SHARE * seconds * mb / 1024
    gb_s += api_requests * COLD_START_SHARE * init_ms["api"] / 1000 * 1769 / 512 * 512 / 1024
    return gb_s * PRICES["lambda_gb_second"]


def cost(window: str, transitions: int, api_requests: int, express_gb_s: float) -> tuple[float, dict[str, float]]:
    parts: dict[str, float] = defaultdict(float)
    for key, n in recorder.requests[window].items():
        service, op = key.split(":")[:2]
        if service == "lambda" and op == "Invoke":
            parts["lambda requests"] += n * PRICES["lambda_request"]
            parts["logs (estimate)"] += n * LOG_BYTES_PER_INVOCATION * PRICES["log_bytes"]
        elif service == "s3":
            parts["s3"] += n * (PRICES["s3_write"] if op in _S3_WRITES else PRICES["s3_read"])
        elif service == "sns" and op == "Publish":
            parts["sns publish"] += n * PRICES["sns_publish"]
        elif service == "kms":
            parts["kms"] += n * (PRICES["kms_asymmetric"] if op in ("Sign", "Verify") else PRICES["kms_symmetric"])
    parts["dynamodb"] = recorder.rru[window] * PRICES["dynamodb_rru"] + recorder.wru[window] * PRICES["dynamodb_wru"]
    parts["lambda duration"] = recorder.lambda_gb_s[window] * PRICES["lambda_gb_second"]
    parts["lambda init (cold starts)"] = init_cost(window, api_requests)
    parts["step functions standard transitions"] = transitions * PRICES["stepfunctions_transition"]
    parts["step functions express"] = (
        recorder.requests[window]["stepfunctions:StartExecution:registration"] * PRICES["stepfunctions_express_request"]
        + express_gb_s * PRICES["stepfunctions_express_gb_second"]
    )
    parts["api gateway"] = api_requests * PRICES["api_gateway_request"]
    parts["logs (estimate)"] += api_requests * LOG_BYTES_PER_INVOCATION * PRICES["log_bytes"]
    return sum(parts.values()), dict(parts)


def main() -> int:
    import logging

    logging.disable(logging.WARNING)
    os.environ.setdefault("SMS_IP_LIMIT", "100000")
    os.environ.setdefault("QUERY_IP_LIMIT", "100000")
    # The outbox sweeper runs on a clock (every minute on AWS, every second in the local stack), not
    # per case: left running, whichever ticks fell inside a window would be charged to that case.
    # It is kept out of the windows and priced apart, per month (run_sweep).
    os.environ.setdefault("LOCAL_SCHEDULE_SECONDS", "86400")
    from local.stack import LocalStack, free_port

    install_counter()
    stack = LocalStack(api_port=free_port()).start()
    install_lambda_timer()
    try:
        from local.seed import STAFF_PASSWORD

        client = Client(stack.api_url)
        status, login = client.call("POST", "/v1/staff/login", {"username": "sc-op-510104022", "password": STAFF_PASSWORD})
        assert status == 200, login
        token = login["id_token"]
        # warm-up (cold starts, the JWKS cache), not counted
        run_instant(stack, client, None)
        run_manual(stack, client, token, None)

        instant = run_instant(stack, client, "instant")
        manual = run_manual(stack, client, token, "manual")
        run_staff_pages(client, token)
        run_sweep(stack)
        transitions = {"instant": _transitions(stack, instant), "manual": _transitions(stack, manual)}
        express_gb_s = {"instant": _express_gb_seconds(stack, instant), "manual": _express_gb_seconds(stack, manual)}
        latencies, cpu_ms = run_latency(stack, client, REGISTRATIONS)
    finally:
        stack.stop()

    totals = {w: sum(recorder.requests[w].values()) for w in ("instant", "manual", "staff_pages")}
    scans = sum(n for w in recorder.requests.values() for k, n in w.items() if k.startswith("dynamodb:Scan"))
    instant_cost, instant_parts = cost("instant", transitions["instant"], client.api_requests["instant"], express_gb_s["instant"])
    manual_cost, manual_parts = cost("manual", transitions["manual"], client.api_requests["manual"], express_gb_s["manual"])

    print(f"aws_requests_instant_path: {totals['instant']}")
    print(f"aws_requests_manual_path: {totals['manual']}")
    print(f"aws_cost_per_1000_usd: {instant_cost * 1000:.4f}")
    print(f"scans_on_request_paths: {scans}")
    print(f"aws_cost_per_1000_manual_usd: {manual_cost * 1000:.4f}")
    print(f"local_cpu_ms_per_registration: {cpu_ms:.0f}")
    print(f"submit_to_registered_p95_ms: {_p95(latencies):.0f}")
    print(f"state_transitions_instant_path: {transitions['instant']}")
    print(f"state_transitions_manual_path: {transitions['manual']}")
    print(f"express_gb_seconds_instant_path: {express_gb_s['instant']:.4f}")
    sweep_cost, _ = cost("sweep", 0, 0, 0)
    print(f"outbox_sweeper_usd_per_month: {sweep_cost * sweeps_per_month():.2f}")
    print()
    print(f"prices: {PRICES_AS_OF}; targets per 1,000 registrations: instant path <= ${TARGET_COST_PER_1000:.2f} "
          f"({'met' if instant_cost * 1000 <= TARGET_COST_PER_1000 else 'NOT met'}), manual path <= "
          f"${TARGET_MANUAL_COST_PER_1000:.2f} ({'met' if manual_cost * 1000 <= TARGET_MANUAL_COST_PER_1000 else 'NOT met'})")
    init_ms, source = _cold_init_ms()
    functions = init_ms.get("functions", {})
    print(f"cold starts: {COLD_START_SHARE:.0%} of invocations assumed cold; INIT CPU {source}: "
          + ", ".join(f"{k} {v:.0f} ms" for k, v in sorted(init_ms.items()) if k != "functions")
          + (", per function " + ", ".join(f"{k} {v:.0f} ms" for k, v in sorted(functions.items())) if functions else "")
          + ", scaled by 1769 MB / memory")
    print(f"submit -> registered over {len(latencies)} instant registrations: p50 {statistics.median(latencies):.0f} ms, "
          f"p95 {_p95(latencies):.0f} ms, max {max(latencies):.0f} ms; local CPU {cpu_ms:.0f} ms per registration")
    for window, api_requests in (("instant", client.api_requests["instant"]), ("manual", client.api_requests["manual"]), ("staff_pages", client.api_requests["staff_pages"])):
        print(f"\n== {window}: {totals[window]} AWS requests, {api_requests} API Gateway requests, "
              f"{recorder.sms[window]} SMS, DynamoDB {recorder.rru[window]:.1f} RRU / {recorder.wru[window]:.0f} WRU, "
              f"Lambda {recorder.lambda_gb_s[window]:.3f} GB-s")
        if recorder.index_wru[window]:
            print("  of the WRU, index writes: " + ", ".join(
                f"{t} {u:.0f}" for t, u in sorted(recorder.index_wru[window].items())))
        if recorder.wru_by[window]:
            print("  WRU by request: " + ", ".join(f"{k} {u:.0f}" for k, u in sorted(recorder.wru_by[window].items(), key=lambda kv: -kv[1])))
        by_service: Counter = Counter()
        for key, n in recorder.requests[window].items():
            by_service[key.split(":")[0]] += n
        for service, n in sorted(by_service.items()):
            print(f"  {service:16} {n:4}")
            for key, m in sorted(recorder.requests[window].items()):
                if key.split(":")[0] == service:
                    print(f"      {':'.join(key.split(':')[1:]):44} {m:4}")
        if window in ("instant", "manual"):
            parts = instant_parts if window == "instant" else manual_parts
            total = instant_cost if window == "instant" else manual_cost
            print(f"  cost per 1,000 registrations: ${total * 1000:.4f}")
            for name, value in sorted(parts.items(), key=lambda kv: -kv[1]):
                print(f"      {name:28} ${value * 1000:.4f}")
            slow = sorted(recorder.lambda_ms[window], key=lambda x: -x[1])[:5]
            print("  slowest invocations (ms, in-process): " + ", ".join(f"{n} {ms:.0f}" for n, ms in slow))
    print(
        f"\nOutbox sweeper (fixed, whatever the volume): {sweeps_per_month():,} ticks a month; one tick with "
        f"nothing due: {sum(recorder.requests['sweep'].values())} AWS requests "
        f"({', '.join(f'{k} {n}' for k, n in sorted(recorder.requests['sweep'].items()))}), "
        f"${sweep_cost * 1_000_000:.2f} per million ticks = ${sweep_cost * sweeps_per_month():.2f} a month "
        f"(cold starts priced as for the other functions, {COLD_START_SHARE:.0%}; a function invoked every minute "
        "stays warm, so this is an upper bound)."
    )
    print(
        "\nStep Functions: the automated steps in one Express execution per case (Registration: "
        f"instant {express_gb_s['instant']:.4f} GB-s, manual {express_gb_s['manual']:.4f} GB-s at {EXPRESS_BILLED_MB} MB); "
        f"the Standard workflow (Waiting) only where a person or the window is waited for: instant "
        f"{transitions['instant']} transitions, manual {transitions['manual']} = "
        f"${transitions['manual'] * PRICES['stepfunctions_transition'] * 1000:.3f} per 1,000."
    )
    return 0 if scans == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

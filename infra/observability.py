"""The alarms and the dashboard of a deployment, as data (issue 11 item 5).

``BirthRegStack._alarms`` loops over ``ALARMS``: one CloudWatch alarm per alarm and per unit it
watches (each task function and the API for the Lambda alarms, each state machine ...), every
one notifying the ``OperatorAlerts`` topic when it fires and when it recovers. ``what_to_do`` is
the alarm's description in CloudWatch (and in the e-mail an operator receives); the same text
is in docs/operations.md, section "Alarms".

Pure Python: no aws_cdk here, so the runbook test can read it without a synth.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.observability import METRICS as BUSINESS_METRICS
from chalicelib.observability import NAMESPACE as BUSINESS_NAMESPACE
from chalicelib.observability import SERVICE as BUSINESS_SERVICE

# What an alarm watches; the stack knows each kind's dimensions (one alarm per unit).
STATE_MACHINE = "state machine"
FUNCTION = "function"  # every task function and the API's function
API = "api"  # the API Gateway stage
QUEUE = "on-failure queue"
BUSINESS = "business"  # an EMF metric of chalicelib.observability (dimension service=birthreg)

ALERTS_TOPIC = "OperatorAlerts"  # infra/resources.py topic id


@dataclass(frozen=True)
class Alarm:
    id: str
    watches: str  # one of the kinds above
    namespace: str
    metric: str
    what_to_do: str
    statistic: str = "Sum"  # or "Maximum", "p95" ...
    threshold: float = 1  # the first occurrence alarms
    period_minutes: int = 5
    evaluation_periods: int = 1
    # CloudWatch ComparisonOperator
    comparison: str = "GreaterThanOrEqualToThreshold"


ALARMS: tuple[Alarm, ...] = (
    Alarm(
        id="ExecutionsFailed",
        watches=STATE_MACHINE,
        namespace="AWS/States",
        metric="ExecutionsFailed",
        what_to_do="A registration workflow failed outside RecordFailure (an ASL or IAM error): "
        "open the failed execution in the Step Functions console (Waiting) or the Express workflow's "
        "log group (Registration: errors only), fix the cause, then restart the case "
        "(docs/operations.md, Alarms).",
    ),
    Alarm(
        id="ExecutionsTimedOut",
        watches=STATE_MACHINE,
        namespace="AWS/States",
        metric="ExecutionsTimedOut",
        what_to_do="A registration workflow exceeded its time limit (Registration, Express: 5 minutes): "
        "find the case id in the execution name and check the task it waited on (docs/operations.md, Alarms).",
    ),
    Alarm(
        id="Errors",
        watches=FUNCTION,
        namespace="AWS/Lambda",
        metric="Errors",
        threshold=5,
        what_to_do="The function raised errors: read its log group (JSON, filter on level=ERROR) and "
        "the X-Ray traces; registry outages are retried by the workflow (docs/operations.md, Alarms).",
    ),
    Alarm(
        id="Throttles",
        watches=FUNCTION,
        namespace="AWS/Lambda",
        metric="Throttles",
        what_to_do="Lambda refused invocations (account concurrency exhausted): check the account's "
        "ConcurrentExecutions and request a quota increase (docs/operations.md, Alarms).",
    ),
    Alarm(
        id="Api5xx",
        watches=API,
        namespace="AWS/ApiGateway",
        metric="5XXError",
        threshold=5,
        what_to_do="The API answered 5xx: read the API function's log (request_id is in the "
        "X-Request-Id header) and its Errors alarm (docs/operations.md, Alarms).",
    ),
    Alarm(
        id="ApiLatencyP95",
        watches=API,
        namespace="AWS/ApiGateway",
        metric="Latency",
        statistic="p95",
        threshold=3000,  # ms
        evaluation_periods=3,
        what_to_do="The API's p95 latency is above 3 s for 15 minutes: look at the X-Ray service map "
        "for the slow dependency (DynamoDB, a registry, KMS) (docs/operations.md, Alarms).",
    ),
    Alarm(
        id="NeedsAttention",
        watches=BUSINESS,
        namespace=BUSINESS_NAMESPACE,
        metric="NeedsAttention",
        what_to_do="A case was marked needs_attention after its retries: the OperatorAlerts message "
        "names the case and the error; fix the cause and restart the case (docs/operations.md, Alarms).",
    ),
    Alarm(
        id="OnFailureQueueDepth",
        watches=QUEUE,
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        statistic="Maximum",
        threshold=1,
        what_to_do="An uploaded document could not be checked after Lambda's retries: read the "
        "message in the on-failure queue, re-run CheckUpload for it (docs/operations.md, Alarms).",
    ),
)

# The dashboard's business row: every event chalicelib.observability counts (BUSINESS_METRICS).
__all__ = ["ALARMS", "BUSINESS_METRICS", "BUSINESS_NAMESPACE", "Alarm"]
BUSINESS_DIMENSIONS = {"service": BUSINESS_SERVICE}
DASHBOARD_PERIOD_MINUTES = 5

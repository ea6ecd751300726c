"""The one definition of every AWS resource the system uses.

Both the CDK stack (``infra/stack.py``) and the embedded local stack (``local/stack.py``)
build their resources from these objects, so names, key schemas, indexes, function
handlers and permissions cannot drift apart. The runtime only ever reads the
environment variables named here (``env``), never a hard-coded name.

This module is pure Python: no boto3, no aws_cdk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PROJECT = "birthreg"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Attr:
    name: str
    type: str = "S"  # "S" | "N"


@dataclass(frozen=True)
class Index:
    name: str
    hash_key: Attr
    range_key: Attr | None = None


@dataclass(frozen=True)
class Table:
    id: str
    suffix: str
    env: str
    hash_key: Attr
    range_key: Attr | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None

    def attributes(self) -> list[Attr]:
        seen: dict[str, Attr] = {}
        for a in (self.hash_key, self.range_key):
            if a:
                seen[a.name] = a
        for ix in self.indexes:
            for a in (ix.hash_key, ix.range_key):
                if a:
                    seen[a.name] = a
        return list(seen.values())


@dataclass(frozen=True)
class Bucket:
    id: str
    suffix: str
    env: str
    # Function id invoked on every ObjectCreated event (S3 notification), if any.
    notify: str | None = None
    # Browsers upload straight to it with a presigned POST (needs CORS for POST).
    browser_uploads: bool = False


@dataclass(frozen=True)
class Key:
    """A KMS key. ``spec``/``usage`` as in KMS CreateKey."""

    id: str
    suffix: str  # alias/<project>-<stage>-<suffix>
    env: str
    spec: str = "ECC_NIST_P256"
    usage: str = "SIGN_VERIFY"


@dataclass(frozen=True)
class UserPool:
    """A Cognito user pool with one app client (staff sign-in)."""

    id: str
    suffix: str
    env: str
    client_env: str
    custom_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    id: str
    suffix: str
    env: str


@dataclass(frozen=True)
class Grant:
    """What a compute unit may do with one resource.

    ``access`` is one of: "read", "write" (read + write for tables), "publish" (topics),
    "sms" (SNS direct publish to phone numbers), "start" / "callback" (state machine),
    "sign" / "verify" (KMS key), "admin" (Cognito user pool administration).
    """

    resource: str
    access: str


@dataclass(frozen=True)
class Function:
    id: str
    module: str  # dotted module under the project root; the handler is ``<module>.handler``
    grants: tuple[Grant, ...]
    timeout: int = 30
    memory: int = 512
    description: str = ""

    @property
    def handler(self) -> str:
        return f"{self.module}.handler"

    @property
    def suffix(self) -> str:
        return self.module.rsplit(".", 1)[-1].replace("_", "-")


@dataclass(frozen=True)
class StateMachine:
    id: str
    suffix: str
    env: str
    definition: Path
    # placeholder in the ASL file -> Function.id whose ARN replaces it
    functions: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------
CASES = Table(
    id="Cases",
    suffix="cases",
    env="CASES_TABLE",
    hash_key=Attr("case_id"),
    indexes=(
        # citizen query by registered phone (办件查询, 000 §2.4.1): newest first
        Index("PhoneIndex", Attr("phone_key"), Attr("created_at")),
        # staff work queue of one office (001 三(一)1(1) 接收任务)
        Index("OfficeIndex", Attr("office_code"), Attr("queue_key")),
        # duplicate detection: same couple, same child order
        Index("CoupleIndex", Attr("couple_key"), Attr("created_at")),
    ),
)
TASKS = Table(
    id="Tasks",
    suffix="tasks",
    env="TASKS_TABLE",
    hash_key=Attr("task_id"),
    indexes=(Index("OfficeDueIndex", Attr("office_code"), Attr("due_at")),),
)
REGISTRY = Table(
    id="Registry",
    suffix="registry",
    env="REGISTRY_TABLE",
    hash_key=Attr("pk"),
    range_key=Attr("sk"),
)
CERTIFICATE_RECORDS = Table(
    id="Certificates",
    suffix="certificates",
    env="CERTIFICATES_TABLE",
    # one item per registration number (never reused) plus "SEQ#<office>#<year>" counters
    hash_key=Attr("registration_number"),
)
CODES = Table(
    id="Codes",
    suffix="codes",
    env="CODES_TABLE",
    # SMS codes, captchas and rate-limit counters; every item expires by itself
    hash_key=Attr("pk"),
    ttl_attribute="expires_at",
)
IDEMPOTENCY = Table(
    id="Idempotency",
    suffix="idempotency",
    env="IDEMPOTENCY_TABLE",
    # Powertools idempotency layout: a retried submit returns the first result
    hash_key=Attr("id"),
    ttl_attribute="expiration",
)
AUDIT = Table(
    id="Audit",
    suffix="audit",
    env="AUDIT_TABLE",
    # append-only: case versions, staff actions, certificate verifications
    hash_key=Attr("subject"),
    range_key=Attr("at_id"),
    indexes=(Index("ActorIndex", Attr("actor"), Attr("at_id")),),
)
TABLES: tuple[Table, ...] = (CASES, TASKS, REGISTRY, CERTIFICATE_RECORDS, CODES, IDEMPOTENCY, AUDIT)

# ---------------------------------------------------------------------------
# Buckets and topics
# ---------------------------------------------------------------------------
# certificate PDFs under certificates/<case id>/v<version>.pdf
DOCUMENTS = Bucket(id="Documents", suffix="documents", env="DOCUMENTS_BUCKET")
# citizens' proof documents (000 §2.3.5), checked by CheckUpload after each upload
UPLOADS = Bucket(id="Uploads", suffix="uploads", env="UPLOADS_BUCKET", notify="CheckUpload", browser_uploads=True)
BUCKETS: tuple[Bucket, ...] = (DOCUMENTS, UPLOADS)

# ---------------------------------------------------------------------------
# Keys and identity
# ---------------------------------------------------------------------------
# signs the certificate QR tokens (ES256); old keys stay published for verification
SIGNING_KEY = Key(id="CertificateSigning", suffix="certificate-signing", env="SIGNING_KEY_ID")
KEYS: tuple[Key, ...] = (SIGNING_KEY,)

STAFF_POOL = UserPool(
    id="StaffPool",
    suffix="staff",
    env="STAFF_USER_POOL_ID",
    client_env="STAFF_USER_POOL_CLIENT_ID",
    custom_attributes=("role", "region_code", "office_code"),
)
USER_POOLS: tuple[UserPool, ...] = (STAFF_POOL,)

STAFF_NOTIFICATIONS = Topic(id="StaffNotifications", suffix="staff-notifications", env="STAFF_TOPIC_ARN")
EVENTS = Topic(id="Events", suffix="events", env="EVENTS_TOPIC_ARN")
TOPICS: tuple[Topic, ...] = (STAFF_NOTIFICATIONS, EVENTS)

# ---------------------------------------------------------------------------
# Step Functions task functions (one module per task state)
# ---------------------------------------------------------------------------
CHECK_RECORDS = Function(
    id="CheckRecords",
    module="functions.check_records",
    description="CheckRecords: compare the form with the reference registries",
    grants=(Grant("Cases", "write"), Grant("Registry", "read")),
)
AWAIT_REVIEW = Function(
    id="AwaitReview",
    module="functions.await_review",
    description="AwaitReview: store the task token and notify the responsible office",
    grants=(Grant("Cases", "write"), Grant("Tasks", "write"), Grant("StaffNotifications", "publish")),
)
ISSUE_CERTIFICATE = Function(
    id="IssueCertificate",
    module="functions.issue_certificate",
    description="IssueCertificate: render the certificate PDF into S3 and mark the case registered",
    grants=(
        Grant("Cases", "write"),
        Grant("Certificates", "write"),
        Grant("Documents", "write"),
        Grant("CertificateSigning", "sign"),
    ),
    timeout=60,
    memory=1024,
)
NOTIFY = Function(
    id="Notify",
    module="functions.notify",
    description="Notify: SMS the result to the applicant and publish the completion event",
    grants=(Grant("Cases", "read"), Grant("sms", "sms"), Grant("Events", "publish")),
)
CHECK_UPLOAD = Function(
    id="CheckUpload",
    module="functions.check_upload",
    description="CheckUpload: accept or delete an uploaded proof document (type, size, magic bytes)",
    grants=(Grant("Uploads", "write"), Grant("Cases", "write"), Grant("Tasks", "write"), Grant("Registration", "callback")),
)
FUNCTIONS: tuple[Function, ...] = (CHECK_RECORDS, AWAIT_REVIEW, ISSUE_CERTIFICATE, NOTIFY, CHECK_UPLOAD)

REGISTRATION_WORKFLOW = StateMachine(
    id="Registration",
    suffix="registration",
    env="REGISTRATION_STATE_MACHINE_ARN",
    definition=ROOT / "statemachines" / "registration.asl.json",
    functions={
        "CheckRecordsFunctionArn": "CheckRecords",
        "AwaitReviewFunctionArn": "AwaitReview",
        "IssueCertificateFunctionArn": "IssueCertificate",
        "NotifyFunctionArn": "Notify",
    },
)
STATE_MACHINES: tuple[StateMachine, ...] = (REGISTRATION_WORKFLOW,)

# The HTTP API (Chalice). Its grants drive its IAM policy the same way.
API_GRANTS: tuple[Grant, ...] = (
    Grant("Cases", "write"),
    Grant("Tasks", "write"),
    Grant("Registry", "read"),
    Grant("Certificates", "read"),
    Grant("Documents", "read"),
    Grant("Registration", "start"),
    Grant("Registration", "callback"),
    Grant("sms", "sms"),
    Grant("Codes", "write"),
    Grant("Idempotency", "write"),
    Grant("Audit", "write"),
    Grant("Uploads", "write"),
    Grant("CertificateSigning", "verify"),
    Grant("StaffPool", "admin"),
)


def physical_name(suffix: str, stage: str) -> str:
    return f"{PROJECT}-{stage}-{suffix}"


def by_id() -> dict[str, object]:
    out: dict[str, object] = {}
    for group in (TABLES, BUCKETS, TOPICS, FUNCTIONS, STATE_MACHINES, KEYS, USER_POOLS):
        for r in group:
            out[r.id] = r
    return out


def environment_for(grants: tuple[Grant, ...], names: dict[str, str]) -> dict[str, str]:
    """Environment variables a compute unit needs for its grants.

    ``names`` maps a resource id to its deployed identifier (table/bucket name, topic or
    state machine ARN), whichever deployment (CDK tokens or the local stack) provides it.
    """
    resources = by_id()
    env: dict[str, str] = {}
    for g in grants:
        r = resources.get(g.resource)
        if r is None:  # "sms" is not a named resource
            continue
        env[r.env] = names[r.id]  # type: ignore[attr-defined]
        if isinstance(r, UserPool):
            env[r.client_env] = names[f"{r.id}Client"]
    return env


def all_environment(names: dict[str, str]) -> dict[str, str]:
    """Every resource's environment variable (the local stack runs all units in one process)."""
    env: dict[str, str] = {}
    for group in (TABLES, BUCKETS, TOPICS, STATE_MACHINES, KEYS, USER_POOLS):
        for r in group:
            env[r.env] = names[r.id]
            if isinstance(r, UserPool):
                env[r.client_env] = names[f"{r.id}Client"]
    return env

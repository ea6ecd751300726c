"""The one definition of every AWS resource the system uses.

Both the CDK stack (``infra/stack.py``) and the embedded local stack (``local/stack.py``)
build their resources from these objects, so names, key schemas, indexes, function
handlers and permissions cannot drift apart. The runtime only ever reads the
environment variables named here (``env``), never a hard-coded name.

This module is pure Python: no boto3, no aws_cdk.
"""

from __future__ import annotations

import json
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
    """A global secondary index. ``projection``: "ALL", "KEYS_ONLY" or "INCLUDE" (then ``include``
    names the non-key attributes it carries). An index projects only what its queries read: every
    write that changes a projected attribute is written again to the index (and billed)."""

    name: str
    hash_key: Attr
    range_key: Attr | None = None
    projection: str = "ALL"
    include: tuple[str, ...] = ()

    def projection_spec(self) -> dict:
        """The CloudFormation / DynamoDB API ``Projection`` of this index."""
        spec: dict = {"ProjectionType": self.projection}
        if self.projection == "INCLUDE":
            spec["NonKeyAttributes"] = list(self.include)
        return spec


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
    # The staff review page shows its objects inline (image, PDF) by presigned GET: CORS allows GET
    # from the site's origin and the pages' CSP names the bucket in img-src/frame-src/object-src.
    browser_views: bool = False

    @property
    def cors_methods(self) -> tuple[str, ...]:
        return (("POST",) if self.browser_uploads else ()) + (("GET",) if self.browser_views else ())


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
class Secret:
    """A Secrets Manager secret. The environment variable ``env`` carries its ARN, never its value;
    the code fetches the value once per container (``chalicelib/config.py``).

    ``generate``: the stack (and the local stack) generates a random value (keys).
    Otherwise the secret starts as ``placeholder`` (JSON) and the operator puts the real
    value (credentials a third party gives us, infra/README.md "Secrets").
    """

    id: str
    suffix: str  # name <project>-<stage>-<suffix>
    env: str
    generate: bool = False
    placeholder: str = ""


@dataclass(frozen=True)
class Parameter:
    """An SSM parameter holding operations data an operator changes without a redeploy.

    ``env`` carries the parameter's name; the code reads it at run time with a short cache.
    ``initial`` is the value the stack creates it with (``local_initial`` in the local stack).
    """

    id: str
    suffix: str  # name /<project>/<stage>/<suffix>
    env: str
    initial: str
    local_initial: str | None = None
    description: str = ""

    def name(self, stage: str) -> str:
        return f"/{PROJECT}/{stage}/{self.suffix}"


@dataclass(frozen=True)
class Grant:
    """What a compute unit may do with one resource.

    ``access`` is one of: "read", "write" (read + write for tables), "publish" (topics),
    "sms" (SNS direct publish to phone numbers), "start" / "callback" (state machine),
    "sign" / "verify" (KMS key), "admin" (Cognito user pool administration), "read" on a
    secret (its value) or a parameter.
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
class Schedule:
    """A function invoked on a fixed rate (an EventBridge rule in AWS; a timer thread in the local
    stack, since moto stores rules but never fires them)."""

    id: str
    function: str  # Function.id
    rate_minutes: int
    description: str = ""


@dataclass(frozen=True)
class StateMachine:
    id: str
    suffix: str
    env: str
    definition: Path
    # placeholder in the ASL file -> Function.id whose ARN replaces it
    functions: dict[str, str] = field(default_factory=dict)
    type: str = "STANDARD"  # or "EXPRESS"
    # CloudWatch Logs level (execution data is never logged: results stay in DynamoDB)
    log_level: str = "ALL"


# ---------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------
CASES = Table(
    id="Cases",
    suffix="cases",
    env="CASES_TABLE",
    hash_key=Attr("case_id"),
    indexes=(
        # Each index projects only what its queries read (store/cases.py): a case item is 2–4 KB,
        # written ~5 times per case; projected ALL, each of those writes was repeated per index.
        # citizen query by registered phone (办件查询, 000 §2.4.1): newest first; the keys, then one
        # BatchGetItem of at most 20 cases
        Index("PhoneIndex", Attr("phone_key"), Attr("created_at"), projection="KEYS_ONLY"),
        # (No index by office: the staff queue is the Tasks table, the statistics are counters. The
        # former OfficeIndex, keyed on status#created_at, had no reader left and cost two index
        # writes on every status change -- issue 18.)
        # duplicate detection (same couple, same child order) reads status and child order only
        Index("CoupleIndex", Attr("couple_key"), Attr("created_at"), projection="INCLUDE",
              include=("status", "child_order")),
        # citizen query by query code + name (001 附件1 一); sparse, keyed hash of the code; the
        # code's hash is compared on the index item, the case is read only when it matches
        Index("QueryCodeIndex", Attr("query_key"), projection="INCLUDE", include=("query_code_hash",)),
        # staff search by either spouse's ID number (003 V(D)): keyed hashes, one index per spouse
        # (an index keys one attribute); KEYS_ONLY, so one index write per case (its creation).
        # CloudFormation adds one GSI per table update: on an existing stage deploy them in turn.
        Index("WomanIdIndex", Attr("woman_key"), Attr("created_at"), projection="KEYS_ONLY"),
        Index("ManIdIndex", Attr("man_key"), Attr("created_at"), projection="KEYS_ONLY"),
    ),
)
TASKS = Table(
    id="Tasks",
    suffix="tasks",
    env="TASKS_TABLE",
    hash_key=Attr("task_id"),
    indexes=(
        Index("OfficeDueIndex", Attr("office_code"), Attr("due_at")),
        # the work queue filtered by status and stage (prefix of status#stage#due_at): the
        # queue's columns, never the task token or the workflow outcome (store/tasks.py)
        Index("OfficeStatusIndex", Attr("queue_office"), Attr("queue_sort"), projection="INCLUDE", include=(
            "kind", "case_id", "stage", "level", "assigned_office", "case_office", "profile", "due_at", "created_at",
            "status", "decision", "reason", "decided_by", "decided_at", "escalated_to", "closed_at",
        )),
    ),
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
    # one item per registration number (never reused), "SEQ#<county>#<year>" counters,
    # "ISSUE#<case id>#<version>" issuance pointers, "PAPER#..." paper certificates (store/certificates.py)
    hash_key=Attr("registration_number"),
    # sparse: only revoked certificates carry revocation_list, so the published list is one Query
    indexes=(Index("RevocationIndex", Attr("revocation_list"), Attr("revoked_key")),),
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
STATISTICS = Table(
    id="Statistics",
    suffix="statistics",
    env="STATISTICS_TABLE",
    # counters per region code and year (township, county, city, province): staff statistics
    hash_key=Attr("pk"),
    range_key=Attr("sk"),
)
OUTBOX = Table(
    id="Outbox",
    suffix="outbox",
    env="OUTBOX_TABLE",
    # side effects of committed writes (SMS, events, workflow starts), delivered at least once by
    # DispatchOutbox (chalicelib/store/outbox.py); "queue" is "pending" or "dead" (sparse: a
    # delivered message has none), so the sweeper and the dead-letter list are one Query each.
    # The index carries what the dead-letter list shows, not the lease or the payload: taking a
    # lease writes no index entry (issue 18: one index write when stored, one when delivered).
    hash_key=Attr("event_id"),
    indexes=(
        Index("QueueIndex", Attr("queue"), Attr("due_at"), projection="INCLUDE",
              include=("kind", "subject", "attempts", "last_error", "dead_at", "alerted")),
    ),
    ttl_attribute="expires_at",
)
OFFICES = Table(
    id="Offices",
    suffix="offices",
    env="OFFICES_TABLE",
    # the staff console's data (store/offices.py): staff profiles with their operation grants and
    # revocation marker ("STAFF#<username>"), each office's organisation information, its
    # paper-certificate stock (balances, number ranges, shipments, requests) and the used blanks
    hash_key=Attr("pk"),
    range_key=Attr("sk"),
    # the accounts one administrator manages (its unit code): one Query for the account list
    indexes=(Index("ManagerIndex", Attr("manager"), Attr("pk"), projection="INCLUDE", include=("data", "grants", "disabled")),),
)
BIRTHS = Table(
    id="Births",
    suffix="births",
    env="BIRTHS_TABLE",
    # birth medical certificate records (issue 16, seed 003): "<birth id>" records, their signed
    # versions "<birth id>#V<n>", "SEQ#<county>#<year>" counters, "Q..." e-licences (store/births.py)
    hash_key=Attr("pk"),
    indexes=(
        # an institution's births, newest entry first (the staff list reads the items by key)
        Index("InstitutionIndex", Attr("institution_code"), Attr("entered_at"), projection="KEYS_ONLY"),
        # sparse: only revoked e-licences carry revocation_list (003 四(二)2)
        Index("RevocationIndex", Attr("revocation_list"), Attr("revoked_key")),
    ),
)
TABLES: tuple[Table, ...] = (
    CASES, TASKS, REGISTRY, CERTIFICATE_RECORDS, CODES, IDEMPOTENCY, AUDIT, STATISTICS, OUTBOX, OFFICES, BIRTHS,
)

# ---------------------------------------------------------------------------
# Buckets and topics
# ---------------------------------------------------------------------------
# certificate PDFs under certificates/<case id>/v<version>.pdf
DOCUMENTS = Bucket(id="Documents", suffix="documents", env="DOCUMENTS_BUCKET")
# citizens' proof documents (000 §2.3.5), checked by CheckUpload after each upload
UPLOADS = Bucket(id="Uploads", suffix="uploads", env="UPLOADS_BUCKET", notify="CheckUpload", browser_uploads=True, browser_views=True)
# the web front end's files (web/), read only by CloudFront (origin access control); see SITES
WEB = Bucket(id="Web", suffix="web", env="WEB_BUCKET")
BUCKETS: tuple[Bucket, ...] = (DOCUMENTS, UPLOADS, WEB)


@dataclass(frozen=True)
class Site:
    """A static web front end: the files of ``source`` in bucket ``bucket``, behind a CDN (CloudFront
    in AWS; the local stack serves ``source`` itself) that also forwards ``api_paths`` to the HTTP API,
    so pages and API share one origin.

    ``pages``: (path prefix, page file) -- every path equal to a prefix or below it (``/v/<token>``,
    the QR code's URL; ``/staff/tasks/<id>``, a task link) is answered with that page, which routes
    on ``location.pathname`` itself. ``index`` answers ``/``.
    """

    id: str
    bucket: str
    source: Path
    index: str = "index.html"
    not_found: str = "404.html"
    pages: tuple[tuple[str, str], ...] = ()
    api_paths: tuple[str, ...] = ()

    def page_for(self, path: str) -> str | None:
        """The page file answering a client-routed ``path``, or None."""
        if path in ("", "/"):
            return self.index
        for prefix, page in self.pages:
            if path == prefix or path.startswith(prefix + "/"):
                return page
        return None

    def files(self) -> list[str]:
        """Every file the site serves, as URL paths (what ``aws s3 sync`` of ``source`` uploads)."""
        return sorted(
            "/" + p.relative_to(self.source).as_posix()
            for p in self.source.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(self.source).parts)
        )

    def router_js(self) -> str:
        """The CloudFront Function (cloudfront-js-2.0, viewer request) doing what ``page_for`` does,
        and answering a path that is neither a page nor a file of the site with the site's
        ``not_found`` page and status 404 -- as the local stack does (local/web.py) -- instead of the
        bucket's XML error (issue 17). The API's paths are other behaviours: this never sees them."""
        table = json.dumps([[prefix, f"/{page}"] for prefix, page in self.pages])
        files = json.dumps(dict.fromkeys(self.files(), 1))
        page = json.dumps((self.source / self.not_found).read_text(encoding="utf-8"))
        return (
            f"var PAGES = {table};\n"
            f"var FILES = {files};\n"
            f"var NOT_FOUND = {page};\n"
            "function handler(event) {\n"
            "  var request = event.request;\n"
            "  for (var i = 0; i < PAGES.length; i++) {\n"
            "    var prefix = PAGES[i][0];\n"
            "    if (request.uri === prefix || request.uri.indexOf(prefix + '/') === 0) {\n"
            "      request.uri = PAGES[i][1];\n"
            "      return request;\n"
            "    }\n"
            "  }\n"
            "  if (request.uri === '/' || FILES[request.uri]) {\n"
            "    return request;\n"
            "  }\n"
            "  return {\n"
            "    statusCode: 404,\n"
            "    statusDescription: 'Not Found',\n"
            "    headers: {'content-type': {value: 'text/html; charset=utf-8'}, 'cache-control': {value: 'no-cache'}},\n"
            "    body: {encoding: 'text', data: NOT_FOUND}\n"
            "  };\n"
            "}\n"
        )


def content_security_policy(storage: str) -> str:
    """The pages' Content-Security-Policy (CloudFront's response headers policy, the local stack's
    web server): this origin only, plus ``storage`` -- the origins of the object store the browser
    uploads proofs to (connect-src) and shows them from inline on the review page (img-src for
    JPEG/PNG, frame-src/object-src for PDF), nothing else."""
    return (
        f"default-src 'self'; img-src 'self' data: {storage}; style-src 'self'; script-src 'self'; "
        f"connect-src 'self' {storage}; frame-src {storage}; object-src {storage}; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


WEB_SITE = Site(
    id="WebSite",
    bucket=WEB.id,
    source=ROOT / "web",
    pages=(("/staff", "staff.html"), ("/v", "verify.html"), ("/vb", "birth-verify.html")),
    api_paths=("/v1/*", "/.well-known/*"),
)
SITES: tuple[Site, ...] = (WEB_SITE,)

# ---------------------------------------------------------------------------
# Keys and identity
# ---------------------------------------------------------------------------
# signs the certificate QR tokens (ES256); old keys stay published for verification: on rotation
# the operator lists the retired key ids in SIGNING_KEY_IDS (comma-separated) of the API, whose
# role then also needs kms:GetPublicKey on them (chalicelib/adapters/signing.py)
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
# a case needs attention, a review is overdue at the highest level: for the operators (e-mail, paging)
OPERATOR_ALERTS = Topic(id="OperatorAlerts", suffix="operator-alerts", env="ALERTS_TOPIC_ARN")
TOPICS: tuple[Topic, ...] = (STAFF_NOTIFICATIONS, EVENTS, OPERATOR_ALERTS)

# ---------------------------------------------------------------------------
# Secrets and operations parameters
# ---------------------------------------------------------------------------
# HMAC key of the citizen tokens, the keyed hashes (phone numbers, query codes, couples) and the
# idempotency seal: whoever holds it can sign in as any phone number.
TOKEN_KEY = Secret(id="TokenKey", suffix="token-key", env="BIRTHREG_SECRET_ARN", generate=True)
# The domestic SMS gateway's app secret (chalicelib/adapters/sms.py), given by the gateway's operator.
SMS_GATEWAY_CREDENTIALS = Secret(
    id="SmsGatewayCredentials",
    suffix="sms-gateway",
    env="SMS_GATEWAY_SECRET_ARN",
    placeholder='{"secret": ""}',
)
# The secrets 渝快办 and PIS share with us for signing deliveries (chalicelib/adapters/sharing.py),
# one field per receiving system.
SHARING_CREDENTIALS = Secret(
    id="SharingCredentials",
    suffix="sharing",
    env="SHARING_SECRET_ARN",
    placeholder='{"yukuaiban": "", "pis": ""}',
)
SECRETS: tuple[Secret, ...] = (TOKEN_KEY, SMS_GATEWAY_CREDENTIALS, SHARING_CREDENTIALS)

# The State Council's holiday arrangement of the years chinese-calendar does not know yet
# (domain/working_days.py): {"2027": {"holidays": [ISO dates], "workdays": [ISO dates]}}.
HOLIDAYS = Parameter(
    id="Holidays",
    suffix="holidays",
    env="HOLIDAYS_PARAMETER",
    initial="{}",
    description="working-day arrangement per year beyond chinese-calendar's data (JSON)",
)
# When the public-security check is open on working days (000 §2.3.5 注), "HH:MM-HH:MM" or "always".
VERIFICATION_WINDOW = Parameter(
    id="VerificationWindow",
    suffix="verification-window",
    env="VERIFICATION_WINDOW_PARAMETER",
    initial="09:00-17:30",
    local_initial="always",  # a demo never waits (local/README.md shows the waiting branch)
    description="public-security check window on working days, HH:MM-HH:MM or always",
)
PARAMETERS: tuple[Parameter, ...] = (HOLIDAYS, VERIFICATION_WINDOW)

# ---------------------------------------------------------------------------
# Step Functions task functions (one module per task state)
# ---------------------------------------------------------------------------
# Registration workflow (statemachines/registration.asl.json).
# Every unit that computes a deadline in working days reads the operator's holiday table.
_HOLIDAYS = Grant("Holidays", "read")
# Every unit that sends an SMS: SNS (local stack, explicit choice) or the gateway (its secret).
_SMS_GRANTS = (Grant("sms", "sms"), Grant("SmsGatewayCredentials", "read"))
# Issue 18: one invocation for the three lookups (each a registry round trip, I/O bound: run
# concurrently) and the rules, instead of a Parallel state of three functions and ApplyRules.
# Its grants are what those four needed, nothing more.
VERIFY_RECORDS = Function(
    id="VerifyRecords",
    module="functions.verify_records",
    description="VerifyRecords: public security, civil affairs and the population registry at once; the domain rules; the route",
    grants=(
        # the case (read by the lookups, written with their results), the registries' records
        Grant("Cases", "write"),
        Grant("Registry", "read"),
        # the working-hours window of the identity check (000 §2.3.5 注) and the deadlines
        _HOLIDAYS,
        Grant("VerificationWindow", "read"),
        # received, counted once per case
        Grant("Statistics", "write"),
        # the manual-acceptance SMS with the query code (003 V(B)): through the outbox, its text and the
        # query code sealed with the token key
        Grant("Outbox", "write"),
        Grant("TokenKey", "read"),
        *_SMS_GRANTS,
    ),
    # the lookups at once: REGISTRY_HTTP_ATTEMPTS x REGISTRY_HTTP_TIMEOUT_SECONDS (3 x 5 s) and
    # backoff, then the manual-acceptance SMS's gateway attempts (3 x 5 s): 32 s at worst with
    # the defaults (tests/unit/workflow/test_workflow_asl.py adds it up)
    timeout=45,
    memory=256,  # three registry lookups and a few DynamoDB writes: I/O bound
)
UPDATE_REGISTRY = Function(
    id="UpdateRegistry",
    module="functions.update_registry",
    description="UpdateRegistry: record the form's additional children in the population registry",
    grants=(Grant("Cases", "write"), Grant("Registry", "write"), Grant("Audit", "write")),
)
REQUEST_PROOFS = Function(
    id="RequestProofs",
    module="functions.request_proofs",
    description="RequestProofs: keep the task token, ask the citizen for proof documents by SMS",
    grants=(Grant("Cases", "write"), Grant("Tasks", "write"), *_SMS_GRANTS, Grant("Statistics", "write")),
)
PROOFS_OVERDUE = Function(
    id="ProofsOverdue",
    module="functions.proofs_overdue",
    description="ProofsOverdue: close the case as incomplete when no documents came by the deadline",
    grants=(Grant("Cases", "write"), Grant("Tasks", "write"), *_SMS_GRANTS, Grant("Statistics", "write")),
)
AWAIT_REVIEW = Function(
    id="AwaitReview",
    module="functions.await_review",
    description="AwaitReview: store the task token and notify the responsible office",
    grants=(Grant("Cases", "write"), Grant("Tasks", "write"), Grant("StaffNotifications", "publish"), Grant("Statistics", "write")),
)
ESCALATE_REVIEW = Function(
    id="EscalateReview",
    module="functions.escalate_review",
    description="EscalateReview: an overdue review task moves to the county, then the city",
    grants=(
        Grant("Cases", "write"),
        Grant("Tasks", "write"),
        Grant("Audit", "write"),
        Grant("Statistics", "write"),
        Grant("OperatorAlerts", "publish"),
        _HOLIDAYS,
    ),
)
RECORD_FAILURE = Function(
    id="RecordFailure",
    module="functions.record_failure",
    description="RecordFailure: mark the case needs_attention and alert the operators",
    grants=(Grant("Cases", "write"), Grant("OperatorAlerts", "publish"), Grant("Statistics", "write")),
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
        # a reissue revokes the certificate it replaces; issue and revocation are audited
        Grant("Audit", "write"),
    ),
    timeout=60,
    memory=1024,
)
NOTIFY = Function(
    id="Notify",
    module="functions.notify",
    description="Notify: SMS the result to the applicant and publish the completion event (through the outbox)",
    grants=(
        Grant("Cases", "read"),
        *_SMS_GRANTS,
        Grant("Events", "publish"),
        Grant("Statistics", "write"),
        Grant("Outbox", "write"),
        # the SMS text and phone are sealed in the outbox with the token key
        Grant("TokenKey", "read"),
        # registrations delivered to 渝快办 / PIS right after the commit (adapters/sharing.py)
        Grant("SharingCredentials", "read"),
    ),
)
CHECK_UPLOAD = Function(
    id="CheckUpload",
    module="functions.check_upload",
    description="CheckUpload: accept or delete an uploaded proof document (type, size, magic bytes)",
    grants=(
        Grant("Uploads", "write"),
        Grant("Cases", "write"),
        Grant("Tasks", "write"),
        Grant("Waiting", "callback"),
        _HOLIDAYS,  # documents received: the review task's deadline starts
        # materials of a birth medical certificate claim (births/... keys, issue 16)
        Grant("Births", "write"),
    ),
)
HAND_OVER = Function(
    id="HandOver",
    module="functions.hand_over",
    description="HandOver: a person or the working-hours window must be waited for: start the Standard workflow",
    # the one unit that starts the Waiting workflow, and all it may do
    grants=(Grant("Waiting", "start"),),
    memory=256,  # one API call: I/O bound
)
HAND_BACK = Function(
    id="HandBack",
    module="functions.hand_back",
    description="HandBack: the staff decided: the Express workflow resumes at Route (registry, certificate, notification)",
    # starts the Registration workflow, and all it may do
    grants=(Grant("Registration", "start"),),
    memory=256,  # one API call: I/O bound
)
DISPATCH_OUTBOX = Function(
    id="DispatchOutbox",
    module="functions.dispatch_outbox",
    description="DispatchOutbox: deliver due outbox messages with backoff; dead-letter and alert after the last attempt",
    grants=(
        Grant("Outbox", "write"),
        *_SMS_GRANTS,
        Grant("Events", "publish"),
        Grant("StaffNotifications", "publish"),
        Grant("OperatorAlerts", "publish"),
        # a workflow start that is dead-lettered marks its case "needs attention"
        Grant("Registration", "start"),
        Grant("Cases", "write"),
        # SMS payloads are sealed with the token key (services/shared/outbox.py)
        Grant("TokenKey", "read"),
        # retried deliveries to 渝快办 / PIS (adapters/sharing.py)
        Grant("SharingCredentials", "read"),
    ),
    timeout=120,
    memory=256,  # I/O bound
)
ISSUE_BIRTH_CERTIFICATE = Function(
    id="IssueBirthCertificate",
    module="functions.issue_birth_certificate",
    description="IssueBirthCertificate: number, sign and render the birth medical certificate e-licence (seed 003 I(a)3, IV)",
    grants=(
        Grant("Births", "write"),
        Grant("Documents", "write"),
        Grant("CertificateSigning", "sign"),
        Grant("Audit", "write"),
        Grant("Statistics", "write"),
        # the record's names and ID numbers are sealed with the token key (store/births.py)
        Grant("TokenKey", "read"),
        # the couple's 生育服务证 gets the birth date and sex, its case a history line (issue 16 item 7)
        Grant("Cases", "write"),
        Grant("Certificates", "write"),
        # the SMS to the claimant with the e-licence number (003 一(一)3), through the outbox
        Grant("Outbox", "write"),
        *_SMS_GRANTS,
    ),
    timeout=60,
    memory=1024,
)
FUNCTIONS: tuple[Function, ...] = (
    VERIFY_RECORDS,
    UPDATE_REGISTRY,
    REQUEST_PROOFS,
    PROOFS_OVERDUE,
    AWAIT_REVIEW,
    ESCALATE_REVIEW,
    ISSUE_CERTIFICATE,
    NOTIFY,
    RECORD_FAILURE,
    HAND_OVER,
    HAND_BACK,
    CHECK_UPLOAD,
    DISPATCH_OUTBOX,
    ISSUE_BIRTH_CERTIFICATE,
)

# The API delivers each outbox message right after its commit; the sweeper takes what that missed.
OUTBOX_SWEEP = Schedule(
    id="OutboxSweep",
    function=DISPATCH_OUTBOX.id,
    rate_minutes=1,
    description="deliver outbox messages whose first delivery failed, with backoff",
)
SCHEDULES: tuple[Schedule, ...] = (OUTBOX_SWEEP,)

def _workflow(id: str, **options) -> StateMachine:
    """The state machine ``id`` of ``statemachines/<id lowercased>.asl.json`` (suffix and env from
    the id), calling every function whose ``${<Id>FunctionArn}`` placeholder the file holds."""
    definition = ROOT / "statemachines" / f"{id.lower()}.asl.json"
    text = definition.read_text(encoding="utf-8")
    functions = {f"{f.id}FunctionArn": f.id for f in FUNCTIONS if "${" + f.id + "FunctionArn}" in text}
    return StateMachine(id, id.lower(), f"{id.upper()}_STATE_MACHINE_ARN", definition, functions, **options)


# Issue 18: the automated steps run in an Express workflow (billed per request and duration, not
# per transition: the instant path's 8 Standard transitions were most of its cost). Express runs
# 5 minutes at most and cannot wait for a task token, so where a person or the working-hours
# window must be waited for, its HandOver task starts the Standard Waiting workflow. Both are
# started by an API call, not a nested execution: moto cannot run the states:startExecution
# integration (statemachines/README.md), and so the local stack runs both definitions as AWS does.
REGISTRATION_WORKFLOW = _workflow(
    "Registration",
    type="EXPRESS",
    # Express logs are the only record of its executions (no history API): errors only, without
    # execution data; every execution's outcome is also on the case and in the alarms.
    log_level="ERROR",
)
WAITING_WORKFLOW = _workflow("Waiting")
# The birth medical certificate e-licence (issue 16): issuing renders a PDF, which only a task
# function of the certificate bundle can (infra/package.py); the API starts this one-state machine.
BIRTH_CERTIFICATE_WORKFLOW = StateMachine(
    id="BirthCertificate",
    suffix="birth-certificate",
    env="BIRTH_CERTIFICATE_STATE_MACHINE_ARN",
    definition=ROOT / "statemachines" / "birth_certificate.asl.json",
    functions={f"{ISSUE_BIRTH_CERTIFICATE.id}FunctionArn": ISSUE_BIRTH_CERTIFICATE.id},
)
STATE_MACHINES: tuple[StateMachine, ...] = (REGISTRATION_WORKFLOW, WAITING_WORKFLOW, BIRTH_CERTIFICATE_WORKFLOW)

# The HTTP API (Chalice). Its grants drive its IAM policy the same way.
API_GRANTS: tuple[Grant, ...] = (
    Grant("Cases", "write"),
    Grant("Tasks", "write"),
    Grant("Registry", "read"),
    # revocation (modify-once reissue, staff cancellation), birth and paper-certificate records
    Grant("Certificates", "write"),
    Grant("Documents", "read"),
    Grant("Registration", "start"),
    # staff decisions and received proofs answer the Waiting workflow's task tokens
    Grant("Waiting", "callback"),
    *_SMS_GRANTS,
    Grant("Codes", "write"),
    Grant("Idempotency", "write"),
    Grant("Audit", "write"),
    Grant("Uploads", "write"),
    Grant("CertificateSigning", "verify"),
    Grant("StaffPool", "admin"),
    # staff profiles, grants and revocation markers (read on each staff request), organisation
    # information, paper-certificate stock
    Grant("Offices", "write"),
    # staff decisions and on-site registrations advance the statistics counters; staff read them
    Grant("Statistics", "write"),
    # citizen tokens, keyed hashes, idempotency seal
    Grant("TokenKey", "read"),
    # staff decisions (documents requested, next stage) compute deadlines in working days
    _HOLIDAYS,
    # side effects of its writes (receipt SMS, workflow start) go through the outbox, delivered
    # right after the commit
    Grant("Outbox", "write"),
    # birth medical certificates (issue 16): entry, claim, review, stamp check, verification;
    # issuing and reissuing start the BirthCertificate machine (rendering is not the API's)
    Grant("Births", "write"),
    Grant("BirthCertificate", "start"),
)


def physical_name(suffix: str, stage: str) -> str:
    return f"{PROJECT}-{stage}-{suffix}"


def by_id() -> dict[str, object]:
    out: dict[str, object] = {}
    for group in (TABLES, BUCKETS, TOPICS, FUNCTIONS, STATE_MACHINES, KEYS, USER_POOLS, SECRETS, PARAMETERS):
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


"""The deployed system, generated from ``infra/resources.py``.

Nothing here names an individual table, bucket, topic, key, user pool, function or state
machine: every resource is created by looping over the definitions, so a table added to
``TABLES`` (or a function added to ``FUNCTIONS``) is deployed, granted and output without
touching this file. Physical names come from ``physical_name(suffix, stage)`` and reach the
code only through the environment variables ``environment_for(grants, names)`` computes
(STYLE.md, Anchor 2).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import botocore.session
from aws_cdk import (
    Acknowledgment,
    Annotations,
    ArnFormat,
    Aws,
    CfnCondition,
    CfnOutput,
    Duration,
    Fn,
    RemovalPolicy,
    SecretValue,
    Stack,
    Token,
    Validations,
)
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk import aws_wafv2 as wafv2
from chalice.cdk import Chalice
from constructs import Construct

from infra import observability, package, waf
from infra.hardening import suppress_findings
from infra.package import non_portable_wheels
from infra.policies import USER_POOL_ADMIN_ACTIONS
from infra.resources import (
    BUCKETS,
    FUNCTIONS,
    KEYS,
    PARAMETERS,
    PROJECT,
    ROOT,
    SCHEDULES,
    SECRETS,
    SITES,
    STATE_MACHINES,
    TABLES,
    TOPICS,
    USER_POOLS,
    Attr,
    Bucket,
    Function,
    Grant,
    Key,
    Parameter,
    Secret,
    Site,
    StateMachine,
    Table,
    Topic,
    UserPool,
    content_security_policy,
    physical_name,
)
from infra.settings import API, LOCAL_STAGE, MissingSetting, check_units, environment_of, grants_of

CHALICE_STAGE_API_GATEWAY = "api"
API_HANDLER = "APIHandler"  # logical id of the function in Chalice's SAM template
API_SUFFIX = "api"  # physical name of the API function: birthreg-<stage>-api
LOG_RETENTION = logs.RetentionDays.ONE_YEAR
# Rejected uploads are deleted by CheckUpload; versioning would otherwise keep them forever.
UPLOAD_NONCURRENT_DAYS = 30
# API Gateway stage throttling (all routes): steady requests per second and burst. The per-IP
# WAF rule below stops one client long before these; these protect DynamoDB and the registries.
API_RATE_LIMIT = 100
API_BURST_LIMIT = 200
# Failed asynchronous invocations (S3 notifications) are kept this long in the on-failure queue.
ON_FAILURE_RETENTION = Duration.days(14)

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")

# What each grant becomes in IAM (BirthRegStack._grant implements it; infra/README.md's
# table is printed from this by `python -m infra.app --grants`).
GRANT_SUMMARY: dict[tuple[str, str], str] = {
    ("table", "read"): "dynamodb Get/BatchGet/Query/Scan/ConditionCheck/DescribeTable on the table and its indexes",
    ("table", "write"): "the read actions + PutItem/UpdateItem/DeleteItem/BatchWriteItem on the table and its indexes",
    ("bucket", "read"): "s3:GetObject*, GetBucket*, List* on the bucket and its objects",
    ("bucket", "write"): "the read actions + s3:PutObject*, DeleteObject*, Abort* on its objects",
    ("topic", "publish"): "sns:Publish on the topic",
    ("key", "sign"): "kms:Sign on the key",
    ("key", "verify"): "kms:Verify, kms:GetPublicKey on the key",
    ("user pool", "admin"): ", ".join(a.split(":")[1] for a in USER_POOL_ADMIN_ACTIONS) + " on the pool",
    ("sms", "sms"): 'sns:Publish on "*" (phone numbers are not ARNs)',
    ("state machine", "start"): "states:StartExecution on the state machine",
    ("state machine", "callback"): 'states:SendTaskSuccess/Failure/Heartbeat on "*" (task tokens have no ARN)',
    ("secret", "read"): "secretsmanager:GetSecretValue on the secret",
    ("parameter", "read"): "ssm:GetParameter on the parameter",
}

_KINDS = (
    ("table", TABLES),
    ("bucket", BUCKETS),
    ("topic", TOPICS),
    ("key", KEYS),
    ("user pool", USER_POOLS),
    ("function", FUNCTIONS),
    ("state machine", STATE_MACHINES),
    ("secret", SECRETS),
    ("parameter", PARAMETERS),
)


def resource_kind(resource_id: str) -> str:
    for kind, group in _KINDS:
        if any(r.id == resource_id for r in group):
            return kind
    if resource_id == "sms":
        return "sms"
    raise ValueError(f"grant on unknown resource {resource_id!r}")


def _attribute(a: Attr) -> dynamodb.Attribute:
    types = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}
    return dynamodb.Attribute(name=a.name, type=types[a.type])


def _output_id(resource_id: str, what: str) -> str:
    return f"{resource_id}{what}"


def function_code(scope: Construct, bundle: package.Bundle | None) -> lambda_.Code:
    """Code asset of task functions: the built ``bundle`` (infra/package.py: its wheels for Lambda,
    its sources, byte-compiled), or with ``None`` the repository's sources alone.

    A stack built for deployment (``infra.app``: ``make synth``, ``cdk deploy``) builds the
    bundles first and passes them; a bundle that is missing or older than its sources is then an
    error, never a warning. ``None`` is for the tests' template checks: the same template, but
    functions that would fail on their first third-party import.
    """
    if bundle is not None:
        if not package.is_current(bundle):
            raise RuntimeError(
                f"{bundle.path} is missing or older than its sources: run `python -m infra.package` "
                "(make synth does) before a synth meant for deployment."
            )
        # the .pyc are part of the bundle: byte-compiled with unchecked hashes (reproducible)
        return lambda_.Code.from_asset(str(bundle.path))
    keep = [p for d in package.CERTIFICATE.sources for p in (f"!{d}", f"!{d}/**")]
    return lambda_.Code.from_asset(
        str(ROOT),
        # Exclude everything at the root ("*" does not match dot-files, hence ".*"), then
        # re-include the source directories; compiled files are dropped again after them.
        exclude=["*", ".*", *keep, "**/__pycache__", "**/*.pyc"],
    )


class _ChaliceApi(Chalice):
    """``chalice.cdk.Chalice`` packaged under a chosen Chalice stage.

    The upstream construct takes the Chalice stage name from ``str(scope)``, i.e. the CDK
    stack's construct id ("BirthRegStack"), which is not a stage of ``.chalice/config.json``.
    We package as the deployment stage instead ("dev", ...) so the stage's settings in
    ``.chalice/config.json`` apply (``stage_config`` still overrides them).
    """

    def __init__(self, scope: Construct, id: str, *, chalice_stage: str, **kwargs) -> None:
        self._chalice_stage = chalice_stage
        super().__init__(scope, id, **kwargs)

    def _package_app(self) -> None:
        self.stage_name = self._chalice_stage
        super()._package_app()
        # without what the Lambda runtime provides, byte-compiled, reproducible (infra/package.py)
        package.slim_zip(Path(self._sam_package_dir) / "deployment.zip")


def _snake_keys(d: dict) -> dict:
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower(): v for k, v in d.items()}


def _snake_upper(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).upper()


def _serves_site(b: Bucket) -> bool:
    return any(site.bucket == b.id for site in SITES)


def _check_unique_ids() -> None:
    """Grants name resources by id alone, so an id must mean one resource."""
    seen: set[str] = set()
    reserved = {"sms", *(f"{p.id}Client" for p in USER_POOLS)}  # names[] keys that are no resource
    for _, group in _KINDS:
        for r in group:
            if r.id in seen or r.id in reserved:
                raise ValueError(f"resource id {r.id!r} is used twice (or reserved) in infra/resources.py")
            seen.add(r.id)
    if any(f.suffix == API_SUFFIX for f in FUNCTIONS):
        raise ValueError(f"function suffix {API_SUFFIX!r} is the HTTP API's name")


@contextlib.contextmanager
def _chalice_package_env(workdir: str, region: str | None) -> Iterator[None]:
    """cwd = ``workdir`` and, if given, AWS_DEFAULT_REGION = ``region``; the whole process
    environment and cwd are restored afterwards (``chalice package`` sets variables of its
    own, e.g. the stage's environment with unresolved CDK tokens)."""
    cwd, saved = os.getcwd(), dict(os.environ)
    os.chdir(workdir)
    if region:
        os.environ["AWS_DEFAULT_REGION"] = region
    try:
        yield
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)


class BirthRegStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str = "dev",
        web_origins: Sequence[str] = ("*",),
        bundles: bool = False,
        domain: str | None = None,
        certificate_arn: str | None = None,
        settings: Mapping[str, str] | None = None,
        **kwargs,
    ) -> None:
        """``web_origins``: CORS origins of buckets with ``browser_uploads`` (the web front-end).
        ``bundles``: the task functions' code is their built bundles (infra/package.py; a deployable
        template, what ``infra.app`` makes), else the repository's sources (template checks).
        ``domain``: the site's domain (CloudFront alias; ``PUBLIC_BASE_URL`` is https://<domain>),
        with ``certificate_arn`` (ACM, us-east-1): both required outside the local stage.
        ``settings``: values of infra/settings.py settings (``-c NAME=value``); a required one
        missing fails the synth with its name."""
        super().__init__(scope, construct_id, **kwargs)
        self.stage = stage
        self.bundles = bundles
        self.web_origins = list(web_origins)
        self.domain = domain
        self.certificate_arn = certificate_arn
        if stage != LOCAL_STAGE:
            for name, value, hint in (
                ("domain", domain, "or SITE_DOMAIN=<site domain>"),
                ("certificate_arn", certificate_arn, "or CERTIFICATE_ARN=<ACM certificate in us-east-1 for the domain>"),
            ):
                if not value:
                    raise MissingSetting(name, "the site (CloudFront)", stage, hint)
        self.settings = {**(settings or {}), **({"domain": domain} if domain else {})}
        _check_unique_ids()
        check_units()

        # One customer-managed key for the personal data at rest: tables, the uploads and
        # documents buckets, the topics and the on-failure queue (grants go through it).
        self.data_key = self._data_key()
        self.tables: dict[str, dynamodb.Table] = {t.id: self._table(t) for t in TABLES}
        self.buckets: dict[str, s3.Bucket] = {b.id: self._bucket(b) for b in BUCKETS}
        # Grants go through these: the bucket's ARN built from its name (see self.names).
        self.bucket_refs: dict[str, s3.IBucket] = {
            b.id: s3.Bucket.from_bucket_name(self, f"{b.id}ByName", physical_name(b.suffix, self.stage))
            for b in BUCKETS
        }
        self.topics: dict[str, sns.Topic] = {t.id: self._topic(t) for t in TOPICS}
        self.keys: dict[str, kms.Key] = {k.id: self._key(k) for k in KEYS}
        self.user_pools: dict[str, tuple[cognito.UserPool, cognito.UserPoolClient]] = {
            p.id: self._user_pool(p) for p in USER_POOLS
        }
        # State machine ARNs are computed from their physical names, not taken from the
        # resources: a task function may then be granted "start"/"callback" on a state
        # machine that itself depends on that function, without a dependency cycle.
        self.state_machine_arns: dict[str, str] = {m.id: self._state_machine_arn(m) for m in STATE_MACHINES}
        self.secrets: dict[str, secretsmanager.Secret] = {x.id: self._secret(x) for x in SECRETS}
        self.parameters: dict[str, ssm.StringParameter] = {x.id: self._parameter(x) for x in PARAMETERS}

        # resource id -> deployed identifier, as environment_for() expects
        self.names: dict[str, str] = {
            **{i: t.table_name for i, t in self.tables.items()},
            # Buckets by their physical name, not a reference: a bucket that notifies a
            # function depends on it, so the function (its environment and its policy) must
            # not depend on the bucket. Same reason for the grants (see _grant).
            **{b.id: physical_name(b.suffix, self.stage) for b in BUCKETS},
            **{i: t.topic_arn for i, t in self.topics.items()},
            **{i: k.key_id for i, k in self.keys.items()},
            **{i: pool.user_pool_id for i, (pool, _) in self.user_pools.items()},
            **{f"{i}Client": client.user_pool_client_id for i, (_, client) in self.user_pools.items()},
            **self.state_machine_arns,
            **{i: x.secret_arn for i, x in self.secrets.items()},
            **{i: x.parameter_name for i, x in self.parameters.items()},
        }

        self.on_failure_queue = self._on_failure_queue() if any(b.notify for b in BUCKETS) else None
        codes = {b.name: function_code(self, b if bundles else None) for b in package.BUNDLES}
        self.functions: dict[str, lambda_.Function] = {
            f.id: self._function(f, codes[package.bundle_for(f.id).name]) for f in FUNCTIONS
        }
        for b in BUCKETS:
            if b.notify:
                self._notify(b)
        self.state_machines: dict[str, sfn.StateMachine] = {m.id: self._state_machine(m) for m in STATE_MACHINES}
        self.origin_verify = self._origin_verify_secret()
        for schedule in SCHEDULES:
            events.Rule(
                self,
                f"{schedule.id}Rule",
                rule_name=physical_name(schedule.id.lower(), self.stage),
                description=schedule.description,
                schedule=events.Schedule.rate(Duration.minutes(schedule.rate_minutes)),
                targets=[targets.LambdaFunction(self.functions[schedule.function])],
            )
        self.api_role, self.api = self._api()
        self.sites: dict[str, cloudfront.Distribution] = {site.id: self._site(site) for site in SITES}
        self._restrict_upload_cors()
        self._subscribe_operators()
        self._alarms()
        self._dashboard()
        self._outputs()
        suppress_findings(self)

    # ------------------------------------------------------------------ storage
    def _table(self, t: Table) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            f"{t.id}Table",
            table_name=physical_name(t.suffix, self.stage),
            partition_key=_attribute(t.hash_key),
            sort_key=_attribute(t.range_key) if t.range_key else None,
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.data_key,
            time_to_live_attribute=t.ttl_attribute,
            # Registrations are legal records: deleting the stack must not delete them, and
            # DeleteTable is refused until an operator turns the protection off on purpose.
            removal_policy=RemovalPolicy.RETAIN,
            deletion_protection=True,
        )
        for ix in t.indexes:
            table.add_global_secondary_index(
                index_name=ix.name,
                partition_key=_attribute(ix.hash_key),
                sort_key=_attribute(ix.range_key) if ix.range_key else None,
                projection_type=dynamodb.ProjectionType[ix.projection],
                non_key_attributes=list(ix.include) or None,
            )
        return table

    def _bucket(self, b: Bucket) -> s3.Bucket:
        lifecycle = [
            s3.LifecycleRule(id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(7))
        ]
        cors = None
        if b.browser_uploads:
            lifecycle.append(
                s3.LifecycleRule(
                    id="expire-replaced-or-deleted-uploads",
                    noncurrent_version_expiration=Duration.days(UPLOAD_NONCURRENT_DAYS),
                    expired_object_delete_marker=True,
                )
            )
            # Browsers POST straight to the bucket with a presigned POST policy (and GET what the
            # review page shows, by presigned URL); the signature is the authorisation, CORS only
            # lets the page read the response.
            cors = [
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods(m) for m in b.cors_methods],
                    allowed_origins=self.web_origins,
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ]
        # Personal data (ID-card scans, certificates) under the data key; the web site's public
        # files stay SSE-S3, which CloudFront's origin access control reads without a key grant.
        encryption = {"encryption": s3.BucketEncryption.S3_MANAGED}
        if not _serves_site(b):
            encryption = {
                "encryption": s3.BucketEncryption.KMS,
                "encryption_key": self.data_key,
                "bucket_key_enabled": True,  # one KMS call per object-key period, not per object
            }
        return s3.Bucket(
            self,
            f"{b.id}Bucket",
            # S3 bucket names are global: a stage name already taken in another account
            # fails the deployment (see infra/README.md).
            bucket_name=physical_name(b.suffix, self.stage),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            **encryption,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=lifecycle,
            cors=cors,
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _topic(self, t: Topic) -> sns.Topic:
        return sns.Topic(
            self,
            f"{t.id}Topic",
            topic_name=physical_name(t.suffix, self.stage),
            enforce_ssl=True,
            master_key=self.data_key,
        )

    def _data_key(self) -> kms.Key:
        key = kms.Key(
            self,
            "DataKey",
            alias=f"alias/{physical_name('data', self.stage)}",
            description=f"{PROJECT}-{self.stage} personal data at rest (tables, uploads, documents, topics, queues)",
            enable_key_rotation=True,
            # Without the key, every table and object it encrypted is unreadable.
            removal_policy=RemovalPolicy.RETAIN,
        )
        # CloudWatch alarms publish to the (encrypted) OperatorAlerts topic as the service itself,
        # not through a role: the key must let cloudwatch.amazonaws.com create data keys for SNS.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublishToEncryptedTopics",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],  # in a key policy "*" is this key
                conditions={"StringEquals": {"aws:SourceAccount": self.account}},
            )
        )
        return key

    def _on_failure_queue(self) -> sqs.Queue:
        """Where Lambda puts an S3 notification it could not process after its retries
        (CheckUpload); its depth is alarmed (infra/observability.py)."""
        return sqs.Queue(
            self,
            "OnFailureQueue",
            queue_name=physical_name("on-failure", self.stage),
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.data_key,
            enforce_ssl=True,
            retention_period=ON_FAILURE_RETENTION,
            removal_policy=RemovalPolicy.RETAIN,
        )

    # ------------------------------------------------------------------ keys, identity
    def _key(self, k: Key) -> kms.Key:
        return kms.Key(
            self,
            f"{k.id}Key",
            alias=f"alias/{physical_name(k.suffix, self.stage)}",
            description=f"{PROJECT}-{self.stage} {k.id}",
            key_spec=getattr(kms.KeySpec, k.spec),
            key_usage=getattr(kms.KeyUsage, k.usage),
            # Signatures already issued (certificate QR codes) must stay verifiable.
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _user_pool(self, p: UserPool) -> tuple[cognito.UserPool, cognito.UserPoolClient]:
        name = physical_name(p.suffix, self.stage)
        pool = cognito.UserPool(
            self,
            f"{p.id}UserPool",
            user_pool_name=name,
            # Staff accounts are created by administrators only.
            self_sign_up_enabled=False,
            custom_attributes={a: cognito.StringAttribute(mutable=True) for a in p.custom_attributes},
            # Staff see ID numbers and decide cases: a second factor, an authenticator app only
            # (SMS to +86 numbers is not delivered by Cognito; see docs/operations.md).
            mfa=cognito.Mfa.REQUIRED,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
                password_history_size=5,
            ),
            account_recovery=cognito.AccountRecovery.NONE,  # administrators reset staff passwords
            # Threat protection (compromised credentials, adaptive authentication) enforced;
            # it needs the Plus feature plan.
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        client = pool.add_client(
            f"{p.id}Client",
            user_pool_client_name=f"{name}-web",
            auth_flows=cognito.AuthFlow(user_password=True),  # + refresh tokens, as the local stack
            # No hosted UI / OAuth (CDK's default would enable the implicit flow with an
            # example.com callback): the staff front-end signs in through InitiateAuth.
            disable_o_auth=True,
            generate_secret=False,
            prevent_user_existence_errors=True,
            # Users must not be able to change their own custom attributes (role, region,
            # office) with their access token: only the API's admin grant sets them.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(email=True, phone_number=True),
        )
        return pool, client

    # ------------------------------------------------------------------ secrets, operations data
    def _secret(self, x: Secret) -> secretsmanager.Secret:
        """A generated key, or the placeholder the operator replaces (infra/README.md, Secrets)."""
        name = physical_name(x.suffix, self.stage)
        if x.generate:
            return secretsmanager.Secret(
                self,
                f"{x.id}Secret",
                secret_name=name,
                description=f"{PROJECT}-{self.stage} {x.id} (generated)",
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    password_length=64, exclude_punctuation=True, include_space=False
                ),
                # Stored hashes (phone numbers, query codes) are keyed with it: losing it loses them.
                removal_policy=RemovalPolicy.RETAIN,
            )
        return secretsmanager.Secret(
            self,
            f"{x.id}Secret",
            secret_name=name,
            description=f"{PROJECT}-{self.stage} {x.id}: replace the placeholder with the real value",
            # Not a secret: the empty fields the operator fills in (the code refuses them empty).
            secret_string_value=SecretValue.unsafe_plain_text(x.placeholder),
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _parameter(self, x: Parameter) -> ssm.StringParameter:
        return ssm.StringParameter(
            self,
            f"{x.id}Parameter",
            parameter_name=x.name(self.stage),
            string_value=x.initial,
            description=f"{PROJECT}-{self.stage}: {x.description}",
            tier=ssm.ParameterTier.STANDARD,
        )

    def _state_machine_arn(self, m: StateMachine) -> str:
        return self.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=physical_name(m.suffix, self.stage),
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

    # ------------------------------------------------------------------ permissions
    def _grant(self, role: iam.IRole, g: Grant) -> None:
        """Give ``role`` exactly what ``g`` allows. Unknown kinds or accesses fail the synth."""
        kind = resource_kind(g.resource)
        if (kind, g.access) not in GRANT_SUMMARY:
            raise ValueError(f"unknown access {g.access!r} on {kind} {g.resource!r}")
        if kind == "table":
            table = self.tables[g.resource]
            if g.access == "read":
                table.grant_read_data(role)  # includes "<table arn>/index/*" when it has indexes
            else:
                table.grant_read_write_data(role)
        elif kind == "bucket":
            bucket = self.bucket_refs[g.resource]
            encrypted = not _serves_site(next(b for b in BUCKETS if b.id == g.resource))
            if g.access == "read":
                bucket.grant_read(role)
                if encrypted:
                    self.data_key.grant_decrypt(role)
            else:
                bucket.grant_read_write(role)
                if encrypted:
                    self.data_key.grant_encrypt_decrypt(role)
        elif kind == "topic":
            self.topics[g.resource].grant_publish(role)
        elif kind == "key":
            key = self.keys[g.resource]
            if g.access == "sign":
                key.grant_sign(role)
            else:
                key.grant_verify(role)
                key.grant(role, "kms:GetPublicKey")  # verifiers may check signatures offline
        elif kind == "user pool":
            self.user_pools[g.resource][0].grant(role, *USER_POOL_ADMIN_ACTIONS)
        elif kind == "state machine":
            arn = self.state_machine_arns[g.resource]
            if g.access == "start":
                role.add_to_principal_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[arn]))
            else:
                # SendTask* act on a task token, not on a state machine: these actions
                # have no resource type in IAM, so AWS only accepts Resource "*".
                role.add_to_principal_policy(
                    iam.PolicyStatement(
                        actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
                        resources=["*"],
                    )
                )
        elif kind == "secret":
            # GetSecretValue only (not grant_read's DescribeSecret): the code needs the value.
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[self.secrets[g.resource].secret_arn])
            )
        elif kind == "parameter":
            role.add_to_principal_policy(
                iam.PolicyStatement(actions=["ssm:GetParameter"], resources=[self.parameters[g.resource].parameter_arn])
            )
        elif kind == "sms":
            # SMS goes straight to a phone number (sns:Publish with PhoneNumber); a phone
            # number is not an ARN, so IAM cannot scope this to anything but "*".
            role.add_to_principal_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"]))
        else:
            raise ValueError(f"cannot grant on {kind} {g.resource!r}")

    def _lambda_role(self, id: str, description: str, function_name: str) -> tuple[iam.Role, logs.LogGroup]:
        """A role of its own for one Lambda function, and the function's log group.

        Instead of AWSLambdaBasicExecutionRole (logs:* writes on every log group, "*"), the
        role may only write to its own group, which the stack creates -- with a retention.
        """
        role = iam.Role(self, id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description)
        log_group = logs.LogGroup(
            self,
            f"{id}Logs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN,
        )
        log_group.grant_write(role)
        return role, log_group

    # ------------------------------------------------------------------ compute
    def _function(self, f: Function, code: lambda_.Code) -> lambda_.Function:
        name = physical_name(f.suffix, self.stage)
        role, log_group = self._lambda_role(f"{f.id}Role", f"{name}: {f.description or f.module}", name)
        for g in f.grants:
            self._grant(role, g)
        return lambda_.Function(
            self,
            f"{f.id}Function",
            function_name=name,
            description=f.description,
            runtime=lambda_.Runtime.PYTHON_3_11,
            architecture=lambda_.Architecture.X86_64,  # the wheels are manylinux x86_64
            handler=f.handler,
            code=code,
            timeout=Duration.seconds(f.timeout),
            memory_size=f.memory,
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                **environment_of(f.id, self.names, self.stage, self.settings),
                "POWERTOOLS_SERVICE_NAME": PROJECT,
            },
            **self._async_failure_handling(f),
        )

    def _async_failure_handling(self, f: Function) -> dict:
        """Functions invoked asynchronously (S3 notifications) retry twice, then leave the event
        in the on-failure queue instead of dropping it."""
        if not any(b.notify == f.id for b in BUCKETS):
            return {}
        return {
            "retry_attempts": 2,
            "max_event_age": Duration.hours(6),
            "on_failure": destinations.SqsDestination(self.on_failure_queue),
        }

    def _notify(self, b: Bucket) -> None:
        """Invoke ``b.notify`` on every object created in bucket ``b``.

        Set on the bucket itself (NotificationConfiguration) instead of CDK's
        add_event_notification, which deploys an extra custom-resource Lambda function
        holding s3:PutBucketNotification on "*". S3 checks the destination when it saves
        the configuration, so the bucket waits for the invoke permission; the permission
        names the bucket by ARN-from-name, so nothing points back at the bucket.
        """
        if b.notify not in self.functions:
            raise ValueError(f"bucket {b.id!r} notifies unknown function {b.notify!r}")
        fn = self.functions[b.notify]
        permission = lambda_.CfnPermission(
            self,
            f"{b.id}Invokes{b.notify}",
            action="lambda:InvokeFunction",
            function_name=fn.function_arn,
            principal="s3.amazonaws.com",
            source_arn=f"arn:{self.partition}:s3:::{physical_name(b.suffix, self.stage)}",
            source_account=self.account,
        )
        cfn_bucket: s3.CfnBucket = self.buckets[b.id].node.default_child
        cfn_bucket.notification_configuration = s3.CfnBucket.NotificationConfigurationProperty(
            lambda_configurations=[
                s3.CfnBucket.LambdaConfigurationProperty(event="s3:ObjectCreated:*", function=fn.function_arn)
            ]
        )
        cfn_bucket.add_resource_dependency(permission)

    def _state_machine(self, m: StateMachine) -> sfn.StateMachine:
        text = Path(m.definition).read_text(encoding="utf-8")
        unmapped = set(_PLACEHOLDER.findall(text)) - set(m.functions)
        if unmapped:
            raise ValueError(f"{m.definition}: no function for placeholders {sorted(unmapped)}")
        invoked = [self.functions[fid] for fid in m.functions.values()]
        # Substitute in the synthesised template (not via DefinitionSubstitutions) so the
        # template itself shows which functions the definition calls.
        for placeholder, fid in m.functions.items():
            text = text.replace("${" + placeholder + "}", self.functions[fid].function_arn)

        name = physical_name(m.suffix, self.stage)
        role = iam.Role(
            self,
            f"{m.id}StateMachineRole",
            assumed_by=iam.ServicePrincipal("states.amazonaws.com"),
            description=f"{name}: invoke its task functions",
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[fn.function_arn for fn in invoked],
            )
        )
        log_group = logs.LogGroup(
            self,
            f"{m.id}StateMachineLogs",
            # The /aws/vendedlogs/ prefix keeps CloudWatch's log resource policy small.
            log_group_name=f"/aws/vendedlogs/states/{name}",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN,
        )
        return sfn.StateMachine(
            self,
            f"{m.id}StateMachine",
            state_machine_name=name,
            state_machine_type=sfn.StateMachineType[m.type],
            definition_body=sfn.DefinitionBody.from_string(text),
            role=role,
            # Never the input/output: task results (mismatches, review decisions) stay in
            # DynamoDB, not in CloudWatch. Standard: every transition; Express: errors only.
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel[m.log_level], include_execution_data=False),
            tracing_enabled=True,
        )

    def _api(self) -> tuple[iam.Role, Chalice]:
        name = physical_name(API_SUFFIX, self.stage)
        role, log_group = self._lambda_role("ApiRole", f"{name}: HTTP API (Chalice app.py)", name)
        for g in grants_of(API):
            self._grant(role, g)
        stage_config = {
            "api_gateway_stage": CHALICE_STAGE_API_GATEWAY,
            "environment_variables": {
                **environment_of(API, self.names, self.stage, self.settings),
                "POWERTOOLS_SERVICE_NAME": f"{PROJECT}-api",
            },
            "iam_role_arn": role.role_arn,
            "manage_iam_role": False,
            "lambda_timeout": 30,
            "lambda_memory_size": 512,
            "xray": True,  # active tracing on the function and the API Gateway stage
        }
        # What Lambda's active tracing needs (the CDK adds the same to the task functions'
        # roles); X-Ray actions have no resource type, so "*" is the only possible resource.
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"])
        )
        # chalice.cdk writes `chalice package` output to ./chalice.out of the current
        # directory. Run it in a temporary directory: the deployment zip is copied into the
        # cloud assembly and the SAM template read while the construct is created, so
        # nothing of chalice.out is needed afterwards and the repository stays clean.
        with tempfile.TemporaryDirectory(prefix="chalice-") as tmp, _chalice_package_env(tmp, self._packaging_region()):
            api = _ChaliceApi(
                self,
                "Api",
                chalice_stage=self.stage,
                source_dir=str(ROOT),
                stage_config=stage_config,
            )
            built_here = [w for z in Path(tmp).glob("chalice.out/*/deployment.zip") for w in non_portable_wheels(z)]
        if built_here:
            Annotations.of(self).add_warning_v2(
                "birthreg:api-wheels-built-locally",
                "chalice package found no Lambda-compatible wheel (manylinux2014 or older, python3.11 = "
                "Amazon Linux 2) and built these on this machine; they will not import on Lambda. Pin "
                "a version with manylinux2014 wheels in requirements.txt: " + "; ".join(built_here),
            )
        # A physical name like the task functions' (Chalice's SAM template leaves it to
        # CloudFormation), so that its log group -- the only one its role may write to --
        # can be created up front under the name Lambda will use.
        handler = api.get_resource(API_HANDLER)
        handler.add_property_override("FunctionName", name)
        handler.add_resource_dependency(log_group.node.default_child)
        self._gateway_responses(api)
        self._harden_api_stage(api, name)
        return role, api

    def _harden_api_stage(self, api: Chalice, name: str) -> None:
        """Throttling, tracing and access logs on the API Gateway stage; its WebACL."""
        rest_api = api.get_resource("RestAPI")
        # The REST API's name is the OpenAPI title; per stage, so the alarms' ApiName is unique.
        rest_api.add_property_override("DefinitionBody.info.title", name)
        rest_api.add_property_override("TracingEnabled", True)
        rest_api.add_property_override(
            "MethodSettings",
            [
                {
                    "ResourcePath": "/*",
                    "HttpMethod": "*",
                    "ThrottlingRateLimit": API_RATE_LIMIT,
                    "ThrottlingBurstLimit": API_BURST_LIMIT,
                    "MetricsEnabled": True,
                }
            ],
        )
        access_logs = logs.LogGroup(
            self,
            "ApiAccessLogs",
            log_group_name=f"/aws/apigateway/{name}/access",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN,
        )
        # No request bodies, headers or query strings: the path holds at most a case id.
        fields = {
            "requestId": "$context.requestId",
            "ip": "$context.identity.sourceIp",
            "time": "$context.requestTime",
            "method": "$context.httpMethod",
            "path": "$context.resourcePath",
            "status": "$context.status",
            "latencyMs": "$context.responseLatency",
            "wafStatus": "$context.wafResponseCode",
        }
        rest_api.add_property_override(
            "AccessLogSetting",
            {"DestinationArn": access_logs.log_group_arn, "Format": json.dumps(fields, separators=(",", ":"))},
        )
        self._api_gateway_logging_role()
        acl = self._web_acl("Api", "REGIONAL", origin_verify=True)
        # "RestAPI.Stage" is SAM's reference to the stage it generates: the association then
        # waits for the stage to exist.
        association = wafv2.CfnWebACLAssociation(
            self,
            "ApiWebAclAssociation",
            resource_arn=Fn.join(
                "",
                [f"arn:{self.partition}:apigateway:{self.region}::/restapis/", rest_api.ref, "/stages/", Fn.ref("RestAPI.Stage")],
            ),
            web_acl_arn=acl.attr_arn,
        )
        Validations.of(association).acknowledge(
            Acknowledgment(
                id="CloudFormation-Validate::F1020",
                reason="RestAPI.Stage is SAM's documented reference to the stage it generates (resolved by the transform)",
            )
        )

    def _api_gateway_logging_role(self) -> None:
        """API Gateway writes access logs with one role per account and region (its "account"
        settings). Setting it here makes the stack deployable in a fresh account; several stacks
        setting it to equivalent roles is harmless."""
        role = iam.Role(
            self,
            "ApiGatewayLogsRole",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description=f"{PROJECT}-{self.stage}: API Gateway writes access logs to CloudWatch Logs",
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AmazonAPIGatewayPushToCloudWatchLogs")
            ],
        )
        from aws_cdk import aws_apigateway as apigw

        apigw.CfnAccount(self, "ApiGatewayAccount", cloud_watch_role_arn=role.role_arn)

    # ------------------------------------------------------------------ WAF, origin verification
    def _origin_verify_secret(self) -> secretsmanager.Secret:
        """The value CloudFront sends in ``x-origin-verify`` and the API's WebACL expects.

        Rotation (docs/operations.md): put a new value, then deploy with
        ``-c origin_verify_rotation=<date>`` so both the distribution and the WebACL re-read it."""
        return secretsmanager.Secret(
            self,
            "OriginVerifySecret",
            secret_name=physical_name("origin-verify", self.stage),
            description="Header value CloudFront adds to API requests; the API WebACL blocks requests without it",
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=48),
            encryption_key=self.data_key,
            removal_policy=RemovalPolicy.DESTROY,
        )

    def _rotation_marker(self) -> str:
        rotation = self.node.try_get_context("origin_verify_rotation")
        return f" (origin-verify {rotation})" if rotation else ""

    def _web_acl(self, id: str, scope: str, *, origin_verify: bool = False) -> wafv2.CfnWebACL:
        """AWS managed common and known-bad-input rules, a per-IP rate limit and, on the API,
        the origin-verify header check first (infra/waf.py)."""
        verify = self.origin_verify.secret_value.unsafe_unwrap() if origin_verify else None
        acl = wafv2.CfnWebACL(
            self,
            f"{id}WebAcl",
            name=physical_name(f"{id.lower()}-{scope.lower()}", self.stage),
            scope=scope,
            description=f"{PROJECT}-{self.stage} {id}{self._rotation_marker() if origin_verify else ''}",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=wafv2.CfnWebACL.VisibilityConfigProperty(**_snake_keys(waf.visibility(self.stage, f"{id.lower()}-acl"))),
        )
        # CloudFormation's own shape (the WAF API's, too: `python -m infra.waf` prints it)
        acl.add_property_override("Rules", waf.rules(self.stage, id.lower(), origin_verify_value=verify))
        return acl

    def _gateway_responses(self, api: Chalice) -> None:
        """API Gateway answers an unknown route with 403 "Missing Authentication Token" before
        the app runs; map it (and the other gateway-made errors) to the app's one error shape.
        The local stack's request handler does the same (local/stack.py)."""
        from aws_cdk import aws_apigateway as apigw

        rest_api = api.get_resource("RestAPI")
        bodies = {
            "MISSING_AUTHENTICATION_TOKEN": ("404", "NOT_FOUND", "请求的地址不存在"),
            "DEFAULT_4XX": (None, "BAD_REQUEST", "请求无法处理"),
            "DEFAULT_5XX": (None, "INTERNAL_ERROR", "系统繁忙，请稍后再试"),
        }
        for response_type, (status, code, message) in bodies.items():
            body = json.dumps({"error": {"code": code, "message": message, "details": []}}, ensure_ascii=False)
            props = {
                "rest_api_id": rest_api.ref,
                "response_type": response_type,
                "response_templates": {"application/json": body},
            }
            if status:
                props["status_code"] = status
            apigw.CfnGatewayResponse(self, f"GatewayResponse{response_type.title().replace('_', '')}", **props)

    # ------------------------------------------------------------------ web front end
    def _site(self, site: Site) -> cloudfront.Distribution:
        """CloudFront in front of the site's bucket (origin access control: the bucket stays private)
        and, for ``site.api_paths``, of the HTTP API, so pages and API share one origin. A CloudFront
        Function answers the client-routed paths (``/v/<token>``, ``/staff/...``) with their page;
        every page gets a Content-Security-Policy allowing this origin and the upload bucket only.
        The files are uploaded after a deployment: ``aws s3 sync web/ s3://<WebBucketName>``."""
        uploads = [physical_name(b.suffix, self.stage) for b in BUCKETS if b.browser_uploads]
        connect = " ".join(f"https://{n}.s3.amazonaws.com https://{n}.s3.{self.region}.{self.url_suffix}" for n in uploads)
        csp = content_security_policy(connect)
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            f"{site.id}Headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(content_security_policy=csp, override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.SAME_ORIGIN, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
            ),
        )
        pages = cloudfront.Function(
            self,
            f"{site.id}Pages",
            function_name=physical_name(f"{site.id.lower()}-pages", self.stage),
            code=cloudfront.FunctionCode.from_inline(site.router_js()),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="client-routed paths of the web front end -> their page",
        )
        rest_api = self.api.get_resource("RestAPI")
        api = cloudfront.BehaviorOptions(
            origin=origins.HttpOrigin(
                f"{rest_api.ref}.execute-api.{self.region}.{self.url_suffix}",
                origin_path=f"/{CHALICE_STAGE_API_GATEWAY}",
                protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                custom_headers={waf.ORIGIN_VERIFY_HEADER: self.origin_verify.secret_value.unsafe_unwrap()},
            ),
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            # every header but Host (API Gateway wants its own): Authorization, X-Citizen-Token, ...
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        )
        return cloudfront.Distribution(
            self,
            f"{site.id}Distribution",
            comment=f"{PROJECT}-{self.stage} web front end{self._rotation_marker()}",
            web_acl_id=self._edge_web_acl(site),
            # the public address every link is built on (PUBLIC_BASE_URL = https://<domain>)
            domain_names=[self.domain] if self.domain else None,
            certificate=(
                acm.Certificate.from_certificate_arn(self, f"{site.id}Certificate", self.certificate_arn)
                if self.certificate_arn
                else None
            ),
            default_root_object=site.index,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.buckets[site.bucket]),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(function=pages, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST)
                ],
            ),
            additional_behaviors={path: api for path in site.api_paths},
        )

    def _edge_web_acl(self, site: Site) -> str:
        """The distribution's WebACL. A CLOUDFRONT-scope WebACL exists only in us-east-1:

        - ``-c cloudfront_web_acl_arn=<arn>``: one made in us-east-1 beforehand (any region's stack);
        - otherwise the WebACL is created in this stack under a condition "the stack is deployed
          in us-east-1" -- the template stays region-agnostic, and a stack in another region
          without the context value gets a distribution without WAF (docs/operations.md says so).
        """
        given = self.node.try_get_context("cloudfront_web_acl_arn")
        if given:
            return given
        in_us_east_1 = CfnCondition(self, f"{site.id}InUsEast1", expression=Fn.condition_equals(Aws.REGION, "us-east-1"))
        acl = self._web_acl(site.id, "CLOUDFRONT")
        acl.cfn_options.condition = in_us_east_1
        return Fn.condition_if(in_us_east_1.logical_id, acl.attr_arn, Aws.NO_VALUE).to_string()

    def _restrict_upload_cors(self) -> None:
        """Browsers upload from the site's pages only: CORS of the browser-upload buckets names
        the distribution's origin (and ``web_origins`` when given, e.g. the custom domain)."""
        site_origins = [f"https://{d.distribution_domain_name}" for d in self.sites.values()]
        allowed = site_origins + [o for o in self.web_origins if o != "*"]
        for b in BUCKETS:
            if b.browser_uploads:
                cfn_bucket: s3.CfnBucket = self.buckets[b.id].node.default_child
                cfn_bucket.add_property_override("CorsConfiguration.CorsRules.0.AllowedOrigins", allowed)

    # ------------------------------------------------------------------ operators
    def _subscribe_operators(self) -> None:
        """E-mail subscriptions from context: ``-c operator_email=a@x,b@y`` on OperatorAlerts,
        ``-c staff_email=...`` on StaffNotifications. Each address confirms by e-mail once."""
        for context_key, topic_id in (("operator_email", observability.ALERTS_TOPIC), ("staff_email", "StaffNotifications")):
            for address in (self.node.try_get_context(context_key) or "").split(","):
                if address.strip():
                    self.topics[topic_id].add_subscription(subscriptions.EmailSubscription(address.strip()))

    def _alarms(self) -> None:
        alert = cw_actions.SnsAction(self.topics[observability.ALERTS_TOPIC])
        for spec in observability.ALARMS:
            for unit, dimensions in self._watched(spec.watches):
                alarm = cloudwatch.Alarm(
                    self,
                    f"{spec.id}{unit}Alarm",
                    alarm_name=f"{PROJECT}-{self.stage} {spec.id} {unit}",
                    alarm_description=spec.what_to_do,
                    metric=cloudwatch.Metric(
                        namespace=spec.namespace,
                        metric_name=spec.metric,
                        dimensions_map=dimensions,
                        statistic=spec.statistic,
                        period=Duration.minutes(spec.period_minutes),
                    ),
                    threshold=spec.threshold,
                    evaluation_periods=spec.evaluation_periods,
                    comparison_operator=getattr(cloudwatch.ComparisonOperator, _snake_upper(spec.comparison)),
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
                alarm.add_alarm_action(alert)
                alarm.add_ok_action(alert)

    def _watched(self, kind: str) -> list[tuple[str, dict[str, str]]]:
        """(unit name, metric dimensions) of every unit an alarm of ``kind`` watches."""
        if kind == observability.STATE_MACHINE:
            return [(i, {"StateMachineArn": m.state_machine_arn}) for i, m in self.state_machines.items()]
        if kind == observability.FUNCTION:
            functions = [(i, fn.function_name) for i, fn in self.functions.items()]
            return [(i, {"FunctionName": n}) for i, n in [*functions, ("Api", physical_name(API_SUFFIX, self.stage))]]
        if kind == observability.API:
            name = physical_name(API_SUFFIX, self.stage)
            return [("Api", {"ApiName": name, "Stage": CHALICE_STAGE_API_GATEWAY})]
        if kind == observability.QUEUE:
            return [("OnFailure", {"QueueName": self.on_failure_queue.queue_name})] if self.on_failure_queue else []
        if kind == observability.BUSINESS:
            return [("Cases", dict(observability.BUSINESS_DIMENSIONS))]
        raise ValueError(f"alarm watches unknown kind {kind!r}")

    def _dashboard(self) -> None:
        period = Duration.minutes(observability.DASHBOARD_PERIOD_MINUTES)

        def metric(namespace: str, name: str, dimensions: dict[str, str], statistic: str = "Sum", label: str | None = None):
            return cloudwatch.Metric(
                namespace=namespace, metric_name=name, dimensions_map=dimensions, statistic=statistic, period=period, label=label
            )

        functions = self._watched(observability.FUNCTION)
        ((_, api),) = self._watched(observability.API)
        rows = [
            [
                cloudwatch.GraphWidget(
                    title="Registrations",
                    left=[
                        metric(observability.BUSINESS_NAMESPACE, m, observability.BUSINESS_DIMENSIONS)
                        for m in observability.BUSINESS_METRICS
                    ],
                    width=24,
                )
            ],
            [
                cloudwatch.GraphWidget(
                    title="Workflow executions",
                    left=[
                        metric("AWS/States", m, dims)
                        for _, dims in self._watched(observability.STATE_MACHINE)
                        for m in ("ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut")
                    ],
                    width=12,
                ),
                cloudwatch.GraphWidget(
                    title="API",
                    left=[metric("AWS/ApiGateway", "Count", api), metric("AWS/ApiGateway", "5XXError", api), metric("AWS/ApiGateway", "4XXError", api)],
                    right=[metric("AWS/ApiGateway", "Latency", api, "p95")],
                    width=12,
                ),
            ],
            [
                cloudwatch.GraphWidget(
                    title="Function errors",
                    left=[metric("AWS/Lambda", "Errors", dims, label=unit) for unit, dims in functions],
                    width=12,
                ),
                cloudwatch.GraphWidget(
                    title="Function throttles and on-failure queue",
                    left=[metric("AWS/Lambda", "Throttles", dims, label=unit) for unit, dims in functions],
                    right=[
                        metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, "Maximum")
                        for _, dims in self._watched(observability.QUEUE)
                    ],
                    width=12,
                ),
            ],
        ]
        cloudwatch.Dashboard(self, "Dashboard", dashboard_name=physical_name("operations", self.stage), widgets=rows)

    def _packaging_region(self) -> str | None:
        """Region `chalice package` should assume, or None to leave botocore's own.

        Chalice asks botocore for a region only to pick the DNS suffix of the API Gateway
        service principal (amazonaws.com, or amazonaws.com.cn in China). An env-agnostic
        stack synthesised without any AWS configuration (CI, tests) has none, so we assume
        the "aws" partition; set AWS_REGION/AWS_DEFAULT_REGION (or the stack env) for aws-cn.
        """
        if not Token.is_unresolved(self.region):
            return self.region
        env_region = os.environ.get("AWS_REGION") or os.environ.get("CDK_DEFAULT_REGION")
        if env_region:
            return env_region
        if botocore.session.get_session().get_config_variable("region"):
            return None
        return "us-east-1"

    # ------------------------------------------------------------------ outputs
    def _outputs(self) -> None:
        rest_api = self.api.get_resource("RestAPI")
        CfnOutput(
            self,
            "ApiUrl",
            value=(f"https://{rest_api.ref}.execute-api.{self.region}.{self.url_suffix}/{CHALICE_STAGE_API_GATEWAY}/"),
        )
        for i, t in self.tables.items():
            CfnOutput(self, _output_id(i, "TableName"), value=t.table_name)
        for i, b in self.buckets.items():
            CfnOutput(self, _output_id(i, "BucketName"), value=b.bucket_name)
        for i, t in self.topics.items():
            CfnOutput(self, _output_id(i, "TopicArn"), value=t.topic_arn)
        for i, k in self.keys.items():
            CfnOutput(self, _output_id(i, "KeyArn"), value=k.key_arn)
        for i, (pool, client) in self.user_pools.items():
            CfnOutput(self, _output_id(i, "UserPoolId"), value=pool.user_pool_id)
            CfnOutput(self, _output_id(i, "UserPoolClientId"), value=client.user_pool_client_id)
        for i, m in self.state_machines.items():
            CfnOutput(self, _output_id(i, "StateMachineArn"), value=m.state_machine_arn)
        for i, x in self.secrets.items():  # the operator fills / rotates them (infra/README.md)
            CfnOutput(self, _output_id(i, "SecretArn"), value=x.secret_arn)
        for i, x in self.parameters.items():  # the operator updates them (infra/README.md)
            CfnOutput(self, _output_id(i, "ParameterName"), value=x.parameter_name)
        for i, d in self.sites.items():
            CfnOutput(self, _output_id(i, "Url"), value=f"https://{d.distribution_domain_name}")
            CfnOutput(self, _output_id(i, "DistributionId"), value=d.distribution_id)

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
from collections.abc import Iterator, Sequence
from pathlib import Path

import botocore.session
from aws_cdk import (
    Annotations,
    ArnFormat,
    CfnOutput,
    Duration,
    RemovalPolicy,
    Stack,
    Token,
)
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from chalice.cdk import Chalice
from constructs import Construct

from infra.package import (
    FINGERPRINT_FILE,
    FUNCTION_SOURCE_DIRS,
    FUNCTIONS_BUILD_DIR,
    non_portable_wheels,
    sources_fingerprint,
)
from infra.resources import (
    API_GRANTS,
    BUCKETS,
    FUNCTIONS,
    KEYS,
    PROJECT,
    ROOT,
    SCHEDULES,
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
    Site,
    StateMachine,
    Table,
    Topic,
    UserPool,
    environment_for,
    physical_name,
)

CHALICE_STAGE_API_GATEWAY = "api"
API_HANDLER = "APIHandler"  # logical id of the function in Chalice's SAM template
API_SUFFIX = "api"  # physical name of the API function: birthreg-<stage>-api
LOG_RETENTION = logs.RetentionDays.ONE_YEAR
# Rejected uploads are deleted by CheckUpload; versioning would otherwise keep them forever.
UPLOAD_NONCURRENT_DAYS = 30

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")

# Staff administration of a user pool ("admin" grant). Listed one by one rather than
# "cognito-idp:Admin*", which would include AdminDeleteUserAttributes, AdminSetUserSettings ...
USER_POOL_ADMIN_ACTIONS = (
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminResetUserPassword",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:ListUsers",
)

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
}

_KINDS = (
    ("table", TABLES),
    ("bucket", BUCKETS),
    ("topic", TOPICS),
    ("key", KEYS),
    ("user pool", USER_POOLS),
    ("function", FUNCTIONS),
    ("state machine", STATE_MACHINES),
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


def function_code(scope: Construct) -> lambda_.Code:
    """Code asset of the Step Functions task functions.

    ``build/functions`` (made by ``python -m infra.package``) holds the Linux wheels of
    ``functions/requirements.txt`` next to the sources and is what a deployment must use.
    Without it -- a synth in the tests, or on a machine that has not run the packaging
    step -- the asset is the sources only (functions/, chalicelib/, assets/) taken from the
    repository root: the same template, but the functions would fail at run time on their
    first third-party import. Both cases that would deploy wrong code (no bundle, or a
    bundle older than the sources) leave a warning on the stack; ``cdk deploy --strict``
    refuses them.
    """
    if FUNCTIONS_BUILD_DIR.is_dir():
        built = FINGERPRINT_FILE.read_text().strip() if FINGERPRINT_FILE.is_file() else None
        if built != sources_fingerprint():
            Annotations.of(scope).add_warning_v2(
                "birthreg:stale-functions-bundle",
                f"{FUNCTIONS_BUILD_DIR} is older than functions/, chalicelib/, assets/ or the "
                "requirements: run `python -m infra.package` again before deploying.",
            )
        return lambda_.Code.from_asset(str(FUNCTIONS_BUILD_DIR), exclude=["**/__pycache__", "**/*.pyc"])
    Annotations.of(scope).add_warning_v2(
        "birthreg:functions-without-dependencies",
        f"{FUNCTIONS_BUILD_DIR} does not exist: the task functions are packaged without their "
        "third-party wheels. Run `python -m infra.package` before a synth meant for deployment.",
    )
    keep = [p for d in FUNCTION_SOURCE_DIRS for p in (f"!{d}", f"!{d}/**")]
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
        **kwargs,
    ) -> None:
        """``web_origins``: CORS origins of buckets with ``browser_uploads`` (the web front-end)."""
        super().__init__(scope, construct_id, **kwargs)
        self.stage = stage
        self.web_origins = list(web_origins)
        _check_unique_ids()

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
        }

        code = function_code(self)
        self.functions: dict[str, lambda_.Function] = {f.id: self._function(f, code) for f in FUNCTIONS}
        for b in BUCKETS:
            if b.notify:
                self._notify(b)
        self.state_machines: dict[str, sfn.StateMachine] = {m.id: self._state_machine(m) for m in STATE_MACHINES}
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
        self._outputs()

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
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            time_to_live_attribute=t.ttl_attribute,
            # Registrations are legal records: deleting the stack must not delete them.
            removal_policy=RemovalPolicy.RETAIN,
        )
        for ix in t.indexes:
            table.add_global_secondary_index(
                index_name=ix.name,
                partition_key=_attribute(ix.hash_key),
                sort_key=_attribute(ix.range_key) if ix.range_key else None,
                projection_type=dynamodb.ProjectionType.ALL,
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
            # Browsers POST straight to the bucket with a presigned POST policy; the policy is
            # the authorisation, CORS only lets the page read the response.
            cors = [
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=self.web_origins,
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ]
        return s3.Bucket(
            self,
            f"{b.id}Bucket",
            # S3 bucket names are global: a stage name already taken in another account
            # fails the deployment (see infra/README.md).
            bucket_name=physical_name(b.suffix, self.stage),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
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
            if g.access == "read":
                bucket.grant_read(role)
            else:
                bucket.grant_read_write(role)
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
            environment={
                **environment_for(f.grants, self.names),
                "POWERTOOLS_SERVICE_NAME": PROJECT,
            },
        )

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
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(text),
            role=role,
            # Every transition is logged, but not its input/output: task results
            # (mismatches, review decisions) stay in DynamoDB, not in CloudWatch.
            logs=sfn.LogOptions(destination=log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
        )

    def _api(self) -> tuple[iam.Role, Chalice]:
        name = physical_name(API_SUFFIX, self.stage)
        role, log_group = self._lambda_role("ApiRole", f"{name}: HTTP API (Chalice app.py)", name)
        for g in API_GRANTS:
            self._grant(role, g)
        stage_config = {
            "api_gateway_stage": CHALICE_STAGE_API_GATEWAY,
            "environment_variables": {
                **environment_for(API_GRANTS, self.names),
                "POWERTOOLS_SERVICE_NAME": f"{PROJECT}-api",
            },
            "iam_role_arn": role.role_arn,
            "manage_iam_role": False,
            "lambda_timeout": 30,
            "lambda_memory_size": 512,
        }
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
        return role, api

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
        csp = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"connect-src 'self' {connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
        )
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
            comment=f"{PROJECT}-{self.stage} web front end",
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
        for i, d in self.sites.items():
            CfnOutput(self, _output_id(i, "Url"), value=f"https://{d.distribution_domain_name}")
            CfnOutput(self, _output_id(i, "DistributionId"), value=d.distribution_id)

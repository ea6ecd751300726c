"""What each grant of ``infra/resources.py`` becomes in IAM: the statements of a unit's role policy.

The same actions and resources the CDK stack gives a role (``BirthRegStack._grant``, which uses
CDK's ``grant_read_data`` & co.); ``tests/integration/test_unit_policies.py`` compares the two for
every function and the API. The local stack attaches these documents to its moto roles and
checks every AWS call a unit makes against them (``local/iam.py``).

Pure Python: no boto3, no aws_cdk.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from infra.resources import (
    BUCKETS,
    KEYS,
    PARAMETERS,
    SECRETS,
    SITES,
    STATE_MACHINES,
    TABLES,
    TOPICS,
    USER_POOLS,
    Grant,
)

# CDK's Table.grant_read_data / grant_read_write_data (the stream actions come with them).
TABLE_READ_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:GetItem",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
)
TABLE_WRITE_ACTIONS = (
    "dynamodb:BatchWriteItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
)
# CDK's Bucket.grant_read / grant_read_write (objects and the bucket itself).
BUCKET_READ_ACTIONS = ("s3:GetObject*", "s3:GetBucket*", "s3:List*")
BUCKET_WRITE_ACTIONS = (
    "s3:DeleteObject*",
    "s3:PutObject",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:Abort*",
)
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
# SendTask* act on a task token, not on a state machine: these actions have no resource type
# in IAM, so AWS only accepts Resource "*".
CALLBACK_ACTIONS = ("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat")

Statement = dict[str, Any]


def _kind_of(resource_id: str) -> str:
    for kind, group in (
        ("table", TABLES),
        ("bucket", BUCKETS),
        ("topic", TOPICS),
        ("key", KEYS),
        ("user pool", USER_POOLS),
        ("state machine", STATE_MACHINES),
        ("secret", SECRETS),
        ("parameter", PARAMETERS),
    ):
        if any(r.id == resource_id for r in group):
            return kind
    if resource_id == "sms":
        return "sms"
    raise ValueError(f"grant on unknown resource {resource_id!r}")


def _allow(actions: tuple[str, ...], resources: list[str]) -> Statement:
    return {"Effect": "Allow", "Action": list(actions), "Resource": resources}


def statements(grant: Grant, arns: Mapping[str, str]) -> list[Statement]:
    """The Allow statements of one grant; ``arns`` maps a resource id to its ARN (any deployment)."""
    kind = _kind_of(grant.resource)
    arn = arns.get(grant.resource, "")
    if kind == "table":
        table = next(t for t in TABLES if t.id == grant.resource)
        targets = [arn, f"{arn}/index/*"] if table.indexes else [arn]
        actions = TABLE_READ_ACTIONS + (TABLE_WRITE_ACTIONS if grant.access == "write" else ())
        if grant.access in ("read", "write"):
            return [_allow(actions, targets)]
    elif kind == "bucket":
        actions = BUCKET_READ_ACTIONS + (BUCKET_WRITE_ACTIONS if grant.access == "write" else ())
        if grant.access in ("read", "write"):
            return [_allow(actions, [arn, f"{arn}/*"])]
    elif kind == "topic" and grant.access == "publish":
        return [_allow(("sns:Publish",), [arn])]
    elif kind == "key" and grant.access in ("sign", "verify"):
        # verifiers may also check signatures offline with the public key
        return [_allow(("kms:Sign",) if grant.access == "sign" else ("kms:Verify", "kms:GetPublicKey"), [arn])]
    elif kind == "user pool" and grant.access == "admin":
        return [_allow(USER_POOL_ADMIN_ACTIONS, [arn])]
    elif kind == "state machine" and grant.access == "start":
        return [_allow(("states:StartExecution",), [arn])]
    elif kind == "state machine" and grant.access == "callback":
        return [_allow(CALLBACK_ACTIONS, ["*"])]
    elif kind == "secret" and grant.access == "read":
        # GetSecretValue only (not DescribeSecret): the code needs the value
        return [_allow(("secretsmanager:GetSecretValue",), [arn])]
    elif kind == "parameter" and grant.access == "read":
        return [_allow(("ssm:GetParameter",), [arn])]
    elif kind == "sms" and grant.access == "sms":
        # SMS goes straight to a phone number (sns:Publish with PhoneNumber): not an ARN
        return [_allow(("sns:Publish",), ["*"])]
    raise ValueError(f"unknown access {grant.access!r} on {kind} {grant.resource!r}")


# Deployed only (infra/stack.py), not in the local stack: the customer-managed key encrypting the
# tables, the uploads/documents buckets and the topics, and CheckUpload's on-failure queue. Their
# statements are part of a unit's document whenever ``arns`` names them (the template comparison);
# the local stack has neither resource, so no call of a unit there can need them.
DATA_KEY = "DataKey"
ON_FAILURE_QUEUE = "OnFailureQueue"
# What CDK's grants on an encrypted table / bucket / topic add on the key.
_KEY_READ = ("kms:Decrypt", "kms:DescribeKey")
_KEY_WRITE = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")
_KEY_BUCKET_READ = ("kms:Decrypt",)
_KEY_BUCKET_WRITE = ("kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")
_KEY_PUBLISH = ("kms:Decrypt", "kms:GenerateDataKey*")
# Active tracing (X-Ray): these actions have no resource type, so IAM accepts only "*".
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
# Lambda's on-failure destination for asynchronous invokes is called with the function's role.
ON_FAILURE_ACTIONS = ("sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl")


def _data_key_actions(grant: Grant) -> tuple[str, ...]:
    kind = _kind_of(grant.resource)
    if kind == "table":
        return _KEY_WRITE if grant.access == "write" else _KEY_READ
    if kind == "bucket" and not any(site.bucket == grant.resource for site in SITES):  # the web bucket: S3's key
        return _KEY_BUCKET_WRITE if grant.access == "write" else _KEY_BUCKET_READ
    if kind == "topic":
        return _KEY_PUBLISH
    return ()


def document(grants: tuple[Grant, ...], arns: Mapping[str, str], *, async_invoked: bool = False) -> dict[str, Any]:
    """The role policy document of a unit with these grants (its log group's statement aside):
    the grants' statements, X-Ray, and -- where ``arns`` names them -- the data key's actions its
    grants imply and (``async_invoked``: S3 notifications) the on-failure queue."""
    out = [s for g in grants for s in statements(g, arns)]
    out.append(_allow(XRAY_ACTIONS, ["*"]))
    if DATA_KEY in arns:
        actions = sorted({a for g in grants for a in _data_key_actions(g)})
        if actions:
            out.append(_allow(tuple(actions), [arns[DATA_KEY]]))
    if async_invoked and ON_FAILURE_QUEUE in arns:
        out.append(_allow(ON_FAILURE_ACTIONS, [arns[ON_FAILURE_QUEUE]]))
    return {"Version": "2012-10-17", "Statement": out}


def async_invoked(function_id: str) -> bool:
    """Invoked asynchronously by a bucket notification (``Bucket.notify``)."""
    return any(b.notify == function_id for b in BUCKETS)


def deployed_arns(names: Mapping[str, str], region: str, account: str, partition: str = "aws") -> dict[str, str]:
    """Resource id -> ARN, from the deployed names a deployment returns (``local/deploy.py``):
    table and bucket names, topic, state machine and secret ARNs, KMS key ids, user pool ids,
    parameter names."""
    arns: dict[str, str] = {}
    for t in TABLES:
        arns[t.id] = f"arn:{partition}:dynamodb:{region}:{account}:table/{names[t.id]}"
    for b in BUCKETS:
        arns[b.id] = f"arn:{partition}:s3:::{names[b.id]}"
    for k in KEYS:
        arns[k.id] = f"arn:{partition}:kms:{region}:{account}:key/{names[k.id]}"
    for p in USER_POOLS:
        arns[p.id] = f"arn:{partition}:cognito-idp:{region}:{account}:userpool/{names[p.id]}"
    for p in PARAMETERS:  # names[...] is the parameter's name, "/birthreg/<stage>/..."
        arns[p.id] = f"arn:{partition}:ssm:{region}:{account}:parameter/{names[p.id].lstrip('/')}"
    for group in (TOPICS, STATE_MACHINES, SECRETS):
        for r in group:
            arns[r.id] = names[r.id]
    for deployed_only in (DATA_KEY, ON_FAILURE_QUEUE):  # ARNs, where the deployment has them
        if deployed_only in names:
            arns[deployed_only] = names[deployed_only]
    return arns

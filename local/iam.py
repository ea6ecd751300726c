"""Each compute unit of the local stack runs as deployed: its own environment, its own IAM policy.

The local stack runs every task function and the API in this one process (local/lambdas.py,
local/stack.py). ``running(...)`` marks the current thread's work as one unit's: settings are
read from that unit's environment only (``config.unit_environment``) and every AWS call made
meanwhile -- any botocore client, PynamoDB's included -- is judged against the role policy
local/deploy.py attached to the unit's moto role (``infra/policies.py``, the template's
statements) with moto's IAM evaluator. moto itself enforces IAM for a few services only (not
DynamoDB), and not for calls signed with the process's one set of credentials.

A call the policy does not allow raises ``AccessDenied`` as AWS would, and is remembered in
``denials`` so a test fails even where the code catches the error (a health probe).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

log = logging.getLogger("birthreg.local")

ACCOUNT = "123456789012"  # moto's default account, as local/deploy.py


@dataclass(frozen=True)
class Unit:
    name: str
    role: str  # role ARN
    policy: Policy


@dataclass(frozen=True)
class Denial:
    unit: str
    action: str
    resource: str


_current: ContextVar[Unit | None] = ContextVar("local_unit", default=None)
_lock = threading.Lock()
denials: list[Denial] = []
calls: Counter[str] = Counter()  # AWS calls per unit name (what the tests count)
# Every variable some unit gets from its deployment: for a unit, these come from its own
# environment or not at all (set by the local stack once the units exist).
deployed_variables: frozenset[str] = frozenset()


class Policy:
    """moto's evaluator over a role's statements, remembering its answers: moto compiles a regular
    expression per statement and call (about 1 ms for the API's policy), and most calls repeat."""

    def __init__(self, document: str) -> None:
        from moto.iam.access_control import IAMPolicy

        self._policy = IAMPolicy(document)
        self._answers: dict[tuple[str, str], bool] = {}

    def allows(self, action: str, resource: str) -> bool:
        from moto.iam.access_control import PermissionResult

        answer = self._answers.get((action, resource))
        if answer is None:
            answer = self._policy.is_action_permitted(action, resource) == PermissionResult.PERMITTED
            if len(self._answers) > 10_000:  # object keys are many; tables and topics few
                self._answers.clear()
            self._answers[(action, resource)] = answer
        return answer


_policies: dict[str, Policy] = {}


def role_policy(role_arn: str) -> Policy:
    """The evaluator of every inline policy of the role, as moto holds it now."""
    from moto.iam.models import iam_backends

    role = iam_backends[ACCOUNT]["global"].get_role_by_arn(role_arn)
    statements = []
    for text in role.policies.values():
        doc = json.loads(unquote(text)) if isinstance(text, str) else text
        statements += doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
    document = json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)
    with _lock:
        if document not in _policies:
            _policies[document] = Policy(document)
        return _policies[document]


@contextlib.contextmanager
def running(name: str, role_arn: str, environment: Mapping[str, str]) -> Iterator[None]:
    """Run the body as unit ``name`` (this thread or task only)."""
    from chalicelib import config

    token = _current.set(Unit(name, role_arn, role_policy(role_arn)))
    try:
        with config.unit_environment(environment, deployed_variables):
            yield
    finally:
        _current.reset(token)


def current() -> Unit | None:
    return _current.get()


# ----------------------------------------------------------------------------- what a call needs
_S3_ACTIONS = {
    "HeadObject": "GetObject",
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
}
_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


def _region() -> str:
    from chalicelib import config

    return config.region()


def _table_arn(name: str, index: str | None = None) -> str:
    arn = f"arn:aws:dynamodb:{_region()}:{ACCOUNT}:table/{name}"
    return f"{arn}/index/{index}" if index else arn


def needs(prefix: str, operation: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(IAM action, resource ARN) pairs AWS authorises for one API call."""
    region = _region()
    if prefix == "dynamodb":
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", _table_arn(t)) for t in params.get("RequestItems", {})]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            return [
                (f"dynamodb:{_TRANSACT[kind]}", _table_arn(body["TableName"]))
                for item in params.get("TransactItems", [])
                for kind, body in item.items()
            ]
        if "TableName" in params:
            return [(f"dynamodb:{operation}", _table_arn(params["TableName"], params.get("IndexName")))]
    elif prefix == "s3":
        action = f"s3:{_S3_ACTIONS.get(operation, operation)}"
        if operation == "CopyObject":
            source = params["CopySource"]
            source = f"{source['Bucket']}/{source['Key']}" if isinstance(source, dict) else source.lstrip("/")
            return [("s3:GetObject", f"arn:aws:s3:::{source}"), (action, f"arn:aws:s3:::{params['Bucket']}/{params['Key']}")]
        if "Key" in params:
            return [(action, f"arn:aws:s3:::{params['Bucket']}/{params['Key']}")]
        if "Bucket" in params:
            return [(action, f"arn:aws:s3:::{params['Bucket']}")]
    elif prefix == "sns":
        # a phone number (SMS) is not an ARN: "*"
        return [(f"sns:{operation}", params.get("TopicArn") or params.get("TargetArn") or "*")]
    elif prefix == "states":
        return [(f"states:{operation}", params.get("stateMachineArn") or params.get("executionArn") or "*")]
    elif prefix == "kms" and "KeyId" in params:
        key = params["KeyId"]
        if not key.startswith("arn:"):
            key = f"arn:aws:kms:{region}:{ACCOUNT}:{key if key.startswith('alias/') else 'key/' + key}"
        return [(f"kms:{operation}", key)]
    elif prefix == "secretsmanager" and "SecretId" in params:
        # the code asks by ARN (the unit's environment carries it); a name would need the ARN's suffix
        return [(f"secretsmanager:{operation}", params["SecretId"])]
    elif prefix == "ssm" and "Name" in params:
        name = params["Name"]
        resource = name if name.startswith("arn:") else f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/{name.lstrip('/')}"
        return [(f"ssm:{operation}", resource)]
    elif prefix == "cognito-idp" and "UserPoolId" in params:
        return [(f"cognito-idp:{operation}", f"arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/{params['UserPoolId']}")]
    return [(f"{prefix}:{operation}", "*")]


def check(prefix: str, operation: str, params: Mapping[str, Any]) -> None:
    """Raise AccessDenied unless the current unit's policy allows the call (no unit: the harness)."""
    unit = _current.get()
    if unit is None:
        return
    from botocore.exceptions import ClientError

    with _lock:
        calls[unit.name] += 1
    for action, resource in needs(prefix, operation, params):
        if not unit.policy.allows(action, resource):
            with _lock:
                denials.append(Denial(unit.name, action, resource))
            message = f"{unit.role} is not authorized to perform: {action} on resource: {resource}"
            log.error("IAM (as deployed): %s: %s", unit.name, message)
            code = "AccessDenied" if prefix == "s3" else "AccessDeniedException"
            raise ClientError({"Error": {"Code": code, "Message": message}}, operation)


# ----------------------------------------------------------------------------- the hook
_installed = False


def install() -> None:
    """Check every botocore call (and every presigned S3 request) made inside ``running``."""
    global _installed
    if _installed:
        return
    from botocore import client, signers

    make_api_call = client.BaseClient._make_api_call

    def checked_call(self, operation_name: str, api_params: dict) -> Any:
        model = self.meta.service_model
        if model.operation_model(operation_name).auth_type != "none":  # e.g. Cognito InitiateAuth
            check(model.signing_name or model.endpoint_prefix, operation_name, api_params)
        return make_api_call(self, operation_name, api_params)

    presign_url, presign_post = signers.generate_presigned_url, signers.generate_presigned_post

    # A presigned URL or POST is used later by a browser, with the signer's permissions.
    def checked_presign_url(self, ClientMethod, Params=None, *args, **kwargs):
        model = self.meta.service_model
        check(model.signing_name or model.endpoint_prefix, self._PY_TO_OP_NAME[ClientMethod], Params or {})
        return presign_url(self, ClientMethod, Params, *args, **kwargs)

    def checked_presign_post(self, Bucket, Key, *args, **kwargs):
        check("s3", "PutObject", {"Bucket": Bucket, "Key": Key})
        return presign_post(self, Bucket, Key, *args, **kwargs)

    client.BaseClient._make_api_call = checked_call
    signers.generate_presigned_url = checked_presign_url
    signers.generate_presigned_post = checked_presign_post
    _installed = True

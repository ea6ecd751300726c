"""Create every resource of ``infra/resources.py`` in an AWS endpoint (the moto server).

The same definitions drive ``infra/stack.py``; ``tests/integration/test_no_drift.py``
compares what this module creates with the synthesised CloudFormation template.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from collections.abc import Mapping
from typing import Any

import boto3

from infra import policies
from infra import resources as r
from infra.settings import environment_of

ACCOUNT = "123456789012"
API_SUFFIX = "api"  # as infra/stack.py: the API function is birthreg-<stage>-api


def role_name(unit_name: str) -> str:
    return f"{unit_name}-role"


def _unit_role(iam, unit_name: str, grants: tuple[r.Grant, ...], names: dict[str, str], region: str) -> str:
    """A unit's role with the policy the template gives it (infra/policies.py); local/iam.py enforces it."""
    role = iam.create_role(RoleName=role_name(unit_name), AssumeRolePolicyDocument=_assume("lambda.amazonaws.com"))
    document = policies.document(grants, policies.deployed_arns(names, region, ACCOUNT))
    iam.put_role_policy(RoleName=role_name(unit_name), PolicyName="grants", PolicyDocument=json.dumps(document))
    return role["Role"]["Arn"]


def _zip_placeholder(handler_module: str) -> bytes:
    # The code runs in-process (local/lambdas.py); Lambda still wants a package.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(handler_module.replace(".", "/") + ".py", "# runs in-process in the local stack\n")
    return buf.getvalue()


def _assume(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


def create_table(ddb, table: r.Table, name: str) -> None:
    key_schema = [{"AttributeName": table.hash_key.name, "KeyType": "HASH"}]
    if table.range_key:
        key_schema.append({"AttributeName": table.range_key.name, "KeyType": "RANGE"})
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": key_schema,
        "AttributeDefinitions": [{"AttributeName": a.name, "AttributeType": a.type} for a in table.attributes()],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if table.indexes:
        kwargs["GlobalSecondaryIndexes"] = [
            {
                "IndexName": ix.name,
                "KeySchema": [{"AttributeName": ix.hash_key.name, "KeyType": "HASH"}]
                + ([{"AttributeName": ix.range_key.name, "KeyType": "RANGE"}] if ix.range_key else []),
                "Projection": ix.projection_spec(),
            }
            for ix in table.indexes
        ]
    ddb.create_table(**kwargs)
    if table.ttl_attribute:
        ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute}
        )


def create_secrets_and_parameters(session, stage: str, parameter_values: Mapping[str, str]) -> dict[str, str]:
    """The secrets (a generated random value, or the placeholder the operator replaces) and the
    operations parameters, as the CDK stack creates them; resource id -> ARN / parameter name."""
    sm, ssm = session.client("secretsmanager"), session.client("ssm")
    names: dict[str, str] = {}
    for secret in r.SECRETS:
        value = secrets.token_urlsafe(48) if secret.generate else secret.placeholder
        created = sm.create_secret(Name=r.physical_name(secret.suffix, stage), SecretString=value)
        names[secret.id] = created["ARN"]
    for parameter in r.PARAMETERS:
        default = parameter.local_initial if parameter.local_initial is not None else parameter.initial
        ssm.put_parameter(
            Name=parameter.name(stage),
            Value=parameter_values.get(parameter.id, default),
            Type="String",
            Description=parameter.description,
        )
        names[parameter.id] = parameter.name(stage)
    return names


def deploy(
    stage: str,
    region: str,
    context: Mapping[str, str] | None = None,
    parameter_values: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Create all resources; return resource id -> deployed name (tables, buckets) or ARN.
    Each function's environment -- exactly what the template gives it
    (``infra.settings.environment_of``) -- is stored on its Lambda function.

    ``context``: setting values (as ``-c NAME=value`` for a synth); ``parameter_values``:
    parameter id -> initial value instead of the declared one.
    """
    session = boto3.session.Session(region_name=region)
    ddb, s3, sns, iam, lam, sfn, kms, idp = (
        session.client(s)
        for s in ("dynamodb", "s3", "sns", "iam", "lambda", "stepfunctions", "kms", "cognito-idp")
    )
    names: dict[str, str] = create_secrets_and_parameters(session, stage, parameter_values or {})
    for table in r.TABLES:
        name = r.physical_name(table.suffix, stage)
        create_table(ddb, table, name)
        names[table.id] = name
    for bucket in r.BUCKETS:
        name = r.physical_name(bucket.suffix, stage)
        if region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
        )
        names[bucket.id] = name
        if bucket.browser_uploads:
            s3.put_bucket_cors(
                Bucket=name,
                CORSConfiguration={
                    "CORSRules": [{"AllowedMethods": list(bucket.cors_methods), "AllowedOrigins": ["*"], "AllowedHeaders": ["*"]}]
                },
            )
    for topic in r.TOPICS:
        names[topic.id] = sns.create_topic(Name=r.physical_name(topic.suffix, stage))["TopicArn"]
    for key in r.KEYS:
        created = kms.create_key(KeySpec=key.spec, KeyUsage=key.usage, Description=key.id)
        kms.create_alias(AliasName=f"alias/{r.physical_name(key.suffix, stage)}", TargetKeyId=created["KeyMetadata"]["KeyId"])
        names[key.id] = created["KeyMetadata"]["KeyId"]
    for pool in r.USER_POOLS:
        created = idp.create_user_pool(
            PoolName=r.physical_name(pool.suffix, stage),
            Schema=[{"Name": a, "AttributeDataType": "String", "Mutable": True} for a in pool.custom_attributes],
            AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
            MfaConfiguration="ON",
            # As infra/stack.py: 12 characters with lower and upper case, digits and symbols.
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 12,
                    "RequireLowercase": True,
                    "RequireUppercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "TemporaryPasswordValidityDays": 3,
                }
            },
        )
        pool_id = created["UserPool"]["Id"]
        # As infra/stack.py: MFA required, an authenticator app (TOTP) only.
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration="ON")
        client = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=f"{r.physical_name(pool.suffix, stage)}-web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            # As infra/stack.py: users must not write their own role or jurisdiction (custom
            # attributes) with their access token; only administrators do. moto does not enforce it.
            WriteAttributes=["email", "phone_number"],
            # As infra/stack.py (no read_attributes: Cognito's client reads every attribute, so the
            # ID token carries the staff member's real name); moto's client without a list reads none.
            ReadAttributes=["name"],
        )
        names[pool.id] = pool_id
        names[f"{pool.id}Client"] = client["UserPoolClient"]["ClientId"]
    # The state machine ARN is known before it exists; functions may need it in their environment.
    for machine in r.STATE_MACHINES:
        names[machine.id] = f"arn:aws:states:{region}:{ACCOUNT}:stateMachine:{r.physical_name(machine.suffix, stage)}"

    function_arns: dict[str, str] = {}
    for fn in r.FUNCTIONS:
        fname = r.physical_name(fn.suffix, stage)
        created = lam.create_function(
            FunctionName=fname,
            Runtime="python3.11",
            Role=_unit_role(iam, fname, fn.grants, names, region),
            Handler=fn.handler,
            Code={"ZipFile": _zip_placeholder(fn.module)},
            Timeout=fn.timeout,
            MemorySize=fn.memory,
            Description=fn.description,
            Environment={"Variables": environment_of(fn.id, names, stage, context)},
        )
        function_arns[fn.id] = created["FunctionArn"]
        names[fn.id] = created["FunctionArn"]

    for bucket in r.BUCKETS:
        if bucket.notify:
            s3.put_bucket_notification_configuration(
                Bucket=names[bucket.id],
                NotificationConfiguration={
                    "LambdaFunctionConfigurations": [
                        {"LambdaFunctionArn": function_arns[bucket.notify], "Events": ["s3:ObjectCreated:*"]}
                    ]
                },
            )

    # moto stores the rules but never fires them: local/stack.py runs each schedule on a timer.
    rules = session.client("events")
    for schedule in r.SCHEDULES:
        rule = r.physical_name(schedule.id.lower(), stage)
        rules.put_rule(Name=rule, ScheduleExpression=f"rate({schedule.rate_minutes} minute{'s' if schedule.rate_minutes > 1 else ''})", Description=schedule.description)
        rules.put_targets(Rule=rule, Targets=[{"Id": schedule.function, "Arn": function_arns[schedule.function]}])

    for machine in r.STATE_MACHINES:
        definition = machine.definition.read_text(encoding="utf-8")
        for placeholder, function_id in machine.functions.items():
            definition = definition.replace("${" + placeholder + "}", function_arns[function_id])
        sm_name = r.physical_name(machine.suffix, stage)
        role = iam.create_role(RoleName=f"{sm_name}-role", AssumeRolePolicyDocument=_assume("states.amazonaws.com"))
        created = sfn.create_state_machine(
            name=sm_name, definition=definition, roleArn=role["Role"]["Arn"], type=machine.type
        )
        names[machine.id] = created["stateMachineArn"]
    # The API (Chalice, run by local/stack.py) has a role of its own too.
    names["ApiRole"] = _unit_role(iam, r.physical_name(API_SUFFIX, stage), r.API_GRANTS, names, region)
    return names

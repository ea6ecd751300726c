"""No drift: what the local stack deploys is what the synthesised CloudFormation template deploys.

Both are generated from ``infra/resources.py``; this test compares the two results
resource by resource — tables (keys, attribute types, GSIs, TTL), functions and the API (handler,
runtime, timeout, memory, environment variable names: exactly the declared ones of
``infra/settings.py``), buckets, topics, the signing key, the staff user pool, the secrets, the
operations parameters and the state machine definition (with ARNs replaced by function ids).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from infra import resources as R
from infra import settings as S
from tests.conftest import SYNTH_DOMAIN, SYNTH_SETTINGS, SYNTH_STAGE

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _resources(template: dict, type_: str) -> list[dict]:
    return [v["Properties"] for v in template["Resources"].values() if v["Type"] == type_]


def _named(template: dict, type_: str, prop: str, name: str) -> dict:
    found = [p for p in _resources(template, type_) if p.get(prop) == name]
    assert len(found) == 1, f"{type_} {name}: {len(found)} in the template"
    return found[0]


def _gsis(indexes: list[dict]) -> dict[str, Any]:
    return {
        ix["IndexName"]: (
            [(k["AttributeName"], k["KeyType"]) for k in ix["KeySchema"]],
            ix["Projection"]["ProjectionType"],
            sorted(ix["Projection"].get("NonKeyAttributes", [])),
        )
        for ix in indexes or []
    }


@pytest.mark.parametrize("table", R.TABLES, ids=lambda t: t.id)
def test_tables(stack, template, table):
    cfn = _named(template, "AWS::DynamoDB::Table", "TableName", R.physical_name(table.suffix, SYNTH_STAGE))
    ddb = boto3.client("dynamodb")
    local = ddb.describe_table(TableName=stack.names[table.id])["Table"]
    assert [(k["AttributeName"], k["KeyType"]) for k in local["KeySchema"]] == [
        (k["AttributeName"], k["KeyType"]) for k in cfn["KeySchema"]
    ]
    assert {(a["AttributeName"], a["AttributeType"]) for a in local["AttributeDefinitions"]} == {
        (a["AttributeName"], a["AttributeType"]) for a in cfn["AttributeDefinitions"]
    }
    assert _gsis(local.get("GlobalSecondaryIndexes", [])) == _gsis(cfn.get("GlobalSecondaryIndexes", []))
    ttl = ddb.describe_time_to_live(TableName=stack.names[table.id])["TimeToLiveDescription"]
    cfn_ttl = cfn.get("TimeToLiveSpecification", {})
    assert ttl.get("AttributeName") == cfn_ttl.get("AttributeName")


@pytest.mark.parametrize("fn", R.FUNCTIONS, ids=lambda f: f.id)
def test_functions(stack, template, fn):
    cfn = _named(template, "AWS::Lambda::Function", "FunctionName", R.physical_name(fn.suffix, SYNTH_STAGE))
    local = boto3.client("lambda").get_function_configuration(FunctionName=stack.names[fn.id])
    assert local["Handler"] == cfn["Handler"] == fn.handler
    assert local["Runtime"] == cfn["Runtime"]
    assert local["Timeout"] == cfn["Timeout"]
    assert local["MemorySize"] == cfn["MemorySize"]
    assert_same_environment(fn.id, local.get("Environment", {}).get("Variables", {}), cfn["Environment"]["Variables"], stack)


def test_api(stack, template):
    (cfn,) = _resources(template, "AWS::Serverless::Function")
    assert_same_environment(S.API, stack.environments[S.API], cfn["Environment"]["Variables"], stack)


def assert_same_environment(unit: str, local_env: dict, cfn_env: dict, stack) -> None:
    """Both deployments give ``unit`` exactly what infra/settings.py declares for their stage;
    they differ only in settings whose delivery depends on another one (the SMS gateway's, as the
    local stack sends by SNS)."""
    names = {r: "x" for r in R.by_id()} | {f"{p.id}Client": "x" for p in R.USER_POOLS}
    declared_ci = S.environment_of(unit, names, SYNTH_STAGE, {**SYNTH_SETTINGS, "domain": SYNTH_DOMAIN})
    assert set(cfn_env) - {"POWERTOOLS_SERVICE_NAME"} == set(declared_ci)
    assert local_env == stack.environments[unit]
    assert set(local_env) == set(S.environment_of(unit, names, "local", local_env))
    conditional = {s.name for s in S.SETTINGS if s.only_if}
    assert set(local_env) ^ set(declared_ci) <= conditional, unit
    assert local_env["BIRTHREG_STAGE"] == "local" and cfn_env["BIRTHREG_STAGE"] == SYNTH_STAGE


@pytest.mark.parametrize("secret", R.SECRETS, ids=lambda x: x.id)
def test_secrets(stack, template, secret):
    cfn = _named(template, "AWS::SecretsManager::Secret", "Name", R.physical_name(secret.suffix, SYNTH_STAGE))
    sm = boto3.client("secretsmanager")
    local = sm.describe_secret(SecretId=stack.names[secret.id])
    assert local["Name"] == R.physical_name(secret.suffix, "local")
    value = sm.get_secret_value(SecretId=stack.names[secret.id])["SecretString"]
    if secret.generate:  # a random value of its own in each deployment, never one in the code
        assert "GenerateSecretString" in cfn and len(value) >= 32
    elif secret.id == R.SHARING_CREDENTIALS.id:
        # the local stack fills it as the operator does after a deploy, with its receivers' secrets
        # (local/receivers.py): the same fields as the template's placeholder, none empty
        assert cfn["SecretString"] == secret.placeholder
        assert set(json.loads(value)) == set(json.loads(secret.placeholder)) and all(json.loads(value).values())
    else:
        assert cfn["SecretString"] == value == secret.placeholder


@pytest.mark.parametrize("parameter", R.PARAMETERS, ids=lambda x: x.id)
def test_parameters(stack, template, parameter):
    cfn = _named(template, "AWS::SSM::Parameter", "Name", parameter.name(SYNTH_STAGE))
    local = boto3.client("ssm").get_parameter(Name=parameter.name("local"))["Parameter"]
    assert cfn["Type"] == local["Type"] == "String"
    assert cfn["Value"] == parameter.initial
    assert local["Value"] == (parameter.local_initial if parameter.local_initial is not None else parameter.initial)


def test_buckets_topics_key_and_pool(stack, template):
    s3 = boto3.client("s3")
    for bucket in R.BUCKETS:
        cfn = _named(template, "AWS::S3::Bucket", "BucketName", R.physical_name(bucket.suffix, SYNTH_STAGE))
        assert cfn["PublicAccessBlockConfiguration"]["BlockPublicAcls"] is True
        block = s3.get_public_access_block(Bucket=stack.names[bucket.id])["PublicAccessBlockConfiguration"]
        assert all(block.values())
        local_notify = s3.get_bucket_notification_configuration(Bucket=stack.names[bucket.id])
        assert bool(local_notify.get("LambdaFunctionConfigurations")) == bool(
            cfn.get("NotificationConfiguration", {}).get("LambdaConfigurations")
        ) == bool(bucket.notify)
    topics = {t["TopicArn"].rsplit(":", 1)[1] for t in boto3.client("sns").list_topics()["Topics"]}
    for topic in R.TOPICS:
        _named(template, "AWS::SNS::Topic", "TopicName", R.physical_name(topic.suffix, SYNTH_STAGE))
        assert R.physical_name(topic.suffix, "local") in topics
    kms = boto3.client("kms")
    for key in R.KEYS:
        local = kms.describe_key(KeyId=stack.names[key.id])["KeyMetadata"]
        cfn_keys = [k for k in _resources(template, "AWS::KMS::Key") if k.get("KeySpec") == key.spec]
        assert cfn_keys and cfn_keys[0]["KeyUsage"] == local["KeyUsage"] == key.usage
        assert local["KeySpec"] == key.spec
    idp = boto3.client("cognito-idp")
    for pool in R.USER_POOLS:
        cfn = _named(template, "AWS::Cognito::UserPool", "UserPoolName", R.physical_name(pool.suffix, SYNTH_STAGE))
        local = idp.describe_user_pool(UserPoolId=stack.names[pool.id])["UserPool"]
        local_custom = {a["Name"].removeprefix("custom:") for a in local["SchemaAttributes"] if a["Name"].startswith("custom:")}
        cfn_custom = {a["Name"] for a in cfn.get("Schema", [])}
        assert local_custom == cfn_custom == set(pool.custom_attributes)
        # The second factor: required, an authenticator app (TOTP) only, in both.
        mfa = idp.get_user_pool_mfa_config(UserPoolId=stack.names[pool.id])
        assert cfn["MfaConfiguration"] == local["MfaConfiguration"] == mfa["MfaConfiguration"] == "ON"
        assert cfn["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
        assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True} and not mfa.get("SmsMfaConfiguration")


def _render_join(value: Any, logical_to_function: dict[str, str]) -> str:
    """A CloudFormation DefinitionString (string or Fn::Join of strings and references)."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(_render_join(p, logical_to_function) for p in parts)
    if "Fn::GetAtt" in value:
        return f"<{logical_to_function.get(value['Fn::GetAtt'][0], value['Fn::GetAtt'][0])}>"
    if "Ref" in value:
        return f"<{logical_to_function.get(value['Ref'], value['Ref'])}>"
    raise AssertionError(f"unexpected intrinsic in the definition: {value}")


@pytest.mark.parametrize("machine", R.STATE_MACHINES, ids=lambda m: m.id)
def test_state_machine_definition(stack, template, machine):
    fn_by_name = {R.physical_name(f.suffix, SYNTH_STAGE): f.id for f in R.FUNCTIONS}
    logical_to_function = {
        logical: fn_by_name[res["Properties"]["FunctionName"]]
        for logical, res in template["Resources"].items()
        if res["Type"] == "AWS::Lambda::Function" and res["Properties"].get("FunctionName") in fn_by_name
    }
    cfn = _named(template, "AWS::StepFunctions::StateMachine", "StateMachineName", R.physical_name(machine.suffix, SYNTH_STAGE))
    cfn_text = _render_join(cfn["DefinitionString"], logical_to_function)
    for fn in R.FUNCTIONS:  # ARNs written out at synth (Fn::Sub / Join with account and region)
        cfn_text = cfn_text.replace(f":function:{R.physical_name(fn.suffix, SYNTH_STAGE)}", f":function:<{fn.id}>")
    local_text = boto3.client("stepfunctions").describe_state_machine(stateMachineArn=stack.names[machine.id])["definition"]
    for fn in R.FUNCTIONS:
        local_text = local_text.replace(stack.names[fn.id], f"<{fn.id}>")

    def normalise(text: str) -> Any:
        doc = json.loads(text)

        def walk(node: Any) -> Any:
            if isinstance(node, dict):
                return {k: walk(v) for k, v in node.items()}
            if isinstance(node, list):
                return [walk(v) for v in node]
            if isinstance(node, str) and "<" in node and ">" in node and node.startswith("arn:"):
                return node[node.index("<") : node.rindex(">") + 1]
            return node

        return walk(doc)

    for function_id in machine.functions.values():
        assert f"<{function_id}>" in json.dumps(normalise(local_text)), function_id
    assert normalise(local_text) == normalise(cfn_text)

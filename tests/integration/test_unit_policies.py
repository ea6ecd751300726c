"""``infra/policies.py`` says exactly what the synthesised template grants each unit.

The local stack checks every AWS call of a unit against ``infra/policies.py`` (``local/iam.py``);
that check proves something about the deployed system only if those documents are the role
policies CloudFormation creates. For every task function and the API: the same actions on the
same resources, ARNs normalised (CloudFormation references resolved to the resources' names).
"""

from __future__ import annotations

from typing import Any

import pytest

from infra import policies
from infra import resources as R
from tests.integration.test_infra_template import (
    STAGE,
    api_handler,
    as_list,
    by_property,
    referenced_ids,
    role_of,
    role_statements,
)

pytestmark = pytest.mark.slow  # the session's CDK synth

REGION, ACCOUNT = "REGION", "ACCOUNT"  # AWS::Region / AWS::AccountId stay pseudo parameters


def arn_of(template: dict, logical_id: str) -> str:
    """The ARN a ``Ref`` / ``GetAtt Arn`` of this resource resolves to, from its name where it has one."""
    res = template["Resources"][logical_id]
    kind, props = res["Type"], res.get("Properties", {})
    if kind == "AWS::DynamoDB::Table":
        return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{props['TableName']}"
    if kind == "AWS::SNS::Topic":
        return f"arn:aws:sns:{REGION}:{ACCOUNT}:{props['TopicName']}"
    if kind == "AWS::KMS::Key":
        return f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{logical_id}"
    if kind == "AWS::Cognito::UserPool":
        return f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{logical_id}"
    if kind == "AWS::SecretsManager::Secret":
        return f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{props['Name']}"
    if kind == "AWS::SSM::Parameter":
        return props["Name"]  # a Ref is the name; the statement joins it into the ARN
    if kind == "AWS::SQS::Queue":
        return f"arn:aws:sqs:{REGION}:{ACCOUNT}:{props['QueueName']}"
    if kind == "AWS::Logs::LogGroup":
        return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{props['LogGroupName']}:*"
    raise AssertionError(f"a role policy names {kind} {logical_id}: add it here")


def resolve(template: dict, value: Any) -> str:
    if isinstance(value, str):
        return value
    ((fn, arg),) = value.items()
    if fn == "Ref":
        return {"AWS::Partition": "aws", "AWS::Region": REGION, "AWS::AccountId": ACCOUNT}.get(arg) or arn_of(
            template, arg
        )
    if fn == "Fn::GetAtt":
        logical_id, attribute = arg if isinstance(arg, list) else arg.split(".")
        assert attribute == "Arn", value
        return arn_of(template, logical_id)
    if fn == "Fn::Join":
        separator, parts = arg
        return separator.join(resolve(template, p) for p in parts)
    raise AssertionError(f"cannot resolve {value}")


def pairs(statements: list[dict], resolve_resource) -> set[tuple[str, str]]:
    """(action, resource) of every Allow statement, the unit's own log group aside."""
    out = set()
    for s in statements:
        assert s["Effect"] == "Allow" and "Condition" not in s and "NotAction" not in s, s
        for action in as_list(s["Action"]):
            if action.startswith("logs:"):  # test_each_function_logs_only_to_its_own_log_group
                continue
            out |= {(action, resolve_resource(r)) for r in as_list(s["Resource"])}
    return out


def names_in(template: dict) -> dict[str, str]:
    """What a deployment reports for each resource (deploy.py's ``names``), read from the template."""
    names: dict[str, str] = {}
    for group in (R.TABLES, R.BUCKETS):
        for r in group:
            names[r.id] = R.physical_name(r.suffix, STAGE)
    for t in R.TOPICS:
        names[t.id] = f"arn:aws:sns:{REGION}:{ACCOUNT}:{R.physical_name(t.suffix, STAGE)}"
    for k in R.KEYS:
        _, alias = by_property(template, "AWS::KMS::Alias", "AliasName", f"alias/{R.physical_name(k.suffix, STAGE)}")
        (names[k.id],) = referenced_ids(alias["Properties"]["TargetKeyId"])  # the key's logical id, as arn_of
    for p in R.USER_POOLS:
        names[p.id] = by_property(template, "AWS::Cognito::UserPool", "UserPoolName", R.physical_name(p.suffix, STAGE))[0]
    for x in R.SECRETS:
        names[x.id] = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{R.physical_name(x.suffix, STAGE)}"
    for p in R.PARAMETERS:
        names[p.id] = p.name(STAGE)
    _, alias = by_property(template, "AWS::KMS::Alias", "AliasName", f"alias/{R.physical_name('data', STAGE)}")
    (data_key,) = referenced_ids(alias["Properties"]["TargetKeyId"])
    names[policies.DATA_KEY] = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{data_key}"
    names[policies.ON_FAILURE_QUEUE] = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{R.physical_name('on-failure', STAGE)}"
    for m in R.STATE_MACHINES:
        names[m.id] = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{R.physical_name(m.suffix, STAGE)}"
    return names


UNITS = [(f.id, f.grants) for f in R.FUNCTIONS] + [("Api", R.API_GRANTS)]


@pytest.mark.parametrize(("unit", "grants"), UNITS, ids=[u for u, _ in UNITS])
def test_role_policy_is_the_one_of_infra_policies(template, unit: str, grants: tuple[R.Grant, ...]):
    if unit == "Api":
        role_id = role_of(api_handler(template))
    else:
        fn = next(f for f in R.FUNCTIONS if f.id == unit)
        role_id = role_of(by_property(template, "AWS::Lambda::Function", "FunctionName", R.physical_name(fn.suffix, STAGE))[1])
    deployed = pairs(role_statements(template, role_id), lambda r: resolve(template, r))

    arns = policies.deployed_arns(names_in(template), REGION, ACCOUNT)
    declared = pairs(policies.document(grants, arns, async_invoked=policies.async_invoked(unit))["Statement"], str)

    assert deployed, unit
    assert sorted(deployed - declared) == [], f"{unit}: the template grants more than infra/policies.py"
    assert sorted(declared - deployed) == [], f"{unit}: infra/policies.py grants more than the template"

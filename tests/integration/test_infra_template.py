"""The synthesised CloudFormation template matches ``infra/resources.py`` (STYLE.md, Anchor 2).

The stack is synthesised once per module, into a temporary directory, exactly as
``python -m infra.app`` does -- including ``chalice package`` for the HTTP API, which
pip-downloads Linux wheels of requirements.txt into .chalice/deployments on a cache miss.
Every expectation is derived from the definitions, so adding a table, function or grant
there extends these tests without editing them.

Run ``pytest -s`` to see the synth time and cfn-lint's warnings.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra import observability as O
from infra import policies
from infra import resources as R
from infra import settings as S
from tests.conftest import SYNTH_CERTIFICATE_ARN, SYNTH_DOMAIN, SYNTH_SETTINGS

pytestmark = pytest.mark.slow  # one CDK synth + `chalice package` (~5-30 s) for the module

STAGE = "ci"  # not "dev": proves the stage reaches every physical name
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
# W3005 "dependency already enforced by a GetAtt": CDK makes each Lambda function and the
# state machine DependsOn both its role and the role's default policy. The role DependsOn
# is redundant (the GetAtt implies it) but harmless; the policy DependsOn is what matters
# (the function must not run before its permissions exist). Not ours to rewrite.
CFN_LINT_IGNORED = ("W3005",)

# Actions that change data; a "read" grant must not carry any of them.
TABLE_WRITE_ACTIONS = set(policies.TABLE_WRITE_ACTIONS)
BUCKET_WRITE_PREFIXES = ("s3:Put", "s3:Delete", "s3:Abort")
# Active tracing: X-Ray actions have no resource type, so IAM only accepts Resource "*".
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
SITE_BUCKETS = {site.bucket for site in R.SITES}

Template = dict[str, Any]


# --------------------------------------------------------------------------- helpers
def of_type(template: Template, type_: str) -> dict[str, dict]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def by_property(template: Template, type_: str, prop: str, value: str) -> tuple[str, dict]:
    found = [(k, v) for k, v in of_type(template, type_).items() if v["Properties"].get(prop) == value]
    assert len(found) == 1, f"expected one {type_} with {prop}={value!r}, found {len(found)}"
    return found[0]


def referenced_ids(value: Any) -> set[str]:
    """Logical ids a (possibly nested) CloudFormation value refers to via Ref / Fn::GetAtt."""
    out: set[str] = set()
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Ref" and isinstance(v, str) and not v.startswith("AWS::"):
                out.add(v)
            elif k == "Fn::GetAtt":
                out.add(v[0] if isinstance(v, list) else v.split(".")[0])
            else:
                out |= referenced_ids(v)
    elif isinstance(value, list):
        for v in value:
            out |= referenced_ids(v)
    return out


def as_list(v: Any) -> list:
    return v if isinstance(v, list) else [v]


def role_statements(template: Template, role_id: str) -> list[dict]:
    """Every Allow statement reaching the role: its inline policies, AWS::IAM::Policy and the
    AWS::IAM::ManagedPolicy CDK adds when a role's default policy outgrows IAM's size limit."""
    role = template["Resources"][role_id]
    statements = [s for p in role["Properties"].get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
    policies = [*of_type(template, "AWS::IAM::Policy").values(), *of_type(template, "AWS::IAM::ManagedPolicy").values()]
    for policy in policies:
        if {"Ref": role_id} in policy["Properties"].get("Roles", []):
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    assert all(s["Effect"] == "Allow" for s in statements)
    return statements


def data_key(template: Template) -> str:
    _, alias = by_property(template, "AWS::KMS::Alias", "AliasName", f"alias/{R.physical_name('data', STAGE)}")
    (key_id,) = referenced_ids(alias["Properties"]["TargetKeyId"])
    return key_id


def role_of(resource: dict) -> str:
    (role_id,) = referenced_ids(resource["Properties"]["Role"])
    return role_id


def logical_ids(template: Template) -> dict[str, str]:
    """resource id in infra/resources.py (and "<pool id>Client") -> logical id in the template."""
    out: dict[str, str] = {}
    for t in R.TABLES:
        out[t.id] = by_property(template, "AWS::DynamoDB::Table", "TableName", R.physical_name(t.suffix, STAGE))[0]
    for b in R.BUCKETS:
        out[b.id] = by_property(template, "AWS::S3::Bucket", "BucketName", R.physical_name(b.suffix, STAGE))[0]
    for t in R.TOPICS:
        out[t.id] = by_property(template, "AWS::SNS::Topic", "TopicName", R.physical_name(t.suffix, STAGE))[0]
    for k in R.KEYS:
        _, alias = by_property(template, "AWS::KMS::Alias", "AliasName", f"alias/{R.physical_name(k.suffix, STAGE)}")
        (out[k.id],) = referenced_ids(alias["Properties"]["TargetKeyId"])
    for pool in R.USER_POOLS:
        out[pool.id] = by_property(
            template, "AWS::Cognito::UserPool", "UserPoolName", R.physical_name(pool.suffix, STAGE)
        )[0]
        out[f"{pool.id}Client"] = by_property(
            template, "AWS::Cognito::UserPoolClient", "UserPoolId", {"Ref": out[pool.id]}
        )[0]
    for f in R.FUNCTIONS:
        out[f.id] = by_property(template, "AWS::Lambda::Function", "FunctionName", R.physical_name(f.suffix, STAGE))[0]
    for x in R.SECRETS:
        out[x.id] = by_property(template, "AWS::SecretsManager::Secret", "Name", R.physical_name(x.suffix, STAGE))[0]
    for x in R.PARAMETERS:
        out[x.id] = by_property(template, "AWS::SSM::Parameter", "Name", x.name(STAGE))[0]
    return out


KINDS = {
    **{t.id: "table" for t in R.TABLES},
    **{b.id: "bucket" for b in R.BUCKETS},
    **{t.id: "topic" for t in R.TOPICS},
    **{k.id: "key" for k in R.KEYS},
    **{p.id: "user pool" for p in R.USER_POOLS},
    **{m.id: "state machine" for m in R.STATE_MACHINES},
    **{x.id: "secret" for x in R.SECRETS},
    **{x.id: "parameter" for x in R.PARAMETERS},
}
BUCKET_NAMES = {b.id: R.physical_name(b.suffix, STAGE) for b in R.BUCKETS}


def reaches(resource_value: Any, rid: str, ids: dict[str, str]) -> bool:
    """Does a statement's Resource name resource ``rid``?

    Buckets are granted by ARN built from their name (the stack avoids a bucket <-> function
    dependency cycle that way), everything else by reference.
    """
    if rid in BUCKET_NAMES:
        return re.search(rf":::{re.escape(BUCKET_NAMES[rid])}(/|\"|$)", json.dumps(resource_value)) is not None
    return ids[rid] in referenced_ids(resource_value)


def expected_environment(grants: tuple[R.Grant, ...]) -> dict[str, str]:
    """Environment variable -> the resource id (or "<pool>Client") it must name."""
    sentinel = {rid: rid for rid in R.by_id()} | {f"{p.id}Client": f"{p.id}Client" for p in R.USER_POOLS}
    return R.environment_for(grants, sentinel)


def assert_environment(env: dict[str, Any], unit: str, ids: dict[str, str]) -> None:
    """The unit's environment is exactly its grants' resources and its declared settings."""
    expected = expected_environment(S.grants_of(unit))
    settings = S.settings_of(unit, STAGE, {**SYNTH_SETTINGS, "domain": SYNTH_DOMAIN})
    assert set(env) - {"POWERTOOLS_SERVICE_NAME"} == set(expected) | set(settings), unit
    assert env["POWERTOOLS_SERVICE_NAME"]
    assert {k: env[k] for k in settings} == settings, unit
    who = unit
    for var, rid in expected.items():
        value = env[var]
        if rid in BUCKET_NAMES:
            assert value == BUCKET_NAMES[rid], (who, var, value)
        elif KINDS.get(rid) == "state machine":
            machine = next(m for m in R.STATE_MACHINES if m.id == rid)
            assert f":stateMachine:{R.physical_name(machine.suffix, STAGE)}" in json.dumps(value), (who, var)
        else:
            assert value == {"Ref": ids[rid]}, (who, var, value)


def api_handler(template: Template) -> dict:
    functions = of_type(template, "AWS::Serverless::Function")
    assert set(functions) == {"APIHandler"}, "the Chalice app should package into one function"
    return functions["APIHandler"]


def assert_least_privilege(template: Template, role_id: str, grants: tuple[R.Grant, ...], who: str) -> None:
    ids = logical_ids(template)
    statements = role_statements(template, role_id)
    actions = [a for s in statements for a in as_list(s["Action"])]

    # no wildcard actions at all: not "*", not "dynamodb:*" / "s3:*" / "sns:*" ...
    wild = [a for a in actions if a == "*" or a.endswith(":*")]
    assert not wild, f"{who}: wildcard actions {wild}"

    # only the granted tables, buckets, topics, keys and user pools are reachable
    scoped = {rid for rid, kind in KINDS.items() if kind != "state machine"}
    granted = {g.resource for g in grants if g.resource in scoped}
    reachable = {rid for rid in scoped if any(reaches(s["Resource"], rid, ids) for s in statements)}
    assert reachable == granted, f"{who}: reaches {sorted(reachable)}, granted {sorted(granted)}"

    for g in grants:
        kind = KINDS.get(g.resource)
        acts = {
            a
            for s in statements
            if g.resource in scoped and reaches(s["Resource"], g.resource, ids)
            for a in as_list(s["Action"])
        }
        if kind == "table":
            assert "dynamodb:GetItem" in acts and "dynamodb:Query" in acts, (who, g)
            if g.access == "read":
                assert not acts & TABLE_WRITE_ACTIONS, f"{who}: read grant on {g.resource} can write"
            else:
                assert {"dynamodb:PutItem", "dynamodb:UpdateItem"} <= acts, (who, g)
        elif kind == "bucket":
            assert "s3:GetObject*" in acts, (who, g)
            writes = {a for a in acts if a.startswith(BUCKET_WRITE_PREFIXES)}
            if g.access == "read":
                assert not writes, f"{who}: read grant on {g.resource} can write: {writes}"
            else:
                assert "s3:PutObject" in writes, (who, g)
        elif kind == "topic":
            assert acts == {"sns:Publish"}, (who, g, acts)
        elif kind == "key":
            # a verifier must not be able to sign (forge certificates)
            assert acts == ({"kms:Sign"} if g.access == "sign" else {"kms:Verify", "kms:GetPublicKey"}), (who, g, acts)
        elif kind == "user pool":
            assert acts and all(a.startswith("cognito-idp:") for a in acts), (who, g, acts)
        elif kind == "secret":
            assert acts == {"secretsmanager:GetSecretValue"}, (who, g, acts)
        elif kind == "parameter":
            assert acts == {"ssm:GetParameter"}, (who, g, acts)
        elif g.access == "sms":
            assert any(as_list(s["Action"]) == ["sns:Publish"] and s["Resource"] == "*" for s in statements), who

    # "*" resources only where AWS allows nothing narrower (X-Ray, SMS, Step Functions callbacks)
    allowed_star = set(XRAY_ACTIONS)
    if any(g.access == "sms" for g in grants):
        allowed_star.add("sns:Publish")
    if any(g.access == "callback" for g in grants):
        allowed_star |= {"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"}
    for s in statements:
        if "*" in as_list(s["Resource"]):
            assert set(as_list(s["Action"])) <= allowed_star, f"{who}: {s['Action']} on '*'"


# --------------------------------------------------------------------------- cfn-lint
def test_cfn_lint_reports_no_errors(synthesised):
    path, _ = synthesised
    proc = subprocess.run(
        [str(CFN_LINT), "--format", "json", "--ignore-checks", *CFN_LINT_IGNORED, "--", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 4, 8, 12), f"cfn-lint failed to run:\n{proc.stderr}{proc.stdout}"
    matches = json.loads(proc.stdout or "[]")
    for m in matches:
        if m["Level"] != "Error":
            print(f"[cfn-lint] {m['Rule']['Id']} {m['Message']}")
    errors = [f"{m['Rule']['Id']} {m['Message']}" for m in matches if m["Level"] == "Error"]
    assert not errors, "\n".join(errors)


# --------------------------------------------------------------------------- tables
@pytest.mark.parametrize("table", R.TABLES, ids=lambda t: t.id)
def test_table_matches_its_definition(template, table: R.Table):
    _, res = by_property(template, "AWS::DynamoDB::Table", "TableName", R.physical_name(table.suffix, STAGE))
    p = res["Properties"]

    def key_schema(hash_key: R.Attr, range_key: R.Attr | None) -> list[dict]:
        keys = [{"AttributeName": hash_key.name, "KeyType": "HASH"}]
        if range_key:
            keys.append({"AttributeName": range_key.name, "KeyType": "RANGE"})
        return keys

    assert p["KeySchema"] == key_schema(table.hash_key, table.range_key)
    assert sorted(p["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        ({"AttributeName": a.name, "AttributeType": a.type} for a in table.attributes()),
        key=lambda a: a["AttributeName"],
    )
    expected_gsis = {
        ix.name: {"KeySchema": key_schema(ix.hash_key, ix.range_key), "Projection": ix.projection_spec()}
        for ix in table.indexes
    }
    actual_gsis = {
        g["IndexName"]: {"KeySchema": g["KeySchema"], "Projection": g["Projection"]}
        for g in p.get("GlobalSecondaryIndexes", [])
    }
    assert actual_gsis == expected_gsis
    assert "LocalSecondaryIndexes" not in p
    if table.ttl_attribute:
        assert p["TimeToLiveSpecification"] == {"AttributeName": table.ttl_attribute, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in p
    assert p["BillingMode"] == "PAY_PER_REQUEST"
    assert p["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    # the customer-managed data key, and DeleteTable refused while the protection is on
    assert p["SSESpecification"]["SSEEnabled"] is True and p["SSESpecification"]["SSEType"] == "KMS"
    assert referenced_ids(p["SSESpecification"]["KMSMasterKeyId"]) == {data_key(template)}
    assert p["DeletionProtectionEnabled"] is True
    assert res["DeletionPolicy"] == "Retain" and res["UpdateReplacePolicy"] == "Retain"


def test_no_resources_beyond_the_definitions(template):
    assert len(of_type(template, "AWS::DynamoDB::Table")) == len(R.TABLES)
    assert len(of_type(template, "AWS::S3::Bucket")) == len(R.BUCKETS)
    assert len(of_type(template, "AWS::SNS::Topic")) == len(R.TOPICS)
    assert len(of_type(template, "AWS::KMS::Key")) == len(R.KEYS) + 1  # + the data key
    assert len(of_type(template, "AWS::Cognito::UserPool")) == len(R.USER_POOLS)
    # exactly the task functions: no CDK custom-resource handler functions (with their broad roles)
    assert len(of_type(template, "AWS::Lambda::Function")) == len(R.FUNCTIONS)
    assert not [k for k, v in template["Resources"].items() if v["Type"].startswith("Custom::")]
    assert len(of_type(template, "AWS::StepFunctions::StateMachine")) == len(R.STATE_MACHINES)
    # + the origin-verify header value CloudFront sends and the API's WebACL checks (infra/stack.py)
    assert len(of_type(template, "AWS::SecretsManager::Secret")) == len(R.SECRETS) + 1
    assert len(of_type(template, "AWS::SSM::Parameter")) == len(R.PARAMETERS)
    assert len(of_type(template, "AWS::Events::Rule")) == len(R.SCHEDULES)


@pytest.mark.parametrize("schedule", R.SCHEDULES, ids=lambda s: s.id)
def test_schedule_invokes_its_function(template, schedule: R.Schedule):
    _, rule = by_property(template, "AWS::Events::Rule", "Name", R.physical_name(schedule.id.lower(), STAGE))
    fn = R.by_id()[schedule.function]
    fn_logical, _ = by_property(template, "AWS::Lambda::Function", "FunctionName", R.physical_name(fn.suffix, STAGE))
    props = rule["Properties"]
    assert props["ScheduleExpression"] == f"rate({schedule.rate_minutes} minute{'s' if schedule.rate_minutes > 1 else ''})"
    assert props["State"] == "ENABLED"
    assert [t["Arn"] for t in props["Targets"]] == [{"Fn::GetAtt": [fn_logical, "Arn"]}]
    permissions = [
        p["Properties"]
        for p in of_type(template, "AWS::Lambda::Permission").values()
        if p["Properties"].get("Principal") == "events.amazonaws.com"
    ]
    assert [p["FunctionName"] for p in permissions] == [{"Fn::GetAtt": [fn_logical, "Arn"]}]


# --------------------------------------------------------------------------- bucket, topics
@pytest.mark.parametrize("bucket", R.BUCKETS, ids=lambda b: b.id)
def test_bucket_is_private_encrypted_and_versioned(template, bucket: R.Bucket):
    logical, res = by_property(template, "AWS::S3::Bucket", "BucketName", R.physical_name(bucket.suffix, STAGE))
    p = res["Properties"]
    assert p["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    if bucket.id in SITE_BUCKETS:  # public web files, read by CloudFront's origin access control
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    else:  # ID-card scans, certificates: the customer-managed data key
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        assert referenced_ids(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]) == {data_key(template)}
    assert p["VersioningConfiguration"] == {"Status": "Enabled"}
    assert res["DeletionPolicy"] == "Retain"
    policies = [
        v for v in of_type(template, "AWS::S3::BucketPolicy").values() if v["Properties"]["Bucket"] == {"Ref": logical}
    ]
    denies_plain_http = [
        s
        for pol in policies
        for s in pol["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert denies_plain_http, "bucket must enforce TLS"


@pytest.mark.parametrize("bucket", [b for b in R.BUCKETS if b.notify], ids=lambda b: b.id)
def test_bucket_notifies_its_function(template, bucket: R.Bucket):
    ids = logical_ids(template)
    res = template["Resources"][ids[bucket.id]]
    (config,) = res["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert config["Event"] == "s3:ObjectCreated:*"
    assert referenced_ids(config["Function"]) == {ids[bucket.notify]}
    (permission_id,) = [
        k
        for k, v in of_type(template, "AWS::Lambda::Permission").items()
        if v["Properties"]["Principal"] == "s3.amazonaws.com"
        and referenced_ids(v["Properties"]["FunctionName"]) == {ids[bucket.notify]}
        and reaches(v["Properties"]["SourceArn"], bucket.id, ids)
    ]
    assert permission_id in as_list(res.get("DependsOn", [])), "S3 validates the destination when saving"


@pytest.mark.parametrize("bucket", R.BUCKETS, ids=lambda b: b.id)
def test_only_browser_upload_buckets_allow_cors(template, bucket: R.Bucket):
    p = template["Resources"][logical_ids(template)[bucket.id]]["Properties"]
    if bucket.browser_uploads:
        (rule,) = p["CorsConfiguration"]["CorsRules"]
        # POST: the browser's presigned upload; GET: the review page shows the proofs inline
        assert rule["AllowedMethods"] == list(bucket.cors_methods) == ["POST", "GET"]
        # only the site's own origin (the distribution), never "*"
        assert "*" not in rule["AllowedOrigins"]
        (distribution,) = of_type(template, "AWS::CloudFront::Distribution")
        assert any(distribution in referenced_ids(o) for o in rule["AllowedOrigins"])
    else:
        assert "CorsConfiguration" not in p


def test_the_pages_csp_lets_the_review_page_show_proofs_from_the_upload_bucket_only(template):
    """img-src (JPEG/PNG), frame-src and object-src (PDF) name exactly the upload bucket's origins,
    as connect-src does for the upload itself; nothing else is added."""
    (policy,) = of_type(template, "AWS::CloudFront::ResponseHeadersPolicy").values()
    csp = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    if isinstance(csp, dict):  # Fn::Join around the region's tokens
        csp = "".join(p if isinstance(p, str) else "TOKEN" for p in csp["Fn::Join"][1])
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    bucket_origins = [o for o in directives["connect-src"] if o != "'self'"]
    assert bucket_origins and all(R.UPLOADS.suffix in o and o.startswith("https://") for o in bucket_origins)
    assert directives["img-src"] == ["'self'", "data:", *bucket_origins]
    assert directives["frame-src"] == directives["object-src"] == bucket_origins
    assert directives["default-src"] == ["'self'"] and directives["frame-ancestors"] == ["'none'"]


@pytest.mark.parametrize("key", R.KEYS, ids=lambda k: k.id)
def test_key_matches_its_definition(template, key: R.Key):
    res = template["Resources"][logical_ids(template)[key.id]]
    assert res["Properties"]["KeySpec"] == key.spec
    assert res["Properties"]["KeyUsage"] == key.usage
    assert res["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("pool", R.USER_POOLS, ids=lambda p: p.id)
def test_user_pool_matches_its_definition(template, pool: R.UserPool):
    ids = logical_ids(template)
    p = template["Resources"][ids[pool.id]]["Properties"]
    assert p["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    custom = {a["Name"] for a in p["Schema"]}
    assert custom == set(pool.custom_attributes)
    client = template["Resources"][ids[f"{pool.id}Client"]]["Properties"]
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    # staff cannot raise their own role/office with their access token (unset = all writable)
    assert "WriteAttributes" in client
    assert not {f"custom:{a}" for a in pool.custom_attributes} & set(client["WriteAttributes"])


# --------------------------------------------------------------------------- task functions
@pytest.mark.parametrize("fn", R.FUNCTIONS, ids=lambda f: f.id)
def test_function_matches_its_definition(template, fn: R.Function):
    _, res = by_property(template, "AWS::Lambda::Function", "FunctionName", R.physical_name(fn.suffix, STAGE))
    p = res["Properties"]
    assert p["Handler"] == fn.handler
    assert p["Runtime"] == "python3.11"
    assert p["Timeout"] == fn.timeout
    assert p["MemorySize"] == fn.memory
    assert p["TracingConfig"] == {"Mode": "Active"}
    assert_environment(p["Environment"]["Variables"], fn.id, logical_ids(template))


@pytest.mark.parametrize("fn", R.FUNCTIONS, ids=lambda f: f.id)
def test_function_role_is_least_privilege(template, fn: R.Function):
    _, res = by_property(template, "AWS::Lambda::Function", "FunctionName", R.physical_name(fn.suffix, STAGE))
    assert_least_privilege(template, role_of(res), fn.grants, fn.id)


def test_each_function_logs_only_to_its_own_log_group(template):
    units = [*of_type(template, "AWS::Lambda::Function").values(), api_handler(template)]
    for unit in units:
        name = unit["Properties"]["FunctionName"]
        (group_id,) = [
            k
            for k, v in of_type(template, "AWS::Logs::LogGroup").items()
            if v["Properties"]["LogGroupName"] == f"/aws/lambda/{name}"
        ]
        role_id = role_of(unit)
        assert "ManagedPolicyArns" not in template["Resources"][role_id]["Properties"], "no AWSLambdaBasicExecutionRole"
        log_statements = [
            s for s in role_statements(template, role_id) if any(a.startswith("logs:") for a in as_list(s["Action"]))
        ]
        assert log_statements and all(referenced_ids(s["Resource"]) == {group_id} for s in log_statements), name


def test_one_role_per_function(template):
    roles = [role_of(r) for r in of_type(template, "AWS::Lambda::Function").values()]
    roles.append(role_of(api_handler(template)))
    assert len(set(roles)) == len(roles)


# --------------------------------------------------------------------------- state machines
def definition_parts(value: Any) -> tuple[str, set[str]]:
    """(literal text, logical ids of Fn::GetAtt ...Arn) of a DefinitionString."""
    if isinstance(value, str):
        return value, set()
    separator, parts = value["Fn::Join"]
    assert separator == ""
    text, arns = "", set()
    for part in parts:
        if isinstance(part, str):
            text += part
        else:
            assert set(part) == {"Fn::GetAtt"} and part["Fn::GetAtt"][1] == "Arn", part
            arns.add(part["Fn::GetAtt"][0])
            text += "ARN"  # inside the quotes of "FunctionName": the text stays JSON
    return text, arns


@pytest.mark.parametrize("machine", R.STATE_MACHINES, ids=lambda m: m.id)
def test_state_machine_calls_exactly_its_functions(template, machine: R.StateMachine):
    _, res = by_property(
        template, "AWS::StepFunctions::StateMachine", "StateMachineName", R.physical_name(machine.suffix, STAGE)
    )
    p = res["Properties"]
    ids = logical_ids(template)
    wanted = {ids[f] for f in machine.functions.values()}

    text, arns = definition_parts(p["DefinitionString"])
    assert "${" not in text, "unreplaced placeholder in the definition"
    assert "DefinitionSubstitutions" not in p
    assert arns == wanted
    states = json.loads(text)["States"]
    assert {s["Type"] for s in states.values()} >= {"Task"}

    # Express for the automated steps (issue 18), errors only in its logs; never execution data
    assert p["StateMachineType"] == machine.type
    assert p["LoggingConfiguration"]["Level"] == machine.log_level
    assert p["LoggingConfiguration"]["IncludeExecutionData"] is False
    (destination,) = p["LoggingConfiguration"]["Destinations"]
    assert referenced_ids(destination) <= set(of_type(template, "AWS::Logs::LogGroup"))

    (role_id,) = referenced_ids(p["RoleArn"])
    invoke = [s for s in role_statements(template, role_id) if "lambda:InvokeFunction" in as_list(s["Action"])]
    assert len(invoke) == 1 and as_list(invoke[0]["Action"]) == ["lambda:InvokeFunction"]
    resources = as_list(invoke[0]["Resource"])
    assert all(set(r) == {"Fn::GetAtt"} for r in resources), "invoke only the unqualified function ARNs"
    assert {r["Fn::GetAtt"][0] for r in resources} == wanted


# --------------------------------------------------------------------------- HTTP API
def test_api_gets_environment_and_role_from_the_definitions(template):
    handler = api_handler(template)
    p = handler["Properties"]
    assert p["FunctionName"] == R.physical_name("api", STAGE)
    assert p["Runtime"] == "python3.11"
    assert p["Timeout"] == 30 and p["MemorySize"] == 512
    assert_environment(p["Environment"]["Variables"], S.API, logical_ids(template))
    assert_least_privilege(template, role_of(handler), R.API_GRANTS, "API")
    # the Chalice-built role is not used: the role comes from API_GRANTS
    assert not p.get("Policies")


def test_api_package_holds_only_lambda_compatible_wheels(synthesised):
    """No dependency of the API was compiled on this machine (it would not import on Lambda)."""
    from infra.package import non_portable_wheels

    path, _ = synthesised
    assets = json.loads(path.with_name("BirthRegStack.assets.json").read_text())["files"].values()
    (code,) = [a for a in assets if a.get("displayName", "").endswith("ChaliceAppCode")]
    assert non_portable_wheels(path.parent / code["source"]["path"]) == []


def test_api_start_and_callback_grants(template):
    statements = role_statements(template, role_of(api_handler(template)))
    actions = {a for s in statements for a in as_list(s["Action"])}
    for g in R.API_GRANTS:
        if g.access == "start":
            starts = [s for s in statements if as_list(s["Action"]) == ["states:StartExecution"]]
            machine = next(m for m in R.STATE_MACHINES if m.id == g.resource)
            name = R.physical_name(machine.suffix, STAGE)
            # one StartExecution statement per started machine, naming that machine only
            (start,) = [s for s in starts if name in json.dumps(s["Resource"])]
            others = [R.physical_name(m.suffix, STAGE) for m in R.STATE_MACHINES if m.id != g.resource]
            assert not any(other in json.dumps(start["Resource"]) for other in others)
        if g.access == "callback":
            assert {"states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"} <= actions


# --------------------------------------------------------------------------- outputs
def test_outputs_name_every_resource(template):
    outputs = template["Outputs"]
    assert "ApiUrl" in outputs
    expected = (
        [f"{t.id}TableName" for t in R.TABLES]
        + [f"{b.id}BucketName" for b in R.BUCKETS]
        + [f"{t.id}TopicArn" for t in R.TOPICS]
        + [f"{k.id}KeyArn" for k in R.KEYS]
        + [f"{p.id}UserPoolId" for p in R.USER_POOLS]
        + [f"{p.id}UserPoolClientId" for p in R.USER_POOLS]
        + [f"{m.id}StateMachineArn" for m in R.STATE_MACHINES]
        + [f"{x.id}SecretArn" for x in R.SECRETS]
        + [f"{x.id}ParameterName" for x in R.PARAMETERS]
    )
    assert set(expected) <= set(outputs)


def test_unknown_routes_get_the_apps_json_404(template):
    """API Gateway's own answer to an unknown route is mapped to the app's error shape (as the
    local stack's server does), not left as 403 "Missing Authentication Token"."""
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::ApiGateway::GatewayResponse"
    }
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["StatusCode"] == "404"
    body = json.loads(missing["ResponseTemplates"]["application/json"])
    assert body["error"]["code"] == "NOT_FOUND" and body["error"]["details"] == []
    assert {"DEFAULT_4XX", "DEFAULT_5XX"} <= set(responses)


# --------------------------------------------------------------------------- secrets, parameters, site
@pytest.mark.parametrize("secret", R.SECRETS, ids=lambda x: x.id)
def test_secret_is_created_by_the_stack_and_never_in_an_environment(template, secret: R.Secret):
    _, res = by_property(template, "AWS::SecretsManager::Secret", "Name", R.physical_name(secret.suffix, STAGE))
    p = res["Properties"]
    if secret.generate:
        assert "GenerateSecretString" in p and "SecretString" not in p
        assert p["GenerateSecretString"]["PasswordLength"] >= 32
    else:
        assert p["SecretString"] == secret.placeholder
    assert res["DeletionPolicy"] == "Retain"
    units = [*of_type(template, "AWS::Lambda::Function").values(), api_handler(template)]
    for unit in units:  # by reference (the secret's ARN) only
        env = unit["Properties"]["Environment"]["Variables"]
        assert all(not isinstance(v, str) or "secret" not in v.lower() for v in env.values())
        assert "BIRTHREG_SECRET" not in env and "SMS_GATEWAY_SECRET" not in env


@pytest.mark.parametrize("parameter", R.PARAMETERS, ids=lambda x: x.id)
def test_parameter_is_created_with_its_initial_value(template, parameter: R.Parameter):
    _, res = by_property(template, "AWS::SSM::Parameter", "Name", parameter.name(STAGE))
    assert res["Properties"]["Value"] == parameter.initial
    assert res["Properties"]["Type"] == "String"


def test_site_answers_on_its_domain_with_the_certificate(template):
    (dist,) = of_type(template, "AWS::CloudFront::Distribution").values()
    config = dist["Properties"]["DistributionConfig"]
    assert config["Aliases"] == [SYNTH_DOMAIN]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == SYNTH_CERTIFICATE_ARN
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"


def test_links_use_the_public_domain_in_every_unit_that_renders_one(template):
    url = f"https://{SYNTH_DOMAIN}"
    units = {**{f.id: by_property(template, "AWS::Lambda::Function", "FunctionName", R.physical_name(f.suffix, STAGE))[1]
                for f in R.FUNCTIONS}, S.API: api_handler(template)}
    with_url = {u for u, res in units.items() if res["Properties"]["Environment"]["Variables"].get("PUBLIC_BASE_URL") == url}
    declared = {u for u in S.ALL_UNITS if u in S.by_name()["PUBLIC_BASE_URL"].units}
    assert with_url == declared and {S.API, "IssueCertificate", "AwaitReview"} <= with_url
    assert "127.0.0.1" not in json.dumps(template)


def test_sms_goes_through_the_gateway_by_default(template):
    for unit in S.by_name()["SMS_SENDER"].units:
        res = api_handler(template) if unit == S.API else by_property(
            template, "AWS::Lambda::Function", "FunctionName", R.physical_name(next(f for f in R.FUNCTIONS if f.id == unit).suffix, STAGE)
        )[1]
        env = res["Properties"]["Environment"]["Variables"]
        assert env["SMS_SENDER"] == "gateway", unit
        assert env["SMS_GATEWAY_URL"] == SYNTH_SETTINGS["SMS_GATEWAY_URL"], unit
# --------------------------------------------------------------------------- observability
def alarms(template: Template) -> list[dict]:
    return [v["Properties"] for v in of_type(template, "AWS::CloudWatch::Alarm").values()]


def alerts_topic(template: Template) -> str:
    return logical_ids(template)[O.ALERTS_TOPIC]


def units_watched(template: Template, kind: str) -> int:
    return {
        O.STATE_MACHINE: len(R.STATE_MACHINES),
        O.FUNCTION: len(R.FUNCTIONS) + 1,  # + the API's function
        O.API: 1,
        O.QUEUE: 1 if any(b.notify for b in R.BUCKETS) else 0,
        O.BUSINESS: 1,
    }[kind]


@pytest.mark.parametrize("spec", O.ALARMS, ids=lambda a: a.id)
def test_every_alarm_watches_every_unit_and_tells_the_operators(template, spec: O.Alarm):
    found = [a for a in alarms(template) if a["MetricName"] == spec.metric and a["Namespace"] == spec.namespace]
    assert len(found) == units_watched(template, spec.watches), spec.id
    topic = {"Ref": alerts_topic(template)}
    for a in found:
        assert a["AlarmActions"] == [topic] and a["OKActions"] == [topic]
        assert a["Threshold"] == spec.threshold and a["EvaluationPeriods"] == spec.evaluation_periods
        assert a.get("Statistic", a.get("ExtendedStatistic")) == spec.statistic
        assert a["TreatMissingData"] == "notBreaching"
        assert a["AlarmDescription"] == spec.what_to_do
    if spec.watches == O.FUNCTION:
        watched = {d["Value"] if isinstance(d["Value"], str) else next(iter(referenced_ids(d["Value"]))) for a in found for d in a["Dimensions"]}
        ids = logical_ids(template)
        assert watched == {ids[f.id] for f in R.FUNCTIONS} | {R.physical_name("api", STAGE)}
    if spec.watches == O.BUSINESS:
        (a,) = found
        assert a["Dimensions"] == [{"Name": k, "Value": v} for k, v in O.BUSINESS_DIMENSIONS.items()]


def test_api_alarms_use_the_stage_specific_api_name(template):
    """API Gateway metrics are per API name: the stage's own name, not the app name shared by stages."""
    rest_api = template["Resources"]["RestAPI"]["Properties"]
    assert rest_api["DefinitionBody"]["info"]["title"] == R.physical_name("api", STAGE)
    api_alarms = [a for a in alarms(template) if a["Namespace"] == "AWS/ApiGateway"]
    assert api_alarms and all(
        {"Name": "ApiName", "Value": R.physical_name("api", STAGE)} in a["Dimensions"] for a in api_alarms
    )


def test_one_dashboard_shows_the_business_metrics(template):
    (dashboard,) = of_type(template, "AWS::CloudWatch::Dashboard").values()
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in O.BUSINESS_METRICS:
        assert f'\\"{O.BUSINESS_NAMESPACE}\\",\\"{metric}\\"' in body, metric


def test_tracing_on_the_workflow_and_the_api(template):
    machines = of_type(template, "AWS::StepFunctions::StateMachine").values()
    assert len(machines) == len(R.STATE_MACHINES)
    for machine in machines:
        assert machine["Properties"]["TracingConfiguration"] == {"Enabled": True}
    api = api_handler(template)["Properties"]
    assert api["Tracing"] == "Active"
    assert template["Resources"]["RestAPI"]["Properties"]["TracingEnabled"] is True
    statements = role_statements(template, role_of(api_handler(template)))
    assert any(set(as_list(s["Action"])) == set(XRAY_ACTIONS) for s in statements)


# --------------------------------------------------------------------------- hardening
def test_staff_pool_requires_totp_mfa_strong_passwords_and_threat_protection(template):
    (pool,) = [template["Resources"][logical_ids(template)[p.id]] for p in R.USER_POOLS]
    p = pool["Properties"]
    assert p["MfaConfiguration"] == "ON" and p["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    policy = p["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert all(policy[k] for k in ("RequireLowercase", "RequireUppercase", "RequireNumbers", "RequireSymbols"))
    assert p["UserPoolTier"] == "PLUS" and p["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}
    assert p["DeletionProtection"] == "ACTIVE" and pool["DeletionPolicy"] == "Retain"


def test_data_key_rotates_and_lets_cloudwatch_publish_to_encrypted_topics(template):
    key = template["Resources"][data_key(template)]
    assert key["Properties"]["EnableKeyRotation"] is True and key["DeletionPolicy"] == "Retain"
    (cw,) = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert set(as_list(cw["Action"])) == {"kms:Decrypt", "kms:GenerateDataKey*"}
    for t in R.TOPICS:
        topic = template["Resources"][logical_ids(template)[t.id]]["Properties"]
        assert referenced_ids(topic["KmsMasterKeyId"]) == {data_key(template)}, t.id


@pytest.mark.parametrize("fn", [f for f in R.FUNCTIONS if any(b.notify == f.id for b in R.BUCKETS)], ids=lambda f: f.id)
def test_async_invoked_function_keeps_failed_events_in_an_encrypted_queue(template, fn: R.Function):
    ids = logical_ids(template)
    (config,) = [
        v["Properties"]
        for v in of_type(template, "AWS::Lambda::EventInvokeConfig").values()
        if v["Properties"]["FunctionName"] == {"Ref": ids[fn.id]}
    ]
    (queue_id,) = referenced_ids(config["DestinationConfig"]["OnFailure"]["Destination"])
    queue = template["Resources"][queue_id]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert referenced_ids(queue["Properties"]["KmsMasterKeyId"]) == {data_key(template)}
    assert config["MaximumRetryAttempts"] == 2
    depth = [a for a in alarms(template) if a["MetricName"] == "ApproximateNumberOfMessagesVisible"]
    assert [d["Value"] for a in depth for d in a["Dimensions"]] == [{"Fn::GetAtt": [queue_id, "QueueName"]}]
    # the function may send to that queue (and encrypt for it)
    statements = role_statements(template, role_of(template["Resources"][ids[fn.id]]))
    assert any("sqs:SendMessage" in as_list(s["Action"]) and queue_id in referenced_ids(s["Resource"]) for s in statements)


def web_acls(template: Template) -> dict[str, dict]:
    return {v["Properties"]["Scope"]: v for v in of_type(template, "AWS::WAFv2::WebACL").values()}


def test_waf_on_the_api_stage_with_managed_rules_rate_limit_and_origin_check(template):
    acl = web_acls(template)["REGIONAL"]
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    assert {"AWSManagedRulesCommonRuleSet", "RatePerClientIp", "OnlyThroughCloudFront"} <= set(rules)
    assert rules["RatePerClientIp"]["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rules["OnlyThroughCloudFront"]["Priority"] == 0 and "Block" in rules["OnlyThroughCloudFront"]["Action"]
    match = rules["OnlyThroughCloudFront"]["Statement"]["NotStatement"]["Statement"]["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": "x-origin-verify"}}
    # CloudFront sends exactly the value the WebACL expects (the same secret, by reference)
    (distribution,) = of_type(template, "AWS::CloudFront::Distribution").values()
    headers = [
        h for o in distribution["Properties"]["DistributionConfig"]["Origins"] for h in o.get("OriginCustomHeaders", [])
    ]
    (header,) = headers
    assert header["HeaderName"] == "x-origin-verify"
    assert header["HeaderValue"] == match["SearchString"]
    (secret,) = [k for k, v in of_type(template, "AWS::SecretsManager::Secret").items() if v["Properties"].get("Name", "").endswith("-origin-verify")]
    assert referenced_ids(header["HeaderValue"]) == {secret}
    (association,) = of_type(template, "AWS::WAFv2::WebACLAssociation").values()
    assert referenced_ids(association["Properties"]["WebACLArn"]) == {k for k, v in of_type(template, "AWS::WAFv2::WebACL").items() if v is acl}
    assert {"RestAPI", "RestAPI.Stage"} <= referenced_ids(association["Properties"]["ResourceArn"])


def test_waf_on_cloudfront_is_created_only_in_us_east_1(template):
    """A CLOUDFRONT WebACL exists only in us-east-1: created under that condition, attached through it."""
    acl_id, acl = next((k, v) for k, v in of_type(template, "AWS::WAFv2::WebACL").items() if v["Properties"]["Scope"] == "CLOUDFRONT")
    condition = acl["Condition"]
    assert template["Conditions"][condition] == {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
    assert {"AWSManagedRulesCommonRuleSet", "RatePerClientIp"} <= {r["Name"] for r in acl["Properties"]["Rules"]}
    (distribution,) = of_type(template, "AWS::CloudFront::Distribution").values()
    assert distribution["Properties"]["DistributionConfig"]["WebACLId"] == {
        "Fn::If": [condition, {"Fn::GetAtt": [acl_id, "Arn"]}, {"Ref": "AWS::NoValue"}]
    }


def test_api_stage_is_throttled_and_access_logged_without_bodies(template):
    p = template["Resources"]["RestAPI"]["Properties"]
    (settings,) = p["MethodSettings"]
    assert settings["ResourcePath"] == "/*" and settings["HttpMethod"] == "*"
    assert 0 < settings["ThrottlingRateLimit"] <= settings["ThrottlingBurstLimit"]
    fields = json.loads(p["AccessLogSetting"]["Format"])
    assert not any("body" in v.lower() or "header" in v.lower() for v in fields.values())
    assert "DataTraceEnabled" not in settings  # execution logs would hold request bodies (personal data)

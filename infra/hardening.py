"""The cdk-nag (``AwsSolutionsChecks``) findings this stack accepts, each with its reason.

Everything else the pack reports is fixed in ``infra/stack.py``; ``tests/integration/test_cdk_nag.py``
fails on any finding not listed here. A suppression names the rule and, for IAM5, exactly which
wildcard it accepts (``applies_to``), so a new wildcard in a policy is a new finding.
"""

from __future__ import annotations

import jsii
from aws_cdk import AspectPriority, Aspects, IAspect, Stack
from aws_cdk import aws_iam as iam
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import IConstruct

# IAM5 wildcards that CDK's grants produce, scoped to one table, bucket or key (the resources are
# listed by the least-privilege test in tests/integration/test_infra_template.py).
_TABLE_INDEXES = {"regex": "/^Resource::<[A-Za-z]+Table[0-9A-F]+\\.Arn>\\/index\\/\\*$/g"}
_BUCKET_OBJECTS = {"regex": "/^Resource::arn:<AWS::Partition>:s3:::[a-z0-9-]+\\/\\*$/g"}
_BUCKET_ACTIONS = ["Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*"]
_KEY_ACTIONS = ["Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"]

ROLE_FINDINGS: tuple[tuple[str, list, str], ...] = (
    (
        "AwsSolutions-IAM5",
        [_TABLE_INDEXES],
        "Queries go through the table's global secondary indexes (infra/resources.py lists them); "
        "the grant is on the indexes of one table the unit is granted, not on other tables.",
    ),
    (
        "AwsSolutions-IAM5",
        [_BUCKET_OBJECTS, *_BUCKET_ACTIONS],
        "Objects are per case (uploads/<case id>/..., certificates/<case id>/...), so the grant is on "
        "one bucket's objects; the action wildcards are CDK's grant_read/grant_read_write families "
        "(GetObjectVersion, DeleteObjectVersion ...) on that bucket only.",
    ),
    (
        "AwsSolutions-IAM5",
        _KEY_ACTIONS,
        "CDK's grant on the one data key (tables, buckets, topics are encrypted with it): S3, DynamoDB "
        "and SNS call the GenerateDataKey/ReEncrypt variants on the caller's behalf; resource = that key.",
    ),
    (
        "AwsSolutions-IAM5",
        ["Resource::*"],
        "Only actions IAM cannot scope: xray:PutTraceSegments/PutTelemetryRecords (no resource type), "
        "sns:Publish to phone numbers (SMS; a number is not an ARN), states:SendTask* (task tokens). "
        "tests/integration/test_infra_template.py fails if any other action gets Resource '*'.",
    ),
)

# (rule, construct ids ending with, reason): each suppression is on those constructs only.
CONSTRUCT_FINDINGS: tuple[tuple[str, str, str], ...] = (
    (
        "AwsSolutions-L1",
        "Function",
        "python3.11 is deliberate: the bundles hold manylinux2014 x86_64 wheels built for 3.11 "
        "(infra/package.py, chalice package); moving to a newer runtime is a tested change of its own.",
    ),
    (
        "AwsSolutions-S1",
        "Bucket",
        "No server-access-log bucket: object access to the personal-data buckets is audited with "
        "CloudTrail data events (docs/operations.md, Retention); a log bucket would itself hold "
        "requester IPs and case ids with no retention owner.",
    ),
    (
        "AwsSolutions-SQS3",
        "OnFailureQueue",
        "The queue is itself the on-failure destination of CheckUpload (Lambda async invoke); a "
        "dead-letter queue behind it would only move the same messages again. Its depth is alarmed.",
    ),
    (
        "AwsSolutions-SMG4",
        "OriginVerifySecret",
        "The origin-verify header value cannot rotate by a Lambda alone: CloudFront and the WebACL "
        "must change together. Rotated by the documented procedure (docs/operations.md, Secrets).",
    ),
    (
        "AwsSolutions-SMG4",
        "TokenKeySecret",
        "The token key also keys the stored hashes of query codes and phone numbers: a scheduled "
        "rotation would make every stored case unfindable. It is rotated by the documented "
        "re-keying procedure (docs/operations.md, Secrets), never by a rotation Lambda.",
    ),
    (
        "AwsSolutions-SMG4",
        "SmsGatewayCredentialsSecret",
        "The SMS gateway's app secret is issued by the gateway's operator; a rotation Lambda cannot "
        "obtain a new one. The operator replaces it when the gateway issues a new secret "
        "(docs/operations.md, Secrets).",
    ),
    (
        "AwsSolutions-SMG4",
        "SharingCredentialsSecret",
        "The secrets 渝快办 and PIS share with us are issued by those systems' operators; a rotation "
        "Lambda cannot obtain new ones. The operator replaces them when a system issues a new secret "
        "(docs/operations.md, SMS gateway and deliveries).",
    ),
    (
        "AwsSolutions-CFR1",
        "Distribution",
        "No geo restriction: applicants and their families may be abroad when they register or "
        "verify a certificate; the WebACL's rate and managed rules apply to every country.",
    ),
    (
        "AwsSolutions-CFR3",
        "Distribution",
        "API requests are logged by the API Gateway access log and WAF; the distribution otherwise "
        "serves the same static files to everyone. Standard logs would need an ACL-enabled bucket.",
    ),
    (
        "AwsSolutions-CFR4",
        "Distribution",
        "With the default *.cloudfront.net certificate CloudFront cannot enforce TLS 1.2 for viewers; "
        "the custom domain's certificate (docs/operations.md, Custom domain) sets TLSv1.2_2021.",
    ),
    (
        "AwsSolutions-SF1",
        "RegistrationStateMachine",
        "The Express workflow of the automated steps (issue 18) logs errors only, without execution "
        "data: each case's steps are recorded on the case, its history and the audit log; every "
        "failure reaches RecordFailure (logged, alerted) and ExecutionsFailed/TimedOut are alarmed. "
        "The Standard workflow where cases wait logs ALL.",
    ),
    (
        "AwsSolutions-IAM4",
        "ApiGatewayLogsRole",
        "ApiGatewayLogsRole: AmazonAPIGatewayPushToCloudWatchLogs is the policy API Gateway documents "
        "for its account-wide logging role; it is the only managed policy in the stack.",
    ),
)


def _role_suppressions() -> list[NagPackSuppression]:
    return [NagPackSuppression(id=rule, reason=reason, applies_to=applies) for rule, applies, reason in ROLE_FINDINGS]


@jsii.implements(IAspect)
class _OverflowPolicies:
    """CDK moves statements past IAM's inline size into ``<role>/OverflowPolicyN`` during synthesis,
    after ``suppress_findings`` ran: give those policies their role's suppressions (the same
    ``applies_to`` lists, so a new kind of wildcard is still a finding)."""

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, iam.ManagedPolicy) and node.node.id.startswith("OverflowPolicy"):
            NagSuppressions.add_resource_suppressions(node, _role_suppressions(), apply_to_children=True)


def suppress_findings(stack: Stack) -> None:
    roles = [c for c in stack.node.children if c.node.id.endswith("Role") and c.node.id != "ApiGatewayLogsRole"]
    for role in roles:
        NagSuppressions.add_resource_suppressions(role, _role_suppressions(), apply_to_children=True)
    Aspects.of(stack).add(_OverflowPolicies(), priority=AspectPriority.MUTATING)
    for rule, suffix, reason in CONSTRUCT_FINDINGS:
        targets = [c for c in stack.node.children if c.node.id.endswith(suffix)]
        if not targets:
            raise ValueError(f"{rule}: no construct id ends with {suffix!r}; drop or fix the suppression")
        for target in targets:
            NagSuppressions.add_resource_suppressions(target, [NagPackSuppression(id=rule, reason=reason)], apply_to_children=True)

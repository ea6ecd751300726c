"""The rules of the WAF WebACLs, as CloudFormation / WAF API JSON (issue 11 item 6).

``BirthRegStack`` sets them on its WebACLs (the API stage's REGIONAL one, and CloudFront's when
the stack is in us-east-1). For a stack in another region the CLOUDFRONT WebACL is created once
in us-east-1 with the same rules (docs/operations.md, section 5)::

    .venv/bin/python -m infra.waf prod > edge-rules.json
    aws wafv2 create-web-acl --region us-east-1 --scope CLOUDFRONT --rules file://edge-rules.json ...

Pure Python: no aws_cdk.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from infra.resources import PROJECT

# Requests per client IP in any 5 minutes before the rate rule blocks it (on the API and CloudFront).
RATE_LIMIT_PER_5_MIN = 1000
# The header CloudFront adds to every request it forwards to the API; the API's WebACL blocks
# requests without it, so the execute-api URL is not a way around CloudFront's WAF.
ORIGIN_VERIFY_HEADER = "x-origin-verify"
# (AWS managed rule group, its rules that only count). The app limits bodies to 256 KB itself and
# answers with its own error; the common rule set's 8 KB body limit would block long forms with a
# bare 403.
MANAGED_RULE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AWSManagedRulesCommonRuleSet", ("SizeRestrictions_BODY",)),
    ("AWSManagedRulesKnownBadInputsRuleSet", ()),
)


def visibility(stage: str, metric: str) -> dict[str, Any]:
    return {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": f"{PROJECT}-{stage}-{metric}"}


def rules(stage: str, acl: str, *, origin_verify_value: Any = None) -> list[dict[str, Any]]:
    """The rules of WebACL ``acl`` ("api", "website" ...). With ``origin_verify_value`` the first
    rule blocks every request whose ``x-origin-verify`` header is not exactly that value."""
    out: list[dict[str, Any]] = []
    if origin_verify_value is not None:
        header = {
            "ByteMatchStatement": {
                "FieldToMatch": {"SingleHeader": {"Name": ORIGIN_VERIFY_HEADER}},
                "PositionalConstraint": "EXACTLY",
                "SearchString": origin_verify_value,
                "TextTransformations": [{"Priority": 0, "Type": "NONE"}],
            }
        }
        out.append(
            {
                "Name": "OnlyThroughCloudFront",
                "Priority": 0,
                "Action": {"Block": {}},
                "Statement": {"NotStatement": {"Statement": header}},
                "VisibilityConfig": visibility(stage, f"{acl}-origin-verify"),
            }
        )
    for group, counted in MANAGED_RULE_GROUPS:
        statement: dict[str, Any] = {"VendorName": "AWS", "Name": group}
        if counted:
            statement["RuleActionOverrides"] = [{"Name": r, "ActionToUse": {"Count": {}}} for r in counted]
        out.append(
            {
                "Name": group,
                "Priority": len(out) + 1,
                "OverrideAction": {"None": {}},
                "Statement": {"ManagedRuleGroupStatement": statement},
                "VisibilityConfig": visibility(stage, f"{acl}-{group}"),
            }
        )
    out.append(
        {
            "Name": "RatePerClientIp",
            "Priority": len(out) + 1,
            "Action": {"Block": {}},
            "Statement": {"RateBasedStatement": {"Limit": RATE_LIMIT_PER_5_MIN, "AggregateKeyType": "IP"}},
            "VisibilityConfig": visibility(stage, f"{acl}-rate"),
        }
    )
    return out


def main() -> None:
    stage = sys.argv[1] if len(sys.argv) > 1 else "dev"
    print(json.dumps(rules(stage, "website"), indent=2))


if __name__ == "__main__":
    main()

"""cdk-nag's AwsSolutions pack reports nothing the stack does not accept with a written reason.

The session's synth (tests/conftest.py) applies ``AwsSolutionsChecks`` exactly as infra/app.py
does; every finding not suppressed in infra/hardening.py is an error or warning annotation in the
cloud assembly, and every suppression appears in the template's ``cdk_nag`` metadata.
"""

from __future__ import annotations

import csv
import json

import pytest

pytestmark = pytest.mark.slow  # shares the session's CDK synth


def _nag_messages(synthesised) -> list[str]:
    path, _ = synthesised
    manifest = json.loads(path.with_name("manifest.json").read_text())
    out = []
    for artifact in manifest["artifacts"].values():
        for construct_path, entries in (artifact.get("metadata") or {}).items():
            for e in entries:
                data = str(e.get("data", ""))
                if e["type"] in ("aws:cdk:error", "aws:cdk:warning") and data.startswith("AwsSolutions-"):
                    out.append(f"{construct_path} {data[:160]}")
    return out


def test_no_unsuppressed_findings(synthesised):
    findings = _nag_messages(synthesised)
    assert not findings, f"{len(findings)} cdk-nag findings:\n" + "\n".join(findings)


def test_the_pack_ran_and_every_suppression_has_a_reason(synthesised):
    path, template = synthesised
    (report,) = path.parent.glob("AwsSolutions-*NagReport.csv")
    rows = list(csv.DictReader(report.open()))
    assert len(rows) > 50, "the AwsSolutions pack checked the stack"
    assert not [r for r in rows if r["Compliance"] == "Non-Compliant"]
    suppressed = [r for r in rows if r["Compliance"] == "Suppressed"]
    assert suppressed and all(len(r["Exception Reason"]) > 40 for r in suppressed)
    rules = [
        rule
        for res in template["Resources"].values()
        for rule in res.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert rules and all(len(r["reason"]) > 40 for r in rules)

"""CDK app entry point: ``python -m infra.app`` writes ``cdk.out/BirthRegStack.template.json``.

No cdk CLI is needed to synthesise (jsii drives node directly); ``cdk.json`` points the CLI
at this module for those who deploy with ``cdk deploy``.

Stage: ``-c stage=prod`` (cdk CLI) or ``STAGE=prod`` (environment), default "dev".
Browser-upload CORS origins: ``-c web_origins=https://a,https://b`` or ``WEB_ORIGINS``, default "*".
"""

from __future__ import annotations

import os
import shutil
import sys

from aws_cdk import App

from infra import package
from infra.resources import API_GRANTS, FUNCTIONS, PROJECT, ROOT, STATE_MACHINES
from infra.stack import GRANT_SUMMARY, BirthRegStack, resource_kind


def grants_table() -> str:
    """Markdown table of every compute unit's permissions, from infra/resources.py."""
    rows = ["| unit | resource | access | IAM |", "| --- | --- | --- | --- |"]
    units = [(f"{f.id} (`{f.handler}`)", f.grants) for f in FUNCTIONS] + [("HTTP API (Chalice `app.py`)", API_GRANTS)]
    for unit, grants in units:
        for g in grants:
            kind = resource_kind(g.resource)
            rows.append(f"| {unit} | {g.resource} ({kind}) | {g.access} | {GRANT_SUMMARY[(kind, g.access)]} |")
    for m in STATE_MACHINES:
        invoked = ", ".join(sorted(set(m.functions.values())))
        rows.append(
            f"| {m.id} state machine | {invoked} | invoke | lambda:InvokeFunction on exactly these function ARNs |"
        )
    rows.append(
        "| every task function, the API | its own log group `/aws/lambda/<name>` | logs "
        "| logs:CreateLogStream, logs:PutLogEvents on that group only |"
    )
    return "\n".join(rows)


def main() -> None:
    if "--grants" in sys.argv[1:]:
        print(grants_table())
        return
    # The cdk CLI sets CDK_OUTDIR (and manages it); on its own the app writes a fresh
    # <repo>/cdk.out, so assets of earlier synths do not pile up there.
    outdir = None
    if not os.environ.get("CDK_OUTDIR"):
        outdir = ROOT / "cdk.out"
        shutil.rmtree(outdir, ignore_errors=True)
    app = App(outdir=str(outdir) if outdir else None)
    stage = app.node.try_get_context("stage") or os.environ.get("STAGE") or "dev"
    # CORS origins of the browser-upload bucket(s), e.g. "https://birthreg.example.gov.cn"
    origins = app.node.try_get_context("web_origins") or os.environ.get("WEB_ORIGINS") or "*"
    # The task functions' bundles the template references, built (or found current) first: the
    # one command that synthesises also builds what is deployed (cdk deploy runs this module).
    package.ensure_built(log=lambda m: print(m, file=sys.stderr))
    BirthRegStack(
        app,
        "BirthRegStack",
        stage=stage,
        bundles=True,
        web_origins=[o.strip() for o in origins.split(",") if o.strip()],
        # One CloudFormation stack per stage; the construct id (and template file name)
        # stays "BirthRegStack".
        stack_name=f"{PROJECT}-{stage}",
        description=f"Birth-service registration platform ({stage})",
    )
    assembly = app.synth()
    # The cdk CLI prints these; on our own we do (e.g. "bundle missing / stale").
    for artifact in assembly.stacks:
        for message in artifact.messages:
            print(f"[{message.level.name.lower()}] {message.id}: {message.entry.data}", file=sys.stderr)
        print(f"synthesised {artifact.stack_name} into {artifact.template_full_path}", file=sys.stderr)


if __name__ == "__main__":
    main()

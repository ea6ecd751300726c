"""CDK app entry point: ``python -m infra.app`` writes ``cdk.out/BirthRegStack.template.json``.

No cdk CLI is needed to synthesise (jsii drives node directly); ``cdk.json`` points the CLI
at this module for those who deploy with ``cdk deploy``.

Stage: ``-c stage=prod`` (cdk CLI) or ``STAGE=prod`` (environment), default "dev".
Site: ``-c domain=birthreg.example.gov.cn`` or ``SITE_DOMAIN``, and ``-c certificate_arn=arn:aws:acm:us-east-1:…``
or ``CERTIFICATE_ARN`` (CloudFront's alias): required, the synth fails naming the missing one.
Settings of infra/settings.py: ``-c NAME=value`` (the same ``-c``/``--context`` arguments work with
``python -m infra.app``); the required ones (``SMS_GATEWAY_URL``, ``SMS_GATEWAY_APP_KEY``, ``SHARING_*``) also from
the environment.
Browser-upload CORS origins: ``-c web_origins=https://a,https://b`` or ``WEB_ORIGINS``, default
``https://<domain>``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys

from aws_cdk import App, Aspects
from cdk_nag import AwsSolutionsChecks

from infra import package
from infra.resources import API_GRANTS, FUNCTIONS, PROJECT, ROOT, STATE_MACHINES
from infra.settings import SETTINGS, MissingSetting, settings_table
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


def context_arguments(argv: list[str]) -> dict[str, str]:
    """``-c NAME=value`` / ``--context NAME=value`` given to ``python -m infra.app`` (the cdk CLI
    passes its own through CDK_CONTEXT_JSON)."""
    out: dict[str, str] = {}
    for flag, value in itertools.pairwise(argv):
        if flag in ("-c", "--context") and "=" in value:
            key, _, val = value.partition("=")
            out[key] = val
    return out


def main() -> None:
    if "--grants" in sys.argv[1:]:
        print(grants_table())
        return
    if "--settings" in sys.argv[1:]:
        print(settings_table())
        return
    # The cdk CLI sets CDK_OUTDIR (and manages it); on its own the app writes a fresh
    # <repo>/cdk.out, so assets of earlier synths do not pile up there.
    outdir = None
    if not os.environ.get("CDK_OUTDIR"):
        outdir = ROOT / "cdk.out"
        shutil.rmtree(outdir, ignore_errors=True)
    app = App(outdir=str(outdir) if outdir else None, context=context_arguments(sys.argv[1:]))
    stage = app.node.try_get_context("stage") or os.environ.get("STAGE") or "dev"
    domain = app.node.try_get_context("domain") or os.environ.get("SITE_DOMAIN")
    certificate_arn = app.node.try_get_context("certificate_arn") or os.environ.get("CERTIFICATE_ARN")
    # CORS origins of the browser-upload bucket(s): the site itself
    origins = app.node.try_get_context("web_origins") or os.environ.get("WEB_ORIGINS") or (f"https://{domain}" if domain else "*")
    # Setting values from the context (-c); the required ones (deployment-specific, no default) also
    # from the environment, so `SMS_GATEWAY_URL=… make synth` works. Tunables never come from the
    # shell: a developer's WORKFLOW_TIME_SCALE must not reach a deployment.
    settings = {s.name: str(v) for s in SETTINGS if (v := app.node.try_get_context(s.name)) is not None}
    settings |= {s.name: os.environ[s.name] for s in SETTINGS if s.required and s.name not in settings and os.environ.get(s.name)}
    # The task functions' bundles the template references, built (or found current) first: the
    # one command that synthesises also builds what is deployed (cdk deploy runs this module).
    package.ensure_built(log=lambda m: print(m, file=sys.stderr))
    try:
        stack_for(app, stage, domain, certificate_arn, origins, settings)
    except MissingSetting as exc:
        sys.exit(f"synth refused: {exc}")
    # cdk-nag: every AwsSolutions finding is an error or warning on the stack unless
    # infra/hardening.py accepts it with a reason (tests/integration/test_cdk_nag.py).
    Aspects.of(app).add(AwsSolutionsChecks())
    assembly = app.synth()
    # The cdk CLI prints these; on our own we do (e.g. "bundle missing / stale").
    for artifact in assembly.stacks:
        for message in artifact.messages:
            print(f"[{message.level.name.lower()}] {message.id}: {message.entry.data}", file=sys.stderr)
        print(f"synthesised {artifact.stack_name} into {artifact.template_full_path}", file=sys.stderr)


def stack_for(app: App, stage: str, domain: str | None, certificate_arn: str | None, origins: str, settings: dict[str, str]) -> BirthRegStack:
    return BirthRegStack(
        app,
        "BirthRegStack",
        stage=stage,
        bundles=True,
        domain=domain,
        certificate_arn=certificate_arn,
        settings=settings,
        web_origins=[o.strip() for o in origins.split(",") if o.strip()],
        # One CloudFormation stack per stage; the construct id (and template file name)
        # stays "BirthRegStack".
        stack_name=f"{PROJECT}-{stage}",
        description=f"Birth-service registration platform ({stage})",
    )


if __name__ == "__main__":
    main()

"""Fixtures shared by more than one test level."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

SYNTH_STAGE = "ci"  # not "dev": proves the stage reaches every physical name
# What an operator must give a non-local synth (infra/settings.py, infra/README.md).
SYNTH_DOMAIN = "birthreg.example.gov.cn"
SYNTH_CERTIFICATE_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
SYNTH_SETTINGS = {
    "SMS_GATEWAY_URL": "https://sms.example.gov.cn/v1/sms/send",
    "SMS_GATEWAY_APP_KEY": "birthreg-ci",
    "SHARING_YUKUAIBAN_URL": "https://ykb.example.gov.cn/v1/registrations",
    "SHARING_YUKUAIBAN_APP_KEY": "birthreg-ci",
    "SHARING_PIS_URL": "https://pis.example.gov.cn/v1/registrations",
    "SHARING_PIS_APP_KEY": "birthreg-ci",
}


def _local_settings() -> None:
    """Unit tests run the code without a stack: give the process the local stage's declared
    settings (infra/settings.py), as the local stack gives them to each unit."""
    from infra.settings import ALL_UNITS, settings_of

    for unit in ALL_UNITS:
        for name, value in settings_of(unit, "local").items():
            os.environ.setdefault(name, value)


_local_settings()


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory) -> tuple[Path, dict[str, Any]]:
    """The CloudFormation template, synthesised once per session exactly as ``python -m infra.app`` does.

    Includes ``chalice package`` for the HTTP API, which pip-downloads Linux wheels of
    requirements.txt into .chalice/deployments on a cache miss.
    """
    from aws_cdk import App, Aspects  # imported here: starting jsii/node only when a test needs it
    from cdk_nag import AwsSolutionsChecks

    from infra.stack import BirthRegStack

    outdir = tmp_path_factory.mktemp("cdk.out")
    started = time.monotonic()
    app = App(outdir=str(outdir))
    BirthRegStack(
        app,
        "BirthRegStack",
        stage=SYNTH_STAGE,
        domain=SYNTH_DOMAIN,
        certificate_arn=SYNTH_CERTIFICATE_ARN,
        settings=SYNTH_SETTINGS,
    )
    Aspects.of(app).add(AwsSolutionsChecks())  # as infra/app.py; tests/integration/test_cdk_nag.py
    app.synth()
    print(f"\n[infra] synth (incl. chalice package) took {time.monotonic() - started:.1f} s")
    path = outdir / "BirthRegStack.template.json"
    return path, json.loads(path.read_text())


@pytest.fixture(scope="session")
def template(synthesised) -> dict[str, Any]:
    return synthesised[1]


@pytest.fixture(scope="session")
def stack():
    """The local stack of ``make run`` (moto server in process, the API on a free port), started
    once per pytest process and shared by tests/e2e and tests/browser (two would fight over the
    process environment)."""
    from local.stack import LocalStack, free_port

    # Every request of the suite comes from 127.0.0.1: the per-client-IP limits would stop the
    # suite, not an abuser. test_citizen_sms.py lowers them again to test them.
    # (Set, not defaulted: _local_settings() above already put the declared limits there.)
    os.environ["SMS_IP_LIMIT"] = "100000"
    os.environ["QUERY_IP_LIMIT"] = "100000"
    s = LocalStack(api_port=free_port()).start()
    s.environment = dict(os.environ)  # type: ignore[attr-defined]
    yield s
    s.stop()

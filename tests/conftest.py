"""Fixtures shared by more than one test level."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

SYNTH_STAGE = "ci"  # not "dev": proves the stage reaches every physical name


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory) -> tuple[Path, dict[str, Any]]:
    """The CloudFormation template, synthesised once per session exactly as ``python -m infra.app`` does.

    Includes ``chalice package`` for the HTTP API, which pip-downloads Linux wheels of
    requirements.txt into .chalice/deployments on a cache miss.
    """
    from aws_cdk import App  # imported here: starting jsii/node only when a test needs it

    from infra.stack import BirthRegStack

    outdir = tmp_path_factory.mktemp("cdk.out")
    started = time.monotonic()
    app = App(outdir=str(outdir))
    BirthRegStack(app, "BirthRegStack", stage=SYNTH_STAGE)
    app.synth()
    print(f"\n[infra] synth (incl. chalice package) took {time.monotonic() - started:.1f} s")
    path = outdir / "BirthRegStack.template.json"
    return path, json.loads(path.read_text())


@pytest.fixture(scope="session")
def template(synthesised) -> dict[str, Any]:
    return synthesised[1]

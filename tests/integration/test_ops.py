"""The operator's command (tools/ops.py) changes the operations parameters, and refuses what the
functions would refuse, writing nothing (moto's SSM)."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from infra import resources as R
from tools import ops


@pytest.fixture
def ssm(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("ssm")
        for p in R.PARAMETERS:  # as the stack creates them
            client.put_parameter(Name=p.name("prod"), Value=p.initial, Type="String")
        yield client


def value(ssm, parameter: R.Parameter) -> str:
    return ssm.get_parameter(Name=parameter.name("prod"))["Parameter"]["Value"]


def test_set_holidays_merges_one_year(ssm, tmp_path):
    f = tmp_path / "2027.json"
    f.write_text(json.dumps({"holidays": ["2027-01-01"], "workdays": ["2027-02-07"]}))
    assert ops.main(["set-holidays", "2027", str(f), "--stage", "prod"]) == 0
    f.write_text(json.dumps({"holidays": ["2028-01-03"]}))
    assert ops.main(["set-holidays", "2028", str(f), "--stage", "prod"]) == 0
    table = json.loads(value(ssm, R.HOLIDAYS))
    assert table == {"2027": {"holidays": ["2027-01-01"], "workdays": ["2027-02-07"]}, "2028": {"holidays": ["2028-01-03"], "workdays": []}}


@pytest.mark.parametrize(
    "entry",
    [{"holidays": ["2026-10-01"]}, {"holidays": ["2027-13-01"]}, {"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}, []],
)
def test_a_bad_year_is_refused_and_nothing_written(ssm, tmp_path, capsys, entry):
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(entry))
    assert ops.main(["set-holidays", "2027", str(f), "--stage", "prod"]) == 2
    assert "refused, nothing written" in capsys.readouterr().err
    assert value(ssm, R.HOLIDAYS) == "{}"


def test_set_window(ssm, capsys):
    assert ops.main(["set-window", "08:30-17:00", "--stage", "prod"]) == 0
    assert value(ssm, R.VERIFICATION_WINDOW) == "08:30-17:00"
    assert ops.main(["set-window", "17:00-08:30", "--stage", "prod"]) == 2
    assert value(ssm, R.VERIFICATION_WINDOW) == "08:30-17:00"

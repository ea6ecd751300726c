"""The local stack's Lambda wiring (local/lambdas.py)."""

from __future__ import annotations


def test_step_functions_reuses_one_lambda_client_per_server(monkeypatch):
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

    from local import lambdas

    lambdas.install()
    monkeypatch.setenv("MOTO_PORT", "1")
    first = lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda", state_credentials=object())
    again = lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda", state_credentials=object())
    assert first is again
    assert first.meta.endpoint_url == "http://localhost:1"
    monkeypatch.setenv("MOTO_PORT", "2")  # another stack: its own server
    other = lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda", state_credentials=None)
    assert other is not first and other.meta.endpoint_url == "http://localhost:2"

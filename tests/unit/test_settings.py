"""infra/settings.py: every setting declared once, read by the code, delivered per unit, fail closed.

Pure checks (no synth): the template side is tests/integration/test_infra_template.py, the local
stack side tests/e2e/test_local_stack_matches_template.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib import config
from chalicelib.domain import errors
from chalicelib.services.shared import tokens
from infra import resources as R
from infra import settings as S

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = [*ROOT.glob("chalicelib/**/*.py"), *ROOT.glob("functions/*.py"), ROOT / "app.py"]
# config's readers and the variable each call names (config.py reads resources by their env too)
READ = re.compile(
    r"\b(?:setting|int_setting|optional_setting|registry_endpoint|secret|secret_field|parameter|_resource)"
    r"\(\s*\"([A-Z][A-Z0-9_]+)\""
)
CONSTANT = re.compile(r"^([A-Z_]+_PARAMETER) = \"([A-Z_]+)\"", re.M)
SECRET_KEY = config.secret_key  # before tests/unit/conftest.py replaces it with a test key
FULL_CONTEXT = {
    "domain": "birthreg.example.gov.cn",
    "SMS_GATEWAY_URL": "https://sms.example/send",
    "SMS_GATEWAY_APP_KEY": "k",
    "SHARING_YUKUAIBAN_URL": "https://ykb.example/registrations",
    "SHARING_YUKUAIBAN_APP_KEY": "k",
    "SHARING_PIS_URL": "https://pis.example/registrations",
    "SHARING_PIS_APP_KEY": "k",
}


def variables_read_by_the_code() -> set[str]:
    found: set[str] = set()
    for path in RUNTIME:
        text = path.read_text(encoding="utf-8")
        found |= set(READ.findall(text))
        found |= {value for _, value in CONSTANT.findall(text)}  # names passed through a constant
    return found


def resource_variables() -> set[str]:
    envs = {r.env for r in R.by_id().values() if hasattr(r, "env")}
    return envs | {p.client_env for p in R.USER_POOLS}


def test_every_variable_the_code_reads_is_declared():
    read = variables_read_by_the_code()
    assert {"PUBLIC_BASE_URL", "SMS_SENDER", "BIRTHREG_SECRET_ARN", "HOLIDAYS_PARAMETER"} <= read  # the scan works
    undeclared = read - set(S.by_name()) - resource_variables()
    assert not undeclared, f"read by the code but declared nowhere: {sorted(undeclared)}"


def test_every_declared_setting_is_read_by_the_code():
    unused = set(S.by_name()) - variables_read_by_the_code() - {"BIRTHREG_STAGE"}
    assert not unused, f"declared but never read: {sorted(unused)}"
    assert "def stage()" in (ROOT / "chalicelib/config.py").read_text()  # BIRTHREG_STAGE's reader


def test_readme_shows_the_declared_settings():
    # the table exists once (here) and README.md shows it as `python -m infra.app --settings` prints it
    assert S.settings_table() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_declaration_names_known_units_once():
    S.check_units()
    assert len(S.by_name()) == len(S.SETTINGS)
    assert not set(S.by_name()) & resource_variables(), "a setting must not shadow a resource variable"


@pytest.mark.parametrize("unit", S.ALL_UNITS)
def test_each_unit_gets_exactly_its_declared_settings(unit):
    names = {r: f"<{r}>" for r in R.by_id()} | {f"{p.id}Client": f"<{p.id}Client>" for p in R.USER_POOLS}
    env = S.environment_of(unit, names, "prod", FULL_CONTEXT)
    declared = {s.name for s in S.declared_for(unit)}
    settings = set(env) - set(R.environment_for(S.grants_of(unit), names))
    assert settings <= declared
    assert env["BIRTHREG_STAGE"] == "prod"
    # no other unit's settings: the API's citizen limits stay in the API
    if unit != S.API:
        assert "SMS_DAILY_LIMIT" not in env and "CITIZEN_TOKEN_SECONDS" not in env


def test_local_values_never_reach_another_stage():
    for unit in S.ALL_UNITS:
        env = S.settings_of(unit, "prod", FULL_CONTEXT)
        assert "127.0.0.1" not in str(env)
        if "SMS_SENDER" in env:
            assert env["SMS_SENDER"] == "gateway"  # SNS cannot deliver to +86: only when set explicitly
        if "PUBLIC_BASE_URL" in env:
            assert env["PUBLIC_BASE_URL"] == "https://birthreg.example.gov.cn"


@pytest.mark.parametrize(
    ("context", "missing"),
    [
        ({}, "PUBLIC_BASE_URL"),
        ({"domain": "birthreg.example.gov.cn"}, "SMS_GATEWAY_URL"),
        ({"domain": "birthreg.example.gov.cn", "SMS_GATEWAY_URL": "https://sms.example/send"}, "SMS_GATEWAY_APP_KEY"),
        ({**FULL_CONTEXT, "SMS_GATEWAY_APP_KEY": ""}, "SMS_GATEWAY_APP_KEY"),
    ],
)
def test_a_non_local_stage_without_a_required_setting_fails_naming_it(context, missing):
    with pytest.raises(S.MissingSetting, match=missing) as raised:
        S.settings_of(S.API, "prod", context)
    assert raised.value.name == missing


@pytest.mark.parametrize("missing", ["SHARING_YUKUAIBAN_URL", "SHARING_YUKUAIBAN_APP_KEY", "SHARING_PIS_URL", "SHARING_PIS_APP_KEY"])
@pytest.mark.parametrize("unit", [R.NOTIFY.id, R.DISPATCH_OUTBOX.id])
def test_the_units_that_deliver_registrations_need_each_receiving_system(unit, missing):
    """002 五(一)8 (渝快办) and 001 四(三) (PIS): a deployment that cannot deliver does not synthesise."""
    with pytest.raises(S.MissingSetting, match=missing):
        S.settings_of(unit, "prod", {**FULL_CONTEXT, missing: ""})


def test_sns_chosen_explicitly_needs_no_gateway_settings():
    sharing = {k: v for k, v in FULL_CONTEXT.items() if k.startswith("SHARING_")}
    env = S.settings_of(R.NOTIFY.id, "prod", {"domain": "d.example", "SMS_SENDER": "sns", **sharing})
    assert env["SMS_SENDER"] == "sns" and not any(k.startswith("SMS_GATEWAY") for k in env)


def test_the_local_stage_needs_nothing():
    for unit in S.ALL_UNITS:
        S.settings_of(unit, "local")


# ---------------------------------------------------------------------------- config: fail closed
def test_outside_the_local_stage_a_missing_variable_is_an_error_naming_it(monkeypatch):
    monkeypatch.setenv("BIRTHREG_STAGE", "prod")
    monkeypatch.delenv("CASES_TABLE", raising=False)
    with pytest.raises(config.MissingSetting, match="CASES_TABLE"):
        config.cases_table()
    monkeypatch.delenv("PUBLIC_BASE_URL")
    with pytest.raises(config.MissingSetting, match="PUBLIC_BASE_URL"):
        config.public_base_url()
    monkeypatch.setenv("BIRTHREG_STAGE", "local")
    assert config.cases_table() == "birthreg-local-cases"  # the local stack's name, in stage local only


def test_no_stage_is_no_local_stage(monkeypatch):
    monkeypatch.delenv("BIRTHREG_STAGE")
    monkeypatch.delenv("CASES_TABLE", raising=False)
    with pytest.raises(config.MissingSetting, match="BIRTHREG_STAGE"):
        config.cases_table()


def test_the_key_comes_only_from_its_secret(monkeypatch):
    monkeypatch.setattr(config, "secret_key", SECRET_KEY)
    config.reset_clients()
    monkeypatch.delenv("BIRTHREG_SECRET_ARN", raising=False)
    monkeypatch.setenv("BIRTHREG_SECRET", "a-value-in-the-environment-is-not-a-key")
    for stage in ("prod", "local"):
        monkeypatch.setenv("BIRTHREG_STAGE", stage)
        with pytest.raises(config.MissingSetting, match="BIRTHREG_SECRET_ARN"):
            SECRET_KEY()
    monkeypatch.setenv("BIRTHREG_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:k")
    monkeypatch.setattr(config, "secret", lambda env: "short")
    with pytest.raises(RuntimeError, match="shorter than 32"):
        SECRET_KEY()
    config.reset_clients()


def test_no_fallback_secret_in_the_code():
    for path in [*RUNTIME, *ROOT.glob("infra/*.py")]:
        text = path.read_text(encoding="utf-8")
        assert "local-development-secret" not in text, path
        assert "127.0.0.1" not in text, path


# ---------------------------------------------------------------------------- tokens and the key
def test_a_token_signed_with_any_other_key_is_refused(monkeypatch):
    monkeypatch.setattr(config, "secret_key", lambda: b"the-deployed-key-" + b"1" * 32)
    good = tokens.issue("13800001111", "submit")
    assert tokens.verify(good, "submit") == "13800001111"
    for other in (b"local-development-secret", b"the-deployed-key-" + b"2" * 32, b""):
        monkeypatch.setattr(config, "secret_key", lambda other=other: other)
        forged = tokens.issue("13800001111", "submit")
        monkeypatch.setattr(config, "secret_key", lambda: b"the-deployed-key-" + b"1" * 32)
        with pytest.raises(errors.Unauthorized) as refused:
            tokens.verify(forged, "submit")
        assert refused.value.code == "INVALID_TOKEN"


def test_profile_overrides_reach_every_unit_and_a_refused_value_stops_the_synth():
    text = '{"sichuan": {"proof_deadline_days": 7}}'
    for unit in S.ALL_UNITS:
        assert S.settings_of(unit, "local", {"PROFILE_OVERRIDES": text})["PROFILE_OVERRIDES"] == text
    assert "PROFILE_OVERRIDES" not in S.settings_of(S.API, "local")  # no value: the code's profiles
    with pytest.raises(S.InvalidSetting, match=r"PROFILE_OVERRIDES.*beijing"):
        S.settings_of(S.API, "local", {"PROFILE_OVERRIDES": '{"beijing": {"proof_deadline_days": 7}}'})
    with pytest.raises(S.InvalidSetting, match="not JSON"):
        S.settings_of(R.NOTIFY.id, "local", {"PROFILE_OVERRIDES": "proof_deadline_days=7"})


def test_a_task_and_an_api_request_run_with_their_units_overrides():
    """functions/_runtime.observed and the API middleware put PROFILE_OVERRIDES in force per invocation."""
    import contextvars

    from chalicelib.domain.profiles import get_profile
    from functions._runtime import observed

    @observed
    def handler(event, context):
        return get_profile("sichuan").proof_deadline_days

    class Context:
        function_name, memory_limit_in_mb, invoked_function_arn, aws_request_id = "f", 256, "arn:aws:lambda:us-east-1:1:function:f", "r"

    def invoke(text: str) -> int:
        with config.unit_environment({"PROFILE_OVERRIDES": text}, frozenset()):
            return handler({"case_id": "C1"}, Context())

    assert contextvars.copy_context().run(invoke, '{"sichuan": {"proof_deadline_days": 11}}') == 11
    assert contextvars.copy_context().run(invoke, "") == 5

    from chalice.test import Client

    import app as api_app

    def request() -> dict:
        with config.unit_environment({"PROFILE_OVERRIDES": '{"sichuan": {"escalation_levels": 1}}'}, frozenset()), Client(api_app.app) as client:
            return client.http.get("/v1/profiles").json_body

    body = contextvars.copy_context().run(request)  # the override stays in that context, not this test's
    assert get_profile("sichuan").escalation_levels == 2
    [sichuan] = [p for p in body["profiles"] if p["code"] == "sichuan"]
    assert sichuan["process"]["escalation_levels"] == 1

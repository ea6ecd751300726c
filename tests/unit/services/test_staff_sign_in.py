"""Staff sign-in against the answers of real Cognito that moto never gives (the e2e tests,
tests/e2e/test_staff_mfa.py, run the moto path): MFA_SETUP straight from InitiateAuth for a
confirmed account without MFA, EnableSoftwareTokenMFAException for a wrong first code,
ExpiredCodeException for a reused code, NotAuthorizedException for an expired session."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib.domain import errors
from chalicelib.services.staff import accounts as staff

SESSION = "s" * 40
NEXT_SESSION = "n" * 40
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def cognito(monkeypatch):
    """Cognito's answers, in order (botocore's Stubber: the request parameters are checked too)."""
    client = boto3.client("cognito-idp", region_name="cn-north-1", aws_access_key_id="x", aws_secret_access_key="x")
    audited: list[tuple[str, str, str]] = []
    monkeypatch.setattr(staff, "_idp", lambda: client)
    monkeypatch.setattr(staff.config, "staff_user_pool_client_id", lambda: "web-client")
    monkeypatch.setattr(staff.audit, "append", lambda subject, *, actor, action, **_: audited.append((subject, actor, action)))
    with Stubber(client) as stub:
        stub.audited = audited
        yield stub
        stub.assert_no_pending_responses()


def test_an_account_without_mfa_is_asked_to_set_it_up_at_sign_in(cognito):
    cognito.add_response(
        "initiate_auth",
        {"ChallengeName": "MFA_SETUP", "Session": SESSION, "ChallengeParameters": {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}},
        {"ClientId": "web-client", "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {"USERNAME": "sc-admin", "PASSWORD": "pw"}},
    )
    cognito.add_response("associate_software_token", {"SecretCode": SECRET, "Session": NEXT_SESSION}, {"Session": SESSION})
    answer = staff.login({"username": "sc-admin", "password": "pw"})
    assert answer == {
        "challenge": "MFA_SETUP",
        "session": NEXT_SESSION,  # the session AssociateSoftwareToken answers is the one to verify with
        "username": "sc-admin",
        "secret_code": SECRET,
        "otpauth_uri": f"otpauth://totp/%E7%94%9F%E8%82%B2%E7%99%BB%E8%AE%B0:sc-admin?secret={SECRET}&issuer=%E7%94%9F%E8%82%B2%E7%99%BB%E8%AE%B0",
    }
    assert cognito.audited == []  # not signed in yet


def test_the_new_password_is_audited_before_the_second_factor(cognito):
    cognito.add_response("respond_to_auth_challenge", {"ChallengeName": "MFA_SETUP", "Session": SESSION})
    cognito.add_response("associate_software_token", {"SecretCode": SECRET, "Session": NEXT_SESSION})
    answer = staff.complete_new_password({"username": "new-op", "session": SESSION, "new_password": "Chosen-Passw0rd!"})
    assert answer["challenge"] == "MFA_SETUP" and "id_token" not in answer
    assert cognito.audited == [("STAFF#new-op", "new-op", "staff.password_set")]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("EnableSoftwareTokenMFAException", "MFA_CODE_MISMATCH"),  # Cognito's answer to a wrong first code
        ("CodeMismatchException", "MFA_CODE_MISMATCH"),
        ("ExpiredCodeException", "MFA_CODE_MISMATCH"),
        ("NotAuthorizedException", "LOGIN_SESSION_EXPIRED"),
        ("ResourceNotFoundException", "LOGIN_SESSION_EXPIRED"),  # moto's answer to an unknown session
    ],
)
def test_a_failed_setup_is_401_with_a_stable_code(cognito, error, code):
    cognito.add_client_error("verify_software_token", service_error_code=error, http_status_code=400)
    with pytest.raises(errors.Unauthorized) as raised:
        staff.mfa_setup({"username": "new-op", "session": SESSION, "code": "123456"})
    assert raised.value.code == code and raised.value.status == 401


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("CodeMismatchException", "MFA_CODE_MISMATCH"),
        ("ExpiredCodeException", "MFA_CODE_MISMATCH"),  # Cognito: this code was already used once
        ("NotAuthorizedException", "LOGIN_SESSION_EXPIRED"),
    ],
)
def test_a_failed_code_is_401_with_a_stable_code(cognito, error, code):
    cognito.add_client_error("respond_to_auth_challenge", service_error_code=error, http_status_code=400)
    with pytest.raises(errors.Unauthorized) as raised:
        staff.mfa({"username": "sc-admin", "session": SESSION, "code": "123456"})
    assert raised.value.code == code
    assert cognito.audited == []


def test_a_challenge_this_page_cannot_answer_is_refused(cognito):
    cognito.add_response("initiate_auth", {"ChallengeName": "SELECT_MFA_TYPE", "Session": SESSION})
    with pytest.raises(errors.Unauthorized) as raised:
        staff.login({"username": "sc-admin", "password": "pw"})
    assert raised.value.code == "UNSUPPORTED_CHALLENGE"


def test_a_verification_that_does_not_succeed_is_a_mismatch(cognito):
    cognito.add_response("verify_software_token", {"Status": "ERROR"}, {"Session": SESSION, "UserCode": "123456", "FriendlyDeviceName": "staff-console"})
    with pytest.raises(errors.Unauthorized) as raised:
        staff.mfa_setup({"username": "new-op", "session": SESSION, "code": "123456"})
    assert raised.value.code == "MFA_CODE_MISMATCH"

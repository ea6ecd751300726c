"""Typed domain errors: stable code + HTTP status + Chinese message, one JSON shape."""

import pytest

from chalicelib.domain import errors
from chalicelib.domain.errors import FieldError


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (errors.ValidationFailed, 400, "VALIDATION_FAILED"),
        (errors.Unauthorized, 401, "UNAUTHORIZED"),
        (errors.Forbidden, 403, "FORBIDDEN"),
        (errors.NotFound, 404, "NOT_FOUND"),
        (errors.Conflict, 409, "CONFLICT"),
        (errors.DuplicateRegistration, 409, "DUPLICATE_REGISTRATION"),
        (errors.ModificationExhausted, 409, "MODIFICATION_EXHAUSTED"),
        (errors.TooManyRequests, 429, "TOO_MANY_REQUESTS"),
    ],
)
def test_status_and_code(cls, status, code):
    e = cls()
    assert isinstance(e, errors.DomainError)
    assert (e.status, e.code) == (status, code)
    assert code.isupper()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in e.message)  # Chinese default message


def test_to_dict_shape():
    e = errors.ValidationFailed(details=[FieldError("children.1.birth_date", "FUTURE_DATE", "不能晚于今天")])
    assert e.to_dict() == {
        "error": {
            "code": "VALIDATION_FAILED",
            "message": errors.ValidationFailed.default_message,
            "details": [{"path": "children.1.birth_date", "code": "FUTURE_DATE", "message": "不能晚于今天"}],
        }
    }


def test_specific_code_per_instance():
    e = errors.Conflict("该记录已被他人处理", code="STALE_VERSION")
    assert e.to_dict()["error"]["code"] == "STALE_VERSION"
    assert errors.Conflict().code == "CONFLICT"  # class attribute untouched


def test_too_many_requests_retry_after():
    e = errors.TooManyRequests(retry_after=30)
    assert e.retry_after == 30
    assert e.headers() == {"Retry-After": "30"}
    assert set(e.to_dict()["error"]) == {"code", "message", "details"}
    with pytest.raises(ValueError):
        errors.TooManyRequests(retry_after=-1)


def test_onsite_is_not_an_error():
    assert not hasattr(errors, "OnsiteRequired")


@pytest.mark.parametrize(
    ("cls", "status", "code"),
    [
        (errors.TokenRequired, 401, "TOKEN_REQUIRED"),
        (errors.RoleNotAllowed, 403, "ROLE_NOT_ALLOWED"),
        (errors.OutsideJurisdiction, 403, "OUTSIDE_JURISDICTION"),
    ],
)
def test_errors_several_use_cases_raise_keep_their_codes(cls, status, code):
    # raised by more than one module (routes, services, auth): one class, the same code everywhere
    e = cls("只能查看本辖区的任务")
    assert (e.status, e.to_dict()["error"]["code"], e.to_dict()["error"]["message"]) == (status, code, "只能查看本辖区的任务")
    assert cls().to_dict()["error"]["message"] == cls.default_message

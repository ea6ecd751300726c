"""schemathesis over the published OpenAPI document, against the running local stack (issue 12).

Every operation gets examples that fit its schema and examples that do not (both generation
modes), and every response goes through all of schemathesis' checks: no server error, status
code documented, content type and body conforming to the documented schema, headers, negative
data rejected. 0 server errors and 0 schema violations is the bar.

So that fuzzing reaches the bodies and not only the 401 in front of them, each request carries
valid credentials for its operation (``_credentials``): a citizen token of the right purpose
(SMS code read from the local stack's outbox), the query code of a real case for routes on
``{case_id}`` (whose id replaces the generated one), and a staff ID token of the role the route
needs. The example count per operation is small (``MAX_EXAMPLES``) to keep ``make test`` short.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth

from tests.e2e.conftest import citizen_token, register, unique_phone
from tests.e2e.test_certificate_staff_routes import staff_token

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MAX_EXAMPLES = 6


def _schema():
    from app import app
    from chalicelib.api.openapi import document

    config = schemathesis.Config.from_dict(
        {
            "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
            "request-timeout": 30,
            "checks": {
                # A body can fit its schema and still break a rule no JSON schema can state (an ID
                # number's checksum, dates against each other): that is a 400 with field errors.
                "positive_data_acceptance": {"expected-statuses": ["2XX", "400", "401", "403", "404", "409", "422", "429"]},
            },
        }
    )
    return schemathesis.openapi.from_dict(document(app), config=config)


schema = _schema()


_made: list[_Credentials] = []


@pytest.fixture
def credentials(api, couple):
    """Tokens and a real case, made once for the module."""
    if not _made:
        _made.append(_Credentials(api, couple("sichuan")))
    return _made[0]


class _Credentials:
    def __init__(self, api, body: dict) -> None:
        self.citizen = {purpose: citizen_token(api, unique_phone(), purpose) for purpose in ("submit", "query", "verify", "birth", "appointment")}
        r = register(api, body)
        assert r.status == 201, r.body
        self.case = (r.body["case_id"], r.body["query_code"])
        office = body["application"]["office_code"]
        self.staff = {
            "township_operator": staff_token("township_operator", office[:6], office)[1],
            "admin": staff_token("admin", office[:6])[1],
            "medical_institution": staff_token("medical_institution", office[:6], f"H{office}")[1],
            # birth medical certificates are Guizhou's process (seed 003): a Guizhou institution
            "birth_institution": staff_token("medical_institution", "520102", "H520102001")[1],
        }

    def headers(self, case) -> dict[str, str]:
        operation = case.operation
        path, security = operation.path, operation.definition.raw.get("security") or []
        schemes = {name for alternative in security for name in alternative}
        headers: dict[str, str] = {}
        if "staff" in schemes:
            births = path.startswith(("/v1/staff/births", "/v1/staff/birth-certificates"))
            role = ("admin" if "/accounts" in path else "birth_institution" if births
                    else "medical_institution" if path.endswith("/birth") else "township_operator")
            headers["Authorization"] = f"Bearer {self.staff[role]}"
        if "citizen_token" in schemes:
            purpose = (
                "submit" if path == "/v1/registrations"
                else "verify" if path.startswith("/v1/verify")
                else "birth" if path.startswith("/v1/births")
                else "appointment" if path.startswith("/v1/appointments")
                else "query"
            )
            headers["X-Citizen-Token"] = self.citizen[purpose]
        if "query_code" in schemes and "{case_id}" in path:
            case.path_parameters = {**(case.path_parameters or {}), "case_id": self.case[0]}
            headers["X-Query-Code"] = self.case[1]
            headers.pop("X-Citizen-Token", None)
        return headers


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case, api, credentials):
    if case.operation.path not in ("/v1/staff/login",) and "negative" not in str(case.meta.generation.mode).lower():
        case.headers = {**(case.headers or {}), **credentials.headers(case)}
    excluded = []
    if "query_code" in str(case.operation.definition.raw.get("security")):
        # A wrong query code and an unknown case id both answer 404 (one answer, so guessing case
        # ids tells nothing), where ignored_auth expects 401/403.
        excluded.append(ignored_auth)
    case.call_and_validate(base_url=api.base, excluded_checks=excluded)

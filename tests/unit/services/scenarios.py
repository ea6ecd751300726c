"""Steps the service unit tests share: a couple the registries know, a citizen's submission, the
workflow's checks. They run on whatever repositories and adapters are installed (the fakes)."""

from __future__ import annotations

from chalicelib.domain import routing
from chalicelib.domain.demo import demo_registration
from chalicelib.services.citizen import registration
from chalicelib.services.workflow import checks
from chalicelib.store.repositories import registry


def known_couple(profile: str = "sichuan", **records) -> dict:
    """A demo couple the reference registries know (the instant path), as the local seed records it."""
    from local.seed import registry_records

    body = demo_registration(profile)
    for key, data in registry_records(body, **records):
        registry.put(key, data)
    return body


def submit(body: dict, **kw) -> dict:
    return registration.submit(body, channel="online", contact_phone=body["woman"]["phone"], **kw)


def run_checks(case_id: str) -> dict:
    """The workflow's VerifyRecords state (the three lookups, the rules, the route) as it runs after
    WaitForWindow: the working-hours window is open, whatever the clock says."""
    return checks.verify_records({"case_id": case_id, "route": routing.WAIT_WINDOW})

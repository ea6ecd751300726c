"""Shared fixtures for the domain unit tests.

The domain is pure, so these tests need nothing but pytest and hypothesis: no AWS, no network.
``TODAY`` is fixed so the tests do not depend on the clock.
"""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.demo import demo_registration
from chalicelib.domain.form import parse_registration

TODAY = date(2026, 5, 6)


@pytest.fixture(scope="session")
def today() -> date:
    return TODAY


@pytest.fixture(scope="session")
def make_form():
    """``make_form("chongqing", **overrides)`` -> parsed RegistrationForm of the demo body."""

    def _make(profile: str = "sichuan", *, today: date = TODAY, **overrides):
        return parse_registration(demo_registration(profile, **overrides), today=today)

    return _make

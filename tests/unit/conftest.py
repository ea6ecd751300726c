"""Unit tests run the code without a stack (the process has the local stage's declared settings,
tests/conftest.py); links need a public address, which the local stack would give."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _public_base_url(monkeypatch):
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://birthreg.test")


@pytest.fixture(autouse=True)
def _token_key(monkeypatch):
    """The TokenKey secret (Secrets Manager, by ARN, when deployed): a fixed test key here."""
    from chalicelib import config

    monkeypatch.setattr(config, "secret_key", lambda: b"unit-test-token-key-" + b"0" * 24)

"""Service unit tests run the real services and the real domain on fakes: the store in memory
(``chalicelib/store/memory.py``, installed through ``store/repositories.py``) and recording fakes of
the adapters (``tests/fakes/adapters.py``). No AWS, no network; time moves with ``clock``."""

from __future__ import annotations

import pytest

from chalicelib.store import memory as memory_store


@pytest.fixture
def memory():
    """Every repository in memory, empty, for this test."""
    with memory_store.in_memory() as store:
        yield store


@pytest.fixture
def adapters(monkeypatch):
    from tests.fakes.adapters import installed

    return installed(monkeypatch)


@pytest.fixture
def clock():
    """Moves ``config.now()`` forward (the e2e suite's ``Clock``); put back after the test."""
    from tests.e2e.conftest import Clock

    c = Clock()
    yield c
    c.reset()

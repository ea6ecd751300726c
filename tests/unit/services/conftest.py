"""Service unit tests run the real services and the real domain on fakes: the store in memory
(``chalicelib/store/memory.py``, installed through ``store/repositories.py``) and recording fakes of
the adapters (``tests/fakes/adapters.py``). No AWS, no network; time moves with ``clock``."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.store import repositories


@pytest.fixture
def memory():
    """Every repository in memory, empty, for this test."""
    with repositories.in_memory() as store:
        yield store


@pytest.fixture
def adapters(monkeypatch):
    from tests.fakes.adapters import installed

    return installed(monkeypatch)


class Clock:
    """Moves ``config.now()`` forward; the fixture puts it back after the test."""

    def __init__(self) -> None:
        from chalicelib import config

        self._clock = config.clock
        self._start = config.clock.offset

    def advance(self, seconds: float) -> None:
        self._clock.offset += timedelta(seconds=seconds)

    def reset(self) -> None:
        self._clock.offset = self._start


@pytest.fixture
def clock():
    c = Clock()
    yield c
    c.reset()

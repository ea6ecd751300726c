"""Where the services find the store: one slot per table's repository, DynamoDB unless a test
installed an in-memory fake.

A repository's interface is its store module's ``OPERATIONS``: the public functions that read or
write the table (``cases.get``, ``cases.transition``, ``codes.take`` ...). Everything else a module
offers -- the record types (``Case``), statuses, errors, key helpers -- is plain data and comes
from the module itself, whichever implementation is installed, so a fake raises the same errors
and returns the same record types as DynamoDB.

Services import the slot instead of the module::

    from chalicelib.store.repositories import cases as case_store

    case = case_store.get(case_id)          # DynamoDB, or the installed fake
    case_store.CaseNotFound                 # always chalicelib.store.cases.CaseNotFound

Tests install fakes explicitly, for the duration of a ``with`` block::

    with memory.in_memory() as store:    # every repository, sharing one transaction model
        registration.submit(...)
        memory.cases.items                      # what was written

The slots import their store module on first use, so importing a service does not import PynamoDB.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

NAMES = ("appointments", "audit", "cases", "certificates", "codes", "idempotency", "outbox", "registry", "statistics", "tasks")

_installed: dict[str, Any] = {}


class Repository:
    """The slot of one store module: its ``OPERATIONS`` from the installed implementation, any
    other name from the module."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._module: ModuleType | None = None

    @property
    def module(self) -> ModuleType:
        if self._module is None:
            self._module = importlib.import_module(f"chalicelib.store.{self.name}")
        return self._module

    @property
    def operations(self) -> tuple[str, ...]:
        return self.module.OPERATIONS

    def __getattr__(self, attr: str) -> Any:
        module = self.module
        fake = _installed.get(self.name)
        if fake is not None and attr in module.OPERATIONS:
            return getattr(fake, attr)
        return getattr(module, attr)

    def __repr__(self) -> str:
        implementation = type(_installed[self.name]).__name__ if self.name in _installed else "DynamoDB"
        return f"<repository {self.name}: {implementation}>"


appointments = Repository("appointments")
audit = Repository("audit")
cases = Repository("cases")
certificates = Repository("certificates")
codes = Repository("codes")
idempotency = Repository("idempotency")
outbox = Repository("outbox")
registry = Repository("registry")
statistics = Repository("statistics")
tasks = Repository("tasks")

SLOTS: dict[str, Repository] = {name: globals()[name] for name in NAMES}


@contextmanager
def installed(**implementations: Any) -> Iterator[None]:
    """Use these implementations (by repository name) inside the block; the previous ones after it."""
    unknown = set(implementations) - set(NAMES)
    if unknown:
        raise ValueError(f"no such repository: {sorted(unknown)}")
    previous = dict(_installed)
    _installed.update(implementations)
    try:
        yield
    finally:
        _installed.clear()
        _installed.update(previous)

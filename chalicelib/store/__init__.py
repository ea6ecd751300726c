"""Storage: PynamoDB models and repository functions, one module per table.

Every PynamoDB expression (conditions, updates, index reads, cursors) lives here; services speak in
domain terms (``cases.transition``, ``cases.record_rating``, ``codes.take``) and reach each module
through its slot in ``repositories.py``, where tests install the in-memory fakes of ``memory.py``.
``conditions.py`` is the one place that recognises a failed condition.
"""

from __future__ import annotations

from collections.abc import Callable


class _TableName(type):
    """Metaclass of a model's ``Meta``: ``Meta.table_name`` is read from the settings on every call.

    PynamoDB reads ``Meta.table_name`` per operation (and re-creates its table connection when it
    changes); a name fixed at import would be the first importer's, and the local stack runs every
    unit -- each with its own environment -- in one process.
    """

    @property
    def table_name(cls) -> str:
        return cls.resolve_table_name()


def table_meta(resolve: Callable[[], str]) -> type:
    """Base class for a model's ``Meta`` whose table name is ``resolve()`` (a ``config`` setting)."""
    return _TableName("TableMeta", (), {"resolve_table_name": staticmethod(resolve)})

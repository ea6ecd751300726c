"""One DynamoDB connection per process (per Lambda container), shared by every table model.

PynamoDB gives each model class its own ``Connection`` (each with its own botocore session and
client), and a ``TransactWrite`` built with ``Connection()`` creates a new session and client
per call: 35–38 ms each, and on AWS a new TLS connection. Here every model of the store and
every transaction use the same connection, whose client is created once (on first use) and
then reused by every request and thread (botocore clients are thread-safe once created).

The connection is keyed by region and endpoint, so a process that moves ``AWS_ENDPOINT_URL``
(the local stack, the tests) gets a fresh one instead of talking to the old endpoint.
"""

from __future__ import annotations

import os
import threading

from pynamodb.connection import Connection
from pynamodb.connection.table import TableConnection
from pynamodb.models import Model as _PynamoModel

from chalicelib import config

_lock = threading.Lock()
_connections: dict[tuple[str, str], Connection] = {}


class _SharedConnection(Connection):
    """A ``Connection`` whose botocore client is created once, under a lock, for all threads,
    from the process's one botocore session (the one ``config.client`` uses too)."""

    @property
    def session(self):
        return config.botocore_session()

    @property
    def client(self):
        if self._client is None:
            with _lock:
                if self._client is None:
                    Connection.client.fget(self)
        return Connection.client.fget(self)


def shared() -> Connection:
    """The process's DynamoDB connection (created on first use)."""
    key = (config.region(), os.environ.get("AWS_ENDPOINT_URL", ""))
    conn = _connections.get(key)
    if conn is None:
        with _lock:
            conn = _connections.setdefault(key, _SharedConnection(region=key[0]))
    return conn


class Model(_PynamoModel):
    """A PynamoDB model bound to the shared connection instead of a connection of its own."""

    @classmethod
    def _get_connection(cls) -> TableConnection:
        table = super()._get_connection()
        conn = shared()
        if table.connection is not conn:
            name = cls.Meta.table_name
            if name not in conn._tables:
                with _lock:
                    if name not in conn._tables:
                        conn.add_meta_table(table.connection.get_meta_table(name))
            table.connection = conn
        return table

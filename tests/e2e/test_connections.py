"""One AWS connection per container: after warm-up, no request creates a botocore session or client.

A botocore session costs 35–38 ms to build and each client opens its own TLS connection on AWS;
the API and the task functions must reuse the ones their container made on first use. Counted
here: every ``botocore.session.Session`` and every ``create_client`` made by our code (the API's
handlers in chalicelib/app.py and the task functions in functions/) while a citizen requests an
SMS code, signs in with it, submits, the workflow registers the case (checks, certificate, SMS)
and the citizen looks the result up.
"""

from __future__ import annotations

import threading
import traceback
from collections import Counter
from pathlib import Path

import botocore.session

from tests.e2e.conftest import register, wait_for_status

ROOT = Path(__file__).resolve().parents[2]
OURS = (str(ROOT / "chalicelib") + "/", str(ROOT / "functions") + "/", str(ROOT / "app.py"))


class _Counting:
    """Counts sessions and clients whose creation our code asked for (any thread)."""

    def __init__(self) -> None:
        self.created: Counter = Counter()
        self._lock = threading.Lock()

    def _record(self, what: str) -> None:
        frames = [f for f in traceback.extract_stack() if f.filename.startswith(OURS)]
        if frames:
            with self._lock:
                self.created[f"{what} at {frames[-1].filename.rsplit('/', 2)[-2:]}:{frames[-1].lineno}"] += 1

    def __enter__(self) -> _Counting:
        session_init, create_client = botocore.session.Session.__init__, botocore.session.Session.create_client
        counting = self

        def init(self, *args, **kwargs):
            counting._record("session")
            return session_init(self, *args, **kwargs)

        def client(self, *args, **kwargs):
            counting._record(f"client {args[0] if args else kwargs.get('service_name')}")
            return create_client(self, *args, **kwargs)

        self._originals = (session_init, create_client)
        botocore.session.Session.__init__ = init
        botocore.session.Session.create_client = client
        return self

    def __exit__(self, *exc) -> None:
        botocore.session.Session.__init__, botocore.session.Session.create_client = self._originals


def _registration(api, couple) -> None:
    r = register(api, couple())
    assert r.status == 201, r.body
    view = wait_for_status(api, r.body["case_id"], r.body["query_code"], {"registered"})
    assert view["status"] == "registered"


def test_no_session_or_client_is_created_per_request_after_warm_up(api, couple):
    with _Counting():
        _registration(api, couple)  # cold: every client of the path is made once here
    with _Counting() as warm:
        _registration(api, couple)
        _registration(api, couple)
    assert sum(warm.created.values()) == 0, dict(warm.created)
    # the counter sees creations at all (a warm-up in a fresh process makes some, or none if the
    # session's earlier tests made them already): prove it counts by making one on purpose
    with _Counting() as probe:
        from chalicelib.store import connection

        connection._connections.clear()
        connection.shared().client  # noqa: B018 - creating the client is the point
    assert sum(probe.created.values()) >= 1, "the counter saw nothing"
